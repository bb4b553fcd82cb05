"""A local stand-in for the publishers, in their real formats, behind the mirror address scheme
({mirror}/{publisher host}{path}?{query}): the download code runs unchanged against it.

- PDOK OGC API Features: GeoJSON pages of `page_size` features with `links` (self, next with a
  cursor), filtered by `jaarcode` like the real collections.
- GeoNames: NL.zip holding the tab-separated NL.txt (12 columns, no header).
- CBS ODataFeed (OData v3 JSON): the dimension lists with Key/Title, and TypedDataSet with
  every Geslacht x Migratieachtergrond x Postcode x Perioden cell; `$filter` (eq ... and ...),
  `$select` and pages joined by an absolute `odata.nextLink`.

Pages are made by the test from rows it chooses (fictitious, or read at test time from the
open-data folder); nothing here is recorded from a publisher.
"""
from __future__ import annotations

import io
import json
import re
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pandas as pd

PDOK_ITEMS = re.compile(r"^/api\.pdok\.nl/cbs/gebiedsindelingen/ogc/v1/collections/(\w+)/items$")
CBS_FEED = "/opendata.cbs.nl/ODataFeed/odata/83503NED/"
GEONAMES_ZIP = "/download.geonames.org/export/zip/NL.zip"
TOTAL_SEX, TOTAL_BACKGROUND = "T001038", "T001040"
SEXES = {TOTAL_SEX: "Totaal mannen en vrouwen", "3000": "Mannen", "4000": "Vrouwen"}
BACKGROUNDS = {TOTAL_BACKGROUND: "Totaal", "1012600": "Nederlandse achtergrond", "2012655": "Met migratieachtergrond"}


def pdok_feature(code: str, name: str, year: int, geometry: dict) -> dict:
    return {"type": "Feature", "id": f"{year}{code}",
            "properties": {"statcode": code, "jrstatcode": f"{year}{code}", "statnaam": name, "jaarcode": year,
                           "rubriek": "", "id": f"{year}{code}"},
            "geometry": geometry}


def geonames_zip(lines: list[list]) -> bytes:
    """NL.txt rows: country, postcode, place, admin1 name/code, admin2 name/code, admin3 name/code,
    lat, lon, accuracy."""
    text = "".join("\t".join(str(value) for value in line) + "\n" for line in lines)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("NL.txt", text)
    return archive.getvalue()


def cbs_cells(population: pd.DataFrame, periods: dict[str, bool]) -> list[dict]:
    """Every cell of the cube: the totals carry `inhabitants`, the subgroups a share of it; a period
    mapped to False is listed but has no figures yet (as CBS publishes a year before its data)."""
    share = {(TOTAL_SEX, TOTAL_BACKGROUND): 1.0}
    rows, number = [], 0
    for period, filled in periods.items():
        for sex in SEXES:
            for background in BACKGROUNDS:
                factor = share.get((sex, background), 0.3)
                for key, inhabitants in zip(population["key"], population["inhabitants"]):
                    value = None if not filled or pd.isna(inhabitants) else int(round(inhabitants * factor))
                    rows.append({"ID": number, "Geslacht": sex, "Migratieachtergrond": background,
                                 "Postcode": key, "Perioden": period, "Bevolking_1": value})
                    number += 1
    return rows


class Publishers:
    """The pages to serve, and a log of what was asked."""

    def __init__(self, areas: dict[str, list[dict]], geonames: bytes, postcodes: dict[str, str],
                 periods: dict[str, str], cells: list[dict], page_size: int = 100, cbs_page_size: int = 5000):
        self.areas, self.geonames, self.postcodes, self.periods = areas, geonames, postcodes, periods
        self.cells, self.page_size, self.cbs_page_size = cells, page_size, cbs_page_size
        self.requests: list[str] = []
        self.cbs_down = False

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, str, bytes]:
        if (found := PDOK_ITEMS.match(path)) and found.group(1) in self.areas:
            return self._pdok(found.group(1), query)
        if path == GEONAMES_ZIP:
            return 200, "application/zip", self.geonames
        if path.startswith(CBS_FEED):
            if self.cbs_down:
                return 503, "text/plain", b"Service Unavailable"
            return self._cbs(path.removeprefix(CBS_FEED), query)
        return 404, "text/plain", b"not found"

    def _pdok(self, collection: str, query: dict) -> tuple[int, str, bytes]:
        year = query.get("jaarcode")
        features = [f for f in self.areas[collection] if year is None or str(f["properties"]["jaarcode"]) == year]
        size = min(int(query.get("limit", 10)), 1000, self.page_size)
        start = int(query.get("cursor", 0))
        base = f"https://api.pdok.nl/cbs/gebiedsindelingen/ogc/v1/collections/{collection}/items"
        links = [{"rel": "self", "type": "application/geo+json", "href": f"{base}?{urlencode(query)}"}]
        if start + size < len(features):
            links.append({"rel": "next", "type": "application/geo+json", "title": "Next page",
                          "href": f"{base}?{urlencode({**query, 'cursor': start + size})}"})
        page = features[start:start + size]
        body = {"type": "FeatureCollection", "timeStamp": "2026-01-01T00:00:00Z", "links": links,
                "numberReturned": len(page), "features": page}
        return 200, "application/geo+json", json.dumps(body).encode()

    def _cbs(self, resource: str, query: dict) -> tuple[int, str, bytes]:
        lists = {"Geslacht": SEXES, "Migratieachtergrond": BACKGROUNDS, "Postcode": self.postcodes,
                 "Perioden": self.periods}
        metadata = f"https://opendata.cbs.nl/ODataFeed/odata/83503NED/$metadata#Cbs.OData.WebAPI.{resource}"
        if resource in lists:
            values = [{"Key": key, "Title": title, "Description": None} for key, title in lists[resource].items()]
            return 200, "application/json", json.dumps({"odata.metadata": metadata, "value": values}).encode()
        if resource != "TypedDataSet":
            return 404, "text/plain", b"not found"
        rows = self.cells
        for name, value in re.findall(r"(\w+) eq '([^']*)'", query.get("$filter", "")):
            rows = [row for row in rows if row[name].strip() == value]
        start = int(query.get("$skiptoken", 0))
        page = rows[start:start + self.cbs_page_size]
        if "$select" in query:
            page = [{name: row[name] for name in query["$select"].split(",")} for row in page]
        body = {"odata.metadata": metadata, "value": page}
        if start + self.cbs_page_size < len(rows):
            body["odata.nextLink"] = ("https://opendata.cbs.nl/ODataFeed/odata/83503NED/TypedDataSet?"
                                      + urlencode({**query, "$skiptoken": start + self.cbs_page_size},
                                                  quote_via=quote))
        return 200, "application/json", json.dumps(body).encode()


def serve(publishers: Publishers):
    """Start the mirror on a free loopback port; returns (base address, stop function)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            parts = urlsplit(self.path)
            query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
            publishers.requests.append(self.path)
            status, kind, body = publishers.answer(parts.path, query)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop():
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_port}", stop
