"""The runtime dataset built from the real open geodata: every postcode in exactly one region."""
import json

import geopandas as gpd
import pandas as pd
import pytest

from routekaart.geodata import build, dataset, sources
from routekaart.postcodes import parse
from routekaart.routing import Router

from .conftest import GEO_SOURCE


@pytest.fixture(scope="module")
def geo(geodata_dir):
    return dataset.load(geodata_dir)


@pytest.fixture(scope="module")
def resolve(geo, data):
    return Router(geo, data.catalogue.entries).resolve


def test_31_regions_with_cbs_statcodes(geo):
    raw = json.loads((GEO_SOURCE / sources.REGIONS_FILE).read_text())
    statcodes = sorted(f["properties"]["statcode"] for f in raw["features"])
    assert len(statcodes) == 31
    assert sorted(geo.regions.index) == statcodes
    assert "ZK05" not in geo.regions.index and "ZK15" not in geo.regions.index


def test_every_gemeente_in_exactly_one_region(geo):
    assert geo.gemeenten["region_code"].notna().all()
    assert set(geo.gemeenten["region_code"]) == set(geo.regions.index)
    assert not geo.gemeenten.index.duplicated().any()


def test_every_pc4_resolves_to_exactly_one_of_the_31_regions(geo):
    source = pd.read_csv(GEO_SOURCE / sources.PC4_FILE, dtype={"pc4": str})
    assert len(geo.pc4) == source["pc4"].nunique()
    assert geo.pc4["region_code"].isin(geo.regions.index).all()
    assert not geo.pc4.index.duplicated().any()


def test_every_gemeente_gets_its_province_from_the_pc4_source(geo):
    source = pd.read_csv(GEO_SOURCE / sources.PC4_FILE, dtype=str, keep_default_na=False)
    assert (geo.gemeenten["province"] != "").all()
    assert set(geo.gemeenten["province"]) == set(source["province"]) - {""}
    assert geo.gemeenten["province"].nunique() == 12
    assert geo.gemeenten.at["GM0363", "province"] == "Noord-Holland"  # Amsterdam
    assert geo.gemeenten.at["GM0687", "province"] == "Zeeland"  # Middelburg


def test_known_gemeente_regions(geo):
    # From the CBS "Gebieden in Nederland" classification (quoted in PROVENANCE.md).
    assert geo.gemeenten.at["GM0363", "region_code"] == "ZK02"  # Amsterdam
    assert geo.gemeenten.at["GM0599", "region_code"] == "ZK20"  # Rotterdam


@pytest.mark.parametrize("pc4", ["6462", "9693", "1364", "8766", "8752"])
def test_points_outside_every_region_polygon_still_resolve(geo, resolve, pc4):
    regions = geo.regions.to_crs(build.RD_NEW)
    point = gpd.GeoSeries(gpd.points_from_xy([geo.pc4.at[pc4, "lon"]], [geo.pc4.at[pc4, "lat"]]),
                          crs="EPSG:4326").to_crs(build.RD_NEW).iloc[0]
    assert not regions.contains(point).any(), "precondition: the point lies outside all polygons"
    place = resolve(parse(pc4))
    assert place.region_code == geo.gemeenten.at[place.gemeente_code, "region_code"]


def test_points_on_the_wrong_side_of_a_border_get_their_gemeentes_region(geo, resolve):
    points = gpd.GeoDataFrame(geo.pc4[["pc4", "gemeente_code"]].reset_index(drop=True),
                              geometry=gpd.points_from_xy(geo.pc4["lon"], geo.pc4["lat"]), crs="EPSG:4326")
    hits = gpd.sjoin(points, geo.regions[["geometry"]].reset_index(), predicate="within")
    wrong = hits[hits["code"] != hits["gemeente_code"].map(geo.gemeenten["region_code"])]
    assert len(wrong) > 0, "the generalised polygons put some PC4 points across a border"
    for row in wrong.itertuples():
        assert resolve(parse(row.pc4)).region_code != row.code


def test_voorne_aan_zee_pc4s_get_a_gemeente_by_polygon(geo):
    source = pd.read_csv(GEO_SOURCE / sources.PC4_FILE, dtype={"pc4": str}, keep_default_na=False)
    blank = source.loc[source["gemeente_code"] == "", "pc4"]
    assert len(blank) > 0
    assert (geo.pc4.loc[blank, "region_method"] != "gemeente").all()
    assert geo.pc4.loc[blank, "gemeente_code"].isin(geo.gemeenten.index).all()


def test_pc4_spanning_regions_names_the_other_regions(geo, resolve):
    spans = geo.pc4[geo.pc4["other_regions"] != ""]
    assert len(spans) > 0
    for row in spans.itertuples():
        codes = row.all_gemeente_codes.split(";")
        regions = {geo.gemeenten.at[c, "region_code"] for c in codes if c in geo.gemeenten.index}
        assert set(row.other_regions.split(";")) == regions - {row.region_code}
        assert resolve(parse(row.pc4)).other_regions


def test_population_joined_and_summed(geo):
    population = pd.read_csv(GEO_SOURCE / sources.POPULATION_PC4_FILE, dtype={"pc4": str})
    joined = geo.pc4["inhabitants"].sum()
    expected = population[population["pc4"].isin(geo.pc4.index)]["inhabitants"].sum()
    assert joined == expected > 17_000_000


def test_missing_source_file_is_a_clear_error(tmp_path):
    (tmp_path / sources.REGIONS_FILE).write_text("{}")
    with pytest.raises(sources.SourceError, match="pc4.csv"):
        sources.read_folder(tmp_path)
