"""The spreadsheet files on a fictitious table: the Dutch CSV's dialect (BOM, ';', decimal comma,
two decimals, percentages), the international CSV's, and the XLSX's number formats."""
import csv
import io

import numpy as np
import openpyxl
import pandas as pd

from routekaart import sheets

FRAME = pd.DataFrame({
    "name": ["Testregio Noord", "=Testregio Zuid"],  # the second starts like a formula
    "people": [17472870, np.nan],
    "km": [8.989177384663043, 12.0],
    "share": [0.371249, np.nan],
    "score": [54.72, 100.0],
})
FORMATS = {"people": "count", "km": "decimal", "share": "share", "score": "whole"}
HEADERS = {"name": "Regio", "people": "Inwoners", "km": "Mediane afstand (km)", "share": "Verder dan 20 km",
           "score": "Tekortscore"}


def test_dutch_csv_is_what_dutch_excel_opens_as_it_is():
    body = sheets.dutch_csv(FRAME, FORMATS, HEADERS)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Regio", "Inwoners", "Mediane afstand (km)", "Verder dan 20 km", "Tekortscore"]
    assert rows[1] == ["Testregio Noord", "17472870", "8,99", "37,12%", "55"]
    assert rows[2] == ["'=Testregio Zuid", "", "12,00", "", "100"]  # nothing where there is no value
    assert body.decode("utf-8-sig").count("\r\n") == 3


def test_dutch_csv_reads_back_as_numbers_with_a_dutch_reader():
    frame = pd.read_csv(io.BytesIO(sheets.dutch_csv(FRAME, FORMATS, HEADERS)), sep=";", decimal=",",
                        encoding="utf-8-sig")
    assert frame["Mediane afstand (km)"].tolist() == [8.99, 12.0]
    assert frame["Verder dan 20 km"].iloc[0] == "37,12%"  # Excel reads this as 0.3712 in a percent format


def test_international_csv_has_commas_points_and_fractions():
    body = sheets.international_csv(FRAME, FORMATS).decode("utf-8")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["name", "people", "km", "share", "score"]
    assert rows[1] == ["Testregio Noord", "17472870", "8.99", "0.3712", "55"]
    assert rows[2][0] == "'=Testregio Zuid" and rows[2][1] == "" and rows[2][3] == ""


def test_xlsx_keeps_numbers_with_number_formats():
    workbook = openpyxl.load_workbook(io.BytesIO(sheets.xlsx([("dekking", FRAME, FORMATS, HEADERS)])))
    sheet = workbook["dekking"]
    assert [cell.value for cell in sheet[1]] == list(HEADERS.values())
    name, people, km, share, score = sheet[2]
    assert (people.value, people.number_format) == (17472870, "#,##0")
    assert (km.value, km.number_format) == (8.99, "#,##0.00")
    assert (share.value, share.number_format) == (0.3712, "0.00%")
    assert (score.value, score.number_format) == (55, "0")
    assert sheet["A3"].value == "'=Testregio Zuid" and sheet["A3"].data_type == "s"
    assert sheet.freeze_panes == "A2"
