"""A small, obviously fictitious country for unit tests: two zorgkantoorregio's (ZK98, ZK99) of
two gemeenten each, twelve PC4 points, a handful of entries. Nothing here exists; the national
open data is only for the integration tests that need it.

    ZK98 Testregio Noord: GM9801 Testdorp Noord-West, GM9802 Testdorp Noord-Oost
    ZK99 Testregio Zuid:  GM9901 Testdorp Zuid-West,  GM9902 Testdorp Zuid-Oost
Each gemeente is a 0.1° square; three PC4 points lie in each (9x11..9x13).
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

WEST, SOUTH, STEP = 5.0, 52.0, 0.1  # lon/lat of the country's south-west corner, the size of a gemeente
GEMEENTEN = {  # code -> (name, region, column, row)
    "GM9801": ("Testdorp Noord-West", "ZK98", 0, 1), "GM9802": ("Testdorp Noord-Oost", "ZK98", 1, 1),
    "GM9901": ("Testdorp Zuid-West", "ZK99", 0, 0), "GM9902": ("Testdorp Zuid-Oost", "ZK99", 1, 0),
}
REGIONS = {"ZK98": "Testregio Noord", "ZK99": "Testregio Zuid"}


def _square(column: int, row: int, width: int = 1) -> dict:
    west, south = WEST + column * STEP, SOUTH + row * STEP
    east, north = west + width * STEP, south + STEP
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north],
                                                [west, south]]]}


def _layer(features: list[tuple[str, str, dict]]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"statcode": code, "statnaam": name}, "geometry": geometry}
        for code, name, geometry in features]})


def pc4_points() -> pd.DataFrame:
    """Three points per gemeente, at a quarter, a half and three quarters along its diagonal."""
    rows = []
    for number, (code, (name, _region, column, row)) in enumerate(GEMEENTEN.items(), start=1):
        for i, share in enumerate((0.25, 0.5, 0.75), start=1):
            rows.append({"pc4": f"9{number}{i}{i}", "lat": round(SOUTH + (row + share) * STEP, 5),
                         "lon": round(WEST + (column + share) * STEP, 5), "place": name, "gemeente": name,
                         "gemeente_code": code, "province": "Testprovincie", "all_places": name,
                         "all_gemeente_codes": code, "coord_source": "fictief"})
    return pd.DataFrame(rows)


def write_source(folder: Path) -> Path:
    """The fictitious country as an open-data source folder (what `routekaart data build` reads)."""
    from routekaart.geodata.sources import GEMEENTEN_FILE, PC4_FILE, POPULATION_PC4_FILE, REGIONS_FILE

    folder.mkdir(parents=True, exist_ok=True)
    (folder / GEMEENTEN_FILE).write_text(_layer([(code, name, _square(column, row))
                                                 for code, (name, _r, column, row) in GEMEENTEN.items()]))
    (folder / REGIONS_FILE).write_text(_layer([("ZK98", REGIONS["ZK98"], _square(0, 1, 2)),
                                               ("ZK99", REGIONS["ZK99"], _square(0, 0, 2))]))
    points = pc4_points()
    points.to_csv(folder / PC4_FILE, index=False)
    points.assign(inhabitants=1000, year=2021)[["pc4", "inhabitants", "year"]].to_csv(
        folder / POPULATION_PC4_FILE, index=False)
    return folder


def entries() -> pd.DataFrame:
    """A handful of fictitious entries: walk-ins in three gemeenten (one planned), a network for one
    gemeente of ZK98, one for all of ZK99, and a national line."""
    from routekaart.catalogue.schema import normalise

    common = {"source_url": "https://voorbeeld.invalid/bron", "status": "active"}
    walk_in = {**common, "kind": "steunpunt", "scope": "lokaal", "location_type": "physical"}
    return normalise(pd.DataFrame([
        {**walk_in, "id": "testpunt-nw", "name": "Testpunt Noord-West", "zorgkantoorregio": "ZK98",
         "postal_code": "9111 AA", "city": "Testdorp Noord-West", "gemeente": "Testdorp Noord-West"},
        {**walk_in, "id": "testpunt-no", "name": "Testpunt Noord-Oost", "zorgkantoorregio": "ZK98",
         "postal_code": "9222 AA", "city": "Testdorp Noord-Oost", "gemeente": "Testdorp Noord-Oost"},
        {**walk_in, "id": "testpunt-zw", "name": "Testpunt Zuid-West", "zorgkantoorregio": "ZK99",
         "postal_code": "9333 AA", "city": "Testdorp Zuid-West", "gemeente": "Testdorp Zuid-West"},
        {**walk_in, "id": "testpunt-zo-gepland", "name": "Testpunt Zuid-Oost (gepland)", "status": "planned",
         "zorgkantoorregio": "ZK99", "postal_code": "9422 AA", "city": "Testdorp Zuid-Oost",
         "gemeente": "Testdorp Zuid-Oost"},
        {**common, "id": "testnetwerk-nw", "name": "Testnetwerk Noord-West", "kind": "mgn", "scope": "regionaal",
         "zorgkantoorregio": "ZK98", "location_type": "virtual", "service_area": "GM9801"},
        {**common, "id": "testnetwerk-zuid", "name": "Testnetwerk Zuid", "kind": "mgn", "scope": "regionaal",
         "zorgkantoorregio": "ZK99", "location_type": "virtual"},
        {**common, "id": "testlijn", "name": "Testlijn", "kind": "telefoon", "scope": "landelijk",
         "zorgkantoorregio": "landelijk", "location_type": "virtual"},
    ]))
