"""Coverage metrics: each one on a tiny fictitious country with answers worked out by hand,
then the national run on the real dataset and catalogue."""
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from routekaart import coverage
from routekaart.catalogue.schema import NATIONAL, WALK_IN_KINDS, normalise
from routekaart.geodata.build import RD_NEW

AS_OF = date(2025, 6, 30)  # 12 months back: 2024-06-30

# Five PC4 points on one north-south line (RD New metres), two fictitious regions.
PC4 = pd.DataFrame({
    "x": [100_000, 100_000, 100_000, 100_000, 103_000],
    "y": [400_000, 415_000, 475_000, 470_000, 404_000],
    "region_code": ["ZK90", "ZK90", "ZK90", "ZK91", "ZK91"],
    "place": ["Testdorp", "Testdorp", "Testveen", "Testhoek", "Testburg"],
    "inhabitants": [1000, 3000, 2000, np.nan, 4000],  # 9004 has no CBS figure
    "lat": [52.0, 52.1, 52.6, 52.5, 52.05], "lon": [5.0] * 5,
}, index=pd.Index(["9001", "9002", "9003", "9004", "9005"], name="pc4"))
REGIONS = gpd.GeoDataFrame(
    {"name": ["Testregio Noord", "Testregio Zuid"]},
    geometry=[box(90_000, 398_000, 110_000, 480_000), box(110_000, 398_000, 130_000, 480_000)],
    index=pd.Index(["ZK90", "ZK91"], name="code"), crs=RD_NEW)


def _entry(id, kind, region, x=np.nan, y=np.nan, status="active", last_verified=""):
    return {"id": id, "name": f"Testpunt Voorbeeld {id}", "kind": kind, "status": status, "scope": "lokaal",
            "zorgkantoorregio": region, "source_url": "https://example.invalid/", "last_verified": last_verified,
            "x": x, "y": y}


ENTRIES = pd.DataFrame([
    _entry("a", "steunpunt", "ZK90", 100_000, 400_000, last_verified="2025-01-15"),
    _entry("b", "jongeren", "ZK91", 100_000, 440_000, status="pilot", last_verified="2024-06-29"),
    _entry("c", "steunpunt", "ZK91", 100_000, 401_000, status="planned"),  # not open: never counts
    _entry("d", "herstelacademie", "ZK90", 100_000, 415_000, status="inactive"),  # stopped: never counts
    _entry("e", "mgn", "ZK90", last_verified="2024-07"),  # a month: from 2024-07-01, inside 12 months
    _entry("f", "wachtverzachter", "ZK91", last_verified="2024"),  # a year: from 2024-01-01, stale
    _entry("g", "informatie", NATIONAL, last_verified="2025-06-01"),
    _entry("h", "steunpunt", "ZK90"),  # open but not on the map: counted, no distance; never verified
])
ENTRIES = pd.concat([normalise(ENTRIES), ENTRIES[["x", "y"]]], axis=1)


@pytest.fixture(scope="module")
def result():
    return coverage.compute(PC4, REGIONS, ENTRIES, AS_OF)


def test_nearest_open_walk_in_per_pc4(result):
    # 9001 sits on a; 9002 is 15 km from a (d at 0 km is stopped); 9003: b at 35 km beats a at 75 km;
    # 9004: b at 30 km; 9005: a at hypot(3, 4) = 5 km (planned c at 3.2 km does not count).
    assert result.distances["km"].tolist() == pytest.approx([0, 15, 35, 30, 5])
    assert result.distances["nearest_id"].tolist() == ["a", "a", "b", "b", "a"]


def test_population_weighted_distance_figures(result):
    t = result.table
    # ZK90: 0 km x 1000, 15 km x 3000, 35 km x 2000; half of 6000 is reached at 15 km.
    assert t.loc["ZK90", ["population", "median_km", "share_over_10km", "share_over_20km"]].tolist() == \
        pytest.approx([6000, 15, 5000 / 6000, 2000 / 6000])
    # ZK91: 9004 has no figure and is left out; 9005 (4000 people) is 5 km away.
    assert t.loc["ZK91", ["population", "median_km", "share_over_10km", "share_over_20km"]].tolist() == \
        pytest.approx([4000, 5, 0, 0])
    # Everyone: 0 (1000), 5 (4000), 15 (3000), 35 (2000): cumulative 5000 of 10000 at 5 km.
    assert t.loc["NL", ["population", "median_km", "share_over_10km", "share_over_20km"]].tolist() == \
        pytest.approx([10000, 5, 0.5, 0.2])
    assert t.loc[["ZK90", "ZK91", "NL"], "pc4_without_population"].tolist() == [0, 1, 1]
    assert t.loc[["ZK90", "ZK91", "NL"], "pc4_count"].tolist() == [3, 2, 5]


def test_counts_per_kind_only_open_entries(result):
    columns = [f"n_{kind}" for kind in coverage.COUNTED_KINDS] + ["walk_ins", "entries"]
    counts = result.table[columns]
    # kinds:                        steunpunt jongeren herstelacademie wachtverzachter mgn informatie
    assert counts.loc["ZK90"].tolist() == [2, 0, 0, 0, 1, 0, 2, 3]  # a, h, e
    assert counts.loc["ZK91"].tolist() == [0, 1, 0, 1, 0, 0, 1, 2]  # b, f
    assert counts.loc["NL"].tolist() == [2, 1, 0, 1, 1, 1, 3, 6]  # plus national g


def test_walk_ins_per_100k_and_known(result):
    t = result.table
    assert t["walk_ins_per_100k"].tolist() == pytest.approx([2 / 6000 * 1e5, 1 / 4000 * 1e5, 3 / 10000 * 1e5])
    known = ["mgn_known", "waiting_support_known", "youth_walk_in_known"]
    assert t.loc["ZK90", known].tolist() == [1, 0, 0]
    assert t.loc["ZK91", known].tolist() == [0, 1, 1]
    assert t.loc["NL", known].tolist() == [1, 1, 1]  # number of regions where it is known


def test_share_not_verified_in_12_months(result):
    # ZK90: a fresh, e fresh (2024-07), h never. ZK91: b one day too old, f (2024) too old.
    # Everyone: h, b, f of the six open entries.
    assert result.table["share_unverified"].tolist() == pytest.approx([1 / 3, 1.0, 0.5])
    stale = result.entries.set_index("id")["stale"]
    assert stale[["a", "e", "g"]].tolist() == [False, False, False]
    assert stale[["b", "f", "h"]].tolist() == [True, True, True]


def test_weighted_median_takes_the_value_where_half_the_weight_is_reached():
    values = pd.Series([2.0, 4.0, 9.0, 1.0])
    weights = pd.Series([1.0, 1.0, 5.0, 0.0])  # zero weight never decides
    groups = pd.Series(["x", "x", "y", "y"])
    assert coverage.weighted_medians(values, weights, groups).to_dict() == {"x": 2.0, "y": 9.0}


def test_without_any_walk_in_everyone_is_far_and_there_is_no_median():
    empty = ENTRIES[~ENTRIES["kind"].isin(WALK_IN_KINDS)]
    t = coverage.compute(PC4, REGIONS, empty, AS_OF).table
    assert t["median_km"].isna().all() and t["median_km_in_region"].isna().all()
    assert (t[["share_over_10km", "share_over_20km", "share_over_20km_in_region"]] == 1).all().all()
    assert t.loc["ZK90", "walk_ins_per_100k"] == 0


def test_distance_to_a_walk_in_of_the_own_region(result):
    # ZK90 has only a of its own (b is ZK91's): 9003 is 75 km from a. ZK91 has only b (c is planned):
    # 9004 is 30 km from b, 9005 hypot(3, 36) km.
    assert result.distances["km_in_region"].tolist() == pytest.approx([0, 15, 75, 30, np.hypot(3, 36)])
    t = result.table
    columns = ["median_km_in_region", "share_over_10km_in_region", "share_over_20km_in_region"]
    assert t.loc["ZK90", columns].tolist() == pytest.approx([15, 5000 / 6000, 2000 / 6000])
    assert t.loc["ZK91", columns].tolist() == pytest.approx([np.hypot(3, 36), 1, 1])
    # Without b, ZK91 has no walk-in of its own: everyone there is beyond any distance, no median;
    # the nearest one anywhere (a, in ZK90) still counts for the other basis.
    t = coverage.compute(PC4, REGIONS, ENTRIES[ENTRIES["id"] != "b"], AS_OF).table
    assert pd.isna(t.loc["ZK91", "median_km_in_region"]) and t.loc["ZK91", "share_over_20km_in_region"] == 1
    assert t.loc["ZK91", ["median_km", "share_over_20km"]].tolist() == pytest.approx([5, 0])


def test_planned_walk_ins_are_counted_apart_and_not_as_walk_ins(result):
    t = result.table
    # c (a planned steunpunt in ZK91) is planned; d (stopped) and the planned-free ZK90 are not.
    assert t.loc[["ZK90", "ZK91", "NL"], "planned_walk_ins"].tolist() == [0, 1, 1]
    assert t.loc[["ZK90", "ZK91", "NL"], "walk_ins"].tolist() == [2, 1, 3]
    assert "c" not in set(result.distances["nearest_id"])


# Four fictitious regions with figures chosen by hand, and the country's figures (mgn_known: the
# number of regions where it is known).
SCORED = pd.DataFrame({
    "walk_ins_per_100k": [0.0, 0.2, 1.0, 2.0],
    "share_over_20km": [0.0, 0.30, 0.05, 0.0],
    "share_over_10km": [0.5, 0.80, 0.10, 0.05],
    "median_km": [9.0, 15.0, 4.0, 3.0],
    "mgn_known": [1, 0, 1, 1],
    "share_unverified": [0.5, 0.95, 0.9, 0.1],
    "walk_ins": [0, 1, 5, 8],
}, index=pd.Index(["ZK90", "ZK91", "ZK92", "ZK93"], name="code"))
COUNTRY = pd.Series({"walk_ins_per_100k": 0.8, "share_over_20km": 0.08, "share_over_10km": 0.35, "median_km": 6.0,
                     "mgn_known": 3, "share_unverified": 0.5, "walk_ins": 14})


def test_badness_ranks_best_0_to_worst_1_and_ties_share_their_place():
    bad = coverage.badness(SCORED)
    assert bad["walk_ins_per_100k"].tolist() == pytest.approx([1, 2 / 3, 1 / 3, 0])  # fewer is worse
    assert bad["share_over_20km"].tolist() == pytest.approx([1 / 6, 1, 2 / 3, 1 / 6])  # two at 0% share places 1-2
    assert bad["mgn_known"].tolist() == pytest.approx([1 / 3, 1, 1 / 3, 1 / 3])
    assert (bad.mean(axis=1) * 100).round(2).tolist() == [52.78, 94.44, 44.44, 8.33]


def test_gaps_are_what_is_worse_than_the_country_and_in_the_worse_half():
    gaps = coverage.find_gaps(SCORED, COUNTRY).groupby("code")["gap"].apply(list).to_dict()
    # ZK90 has no walk-in of its own: that comes first. Of the distances only one counts; 10 km and the
    # median tie, and 20 km is not worse than the country. Its stale share equals the country's.
    assert gaps["ZK90"] == ["no_walk_in", "far_10km"]
    # Four groups are worse; at most three are named, the worst first (the walk-ins are least bad).
    assert gaps["ZK91"] == ["far_20km", "no_mgn", "stale"]
    assert gaps["ZK92"] == ["stale"]  # 4 km and 5% are better than the country
    assert "ZK93" not in gaps  # best or nearly best on everything


def test_farthest_and_region_entries(result):
    assert list(coverage.farthest(result, "ZK90").index) == ["9003", "9002", "9001"]
    listed = coverage.region_entries(result, "ZK90")
    assert listed["id"].tolist() == ["a", "h", "d", "e"]  # stopped d is listed, not counted
    assert listed.set_index("id")["open"].to_dict() == {"a": True, "h": True, "d": False, "e": True}


def test_json_and_geojson_rows(result):
    meta = {"built_at": "2025-06-01T00:00:00+00:00", "population_year": 2021}
    region = coverage.row_json(result, "ZK91")
    assert region["youth_walk_in_known"] is True and region["mgn_known"] is False
    assert region["population"] == 4000 and region["median_km"] == pytest.approx(5)
    assert region["planned_walk_ins"] == 1 and region["gaps"] == result.gaps.query("code == 'ZK91'")["gap"].tolist()
    national = coverage.row_json(result, "NL")
    assert national["regions_with_mgn_known"] == 1 and "mgn_known" not in national
    assert national["score"] is None and national["gaps"] == []
    collection = coverage.geojson(result, REGIONS, meta)
    assert collection["metadata"]["data_as_of"] == "2025-06-30"
    assert any("2021" in source for source in collection["metadata"]["sources"])
    assert [f["id"] for f in collection["features"]] == ["ZK90", "ZK91"]
    frame = coverage.export_frame(result, meta)
    assert frame["code"].tolist() == ["ZK90", "ZK91", "NL"] and set(frame["data_as_of"]) == {"2025-06-30"}
    assert frame["gaps"].tolist() == [";".join(coverage.gaps_of(result, code)["gap"]) for code in frame["code"]]


# --- the national run ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def national(data):
    return coverage.compute(data.geo.pc4, data.geo.regions, data.catalogue.entries, date.today())


def test_national_run_has_31_regions_and_a_national_row(national, data):
    t = national.table
    assert len(t) == 32 and t.index[-1] == "NL"
    assert set(t.index[:-1]) == set(data.geo.regions.index) and len(data.geo.regions) == 31


def test_national_shares_are_shares(national):
    shares = national.table[["share_over_10km", "share_over_20km", "share_unverified"]]
    assert shares.notna().all().all() and ((shares >= 0) & (shares <= 1)).all().all()
    assert (national.table["share_over_20km"] <= national.table["share_over_10km"]).all()


def test_national_counts_add_up_to_the_catalogue(national, data):
    entries = data.catalogue.entries
    open_entries = entries[entries["status"].isin(coverage.OPEN_STATUSES)]
    t = national.table
    for kind in coverage.COUNTED_KINDS:
        in_catalogue = int((open_entries["kind"] == kind).sum())
        national_file = int(((open_entries["kind"] == kind) & (open_entries["zorgkantoorregio"] == NATIONAL)).sum())
        assert t.loc["NL", f"n_{kind}"] == in_catalogue, kind
        assert t.drop(index="NL")[f"n_{kind}"].sum() + national_file == in_catalogue, kind
    assert t.loc["NL", "entries"] == len(open_entries)
    assert t.loc["NL", "walk_ins"] == open_entries["kind"].isin(WALK_IN_KINDS).sum()


def test_national_population_is_the_sum_over_pc4s(national, data):
    pc4 = data.geo.pc4
    t = national.table
    assert t.loc["NL", "population"] == int(pc4["inhabitants"].sum())
    assert t.drop(index="NL")["population"].sum() == t.loc["NL", "population"]
    assert t.drop(index="NL")["pc4_count"].sum() == t.loc["NL", "pc4_count"] == len(pc4)
    assert t.loc["NL", "pc4_without_population"] == int(pc4["inhabitants"].isna().sum())
