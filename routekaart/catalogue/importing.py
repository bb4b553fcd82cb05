"""Import a region's entries from a coordinator's file (CSV, XLSX or GeoJSON). Pure functions:
read a file into a frame, find every problem at once, and say what would change.

A file that cannot be read raises FileProblem; row problems come back as schema.Problem
(row as a spreadsheet counts it, column, Dutch message). Writing is the caller's business.
"""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from .schema import COLUMNS, Problem, normalise, same_place_key, validate

# Columns a file may leave out: the region comes from --region, last_edited from the import.
OPTIONAL = {"zorgkantoorregio", "last_edited"}
FORMATS = (".csv", ".xlsx", ".geojson", ".json")
EXPORT_ONLY = {"geo_precision"}  # what our GeoJSON export adds (see export.geojson)


class FileProblem(Exception):
    """The whole file is unusable; the message says why in Dutch."""


def read(path: Path) -> pd.DataFrame:
    """The file's rows as text cells, checked for a usable header."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise FileProblem(f"Onbekend bestandstype '{suffix}'. Gebruik CSV, XLSX of GeoJSON.")
    raw = path.read_bytes()
    if not raw.strip():
        raise FileProblem("Het bestand is leeg.")
    reader = {".csv": _read_csv, ".xlsx": _read_xlsx}.get(suffix, _read_geojson)
    frame = reader(raw)
    frame.columns = [str(column).strip() for column in frame.columns]
    unknown = [column for column in frame.columns if column not in COLUMNS]
    missing = [column for column in COLUMNS if column not in frame.columns and column not in OPTIONAL]
    if unknown or missing:
        parts = ([f"onbekende kolommen: {', '.join(unknown)}"] if unknown else []) + (
            [f"kolommen ontbreken: {', '.join(missing)}"] if missing else [])
        raise FileProblem("De kolommen kloppen niet (" + "; ".join(parts) + "). "
                          "Gebruik de kolomnamen van een export of van het regiobestand.")
    if frame.empty:
        raise FileProblem("Het bestand heeft wel kolomnamen, maar geen rijen.")
    return frame.reset_index(drop=True)


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileProblem(f"Het bestand is niet opgeslagen als UTF-8 (onleesbaar teken op positie {error.start}). "
                          "Kies in Excel bij 'Opslaan als' voor 'CSV UTF-8'.") from None


def _read_csv(raw: bytes) -> pd.DataFrame:
    text = _text(raw)
    header = text.split("\n", 1)[0]
    separator = ";" if header.count(";") > header.count(",") else ","  # Dutch Excel writes ;
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=separator)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise FileProblem(f"Het CSV-bestand is niet goed opgebouwd: {error}") from None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(raw: bytes) -> pd.DataFrame:
    from openpyxl import load_workbook  # only here: the web app never reads Excel

    try:
        sheet = load_workbook(io.BytesIO(raw), data_only=True).worksheets[0]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileProblem(f"Dit is geen leesbaar Excel-bestand (.xlsx): {error}") from None
    merged = [str(cells) for cells in sheet.merged_cells.ranges]
    if merged:
        raise FileProblem(f"Het werkblad heeft samengevoegde cellen ({', '.join(merged[:5])}). "
                          "Maak ze los, zodat elke rij één item is en elke kolom één veld.")
    rows = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    rows = [row for row in rows if any(row)]
    if not rows:
        raise FileProblem("Het werkblad is leeg.")
    return pd.DataFrame(rows[1:], columns=rows[0])


def _read_geojson(raw: bytes) -> pd.DataFrame:
    not_geojson = FileProblem("Dit is geen GeoJSON FeatureCollection.")
    try:
        features = json.loads(_text(raw))["features"]
    except (ValueError, KeyError, TypeError):
        raise not_geojson from None
    if not isinstance(features, list):
        raise not_geojson
    rows = []
    for number, feature in enumerate(features, start=1):
        try:
            rows.append(_feature_row(feature))
        except (AttributeError, TypeError, ValueError, IndexError):
            raise FileProblem(f"Object {number} is geen geldige GeoJSON Feature met properties en een punt.") from None
    frame = pd.DataFrame(rows)
    for column in ("latitude", "longitude"):  # a file without points simply has no coordinates
        if column not in frame:
            frame[column] = ""
    return frame


def _feature_row(feature: dict) -> dict:
    properties = {key: "" if value is None else str(value) for key, value in (feature.get("properties") or {}).items()
                  if key not in EXPORT_ONLY}
    geometry = feature.get("geometry") or {}
    # The point is the entry's own only when the file has no coordinate fields: our export
    # has them (maybe empty) and a point that may be our approximate placement.
    if geometry.get("type") == "Point" and "latitude" not in properties and "longitude" not in properties:
        longitude, latitude = geometry["coordinates"][:2]
        properties["longitude"], properties["latitude"] = str(longitude), str(latitude)
    return properties


def check(frame: pd.DataFrame, region: str, others: pd.DataFrame) -> list[Problem]:
    """Every problem of the file for `region` (schema.validate), plus ids and places that the rest
    of the catalogue (`others`) already has."""
    given = frame["zorgkantoorregio"] if "zorgkantoorregio" in frame else pd.Series("", index=frame.index)
    frame = normalise(frame.assign(zorgkantoorregio=given.where(given != "", region)))
    problems = validate(frame, region=region)
    row = frame.index.to_series() + 2  # as validate counts: the header is row 1
    others = others.drop_duplicates("id")
    elsewhere = frame["id"].map(others.set_index("id")["zorgkantoorregio"]).dropna()
    problems += [Problem(row[i], "id", f"'{frame.at[i, 'id']}' bestaat al in {code}; kies een ander id")
                 for i, code in elsewhere.items()]
    known = pd.Series(others["id"].values, index=same_place_key(others).values)
    known = known[known.index.notna() & ~known.index.duplicated()]
    matches = same_place_key(frame).map(known).dropna()
    problems += [Problem(row[i], "name", f"lijkt hetzelfde item als '{match}' (zelfde naam en adres)")
                 for i, match in matches.items() if match != frame.at[i, "id"]]
    return sorted(set(problems), key=lambda p: (p.row, COLUMNS.index(p.column), p.message))


def prepare(frame: pd.DataFrame, region: str) -> pd.DataFrame:
    """The file's rows as catalogue rows of `region`."""
    return normalise(frame.assign(zorgkantoorregio=region))


@dataclass(frozen=True)
class Change:
    added: list[str]
    changed: list[str]
    removed: list[str]

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def compare(old: pd.DataFrame, new: pd.DataFrame) -> Change:
    """Ids added, changed (any field but last_edited) and removed."""
    fields = [column for column in COLUMNS if column not in ("id", "last_edited")]
    old, new = normalise(old).set_index("id")[fields], normalise(new).set_index("id")[fields]
    common = old.index.intersection(new.index)
    differs = (old.loc[common] != new.loc[common]).any(axis=1)
    return Change(sorted(new.index.difference(old.index)), sorted(common[differs.to_numpy()]),
                  sorted(old.index.difference(new.index)))


def stamp(new: pd.DataFrame, old: pd.DataFrame, change: Change, today: date) -> pd.DataFrame:
    """Set last_edited to today on added and changed rows; others keep theirs."""
    kept = new["id"].map(normalise(old).set_index("id")["last_edited"]).fillna("")
    edited = new["id"].isin(change.added + change.changed)
    return new.assign(last_edited=kept.mask(edited, today.isoformat()))


def split(frame: pd.DataFrame, problems: list[Problem]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows without problems, rejected rows with their problems in a column `problemen`)."""
    by_row = pd.Series([f"{p.column}: {p.message}" for p in problems], index=[p.row - 2 for p in problems])
    reasons = by_row.groupby(level=0).agg("; ".join)
    bad = frame.index.isin(reasons.index)
    return frame[~bad], frame[bad].assign(problemen=reasons)
