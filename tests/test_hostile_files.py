"""Files made to hurt the importer: each must end in a short Dutch FileProblem, never a traceback,
and quickly (the caps in importing are checked before the rows are read). The files are made here."""
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from routekaart.catalogue import importing, schema

HEADER = ",".join(schema.COLUMNS)


def _book(path: Path, cells: dict[str, str]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(schema.COLUMNS)
    for ref, value in cells.items():
        sheet[ref] = value
    workbook.save(path)
    return path


def _rewrite(path: Path, part: str, change) -> Path:
    """The same .xlsx with one of its XML parts changed."""
    source, out = zipfile.ZipFile(path), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info.filename, change(data) if info.filename == part else data)
    path.write_bytes(out.getvalue())
    return path


def _dimension(ref: str | None):
    replacement = b"" if ref is None else f'<dimension ref="{ref}"/>'.encode()
    return lambda xml: re.sub(rb'<dimension ref="[^"]*" ?/>', replacement, xml)


def _with_doctype(doctype: bytes, use: bytes, part_end: bytes):
    def change(xml: bytes) -> bytes:
        body = re.sub(rb"^<\?xml[^>]*\?>", b"", xml)
        return b'<?xml version="1.0"?>' + doctype + body.replace(part_end, use + part_end, 1)
    return change


XXE = b'<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10)) + b"]>")


def _make(kind: str, folder: Path) -> Path:
    if kind == "one cell at AZ1048576":
        return _book(folder / "groot.xlsx", {"AZ1048576": "x"})
    if kind == "one cell at XFD1048576":
        return _book(folder / "breed.xlsx", {"XFD1048576": "x"})
    if kind == "AZ1048576, dimension says A1:AZ1":
        return _rewrite(_book(folder / "liegt.xlsx", {"AZ1048576": "x"}), "xl/worksheets/sheet1.xml",
                        _dimension("A1:AZ1"))
    if kind == "AZ1048576, no dimension":
        return _rewrite(_book(folder / "zonder.xlsx", {"AZ1048576": "x"}), "xl/worksheets/sheet1.xml",
                        _dimension(None))
    if kind == "XFD2, no dimension":
        return _rewrite(_book(folder / "zonder-breed.xlsx", {"XFD2": "x"}), "xl/worksheets/sheet1.xml",
                        _dimension(None))
    if kind == "XXE in the sheet":
        return _rewrite(_book(folder / "xxe.xlsx", {"A2": "x"}), "xl/worksheets/sheet1.xml",
                        _with_doctype(XXE, b"", b"</worksheet>"))
    if kind == "billion laughs in the properties":
        return _rewrite(_book(folder / "lol.xlsx", {"A2": "x"}), "docProps/core.xml",
                        _with_doctype(LAUGHS, b"<dc:title>&lol9;</dc:title>", b"</cp:coreProperties>"))
    if kind == "zip bomb":
        path = folder / "bom.xlsx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", b" " * (importing.MAX_UNPACKED_MB * 2**20 + 1))
        return path
    if kind.startswith("binary junk"):
        path = folder / f"rommel{kind.split()[-1]}"
        path.write_bytes(bytes(range(256)) * 20)
        return path
    if kind == "nested GeoJSON":
        path = folder / "diep.geojson"
        path.write_text('{"type": "FeatureCollection", "features": ' + "[" * 100_000 + "]" * 100_000 + "}")
        return path
    if kind == "GeoJSON a little too deep":
        path = folder / "diep.geojson"
        depth = importing.MAX_DEPTH
        path.write_text('{"type": "FeatureCollection", "features": [], "x": ' + "[" * depth + "]" * depth + "}")
        return path
    if kind == "GeoJSON property that is an object":
        path = folder / "object.geojson"
        path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null,'
                        ' "properties": {"name": {"a": [1]}}}]}')
        return path
    if kind == "UTF-16 CSV":
        path = folder / "utf16.csv"
        path.write_bytes((HEADER + "\n").encode("utf-16"))
        return path
    if kind == "Windows-1252 CSV":
        path = folder / "ansi.csv"
        path.write_bytes((HEADER + "\ntestpunt,Caf\xe9 Voorbeeld\n").encode("cp1252"))
        return path
    if kind == "CSV with 100,001 columns":
        path = folder / "breed.csv"
        path.write_text("," * 100_000 + "\n")
        return path
    if kind == "CSV with too many rows":
        path = folder / "lang.csv"
        path.write_text(HEADER + "\n" + ("," * (len(schema.COLUMNS) - 1) + "\n") * (importing.MAX_ROWS + 1))
        return path
    raise AssertionError(kind)


@pytest.mark.parametrize("kind, message", [
    ("one cell at AZ1048576", "loopt tot cel AZ1048576"),
    ("one cell at XFD1048576", "loopt tot cel XFD1048576"),
    ("AZ1048576, dimension says A1:AZ1", "meer dan 20.000 rijen"),
    ("AZ1048576, no dimension", "meer dan 20.000 rijen"),
    ("XFD2, no dimension", "16.384 kolommen; de grens is 100"),
    ("XXE in the sheet", "XML met entiteiten"),
    ("billion laughs in the properties", "XML met entiteiten"),
    ("zip bomb", "uitgepakt te groot"),
    ("binary junk .xlsx", "geen leesbaar Excel-bestand"),
    ("binary junk .csv", "niet opgeslagen als UTF-8"),
    ("binary junk .geojson", "niet opgeslagen als UTF-8"),
    ("nested GeoJSON", "dieper genest dan 20 niveaus"),
    ("GeoJSON a little too deep", "dieper genest dan 20 niveaus"),
    ("GeoJSON property that is an object", "Object 1 is geen geldige GeoJSON Feature"),
    ("UTF-16 CSV", "niet opgeslagen als UTF-8"),
    ("Windows-1252 CSV", "niet opgeslagen als UTF-8"),
    ("CSV with 100,001 columns", "100.001 kolommen"),
    ("CSV with too many rows", "meer dan 20.000 rijen"),
])
def test_a_hostile_file_ends_in_a_dutch_message(tmp_path, monkeypatch, kind, message):
    monkeypatch.setattr(importing, "MAX_UNPACKED_MB", 1)  # a smaller bomb does
    path = _make(kind, tmp_path)
    with pytest.raises(importing.FileProblem) as problem:
        importing.read(path)
    assert message in str(problem.value)
    assert "Traceback" not in str(problem.value) and len(str(problem.value)) < 400


def test_the_sheet_with_one_far_cell_is_small_and_refused_by_its_dimension(tmp_path):
    """The file of the report: a few KB that once took 120 s and 7.5 GB."""
    path = _make("one cell at AZ1048576", tmp_path)
    assert path.stat().st_size < 10_000
    assert b'ref="A1:AZ1048576"' in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.DEFUSEDXML


def test_a_file_over_the_size_cap_is_not_read(tmp_path, monkeypatch):
    path = tmp_path / "groot.csv"
    path.write_text(HEADER + "\n" + "x" * 2**20)
    monkeypatch.setattr(importing, "MAX_FILE_MB", 1)
    with pytest.raises(importing.FileProblem, match="te groot .1 MB.; de grens is 1 MB"):
        importing.read(path)


def test_nothing_of_an_entity_reaches_the_rows(tmp_path):
    """Even an entity in a cell of a sheet that is otherwise fine: the file is refused, the secret unread."""
    path = _rewrite(_book(tmp_path / "xxe.xlsx", {"A2": "testpunt"}), "xl/worksheets/sheet1.xml",
                    _with_doctype(XXE, b"", b"</worksheet>"))
    path = _rewrite(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"<t>testpunt</t>", b"<t>&secret;</t>"))
    with pytest.raises(importing.FileProblem, match="entiteiten"):
        importing.read(path)


def test_control_characters_and_long_values_are_row_problems(tmp_path):
    path = tmp_path / "nul.csv"
    row = {column: "" for column in schema.COLUMNS} | {
        "id": "testpunt-nul", "name": "Testpunt\x00 Voorbeeld", "kind": "steunpunt", "scope": "lokaal",
        "source_url": "https://voorbeeld.invalid/bron", "description": "x" * 10_000}
    path.write_text(HEADER + "\n" + ",".join(row[column] for column in schema.COLUMNS) + "\n")
    problems = importing.check(importing.read(path), "ZK10", schema.empty_frame())
    assert [str(p) for p in problems] == [
        "rij 2, kolom name: 'Testpunt\\x00 Voorbeeld' bevat een onzichtbaar teken (zoals een tab of NUL); haal het weg",
        "rij 2, kolom description: is te lang (10000 tekens); hooguit 3000"]
