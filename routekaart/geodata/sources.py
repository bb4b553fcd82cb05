"""The source folder of the open geodata, and how each of its files is read.

Two ways in, one parser: a folder holding the files below (tests and CI use `../shared/data/geo`),
or `download.download()`, which fetches the official open data into a folder of the same layout
plus a record of where and when (`download.json`). Nothing read here is ever committed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely import make_valid

from ..i18n import N_

REGIONS_YEAR, GEMEENTEN_YEAR = 2024, 2025  # the CBS area divisions we use (PDOK)
REGIONS_FILE = f"zorgkantoorregio_{REGIONS_YEAR}.geojson"
GEMEENTEN_FILE = f"gemeente_{GEMEENTEN_YEAR}.geojson"
PC4_FILE = "pc4.csv"
POPULATION_PC4_FILE = "population_pc4.csv"
REQUIRED_FILES = (REGIONS_FILE, GEMEENTEN_FILE, PC4_FILE)
RECORD_FILE = "download.json"  # written by a download: each source's address, date and counts
RD_NEW = "EPSG:28992"  # metric Dutch grid: distances in metres

ATTRIBUTION = N_(
    "Gebiedsindelingen en inwonertallen: CBS (CC BY 4.0). "
    "Postcodepunten: GeoNames (CC BY 4.0), gecontroleerd met CBS."
)


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


def is_source_folder(folder: Path) -> bool:
    return all((Path(folder) / name).is_file() for name in REQUIRED_FILES)


def describe(folder: Path, sources: Sources) -> dict:
    """Per file: its address, date and count. A download recorded them; for a folder someone put
    together (see its PROVENANCE.md) the address is the file's name (pages show it: no server
    paths) and the date its last change."""
    folder = Path(folder)
    record = folder / RECORD_FILE
    if record.is_file():
        return json.loads(record.read_text())["sources"]
    counts = {REGIONS_FILE: len(sources.regions), GEMEENTEN_FILE: len(sources.gemeenten), PC4_FILE: len(sources.pc4),
              POPULATION_PC4_FILE: int(sources.population["inhabitants"].notna().sum())}
    described = {}
    for name, count in counts.items():
        path = folder / name
        if path.is_file():
            changed = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).date().isoformat()
            described[name] = {"address": name, "date": changed, "count": int(count)}
    year = population_year(sources.population)
    if POPULATION_PC4_FILE in described and year:
        described[POPULATION_PC4_FILE]["year"] = year
    return described


def population_year(population: pd.DataFrame) -> int | None:
    years = pd.to_numeric(population.get("year", pd.Series(dtype=float)), errors="coerce").dropna()
    return int(years.mode().iat[0]) if len(years) else None
