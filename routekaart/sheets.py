"""A table as files for spreadsheet programs: a Dutch CSV, an international CSV and an XLSX.

- `dutch_csv` opens in Dutch Excel as it is, by a double click: UTF-8 with a BOM (without one
  Excel reads Windows-1252), `;` between fields (the list separator of Dutch Windows), a decimal
  comma, two decimals, shares as percentages ('37,12%', which Excel reads as the number 0,3712),
  no thousands separator (Excel would read '1.234' as a date or 1,234).
- `international_csv` is for programs and English-language spreadsheets: `,` and a decimal point,
  shares as fractions with four decimals (as precise as a percentage with two).
- `xlsx` keeps numbers as numbers, rounded as in the CSVs and shown with number formats.

A column's format is one of FORMATS. Every file puts spreadsheet.protect's apostrophe before a text
that starts like a formula.
"""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from .catalogue import spreadsheet

FORMATS = ("count", "decimal", "share", "whole", "text")
DECIMALS = {"decimal": 2, "share": 4, "whole": 0}  # shares as fractions
XLSX_NUMBER_FORMATS = {"count": "#,##0", "decimal": "#,##0.00", "share": "0.00%", "whole": "0"}
DUTCH_PATTERNS = {"decimal": ("%.2f", 1), "share": ("%.2f%%", 100), "whole": ("%.0f", 1)}


def rounded(frame: pd.DataFrame, formats: dict[str, str]) -> pd.DataFrame:
    """The numbers as the files give them: counts whole, decimals to 2 places, shares to 4."""
    out = frame.copy()
    for column, fmt in formats.items():
        if fmt in DECIMALS:
            out[column] = out[column].astype(float).round(DECIMALS[fmt])
        if fmt in ("count", "whole"):
            out[column] = out[column].astype("Int64")
    return out


def _dutch(values: pd.Series, fmt: str) -> pd.Series:
    """A column as Dutch text: '8,99', '37,12%', '17472870'; nothing where there is no value."""
    if fmt == "text":
        return values.astype("string").fillna("")
    if fmt == "count":
        return values.astype("Int64").astype("string").fillna("")
    pattern, factor = DUTCH_PATTERNS[fmt]
    numbers = values.astype(float)
    text = np.char.mod(pattern, numbers.fillna(0).to_numpy() * factor)
    return pd.Series(text, index=values.index).str.replace(".", ",", regex=False).where(numbers.notna(), "")


def dutch_csv(frame: pd.DataFrame, formats: dict[str, str], headers: dict[str, str]) -> bytes:
    """The frame for Dutch Excel, its columns renamed to `headers` (format 'text' where none is given)."""
    safe = rounded(spreadsheet.protect(frame), formats)
    text = pd.DataFrame({column: _dutch(safe[column], formats.get(column, "text")) for column in frame.columns})
    body = text.rename(columns=headers).to_csv(sep=";", index=False, lineterminator="\r\n")
    return body.encode("utf-8-sig")


def international_csv(frame: pd.DataFrame, formats: dict[str, str]) -> bytes:
    """The frame with `,` and a decimal point, under its own column names."""
    return rounded(spreadsheet.protect(frame), formats).to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def xlsx(sheets: list[tuple[str, pd.DataFrame, dict[str, str], dict[str, str]]]) -> bytes:
    """A workbook of (sheet name, frame, formats, headers) sheets: number formats per column, the
    header row frozen, columns wide enough for their header."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame, formats, headers in sheets:
            rounded(spreadsheet.protect(frame), formats).rename(columns=headers).to_excel(
                writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            for number, column in enumerate(frame.columns, start=1):
                letter = get_column_letter(number)
                sheet.column_dimensions[letter].width = min(max(len(str(headers.get(column, column))), 10) + 2, 50)
                number_format = XLSX_NUMBER_FORMATS.get(formats.get(column, "text"))
                if number_format:
                    for (cell,) in sheet.iter_rows(min_row=2, min_col=number, max_col=number):
                        cell.number_format = number_format
    return buffer.getvalue()
