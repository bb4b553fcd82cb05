"""One rule against formula injection, for every CSV and XLSX we write or read.

Excel and LibreOffice run a cell that starts with = + - @, a tab or a carriage return as a
formula (`=HYPERLINK(...)`, `+cmd|' /C calc'!A0`, `@SUM(1)`). Coordinators open our files in a
spreadsheet, so:

- Import refuses such a start in the catalogue's fields (schema.validate names row and column),
  except where real values start that way: a phone number as +31 (checked by its own strict
  pattern), and @ in free text, because real names do (`@ease`).
- Every CSV or XLSX we write puts an apostrophe before any text cell that starts like a formula
  (the OWASP advice), so a spreadsheet shows it as text.
- Reading a CSV or XLSX takes exactly that apostrophe off again, so our own files read back
  unchanged. A stored value can never itself start with an apostrophe and such a character
  (import refuses it), so nothing else is ever changed by reading.
"""
from __future__ import annotations

import pandas as pd

FORMULA_START = "=+-@\t\r"


def _text_columns(frame: pd.DataFrame) -> list:
    return [column for column in frame.columns
            if pd.api.types.infer_dtype(frame[column], skipna=True) in ("string", "mixed", "mixed-integer")]


def _starts(values: pd.Series, characters: str) -> pd.Series:
    return values.str[:1].isin(list(characters))


def _marked(values: pd.Series) -> pd.Series:
    """An apostrophe before a formula start: the mark `protect` adds."""
    return (values.str[:1] == "'") & _starts(values.str[1:], FORMULA_START)


def formula_like(values: pd.Series, allowed: str = "") -> pd.Series:
    """Where a text, as read, would be taken as a formula, or would change on the next read (it
    starts with an apostrophe before such a character); starts listed in `allowed` pass."""
    return _starts(values, "".join(c for c in FORMULA_START if c not in allowed)) | _marked(values)


def protect(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy to write: every text cell that starts like a formula gets an apostrophe in front."""
    out = frame.copy()
    for column in _text_columns(out):
        values = out[column]
        risky = _starts(values, FORMULA_START)
        if risky.any():
            out[column] = values.mask(risky, "'" + values[risky].astype(str))
    return out


def unprotect(frame: pd.DataFrame) -> pd.DataFrame:
    """A file's cells as they were before `protect`: the one apostrophe before a formula start off."""
    out = frame.copy()
    for column in _text_columns(out):
        values = out[column]
        marked = _marked(values)
        if marked.any():
            out[column] = values.mask(marked, values[marked].str[1:])
    return out
