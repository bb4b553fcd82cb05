"""Coverage gaps per zorgkantoorregio: what support is known, how far people live from a walk-in,
and how stale the data is. Pure functions on frames; the web layer caches the result per dataset.

Choices (explained to users on /dekking/methode):
- An entry counts when it is open now: status active (or empty) or pilot. Planned and stopped
  entries are listed but not counted, so a plan never hides a gap; planned walk-ins are counted
  apart, as planned.
- An entry belongs to the region of its catalogue file; national entries only to the national row.
- Distance is the straight line (RD New, metres) from each PC4 point to the nearest open, placed
  walk-in, weighted by PC4 inhabitants, on two bases: anywhere in the country (people cross region
  borders) and in the PC4's own region (what the region itself offers). No walk-in at all counts
  as farther than any distance. PC4s without an inhabitant figure are left out and counted.
- The score ranks the regions on SCORED measures (0 = best on every one, 100 = worst on every one);
  a region's gaps ('waarom') are the few measures, one per GAP_GROUPS group, that push it up most.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd

from .catalogue.schema import WALK_IN_KINDS
from .catalogue.verification import is_stale
from .geodata.sources import GEMEENTEN_FILE, GEMEENTEN_YEAR, PC4_FILE, POPULATION_PC4_FILE, RD_NEW, REGIONS_YEAR
from .i18n import N_

NATIONAL_CODE, NATIONAL_NAME = "NL", "Nederland"
OPEN_STATUSES = ("", "active", "pilot")
COUNTED_KINDS = ["steunpunt", "jongeren", "herstelacademie", "wachtverzachter", "mgn", "informatie"]
FAR_KM = (10, 20)
# 'known' metric -> the kind that makes it known (at least one open entry of it in the region).
KNOWN = {"mgn_known": "mgn", "waiting_support_known": "wachtverzachter", "youth_walk_in_known": "jongeren"}
STALE_MONTHS = 12
APART = 10_000_000  # metres, far more than the country is wide (see nearest_walk_in)

# column -> (Dutch label, format). Formats: count, rate, km, share, known, score. `known` is 1/0 for
# a region and, in the national row, the number of regions where it is 1. The first ones (MAIN)
# are the measures that matter first; the rest are there on request, on the region page and in
# the exports.
METRICS = {
    "walk_ins_per_100k": (N_("Inlooppunten per 100.000 inwoners"), "rate"),
    "median_km": (N_("Mediane afstand tot inloop (km)"), "km"),
    "share_over_10km": (N_("Inwoners verder dan 10 km"), "share"),
    "share_over_20km": (N_("Inwoners verder dan 20 km"), "share"),
    "mgn_known": (N_("MGN bekend"), "known"),
    "share_unverified": (N_("Niet gecontroleerd in 12 maanden"), "share"),
    "score": (N_("Tekortscore (0 tot 100)"), "score"),
    "walk_ins": (N_("Inlooppunten in de regio"), "count"),
    "planned_walk_ins": (N_("Inlooppunten gepland, nog niet open"), "count"),
    "median_km_in_region": (N_("Mediane afstand tot inloop in eigen regio (km)"), "km"),
    "share_over_10km_in_region": (N_("Inwoners verder dan 10 km van inloop in eigen regio"), "share"),
    "share_over_20km_in_region": (N_("Inwoners verder dan 20 km van inloop in eigen regio"), "share"),
    "population": (N_("Inwoners"), "count"),
    "n_steunpunt": (N_("Steunpunten (inloop)"), "count"),
    "n_jongeren": (N_("Inloop voor jongeren"), "count"),
    "n_herstelacademie": (N_("Herstelacademies"), "count"),
    "n_wachtverzachter": (N_("Steun tijdens het wachten"), "count"),
    "n_mgn": (N_("Mentaal gezondheidsnetwerk"), "count"),
    "n_informatie": (N_("Andere regionale informatie"), "count"),
    "waiting_support_known": (N_("Steun tijdens het wachten bekend"), "known"),
    "youth_walk_in_known": (N_("Inloop voor jongeren bekend"), "known"),
    "entries": (N_("Items in de catalogus"), "count"),
    "pc4_count": (N_("Postcodegebieden (PC4)"), "count"),
    "pc4_without_population": (N_("PC4 zonder inwonertal"), "count"),
}
MAIN = list(METRICS)[:list(METRICS).index("score") + 1]
# Measures where a lower value is worse (fewer walk-ins, no network); for the rest higher is worse.
LOWER_IS_WORSE = {"walk_ins_per_100k", "mgn_known", "waiting_support_known", "youth_walk_in_known", "walk_ins",
                  *[f"n_{kind}" for kind in COUNTED_KINDS]}
# In this order, the distance measure named first wins a tie.
SCORED = ["walk_ins_per_100k", "share_over_20km", "share_over_10km", "median_km", "mgn_known", "share_unverified"]
# A region's 'waarom' names at most one gap per group (the distance measures say one thing).
GAP_GROUPS = {"walk_ins_per_100k": "walk_ins", "median_km": "distance", "share_over_10km": "distance",
              "share_over_20km": "distance", "mgn_known": "mgn", "share_unverified": "stale"}
GAP_CODES = {"walk_ins_per_100k": "few_walk_ins", "median_km": "far_median", "share_over_10km": "far_10km",
             "share_over_20km": "far_20km", "mgn_known": "no_mgn", "share_unverified": "stale"}
MAX_GAPS = 3


@dataclass
class Coverage:
    table: pd.DataFrame  # index: region code, then 'NL'; columns: name + METRICS
    gaps: pd.DataFrame  # a region's gaps, worst first: code (region), gap, measure, badness
    distances: pd.DataFrame  # per PC4: region_code, place, inhabitants, lat, lon, km, nearest_id, km_in_region
    entries: pd.DataFrame  # the whole catalogue, with `stale` and `open` (the ones that count)
    as_of: date


def mark_stale(entries: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Entries with `stale` (not verified in the STALE_MONTHS before `as_of`, or never) and `open`."""
    return entries.assign(stale=is_stale(entries["last_verified"], as_of, STALE_MONTHS),
                          open=entries["status"].isin(OPEN_STATUSES))


def nearest_walk_in(pc4: pd.DataFrame, entries: pd.DataFrame, same_region: bool = False) -> pd.DataFrame:
    """Per PC4 point: the straight-line km to the nearest placed walk-in in `entries`, and its id.
    With `same_region`, the nearest one of the PC4's own region (NaN if it has none): one spatial
    join with the regions moved APART metres from each other, so no other region's walk-in is near."""
    walk_ins = entries[entries["kind"].isin(WALK_IN_KINDS) & entries["x"].notna()]
    result = pd.DataFrame({"km": np.nan, "nearest_id": ""}, index=pc4.index)
    if walk_ins.empty or pc4.empty:
        return result
    codes = pd.Index(pc4["region_code"].unique())
    shift_pc4 = codes.get_indexer(pc4["region_code"]) * APART if same_region else 0
    shift_walk_ins = codes.get_indexer(walk_ins["zorgkantoorregio"]) * APART if same_region else 0
    points = gpd.GeoDataFrame(index=pc4.index, geometry=gpd.points_from_xy(pc4["x"] + shift_pc4, pc4["y"]),
                              crs=RD_NEW)
    targets = gpd.GeoDataFrame({"nearest_id": walk_ins["id"].values},
                               geometry=gpd.points_from_xy(walk_ins["x"] + shift_walk_ins, walk_ins["y"]), crs=RD_NEW)
    hits = gpd.sjoin_nearest(points, targets, distance_col="metres", max_distance=APART / 2 if same_region else None)
    hits = hits[~hits.index.duplicated()]  # ties: any nearest one will do
    result["km"] = hits["metres"] / 1000.0
    result["nearest_id"] = hits["nearest_id"]
    return result


def weighted_medians(values: pd.Series, weights: pd.Series, groups: pd.Series) -> pd.Series:
    """Per group: the smallest value v such that at least half of the weight has a value <= v."""
    frame = pd.DataFrame({"v": values, "w": weights, "g": groups}).dropna()
    frame = frame[frame["w"] > 0].sort_values(["g", "v"])
    cumulative = frame.groupby("g")["w"].cumsum()
    half = frame.groupby("g")["w"].transform("sum") / 2
    return frame[cumulative >= half].groupby("g")["v"].first()


def _distance_rows(distances: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Population and, per basis, the median km and the shares beyond FAR_KM. A PC4 with no walk-in
    (NaN km) is farther than any distance: a region without a walk-in of its own is 100% beyond."""
    counted = distances[distances["inhabitants"].notna()]
    g, w = groups[counted.index], counted["inhabitants"]
    population = w.groupby(g).sum()
    weight = population.where(population > 0)
    rows = pd.DataFrame({"population": population})
    for column, suffix in (("km", ""), ("km_in_region", "_in_region")):
        km = counted[column].fillna(np.inf)
        rows[f"median_km{suffix}"] = weighted_medians(km, w, g).replace(np.inf, np.nan)
        for far in FAR_KM:
            rows[f"share_over_{far}km{suffix}"] = (w * (km > far)).groupby(g).sum() / weight
    rows["pc4_count"] = groups.value_counts()
    rows["pc4_without_population"] = distances["inhabitants"].isna().groupby(groups).sum()
    return rows


def _entry_rows(entries: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Counts of the open entries per kind, the planned walk-ins, and the share not verified."""
    counted = entries[entries["open"]]
    by_kind = pd.crosstab(groups[counted.index], counted["kind"]).reindex(columns=COUNTED_KINDS, fill_value=0)
    rows = by_kind.add_prefix("n_")
    rows["walk_ins"] = by_kind[WALK_IN_KINDS].sum(axis=1)
    planned = (entries["status"] == "planned") & entries["kind"].isin(WALK_IN_KINDS)
    rows["planned_walk_ins"] = planned.groupby(groups).sum()
    rows["entries"] = groups[counted.index].value_counts()
    rows["share_unverified"] = counted["stale"].groupby(groups[counted.index]).mean()
    return rows


def badness(regional: pd.DataFrame) -> pd.DataFrame:
    """Per region and SCORED measure: 0 for the best region, 1 for the worst; regions with the same
    value share their mean place. NaN where the region has no figure."""
    ranks = pd.DataFrame({column: regional[column].rank(ascending=column not in LOWER_IS_WORSE)
                          for column in SCORED})
    return (ranks - 1) / (ranks.count() - 1).where(lambda n: n > 0)


def find_gaps(regional: pd.DataFrame, national: pd.Series) -> pd.DataFrame:
    """The gaps that drive each region's score, worst first, at most MAX_GAPS: measures where the
    region is worse than the country and in the worse half of the regions, one per GAP_GROUPS group.
    A region without a walk-in of its own has that as its first gap, whatever its figures."""
    reference = national[SCORED].copy()
    reference[[column for column in SCORED if column in KNOWN]] = 1  # the country's row counts regions
    long = pd.DataFrame({"badness": badness(regional).stack(future_stack=True),
                         "value": regional[SCORED].stack(future_stack=True)}).rename_axis(["code", "measure"])
    long = long.reset_index()
    national_value = long["measure"].map(reference)
    worse = np.where(long["measure"].isin(list(LOWER_IS_WORSE)), long["value"] < national_value,
                     long["value"] > national_value)
    none_own = long["code"].map(regional["walk_ins"] == 0) & (long["measure"] == "walk_ins_per_100k")
    long["badness"] = long["badness"].mask(none_own, np.inf)  # before every other gap
    gaps = long[(worse & (long["badness"] > 0.5)) | none_own].assign(group=lambda f: f["measure"].map(GAP_GROUPS))
    gaps = gaps.sort_values(["code", "badness"], ascending=[True, False], kind="stable")
    gaps = gaps.drop_duplicates(["code", "group"]).groupby("code").head(MAX_GAPS)
    gaps["gap"] = gaps["measure"].map(GAP_CODES).mask(gaps["badness"] == np.inf, "no_walk_in")
    return gaps[["code", "gap", "measure", "badness"]].replace(np.inf, 1.0).reset_index(drop=True)


def compute(pc4: pd.DataFrame, regions: pd.DataFrame, entries: pd.DataFrame, as_of: date) -> Coverage:
    """The per-region table plus a national row, and the regions' gaps.

    pc4: index PC4, columns x, y (RD New), region_code, place, inhabitants (NaN = unknown), lat, lon.
    regions: index region code, column name. entries: catalogue rows with x, y (NaN = not placed).
    """
    entries = mark_stale(entries, as_of)
    counted = entries[entries["open"]]
    where = pc4[["region_code", "place", "inhabitants", "lat", "lon"]]
    distances = pd.concat([where, nearest_walk_in(pc4, counted)], axis=1)
    distances["km_in_region"] = nearest_walk_in(pc4, counted, same_region=True)["km"]
    everyone = pd.Series(NATIONAL_CODE, index=pc4.index)
    all_entries = pd.Series(NATIONAL_CODE, index=entries.index)

    codes = list(regions.index)
    regional = pd.concat([_distance_rows(distances, distances["region_code"]),
                          _entry_rows(entries, entries["zorgkantoorregio"])], axis=1).reindex(codes)
    national = pd.concat([_distance_rows(distances, everyone), _entry_rows(entries, all_entries)], axis=1)
    count_columns = ["pc4_count", "pc4_without_population", "entries", "walk_ins", "planned_walk_ins",
                     *[f"n_{kind}" for kind in COUNTED_KINDS]]
    regional[count_columns] = regional[count_columns].fillna(0)
    for column, kind in KNOWN.items():
        regional[column] = (regional[f"n_{kind}"] > 0).astype(int)
        national[column] = regional[column].sum()
    table = pd.concat([regional, national.reindex(columns=regional.columns)])
    whole = count_columns + list(KNOWN)
    table[whole] = table[whole].astype(int)
    table["walk_ins_per_100k"] = table["walk_ins"] / table["population"].where(table["population"] > 0) * 100_000
    # No PC4 of the row has an inhabitant figure (say, the population source could not be fetched):
    # its population is unknown, not 0.
    table["population"] = table["population"].astype("Int64")
    regional = table.loc[codes]
    table["score"] = badness(regional).mean(axis=1) * 100  # the national row has none
    table.insert(0, "name", [*regions["name"].reindex(codes), NATIONAL_NAME])
    table.index.name = "code"
    gaps = find_gaps(table.loc[codes], table.loc[NATIONAL_CODE])
    return Coverage(table[["name", *METRICS]], gaps, distances, entries, as_of)


def farthest(coverage: Coverage, code: str, n: int = 25) -> pd.DataFrame:
    """The region's PC4 points farthest from a walk-in: where support is missing most."""
    region = coverage.distances[coverage.distances["region_code"] == code]
    return region.dropna(subset=["km"]).sort_values("km", ascending=False).head(n)


def region_entries(coverage: Coverage, code: str) -> pd.DataFrame:
    """All of a region's catalogue entries (also planned and stopped ones), by kind and name."""
    own = coverage.entries[coverage.entries["zorgkantoorregio"] == code]
    order = own["kind"].map({kind: i for i, kind in enumerate(COUNTED_KINDS)}).fillna(len(COUNTED_KINDS))
    return own.assign(_order=order).sort_values(["_order", "name"]).drop(columns="_order")


def entry_counts(entries: pd.DataFrame) -> pd.DataFrame:
    """Per kind (in region_entries' order): the entries, those that count (open) and those to check (stale)."""
    counts = entries.groupby("kind", sort=False).agg(entries=("id", "size"), counted=("open", "sum"),
                                                     stale=("stale", "sum"))
    return counts.loc[entries["kind"].drop_duplicates()].astype(int)


def walk_ins_near(coverage: Coverage, bounds, margin_deg: float = 0.2, cell_deg: float = 0.01) -> pd.DataFrame:
    """The open, placed walk-ins in and around `bounds` (west, south, east, north; WGS84), one row per
    square of `cell_deg` (about a kilometre): its mean point, the first name, how many. A map of a
    region stays the same size however many entries the catalogue holds."""
    west, south, east, north = bounds
    e = coverage.entries
    near = e[e["open"] & e["kind"].isin(WALK_IN_KINDS) & e["lon"].between(west - margin_deg, east + margin_deg)
             & e["lat"].between(south - margin_deg, north + margin_deg)]
    cells = [(near["lat"] // cell_deg).rename("row"), (near["lon"] // cell_deg).rename("column")]
    return (near.groupby(cells, sort=True)
            .agg(lat=("lat", "mean"), lon=("lon", "mean"), name=("name", "first"), count=("id", "size"))
            .reset_index(drop=True))


# --- exports: every one carries the date the figures are from and the sources ---------------------

def about(coverage: Coverage, geo_meta: dict) -> dict:
    year = geo_meta.get("population_year")
    dated = {name: f" ({source['date']})" if source.get("date") else ""
             for name, source in geo_meta.get("sources", {}).items()}
    population = (f"CBS, inwoners per postcodegebied (PC4) op 1 januari {year}, CC BY 4.0"
                  f"{dated.get(POPULATION_PC4_FILE, '')}" if year else
                  "CBS, inwoners per postcodegebied (PC4): niet in deze gegevensset, dus inwoners onbekend")
    return {
        "data_as_of": coverage.as_of.isoformat(),
        "dataset_built_at": geo_meta.get("built_at"),
        "population_year": year,
        "sources": [
            f"CBS, zorgkantoorregio's {REGIONS_YEAR} en gemeenten {GEMEENTEN_YEAR} (via PDOK), CC BY 4.0"
            + dated.get(GEMEENTEN_FILE, ""),
            population,
            "GeoNames, postcodepunten (PC4), CC BY 4.0, gecontroleerd met CBS-gebieden" + dated.get(PC4_FILE, ""),
            "Routekaart-catalogus van steun (map regions/ in dit project): startgegevens, niet volledig",
        ],
    }


def export_frame(coverage: Coverage, geo_meta: dict) -> pd.DataFrame:
    """The table as one flat frame for CSV and XLSX: a row per region, the national row last; `gaps`
    holds a region's gap codes, worst first, separated by ';'."""
    info = about(coverage, geo_meta)
    gaps = coverage.gaps.groupby("code", sort=False)["gap"].agg(";".join)
    return coverage.table.reset_index().assign(gaps=lambda f: f["code"].map(gaps).fillna(""),
                                               data_as_of=info["data_as_of"],
                                               population_year=info["population_year"],
                                               sources=" | ".join(info["sources"]))


def plain(value):
    """numpy, NaN and NA -> JSON values."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def gaps_of(coverage: Coverage, code: str) -> pd.DataFrame:
    """A region's gaps, worst first (none for the national row)."""
    return coverage.gaps[coverage.gaps["code"] == code]


def row_json(coverage: Coverage, code: str) -> dict:
    """One row as JSON. 'known' columns are booleans for a region and region counts nationally."""
    row = {column: plain(value) for column, value in coverage.table.loc[code].items()}
    for column in KNOWN:
        value = row.pop(column)
        if code == NATIONAL_CODE:
            row[f"regions_with_{column}"] = value
        else:
            row[column] = bool(value)
    return {"code": code, **row, "gaps": gaps_of(coverage, code)["gap"].tolist()}


def region_areas(regions: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Region polygons in WGS84. A generalised boundary can be a GeometryCollection with a stray
    line (Zeeland, ZK27); maps and GIS tools want areas only."""
    return regions.geometry.to_crs("EPSG:4326").make_valid().buffer(0)


def geojson(coverage: Coverage, regions: gpd.GeoDataFrame, geo_meta: dict) -> dict:
    """The regions with their metrics as properties (WGS84), plus a `metadata` member."""
    features = []
    for code, geometry in region_areas(regions).items():
        features.append({"type": "Feature", "id": code, "properties": row_json(coverage, code),
                         "geometry": geometry.__geo_interface__})
    return {"type": "FeatureCollection", "metadata": about(coverage, geo_meta), "features": features}
