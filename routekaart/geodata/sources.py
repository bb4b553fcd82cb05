"""Where the open geodata comes from, and how each file is read.

Two ways in, one parser: a *source folder* holding the files below (tests and CI use
`../shared/data/geo`), or `download()`, which fetches the official open data and writes it
into a folder in the same layout. Nothing read here is ever committed to the repository.
"""
from __future__ import annotations

import io
import json
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely import make_valid

from ..i18n import N_

REGIONS_FILE = "zorgkantoorregio_2024.geojson"
GEMEENTEN_FILE = "gemeente_2025.geojson"
PC4_FILE = "pc4.csv"
POPULATION_PC4_FILE = "population_pc4.csv"
REQUIRED_FILES = (REGIONS_FILE, GEMEENTEN_FILE, PC4_FILE)

# The official publishers; the only place these addresses appear. Not reachable from CI.
DOWNLOAD_URLS = {
    REGIONS_FILE: "https://api.pdok.nl/cbs/gebiedsindelingen/ogc/v1/collections/"
    "zorgkantoorregio_gegeneraliseerd/items?f=json&jaarcode=2024&limit=1000",
    GEMEENTEN_FILE: "https://api.pdok.nl/cbs/gebiedsindelingen/ogc/v1/collections/"
    "gemeente_gegeneraliseerd/items?f=json&jaarcode=2025&limit=1000",
    "geonames": "https://download.geonames.org/export/zip/NL.zip",
    POPULATION_PC4_FILE: "https://opendata.cbs.nl/ODataApi/odata/83503NED/TypedDataSet"
    "?$select=Postcode,BevolkingOp1Januari_1&$format=json",
}

ATTRIBUTION = N_(
    "Gebiedsindelingen en inwonertallen: CBS (CC BY 4.0). "
    "Postcodepunten: GeoNames (CC BY 4.0), gecontroleerd met CBS."
)


# GeoNames names five provinces in English; CBS names them so (the other seven are the same).
GEONAMES_PROVINCES = {"North Brabant": "Noord-Brabant", "Guelders": "Gelderland", "North Holland": "Noord-Holland",
                      "South Holland": "Zuid-Holland", "Friesland": "Fryslân"}


class SourceError(Exception):
    """The source folder is missing a file or holds one we cannot read."""


@dataclass
class Sources:
    regions: gpd.GeoDataFrame  # code, name, geometry (WGS84)
    gemeenten: gpd.GeoDataFrame  # code, name, geometry (WGS84)
    pc4: pd.DataFrame  # pc4, lat, lon, place, gemeente_code, all_places, all_gemeente_codes, province
    population: pd.DataFrame  # pc4, inhabitants, year (may be empty)


def read_areas(path: Path) -> gpd.GeoDataFrame:
    """CBS area layer: keep the statcode and statnaam; repair the few invalid source rings."""
    frame = gpd.read_file(path)
    missing = {"statcode", "statnaam"} - set(frame.columns)
    if missing:
        raise SourceError(f"{path.name}: kolommen ontbreken: {', '.join(sorted(missing))}")
    frame = frame.set_crs("EPSG:4326", allow_override=frame.crs is None).to_crs("EPSG:4326")
    frame = frame.rename(columns={"statcode": "code", "statnaam": "name"})[["code", "name", "geometry"]]
    frame["geometry"] = make_valid(frame.geometry.values)
    return frame.sort_values("code").reset_index(drop=True)


def read_pc4(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"pc4": str, "gemeente_code": str}, keep_default_na=False)
    missing = {"pc4", "lat", "lon", "place", "gemeente_code"} - set(frame.columns)
    if missing:
        raise SourceError(f"{path.name}: kolommen ontbreken: {', '.join(sorted(missing))}")
    frame["pc4"] = frame["pc4"].str.zfill(4)
    for column in ("all_places", "all_gemeente_codes"):
        if column not in frame:
            frame[column] = frame["place" if column == "all_places" else "gemeente_code"]
    if "province" not in frame:  # optional: without it no province is known (and none is guessed)
        frame["province"] = ""
    return frame


def read_population(path: Path) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame({"pc4": pd.Series(dtype=str), "inhabitants": pd.Series(dtype=float), "year": []})
    frame = pd.read_csv(path, dtype={"pc4": str})
    frame["pc4"] = frame["pc4"].str.zfill(4)
    frame["inhabitants"] = pd.to_numeric(frame["inhabitants"], errors="coerce")
    return frame


def read_folder(folder: Path) -> Sources:
    folder = Path(folder)
    absent = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if absent:
        raise SourceError(f"Bronmap {folder} mist: {', '.join(absent)}")
    return Sources(
        regions=read_areas(folder / REGIONS_FILE),
        gemeenten=read_areas(folder / GEMEENTEN_FILE),
        pc4=read_pc4(folder / PC4_FILE),
        population=read_population(folder / POPULATION_PC4_FILE),
    )


# --- the download path: turn each publisher's format into the source-folder layout ---------


def geonames_to_pc4(text: str, gemeente_names: dict[str, str]) -> pd.DataFrame:
    """GeoNames NL.txt (one row per PC4 and place) to one representative point per PC4."""
    columns = ["country", "postcode", "place", "province", "province_code", "admin2_name",
               "admin2_code", "admin3_name", "admin3_code", "lat", "lon", "accuracy"]
    raw = pd.read_csv(io.StringIO(text), sep="\t", header=None, names=columns,
                      dtype={"postcode": str, "admin2_code": str}, keep_default_na=False)
    raw["pc4"] = raw["postcode"].str.extract(r"(\d{4})", expand=False)
    raw["gemeente_code"] = ("GM" + raw["admin2_code"].str.zfill(4)).where(raw["admin2_code"] != "", "")
    grouped = raw.groupby("pc4", sort=True)
    pc4 = grouped.agg(
        lat=("lat", "mean"),
        lon=("lon", "mean"),
        place=("place", "first"),
        province=("province", "first"),
        all_places=("place", lambda s: ";".join(dict.fromkeys(s))),
        all_gemeente_codes=("gemeente_code", lambda s: ";".join(dict.fromkeys(c for c in s if c))),
        gemeente_code=("gemeente_code", lambda s: s[s != ""].mode().iat[0] if (s != "").any() else ""),
    ).reset_index()
    pc4["gemeente"] = pc4["gemeente_code"].map(gemeente_names).fillna("")
    pc4["province"] = pc4["province"].replace(GEONAMES_PROVINCES)
    pc4["coord_source"] = "geonames"
    return pc4.round({"lat": 5, "lon": 5})


def cbs_population_to_frame(payload: dict) -> pd.DataFrame:
    """CBS OData rows ({'Postcode': '1011', 'BevolkingOp1Januari_1': 9630}) to pc4/inhabitants."""
    rows = pd.DataFrame(payload.get("value", []))
    if rows.empty:
        raise SourceError("CBS gaf geen inwonertallen per postcode terug")
    frame = pd.DataFrame({
        "pc4": rows["Postcode"].astype(str).str.strip(),
        "inhabitants": pd.to_numeric(rows["BevolkingOp1Januari_1"], errors="coerce"),
    })
    frame = frame[frame["pc4"].str.fullmatch(r"\d{4}")]
    frame["year"] = 2021
    return frame


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 (fixed https URLs)
        return response.read()


def download(folder: Path, fetch=_fetch) -> Path:
    """Fetch the official open data into `folder`, in the layout `read_folder` expects."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name in (REGIONS_FILE, GEMEENTEN_FILE):
        (folder / name).write_bytes(fetch(DOWNLOAD_URLS[name]))
    gemeenten = read_areas(folder / GEMEENTEN_FILE)
    with zipfile.ZipFile(io.BytesIO(fetch(DOWNLOAD_URLS["geonames"]))) as archive:
        text = archive.read("NL.txt").decode("utf-8")
    geonames_to_pc4(text, dict(zip(gemeenten["code"], gemeenten["name"]))).to_csv(folder / PC4_FILE, index=False)
    population = cbs_population_to_frame(json.loads(fetch(DOWNLOAD_URLS[POPULATION_PC4_FILE])))
    population.to_csv(folder / POPULATION_PC4_FILE, index=False)
    return folder
