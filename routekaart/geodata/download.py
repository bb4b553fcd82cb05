"""Fetch the official open data into a source folder, following each publisher's documentation.

- PDOK OGC API Features (CBS gebiedsindelingen): GeoJSON pages of at most 1,000 features, each with
  a `rel=next` link until the last; we follow them all and check the count and the statcodes.
- GeoNames postal codes: `NL.zip` holding the tab-separated `NL.txt` (readme: export/zip). Its
  gemeente codes can predate mergers, so every point is checked against the gemeente polygons.
- CBS StatLine table 83503NED through the bulk `ODataFeed` (OData v3, no 10,000-cell cap of
  `ODataApi`): pages joined by `odata.nextLink`, dimension keys mapped to their titles, as the
  cbsodata client does. Population is optional: when it fails, the folder is built without it.

`ROUTEKAART_DOWNLOAD_MIRROR=http://host:port` sends every request to
`{mirror}/{publisher host}{path}?{query}` (a proxy, or the recorded pages the tests serve).
"""
from __future__ import annotations

import http.client
import io
import json
import sys
import urllib.request
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable
from urllib.parse import quote, urlencode, urlsplit

import geopandas as gpd
import pandas as pd

from .. import ROOT
from . import sources
from .build import replaced_folder
from .sources import SourceError

PDOK = "https://api.pdok.nl/cbs/gebiedsindelingen/ogc/v1"
AREAS = {  # file -> (collection, jaarcode, expected number of areas)
    sources.REGIONS_FILE: ("zorgkantoorregio_gegeneraliseerd", sources.REGIONS_YEAR, 31),
    sources.GEMEENTEN_FILE: ("gemeente_gegeneraliseerd", sources.GEMEENTEN_YEAR, 342),
}
GEONAMES = "https://download.geonames.org/export/zip/NL.zip"
CBS_FEED = "https://opendata.cbs.nl/ODataFeed/odata/83503NED"
CBS_POPULATION = "Bevolking_1"  # the table's only topic: inhabitants on 1 January
LOCAL_FOLDER = ROOT.parent / "shared" / "data" / "geo"  # the team's checked copy, when it is there
MAX_BYTES = 300_000_000  # one response; NL.zip is ~0.2 MB, a PDOK page a few MB
MAX_PAGES = 500
DOUBT_METRES = 2_000  # the layers are generalised ~100 m; a point this far outside its gemeente is wrong


def say_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def via_mirror(url: str, mirror: str) -> str:
    """https://host/path?query -> {mirror}/host/path?query (unchanged without a mirror)."""
    if not mirror:
        return url
    parts = urlsplit(url)
    return f"{mirror.rstrip('/')}/{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")


@dataclass
class Client:
    mirror: str = ""
    say: Callable[[str], None] = say_stderr
    timeout: float = 120

    def get(self, url: str) -> bytes:
        request = urllib.request.Request(via_mirror(url, self.mirror), headers={"User-Agent": "routekaart"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (fixed hosts)
                body = response.read(MAX_BYTES + 1)
        except (OSError, http.client.HTTPException) as error:  # URLError, HTTPError, timeouts, cut-off answers
            raise SourceError(f"Ophalen mislukt: {url}: {error}") from None
        if len(body) > MAX_BYTES:
            raise SourceError(f"Antwoord te groot: {url}")
        return body

    def json(self, url: str) -> dict:
        try:
            return json.loads(self.get(url))
        except ValueError:
            raise SourceError(f"Geen JSON van {url}") from None


def _today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


# --- PDOK: every page of a collection ------------------------------------------------------------


def pdok_areas(client: Client, collection: str, year: int, expected: int) -> dict:
    """All features of a gebiedsindelingen collection for one year, checked: count and unique codes."""
    url = f"{PDOK}/collections/{collection}/items?" + urlencode({"f": "json", "jaarcode": year, "limit": 1000})
    features: list[dict] = []
    for page in range(1, MAX_PAGES + 1):
        body = client.json(url)
        features += body.get("features", [])
        client.say(f"PDOK {collection} {year}: pagina {page}, {len(features)} gebieden")
        url = next((link["href"] for link in body.get("links", []) if link.get("rel") == "next"), None)
        if not url:
            break
    else:
        raise SourceError(f"PDOK {collection}: meer dan {MAX_PAGES} pagina's")
    codes = pd.Series([feature.get("properties", {}).get("statcode") for feature in features])
    if len(codes) != expected or codes.isna().any() or codes.duplicated().any():
        raise SourceError(f"PDOK {collection} {year}: {len(codes)} gebieden ({codes.nunique()} verschillende "
                          f"statcodes), verwacht {expected}")
    return {"type": "FeatureCollection", "features": features}


# --- GeoNames: one checked point per PC4 ------------------------------------------------------------


# GeoNames names five provinces in English; CBS names them so (the other seven are the same).
GEONAMES_PROVINCES = {"North Brabant": "Noord-Brabant", "Guelders": "Gelderland", "North Holland": "Noord-Holland",
                      "South Holland": "Zuid-Holland", "Friesland": "Fryslân"}
GEONAMES_COLUMNS = ["country", "postcode", "place", "province", "province_code", "admin2_name",
                    "admin2_code", "admin3_name", "admin3_code", "lat", "lon", "accuracy"]


def geonames_entries(text: str) -> pd.DataFrame:
    try:
        raw = pd.read_csv(io.StringIO(text), sep="\t", header=None, names=GEONAMES_COLUMNS, quoting=3,
                          dtype={"postcode": str, "admin2_code": str}, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise SourceError(f"GeoNames NL.txt onleesbaar: {error}") from None
    raw["pc4"] = raw["postcode"].str.extract(r"^\s*(\d{4})", expand=False)
    raw["lat"], raw["lon"] = pd.to_numeric(raw["lat"], errors="coerce"), pd.to_numeric(raw["lon"], errors="coerce")
    raw = raw.dropna(subset=["pc4", "lat", "lon"]).reset_index(drop=True)
    if raw.empty:
        raise SourceError("GeoNames NL.txt bevat geen postcodes met een punt")
    code = raw["admin2_code"].str.strip()
    raw["gemeente_code"] = ("GM" + code.str.zfill(4)).where(code.str.fullmatch(r"\d{1,4}"), "")
    return raw


def check_entries(entries: pd.DataFrame, gemeenten: gpd.GeoDataFrame) -> tuple[pd.DataFrame, dict]:
    """Give each entry the gemeente its point lies in when its code is missing or no longer exists;
    drop an entry whose point lies far outside its own gemeente when its PC4 has other entries."""
    areas = gemeenten[["code", "geometry"]].to_crs(sources.RD_NEW)
    points = gpd.GeoDataFrame(entries, geometry=gpd.points_from_xy(entries["lon"], entries["lat"]),
                              crs="EPSG:4326").to_crs(sources.RD_NEW)
    inside = gpd.sjoin(points[["geometry"]], areas, predicate="within")
    by_polygon = inside[~inside.index.duplicated()]["code"]
    outside = points.index.difference(by_polygon.index)
    nearest = gpd.sjoin_nearest(points.loc[outside, ["geometry"]], areas)
    by_polygon = pd.concat([by_polygon, nearest[~nearest.index.duplicated()]["code"]])
    missing = points["gemeente_code"] == ""
    outdated = ~missing & ~points["gemeente_code"].isin(areas["code"])
    fix = missing | outdated
    points.loc[fix, "gemeente_code"] = by_polygon.reindex(points.index)[fix]

    own = areas.set_index("code").geometry.reindex(points["gemeente_code"]).values
    far = ~fix & (points.geometry.distance(gpd.GeoSeries(own, index=points.index, crs=sources.RD_NEW)) > DOUBT_METRES)
    others = (~far).groupby(points["pc4"]).transform("sum") > 0
    drop = far & others
    report = {"entries": int(len(points)), "code_missing_assigned_by_polygon": int(missing.sum()),
              "code_outdated_assigned_by_polygon": int(outdated.sum()),
              "far_from_gemeente_dropped": int(drop.sum()), "far_from_gemeente_kept": int((far & ~others).sum())}
    return pd.DataFrame(points.loc[~drop].drop(columns="geometry")), report


def _first_most_frequent(entries: pd.DataFrame) -> pd.Series:
    """pc4 -> its most frequent gemeente code, ties broken by file order."""
    coded = entries.loc[entries["gemeente_code"] != "", ["pc4", "gemeente_code"]].reset_index(names="order")
    counts = coded.groupby(["pc4", "gemeente_code"]).agg(n=("order", "size"), first=("order", "min")).reset_index()
    best = counts.sort_values(["pc4", "n", "first"], ascending=[True, False, True]).drop_duplicates("pc4")
    return best.set_index("pc4")["gemeente_code"]


def geonames_to_pc4(text: str, gemeenten: gpd.GeoDataFrame) -> tuple[pd.DataFrame, dict]:
    """NL.txt (one row per PC4 and place) to one checked representative point per PC4."""
    entries, report = check_entries(geonames_entries(text), gemeenten)
    grouped = entries.groupby("pc4", sort=True)
    pc4 = grouped.agg(
        lat=("lat", "mean"), lon=("lon", "mean"), place=("place", "first"), province=("province", "first"),
        all_places=("place", lambda s: ";".join(dict.fromkeys(s))),
        all_gemeente_codes=("gemeente_code", lambda s: ";".join(dict.fromkeys(c for c in s if c))),
    ).reset_index()
    pc4["gemeente_code"] = pc4["pc4"].map(_first_most_frequent(entries)).fillna("")
    pc4["gemeente"] = pc4["gemeente_code"].map(gemeenten.set_index("code")["name"]).fillna("")
    pc4["province"] = pc4["province"].replace(GEONAMES_PROVINCES)
    pc4["coord_source"] = "geonames"
    report["pc4"] = int(len(pc4))
    return pc4.round({"lat": 5, "lon": 5}), report


# --- CBS: inhabitants per PC4, totals, latest year with figures ----------------------------------------


def _odata(client: Client, name: str, query: dict | None = None) -> list[dict]:
    """All rows of one ODataFeed resource, following odata.nextLink to the last page."""
    url = f"{CBS_FEED}/{name}?" + urlencode({**(query or {}), "$format": "json"}, quote_via=quote, safe="$,'")
    rows: list[dict] = []
    for page in range(1, MAX_PAGES + 1):
        body = client.json(url)
        rows += body.get("value", [])
        if name == "TypedDataSet":
            client.say(f"CBS 83503NED: pagina {page}, {len(rows)} rijen")
        url = body.get("odata.nextLink")
        if not url:
            return rows
    raise SourceError(f"CBS {name}: meer dan {MAX_PAGES} pagina's")


def _total_key(client: Client, dimension: str) -> str:
    """The key of a dimension's total (CBS total keys start with T, e.g. T001038)."""
    keys = [row["Key"].strip() for row in _odata(client, dimension) if row["Key"].strip().startswith("T")]
    if len(keys) != 1:
        raise SourceError(f"CBS 83503NED: geen eenduidig totaal in {dimension}: {keys}")
    return keys[0]


def cbs_population(client: Client) -> tuple[pd.DataFrame, dict]:
    """pc4, inhabitants, year: all people (totals of sex and migration background) on 1 January of
    the latest year that has figures."""
    totals = {dimension: _total_key(client, dimension) for dimension in ("Geslacht", "Migratieachtergrond")}
    postcodes = {row["Key"].strip(): row["Title"].strip() for row in _odata(client, "Postcode")}
    years = sorted((row["Key"].strip() for row in _odata(client, "Perioden") if "JJ" in row["Key"]), reverse=True)
    for period in years:
        condition = " and ".join(f"{name} eq '{key}'" for name, key in {**totals, "Perioden": period}.items())
        rows = pd.DataFrame(_odata(client, "TypedDataSet", {
            "$filter": condition, "$select": f"Postcode,Perioden,{CBS_POPULATION}"}))
        if CBS_POPULATION not in rows or rows[CBS_POPULATION].isna().all():
            client.say(f"CBS 83503NED: geen cijfers voor {period}, een jaar eerder")
            continue
        found = rows["Perioden"].str.strip().unique()
        if len(found) != 1 or rows.duplicated("Postcode").any():
            raise SourceError(f"CBS 83503NED: het filter ({condition}) gaf {len(found)} perioden of dubbele postcodes")
        year = int(found[0][:4])  # a key such as 2021JJ00: the population on 1 January 2021
        frame = pd.DataFrame({"pc4": rows["Postcode"].str.strip().map(postcodes),
                              "inhabitants": pd.to_numeric(rows[CBS_POPULATION], errors="coerce"), "year": year})
        frame = frame[frame["pc4"].fillna("").str.fullmatch(r"\d{4}")]
        if frame.empty:
            raise SourceError("CBS 83503NED: geen viercijferige postcodes in het antwoord")
        return frame.sort_values("pc4"), {"year": year, "period": found[0], "filter": condition}
    raise SourceError("CBS 83503NED: geen jaar met inwonertallen")


# --- the whole download ---------------------------------------------------------------------------------


def download(folder: Path, client: Client) -> Path:
    """Fetch everything into `folder` (replaced only when the required parts all came in)."""
    folder = Path(folder)
    with replaced_folder(folder) as staging:
        record = {"downloaded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "sources": {},
                  "warnings": []}
        for name, (collection, year, expected) in AREAS.items():
            (staging / name).write_text(json.dumps(pdok_areas(client, collection, year, expected)))
            record["sources"][name] = {"address": f"{PDOK}/collections/{collection}/items?jaarcode={year}",
                                       "date": _today(), "count": expected, "year": year}
        gemeenten = sources.read_areas(staging / sources.GEMEENTEN_FILE)
        client.say("GeoNames NL.zip ophalen")
        try:
            with zipfile.ZipFile(io.BytesIO(client.get(GEONAMES))) as archive:
                if archive.getinfo("NL.txt").file_size > MAX_BYTES:
                    raise SourceError("GeoNames NL.txt is groter dan verwacht")
                text = archive.read("NL.txt").decode("utf-8")
        except (zipfile.BadZipFile, KeyError, UnicodeDecodeError) as error:
            raise SourceError(f"GeoNames NL.zip onleesbaar: {error}") from None
        pc4, report = geonames_to_pc4(text, gemeenten)
        pc4.to_csv(staging / sources.PC4_FILE, index=False)
        record["sources"][sources.PC4_FILE] = {"address": GEONAMES, "date": _today(), "count": report["pc4"],
                                               "checks": report}
        client.say("GeoNames: {pc4} postcodegebieden uit {entries} regels; gemeente via de kaart: "
                   "{code_missing_assigned_by_polygon} zonder code, {code_outdated_assigned_by_polygon} met een "
                   "oude code; ver buiten de eigen gemeente: {far_from_gemeente_dropped} weggelaten, "
                   "{far_from_gemeente_kept} gehouden".format(**report))
        try:
            population, about = cbs_population(client)
        except Exception as error:  # noqa: BLE001 - population is optional: build without it, and say so
            warning = f"Geen inwonertallen: {error}. De site werkt, maar zonder inwoners per regio."
            client.say(f"Let op: {warning}")
            record["warnings"].append(warning)
            record["sources"][sources.POPULATION_PC4_FILE] = {"address": CBS_FEED, "date": _today(), "count": 0,
                                                              "error": str(error)}
        else:
            population.to_csv(staging / sources.POPULATION_PC4_FILE, index=False)
            record["sources"][sources.POPULATION_PC4_FILE] = {
                "address": f"{CBS_FEED}/TypedDataSet", "date": _today(),
                "count": int(population["inhabitants"].notna().sum()), **about}
        (staging / sources.RECORD_FILE).write_text(json.dumps(record, indent=2))
    return folder


def source_folder(config, refresh: bool = False, say: Callable[[str], None] = say_stderr) -> Path:
    """The folder to build from: ROUTEKAART_GEO_SOURCE, else the local open-data folder, else the
    official data, downloaded once into the instance folder (again with `refresh`)."""
    configured = config.get("GEO_SOURCE") or ""
    if configured and configured != "download" and not refresh:
        return Path(configured)
    if not configured and not refresh and sources.is_source_folder(LOCAL_FOLDER):
        return LOCAL_FOLDER
    data_dir = Path(config["DATA_DIR"])
    folder = data_dir.with_name(data_dir.name + "-source")
    if refresh or not (folder / sources.RECORD_FILE).is_file():
        say(f"De officiële open data wordt opgehaald naar {folder} (eenmalig, enkele minuten).")
        download(folder, Client(config.get("DOWNLOAD_MIRROR") or "", say))
    return folder
