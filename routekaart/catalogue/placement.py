"""Put catalogue entries on the map, and say how exactly.

Most seed rows have no coordinates and only a city, so each physical entry gets the best
point we can honestly give it: its own coordinates (`source`), its postcode's PC4 point
(`pc4`), or the centre of its place or gemeente (`place`). An entry we cannot place is
reported with the reason, never dropped.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from ..geodata.build import RD_NEW
from ..geodata.dataset import GeoData


@dataclass(frozen=True)
class Unplaced:
    id: str
    reason: str


def _place_centres(geo: GeoData) -> pd.DataFrame:
    """Mean PC4 point per (lowercased) place name and gemeente: 'the centre of a place'."""
    places = geo.pc4[["all_places", "gemeente", "lat", "lon"]].copy()
    places["place"] = places["all_places"].str.split(";")
    places = places.explode("place")
    places["place"] = places["place"].str.strip().str.lower()
    return places.groupby(["place", "gemeente"], as_index=False)[["lat", "lon"]].mean()


def _gemeente_centres(geo: GeoData) -> pd.DataFrame:
    """A point inside each gemeente, by code."""
    points = geo.gemeenten.to_crs(RD_NEW).representative_point().to_crs("EPSG:4326")
    return pd.DataFrame({"lat": points.y.values, "lon": points.x.values}, index=geo.gemeenten.index)


def place(entries: pd.DataFrame, geo: GeoData) -> tuple[pd.DataFrame, list[Unplaced]]:
    """Add lat/lon (floats), x/y (RD New), geo_precision and placed_region to physical entries."""
    out = entries.copy()
    lat = pd.to_numeric(out["latitude"].str.replace(",", "."), errors="coerce")
    lon = pd.to_numeric(out["longitude"].str.replace(",", "."), errors="coerce")
    precision = pd.Series(np.where(lat.notna() & lon.notna(), "source", ""), index=out.index, dtype=object)

    pc4 = out["postal_code"].str[:4]
    by_pc4 = geo.pc4[["lat", "lon"]]
    use_pc4 = (precision == "") & pc4.isin(by_pc4.index)
    lat = lat.where(~use_pc4, pc4.map(by_pc4["lat"]))
    lon = lon.where(~use_pc4, pc4.map(by_pc4["lon"]))
    precision[use_pc4] = "pc4"

    gemeente = out["gemeente"].str.lower()
    centres = _place_centres(geo)
    centres["gemeente"] = centres["gemeente"].str.lower()
    # A place within its stated gemeente first, then that gemeente's centre; a city name alone
    # only when no gemeente is known and the name is unambiguous.
    keyed = out[["city"]].assign(place=out["city"].str.lower(), gemeente=gemeente).reset_index()
    exact = keyed.merge(centres, on=["place", "gemeente"], how="inner").set_index("index")
    unique = centres.groupby("place").filter(lambda g: len(g) == 1).drop(columns="gemeente")
    loose = keyed.merge(unique, on="place", how="inner").set_index("index")
    gem_centres, codes = _gemeente_centres(geo), geo.gemeente_codes(out["gemeente"])
    by_gemeente = pd.DataFrame({"lat": codes.map(gem_centres["lat"]), "lon": codes.map(gem_centres["lon"])})
    for source in (exact, by_gemeente.dropna(), loose):
        take = (precision == "") & out.index.isin(source.index)
        lat[take] = source.loc[out.index[take], "lat"].values
        lon[take] = source.loc[out.index[take], "lon"].values
        precision[take] = "place"

    physical = out["location_type"] == "physical"
    precision[~physical] = ""
    out["lat"], out["lon"] = lat.where(physical), lon.where(physical)
    out["geo_precision"] = precision
    placed = out["lat"].notna()
    points = gpd.GeoSeries(gpd.points_from_xy(out["lon"].fillna(0), out["lat"].fillna(0)), crs="EPSG:4326")
    rd = points.to_crs(RD_NEW)
    out["x"] = np.where(placed, rd.x.values, np.nan)
    out["y"] = np.where(placed, rd.y.values, np.nan)
    out["placed_region"] = _region_of_points(out, geo)

    missing = out[physical & ~placed]
    problems = [Unplaced(row.id, _reason(row)) for row in missing.itertuples()]
    problems += [
        Unplaced(row.id, f"ligt in {row.placed_region}, maar staat in het bestand van {row.zorgkantoorregio}")
        for row in out[placed & out["zorgkantoorregio"].str.startswith("ZK")
                       & (out["placed_region"] != out["zorgkantoorregio"])].itertuples()
    ]
    return out, problems


def _region_of_points(out: pd.DataFrame, geo: GeoData) -> pd.Series:
    placed = out[out["lat"].notna()]
    result = pd.Series("", index=out.index, dtype=object)
    if placed.empty:
        return result
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(placed["lon"], placed["lat"]), index=placed.index,
                              crs="EPSG:4326").to_crs(RD_NEW)
    areas = geo.gemeenten[["region_code", "geometry"]].reset_index(drop=True).to_crs(RD_NEW)
    hits = gpd.sjoin_nearest(points, areas, how="left")
    result.loc[hits.index] = hits["region_code"].values
    return result[~result.index.duplicated()]


def _reason(row) -> str:
    if not (row.address_1 or row.postal_code or row.city or row.gemeente):
        return "geen adres, postcode, plaats of gemeente"
    if row.postal_code:
        return f"postcode {row.postal_code} staat niet in de postcodedata, en plaats '{row.city}' is onbekend"
    return f"plaats '{row.city}' en gemeente '{row.gemeente}' zijn onbekend"
