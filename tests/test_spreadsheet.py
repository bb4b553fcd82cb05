"""The spreadsheet rule (catalogue/spreadsheet.py) in both directions: what import refuses, what every
CSV and XLSX we write neutralises, and that our own files read back unchanged. Rows are fictitious."""
import csv
import io

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routekaart.catalogue import export, files, importing, schema, spreadsheet
from routekaart.catalogue.spreadsheet import FORMULA_START

ATTACKS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1)"]


def _formula(cell) -> bool:
    return isinstance(cell, str) and cell != "" and cell[0] in FORMULA_START


def _row(**values) -> dict:
    base = {"id": "testpunt-voorbeeld", "name": "Testpunt Voorbeeld", "kind": "steunpunt", "scope": "lokaal",
            "source_url": "https://voorbeeld.invalid/bron", "zorgkantoorregio": "ZK23"}
    return {**base, **values}


def _problems(**values) -> list[tuple[int, str]]:
    return [(p.row, p.column) for p in schema.validate(pd.DataFrame([_row(**values)]))]


@pytest.mark.parametrize("column", schema.COLUMNS)
@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_no_field_takes_a_formula_start_except_the_documented_ones(column, start):
    allowed = (column == "phones" and start == "+") or (column not in schema.PATTERNED and start == "@")
    value = "+31 30 1234567" if column == "phones" else start + "Testpunt"
    value = value if column != "phones" or start == "+" else start + "0301234567"
    problems = _problems(**{column: value})
    if allowed:
        assert (2, column) not in problems
    else:
        assert (2, column) in problems


@pytest.mark.parametrize("attack", ATTACKS[:3])
def test_import_refuses_a_formula_in_free_text_with_row_and_column(tmp_path, attack):
    rows = pd.DataFrame([_row(id="testpunt-een"), _row(id="testpunt-twee", name="Testpunt Twee", description=attack)])
    path = tmp_path / "regio.csv"
    rows.reindex(columns=[c for c in schema.COLUMNS if c not in importing.OPTIONAL], fill_value="").to_csv(path, index=False)
    problems = importing.check(importing.read(path), "ZK23", schema.empty_frame())
    assert [(p.row, p.column) for p in problems] == [(3, "description")]
    assert "formule" in problems[0].message


def test_a_value_that_reading_would_change_is_refused():
    """An apostrophe before a formula start is the mark our writing adds; a stored value cannot have it."""
    assert (2, "name") in _problems(name="'=Testpunt")
    assert (2, "name") in _problems(name="'@Testpunt")
    assert _problems(name="'t Testpunt Voorbeeld", gemeente="'s-Hertogenbosch") == []


@pytest.mark.parametrize("attack", ATTACKS)
def test_every_csv_we_write_neutralises_a_formula_start(tmp_path, data, attack):
    """Even a value that is already stored (from before the rule, or written by other means)."""
    entries = schema.normalise(pd.DataFrame([_row(name=attack, phones="+31 30 1234567")]))
    export.write_csv(entries, tmp_path / "alles.csv")
    files.write_atomic(tmp_path / "ZK23.csv", entries)
    written = export.write_hsds(entries, tmp_path / "hsds", data.geo)
    for path in [tmp_path / "alles.csv", tmp_path / "ZK23.csv", *[p for p in written if p.suffix == ".csv"]]:
        cells = [cell for row in csv.reader(path.open(encoding="utf-8")) for cell in row]
        assert not [cell for cell in cells if _formula(cell)], path.name
    assert "'" + attack in [cell for row in csv.reader((tmp_path / "alles.csv").open(encoding="utf-8")) for cell in row]


def test_our_files_read_back_unchanged(tmp_path):
    entries = schema.normalise(pd.DataFrame([_row(name="@ease Testpunt", phones="+31 30 1234567; 113"),
                                             _row(id="testpunt-twee", name="'t Testpunt", gemeente="'s-Gravenhage")]))
    assert schema.validate(entries) == []
    files.write_atomic(tmp_path / "ZK23.csv", entries)
    assert "'@ease Testpunt" in (tmp_path / "ZK23.csv").read_text(encoding="utf-8")
    pd.testing.assert_frame_equal(files.read_file(tmp_path / "ZK23.csv"), entries.sort_values("id").reset_index(drop=True))
    export.write_csv(entries, tmp_path / "export.csv")
    again = importing.prepare(importing.read(tmp_path / "export.csv"), "ZK23")
    assert importing.compare(entries, again).changed == []
    assert importing.check(importing.read(tmp_path / "export.csv"), "ZK23", schema.empty_frame()) == []


def test_an_xlsx_with_our_apostrophes_reads_back_unchanged(tmp_path):
    entries = schema.normalise(pd.DataFrame([_row(name="@ease Testpunt", phones="+31 30 1234567")]))
    path = tmp_path / "regio.xlsx"
    spreadsheet.protect(entries.drop(columns=["zorgkantoorregio", "last_edited"])).to_excel(path, index=False)
    frame = importing.read(path)
    assert frame.loc[frame.index[0], "name"] == "@ease Testpunt"
    assert frame.loc[frame.index[0], "phones"] == "+31 30 1234567"


texts = st.text(alphabet=st.sampled_from(list("=+-@'\t\rab ") + ["\u00e9"]), max_size=6)


@settings(max_examples=300, deadline=None)
@given(st.lists(texts, min_size=1, max_size=5), st.lists(st.integers(-5, 5) | st.floats(allow_nan=False), min_size=5,
                                                         max_size=5))
def test_protect_leaves_no_formula_and_unprotect_undoes_it(values, numbers):
    frame = pd.DataFrame({"text": values, "number": numbers[:len(values)]})
    safe = spreadsheet.protect(frame)
    assert not safe["text"].map(_formula).any()
    assert safe["number"].tolist() == frame["number"].tolist()  # numbers are not text
    readable = ~spreadsheet.formula_like(frame["text"], allowed=FORMULA_START)  # what a stored value can be
    back = spreadsheet.unprotect(safe)
    assert back["text"][readable].tolist() == frame["text"][readable].tolist()


def test_xlsx_writing_keeps_a_formula_as_text(tmp_path):
    """openpyxl would store '=...' as a real formula; after protect it is a text cell."""
    path = tmp_path / "uit.xlsx"
    spreadsheet.protect(pd.DataFrame({"naam": ['=HYPERLINK("http://x","y")']})).to_excel(path, index=False)
    cell = openpyxl.load_workbook(path).active["A2"]
    assert cell.data_type == "s" and cell.value == "'=HYPERLINK(\"http://x\",\"y\")"


def test_the_dekking_downloads_neutralise_formula_starts(client, monkeypatch):
    from routekaart import coverage

    real = coverage.export_frame

    def with_a_hostile_name(*args):
        frame = real(*args)
        frame.loc[frame.index[0], "name"] = "=HYPERLINK(\"http://x\",\"y\")"
        return frame

    monkeypatch.setattr(coverage, "export_frame", with_a_hostile_name)
    for path, delimiter in (("/dekking/export.csv", ";"), ("/dekking/export-international.csv", ",")):
        body = client.get(path).data.decode("utf-8-sig")
        assert not [cell for row in csv.reader(io.StringIO(body), delimiter=delimiter) for cell in row if _formula(cell)]
        assert "'=HYPERLINK" in body, path
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/dekking/export.xlsx").data))
    values = [cell.value for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [v for v in values if _formula(v)]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in values
