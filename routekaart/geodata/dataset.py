"""The built runtime dataset, loaded once per process."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..errors import InvalidRegion, UnknownRegion
from .sources import GEMEENTEN_FILE, PC4_FILE

REGION_CODE_PATTERN = "^[Zz][Kk][0-9]{2}$"  # any case: 'zk23' is ZK23 (the API's schema says the same)
REGION_CODE = re.compile(REGION_CODE_PATTERN)


class DatasetMissing(Exception):
    """No runtime dataset yet: run `routekaart data build`."""


@dataclass
class GeoData:
    regions: gpd.GeoDataFrame  # code, name, geometry; index: code
    gemeenten: gpd.GeoDataFrame  # code, name, region_code, province, geometry; index: code
    pc4: gpd.GeoDataFrame  # one row per PC4, x/y in RD New; index: pc4
    meta: dict

    def region_name(self, code: str) -> str:
        return self.regions.at[code, "name"]

    def region_code(self, text: str) -> str:
        """'zk23' -> 'ZK23', or InvalidRegion (not a region code) / UnknownRegion (no such region)."""
        code = text.upper()
        if not REGION_CODE.match(text):
            raise InvalidRegion()
        if code not in self.regions.index:
            raise UnknownRegion(code)
        return code

    def gemeente_codes(self, names: pd.Series) -> pd.Series:
        """Gemeente names as people write them (any case; 'Middelburg' for CBS's 'Middelburg (Z.)')
        to CBS codes; NaN for a name we do not know."""
        official = self.gemeenten["name"].str.lower()
        by_name = dict(zip(official.str.replace(r"\s*\(.*\)$", "", regex=True), self.gemeenten["code"]))
        by_name.update(zip(official, self.gemeenten["code"]))
        return names.str.lower().map(by_name)


def load(folder: Path) -> GeoData:
    folder = Path(folder)
    if not (folder / "meta.json").is_file():
        raise DatasetMissing(f"Geen dataset in {folder}: draai eerst `routekaart data build`.")
    regions = gpd.read_parquet(folder / "regions.parquet").set_index("code", drop=False)
    gemeenten = gpd.read_parquet(folder / "gemeenten.parquet").set_index("code", drop=False)
    pc4 = gpd.read_parquet(folder / "pc4.parquet").set_index("pc4", drop=False)
    return GeoData(regions, gemeenten, pc4, json.loads((folder / "meta.json").read_text()))


def source_dates(meta: dict) -> dict:
    """What a page says about the data's age: when the areas and the postcode points were fetched
    (or their files last changed), and the population's reference year (None: no figures)."""
    sources = meta.get("sources", {})
    return {"areas": sources.get(GEMEENTEN_FILE, {}).get("date") or meta.get("built_at", ""),
            "postcodes": sources.get(PC4_FILE, {}).get("date") or meta.get("built_at", ""),
            "population_year": meta.get("population_year")}
