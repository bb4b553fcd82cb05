"""Import a region's entries from a coordinator's file (CSV, XLSX or GeoJSON). Pure functions:
read a file into a frame, find every problem at once, and say what would change.

A file that cannot be read raises FileProblem; row problems come back as schema.Problem
(row as a spreadsheet counts it, column, Dutch message). Writing is the caller's business.
A hostile file costs little: its size, an Excel sheet's dimensions and unpacked size, and a
GeoJSON document's depth are checked before the rows are read, XML is parsed with defusedxml
(no entities, so no XXE or billion laughs), and every unreadable file ends in a FileProblem.
"""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from ..geodata.dataset import GeoData
from . import areas, spreadsheet
from .schema import COLUMNS, Problem, normalise, same_place_key, shown, validate

# Columns a file may leave out: the region comes from --region, last_edited from the import.
OPTIONAL = {"zorgkantoorregio", "last_edited"}
FORMATS = (".csv", ".xlsx", ".geojson", ".json")
EXPORT_ONLY = {"geo_precision"}  # what our GeoJSON export adds (see export.geojson)

# Caps (README, "Voor regiocoördinatoren"): far above any region's file, far below what hurts.
MAX_FILE_MB = 20
MAX_ROWS = 20_000
MAX_COLUMNS = 100
MAX_UNPACKED_MB = 100  # an .xlsx is a zip: the sum of its parts, unpacked
MAX_PARTS = 1_000
MAX_DEPTH = 20  # GeoJSON: how deeply lists and objects may nest (ours nest 4 deep)


class FileProblem(Exception):
    """The whole file is unusable; the message says why in Dutch."""


def read(path: Path) -> pd.DataFrame:
    """The file's rows as text cells, checked for a usable header. The index is the row number as
    a spreadsheet shows it, minus 2 (as Problem counts), so blank rows do not shift the numbers."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise FileProblem(f"Onbekend bestandstype '{suffix}'. Gebruik CSV, XLSX of GeoJSON.")
    size = path.stat().st_size
    if size > MAX_FILE_MB * 2**20:
        raise FileProblem(f"Het bestand is te groot ({size / 2**20:.0f} MB); de grens is {MAX_FILE_MB} MB.")
    raw = path.read_bytes()
    if not raw.strip():
        raise FileProblem("Het bestand is leeg.")
    if suffix == ".csv":
        frame = spreadsheet.unprotect(_read_csv(raw))
    elif suffix == ".xlsx":
        frame = spreadsheet.unprotect(_read_xlsx(raw))
    else:
        frame = _read_geojson(raw)
    frame.columns = [str(column).strip() for column in frame.columns]
    unknown = [column for column in frame.columns if column not in COLUMNS]
    missing = [column for column in COLUMNS if column not in frame.columns and column not in OPTIONAL]
    if unknown or missing:
        more = f" en {len(unknown) - 5} andere" if len(unknown) > 5 else ""
        parts = ([f"onbekende kolommen: {', '.join(shown(c, 40) for c in unknown[:5])}{more}"] if unknown else []) + (
            [f"kolommen ontbreken: {', '.join(missing)}"] if missing else [])
        raise FileProblem("De kolommen kloppen niet (" + "; ".join(parts) + "). "
                          "Gebruik de kolomnamen van een export of van het regiobestand.")
    if frame.empty:
        raise FileProblem("Het bestand heeft wel kolomnamen, maar geen rijen.")
    return frame


def _text(raw: bytes, hint: str = "Kies in Excel bij 'Opslaan als' voor 'CSV UTF-8'.") -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileProblem(f"Het bestand is niet opgeslagen als UTF-8 (onleesbaar teken op positie {error.start}). "
                          + hint) from None


def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _too_many_rows() -> FileProblem:
    return FileProblem(f"Het bestand heeft meer dan {_number(MAX_ROWS)} rijen; dat is de grens. "
                       "Haal lege rijen onder de gegevens weg, of verdeel het bestand.")


def _too_many_columns(count: int) -> FileProblem:
    return FileProblem(f"Het bestand heeft {_number(count)} kolommen; de grens is {MAX_COLUMNS}. "
                       "Haal lege kolommen naast de gegevens weg.")


def _read_csv(raw: bytes) -> pd.DataFrame:
    text = _text(raw)
    header = text.split("\n", 1)[0]
    separator = ";" if header.count(";") > header.count(",") else ","  # Dutch Excel writes ;
    if header.count(separator) >= MAX_COLUMNS:
        raise _too_many_columns(header.count(separator) + 1)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=separator,
                            nrows=MAX_ROWS + 1, skip_blank_lines=False).fillna("")
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise FileProblem(f"Het CSV-bestand is niet goed opgebouwd: {error}") from None
    if len(frame) > MAX_ROWS:
        raise _too_many_rows()
    return frame[(frame != "").any(axis=1)]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(raw: bytes) -> pd.DataFrame:
    import openpyxl  # only here: the web app never reads Excel
    from defusedxml import DefusedXmlException

    if not openpyxl.DEFUSEDXML:  # openpyxl uses defusedxml when it is installed, unless told not to
        raise FileProblem("Excel-bestanden kunnen hier niet veilig gelezen worden (OPENPYXL_DEFUSEDXML staat uit). "
                          "Sla het bestand op als CSV UTF-8.")
    unreadable = ("Dit is geen leesbaar Excel-bestand (.xlsx). Open het in Excel en sla het opnieuw op, "
                  "of kies 'CSV UTF-8'.")
    try:
        parts = zipfile.ZipFile(io.BytesIO(raw)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileProblem(unreadable) from None
    unpacked = sum(part.file_size for part in parts)
    if len(parts) > MAX_PARTS or unpacked > MAX_UNPACKED_MB * 2**20:
        raise FileProblem(f"Het Excel-bestand is uitgepakt te groot ({unpacked / 2**20:.0f} MB in {len(parts)} delen; "
                          f"de grens is {MAX_UNPACKED_MB} MB). Sla het op als CSV UTF-8.")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        try:
            return _sheet_frame(workbook)
        finally:
            workbook.close()
    except FileProblem:
        raise
    except Exception as error:  # noqa: BLE001 - openpyxl fails in many ways on a broken file
        causes = [error]
        while causes[-1].__context__ is not None and len(causes) < 10:  # openpyxl wraps what went wrong
            causes.append(causes[-1].__context__)
        if any(isinstance(cause, DefusedXmlException) for cause in causes):
            raise FileProblem("Het Excel-bestand bevat XML met entiteiten; die lezen we niet, omdat ze gegevens "
                              "van deze computer kunnen ophalen of het geheugen vullen. Sla het opnieuw op "
                              "vanuit Excel.") from None
        raise FileProblem(unreadable) from None


def _sheet_frame(workbook) -> pd.DataFrame:
    """The first sheet's rows: its declared size checked first, then each row as it is read."""
    from openpyxl.utils import get_column_letter

    if not workbook.worksheets:
        raise FileProblem("Het Excel-bestand heeft geen werkblad.")
    sheet = workbook.worksheets[0]
    rows, columns = sheet.max_row or 0, sheet.max_column or 0
    if rows > MAX_ROWS + 1 or columns > MAX_COLUMNS:
        raise FileProblem(f"Het werkblad loopt tot cel {get_column_letter(min(columns, 18278))}{rows}: "
                          f"meer dan {_number(MAX_ROWS)} rijen of {MAX_COLUMNS} kolommen. Haal lege rijen en "
                          "kolommen onder en naast de gegevens weg (selecteer ze en kies 'Verwijderen').")
    sheet.reset_dimensions()  # from here on every row is as long as its cells, however the size was declared
    read = {}  # row number as the sheet shows it -> its cells, blank rows left out
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > MAX_ROWS + 1:
            raise _too_many_rows()
        if len(row) > MAX_COLUMNS:
            raise _too_many_columns(len(row))
        cells = [_cell(value) for value in row]
        if any(cells):
            read[number] = cells
    merged = _merged_cells(workbook, sheet)
    if merged:
        raise FileProblem(f"Het werkblad heeft samengevoegde cellen ({', '.join(merged[:5])}). "
                          "Maak ze los, zodat elke rij één item is en elke kolom één veld.")
    if not read:
        raise FileProblem("Het werkblad is leeg.")
    header_row, *numbers = read
    header = read.pop(header_row)
    while header and not header[-1]:
        header.pop()
    width = len(header)
    for number in numbers:
        extra = [cell for cell in read[number][width:] if cell]
        if extra:
            raise FileProblem(f"Rij {number} heeft gegevens in een kolom zonder kolomnaam ('{extra[0][:40]}').")
    return pd.DataFrame([(read[n] + [""] * width)[:width] for n in numbers], columns=header,
                        index=[n - 2 for n in numbers])


def _merged_cells(workbook, sheet) -> list[str]:
    """The merged ranges of a sheet (a read-only sheet does not list them): one more pass over its XML."""
    from defusedxml.ElementTree import iterparse

    merged = []
    with workbook._archive.open(sheet._worksheet_path) as source:  # openpyxl keeps these for read-only sheets
        for _, element in iterparse(source):
            if element.tag.endswith("}mergeCell"):
                merged.append(element.get("ref", ""))
            element.clear()
    return merged


def _deeper_than(document, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` deep, one level at a time."""
    level = [document]
    for _ in range(limit):
        level = [child for node in level for child in (node.values() if isinstance(node, dict) else node)
                 if isinstance(child, dict | list)]
        if not level:
            return False
    return True


def _read_geojson(raw: bytes) -> pd.DataFrame:
    not_geojson = FileProblem("Dit is geen GeoJSON FeatureCollection.")
    too_deep = FileProblem(f"Het GeoJSON-bestand is dieper genest dan {MAX_DEPTH} niveaus; zo diep gaat geen "
                           "FeatureCollection. Exporteer het opnieuw.")
    try:
        document = json.loads(_text(raw, "Is het wel een GeoJSON-bestand?"))
    except RecursionError:
        raise too_deep from None
    except ValueError:
        raise not_geojson from None
    if not isinstance(document, dict):
        raise not_geojson
    if _deeper_than(document, MAX_DEPTH):
        raise too_deep
    features = document.get("features")
    if not isinstance(features, list):
        raise not_geojson
    if len(features) > MAX_ROWS:
        raise _too_many_rows()
    rows = []
    for number, feature in enumerate(features, start=1):
        try:
            rows.append(_feature_row(feature))
        except (AttributeError, TypeError, ValueError, IndexError):
            raise FileProblem(f"Object {number} is geen geldige GeoJSON Feature met properties en een punt.") from None
    frame = pd.DataFrame(rows)
    if len(frame.columns) > MAX_COLUMNS:
        raise _too_many_columns(len(frame.columns))
    for column in ("latitude", "longitude"):  # a file without points simply has no coordinates
        if column not in frame:
            frame[column] = ""
    return frame


def _feature_row(feature: dict) -> dict:
    given = feature.get("properties") or {}
    if any(isinstance(value, dict | list) for value in given.values()):
        raise ValueError("a property holds a list or an object")
    properties = {key: "" if value is None else str(value) for key, value in given.items() if key not in EXPORT_ONLY}
    geometry = feature.get("geometry") or {}
    # The point is the entry's own only when the file has no coordinate fields: our export
    # has them (maybe empty) and a point that may be our approximate placement.
    if geometry.get("type") == "Point" and "latitude" not in properties and "longitude" not in properties:
        longitude, latitude = geometry["coordinates"][:2]
        properties["longitude"], properties["latitude"] = str(longitude), str(latitude)
    return properties


def check(frame: pd.DataFrame, region: str, others: pd.DataFrame, geo: GeoData | None = None) -> list[Problem]:
    """Every problem of the file for `region` (schema.validate), plus ids and places that the rest
    of the catalogue (`others`) already has; with the geodata, also service areas that are not
    gemeenten (areas.problems)."""
    given = frame["zorgkantoorregio"] if "zorgkantoorregio" in frame else pd.Series("", index=frame.index)
    frame = normalise(frame.assign(zorgkantoorregio=given.where(given != "", region)))
    problems = validate(frame, region=region) + (areas.problems(frame, geo) if geo is not None else [])
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
    """The file's rows as catalogue rows of `region` (numbered afresh: file rows no longer matter)."""
    return normalise(frame.assign(zorgkantoorregio=region)).reset_index(drop=True)


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
