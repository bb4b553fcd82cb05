"""The download path, run for real against a local stand-in for the publishers (tests/publishers.py)
through ROUTEKAART_DOWNLOAD_MIRROR: PDOK pages with rel=next, GeoNames NL.zip, the CBS ODataFeed."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from routekaart import create_app
from routekaart.geodata import dataset, download, sources
from routekaart.geodata.sources import SourceError

from . import publishers
from .conftest import GEO_SOURCE


def _square(x0: float, y0: float, size: float = 0.1) -> dict:
    ring = [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


def _cbs(population: pd.DataFrame, periods: dict[str, bool], **pages) -> dict:
    """The CBS part of a Publishers: PC4 keys that differ from their titles, plus the country row."""
    population = population.assign(key=[f"PC{pc4}  " for pc4 in population["pc4"]])
    country = pd.DataFrame({"pc4": ["Nederland"], "inhabitants": [population["inhabitants"].sum()],
                            "key": ["NL01    "]})
    rows = pd.concat([population, country], ignore_index=True)
    return {"postcodes": dict(zip(rows["key"], rows["pc4"])),
            "periods": {key: key[:4] for key in periods},
            "cells": publishers.cbs_cells(rows, periods), **pages}


@pytest.fixture()
def mirror():
    """Start a stand-in with the given pages; stopped after the test."""
    stops = []

    def start(pages: publishers.Publishers) -> str:
        address, stop = publishers.serve(pages)
        stops.append(stop)
        return address

    yield start
    for stop in stops:
        stop()


def test_mirror_address_keeps_host_path_and_query():
    url = "https://api.pdok.nl/cbs/gebiedsindelingen/ogc/v1/collections/x/items?f=json&limit=1000"
    assert download.via_mirror(url, "http://127.0.0.1:8080/") == \
        "http://127.0.0.1:8080/api.pdok.nl/cbs/gebiedsindelingen/ogc/v1/collections/x/items?f=json&limit=1000"
    assert download.via_mirror(url, "") == url


# --- each publisher on small fictitious rows -------------------------------------------------------

def _fictitious_areas(n: int, year: int) -> list[dict]:
    return [publishers.pdok_feature(f"GM9{i:03d}", f"Testgemeente {i}", year, _square(5 + i * 0.1, 52))
            for i in range(n)]


def test_pdok_pages_are_followed_to_the_end_and_checked(mirror):
    areas = _fictitious_areas(25, 2025) + _fictitious_areas(3, 2024)  # another year: filtered by jaarcode
    pages = publishers.Publishers({"gemeente_gegeneraliseerd": areas}, b"", {}, {}, [], page_size=10)
    client = download.Client(mirror(pages), say=lambda line: None)

    collection = download.pdok_areas(client, "gemeente_gegeneraliseerd", 2025, expected=25)
    codes = [feature["properties"]["statcode"] for feature in collection["features"]]
    assert codes == [f"GM9{i:03d}" for i in range(25)]
    assert len(pages.requests) == 3 and all("jaarcode=2025" in path for path in pages.requests)

    with pytest.raises(SourceError, match="25 gebieden .*verwacht 342"):
        download.pdok_areas(client, "gemeente_gegeneraliseerd", 2025, expected=342)
    pages.areas["gemeente_gegeneraliseerd"] = areas[:24] + [areas[0]]
    with pytest.raises(SourceError, match="24 verschillende statcodes"):
        download.pdok_areas(client, "gemeente_gegeneraliseerd", 2025, expected=25)


def _gemeenten() -> "sources.gpd.GeoDataFrame":
    features = [publishers.pdok_feature("GM9991", "Voorbeeldstad", 2025, _square(5.0, 52.0)),
                publishers.pdok_feature("GM9992", "Testdorp", 2025, _square(5.1, 52.0))]
    return sources.gpd.GeoDataFrame.from_features(features, crs="EPSG:4326").rename(
        columns={"statcode": "code", "statnaam": "name"})


def test_geonames_codes_are_checked_against_the_gemeente_polygons():
    line = lambda pc4, place, code, lat, lon: f"NL\t{pc4}\t{place}\tUtrecht\t09\t{place}\t{code}\t\t\t{lat}\t{lon}\t6"
    text = "\n".join([
        line("9991", "Voorbeeldstad", "9991", 52.05, 5.05),
        line("9991", "Voorbeeldbuurt", "9991", 52.07, 5.03),
        line("9992", "Testdorp", "0370", 52.05, 5.15),       # a code from before a merger
        line("9993", "Nieuwdorp", "", 52.02, 5.18),          # no code at all
        line("9994", "Voorbeeldstad", "9991", 52.05, 5.06),
        line("9994", "Verweg", "9991", 52.05, 5.40),         # far outside its gemeente, the PC4 has another
        line("9995", "Testdorp", "9992", 52.50, 5.15),       # far outside, and the PC4's only point
    ]).replace("Utrecht\t09", "South Holland\t11", 1) + "\n"
    pc4, report = download.geonames_to_pc4(text, _gemeenten())
    pc4 = pc4.set_index("pc4")
    assert pc4["gemeente_code"].to_dict() == {"9991": "GM9991", "9992": "GM9992", "9993": "GM9992",
                                              "9994": "GM9991", "9995": "GM9992"}
    assert pc4.at["9991", "lat"] == pytest.approx(52.06)
    assert pc4.at["9991", "all_places"] == "Voorbeeldstad;Voorbeeldbuurt"
    assert pc4.at["9994", "all_places"] == "Voorbeeldstad" and pc4.at["9994", "lon"] == pytest.approx(5.06)
    assert pc4.at["9992", "gemeente"] == "Testdorp"
    assert pc4["province"].tolist() == ["Zuid-Holland"] + ["Utrecht"] * 4, "GeoNames' English names in CBS's words"
    assert report == {"entries": 7, "code_missing_assigned_by_polygon": 1, "code_outdated_assigned_by_polygon": 1,
                      "far_from_gemeente_dropped": 1, "far_from_gemeente_kept": 1, "pc4": 5}


def test_geonames_ties_between_gemeenten_go_to_the_first_listed():
    text = ("NL\t9996\tA\t\t\t\t9992\t\t\t52.05\t5.099\t6\n"
            "NL\t9996\tB\t\t\t\t9991\t\t\t52.05\t5.098\t6\n")
    pc4, _ = download.geonames_to_pc4(text, _gemeenten())
    assert pc4.loc[0, "gemeente_code"] == "GM9992" and pc4.loc[0, "all_gemeente_codes"] == "GM9992;GM9991"


def test_cbs_totals_of_the_latest_year_with_figures_over_every_page(mirror):
    population = pd.DataFrame({"pc4": [f"{n}" for n in range(9981, 9999)],
                               "inhabitants": [1000.0 + 5 * n for n in range(17)] + [None]})
    pages = publishers.Publishers({}, b"", **_cbs(population, {"2022JJ00": True, "2023JJ00": True,
                                                               "2024JJ00": False}, cbs_page_size=7))
    client = download.Client(mirror(pages), say=lambda line: None)

    frame, about = download.cbs_population(client)
    assert about["year"] == 2023 and frame["year"].eq(2023).all()
    assert list(frame["pc4"]) == list(population["pc4"])  # keys mapped to titles; the country row left out
    assert frame["inhabitants"].tolist()[:17] == population["inhabitants"].tolist()[:17]
    assert pd.isna(frame["inhabitants"].iloc[-1])
    data_requests = [path for path in pages.requests if "/TypedDataSet" in path]
    asked = [next(period for period in ("2022", "2023", "2024") if f"{period}JJ00" in path) for path in data_requests]
    assert asked == ["2024"] * 3 + ["2023"] * 3  # newest first, 19 rows in pages of 7; 2022 not needed
    assert all("T001038" in path and "T001040" in path for path in data_requests)


def test_cbs_without_any_figures_is_a_clear_error(mirror):
    population = pd.DataFrame({"pc4": ["9991"], "inhabitants": [100.0]})
    pages = publishers.Publishers({}, b"", **_cbs(population, {"2024JJ00": False}))
    with pytest.raises(SourceError, match="geen jaar met inwonertallen"):
        download.cbs_population(download.Client(mirror(pages), say=lambda line: None))


# --- the whole download, from pages made of the open-data folder ----------------------------------

def _folder_pages() -> publishers.Publishers:
    """The publishers' pages for the data in GEO_SOURCE, read at test time (never committed).
    Voorne aan Zee's PC4s, which GeoNames leaves without a gemeente, get partly the code of Brielle
    (GM0501, merged in 2023) and partly none, as in GeoNames."""
    def features(name: str, year: int) -> list[dict]:
        raw = json.loads((GEO_SOURCE / name).read_text())["features"]
        made = [publishers.pdok_feature(f["properties"]["statcode"], f["properties"]["statnaam"], year, f["geometry"])
                for f in raw]
        return made + [publishers.pdok_feature("XX0000", "Ander jaar", year - 1, raw[0]["geometry"])]

    pc4 = pd.read_csv(GEO_SOURCE / sources.PC4_FILE, dtype=str, keep_default_na=False)
    blank = pc4["gemeente_code"] == ""
    pc4.loc[blank & (pc4.index % 2 == 0), "gemeente_code"] = "GM0501"
    places = pc4.assign(place=pc4["all_places"].str.split(";")).explode("place")
    others = pc4.assign(code=pc4["all_gemeente_codes"].str.split(";")).explode("code")
    others = others[(others["code"] != others["gemeente_code"]) & (others["code"] != "")]
    lines = pd.concat([places.assign(code=places["gemeente_code"]), others.assign(place=others["place"])])
    lines = lines.sort_index(kind="stable")  # a PC4's own gemeente first, as in GeoNames
    admin2 = lines["code"].str.removeprefix("GM")
    table = pd.DataFrame({"country": "NL", "postcode": lines["pc4"], "place": lines["place"],
                          "admin1": lines["province"], "admin1_code": "", "admin2": lines["gemeente"],
                          "admin2_code": admin2, "admin3": "", "admin3_code": "",
                          "lat": lines["lat"], "lon": lines["lon"], "accuracy": 6})
    population = pd.read_csv(GEO_SOURCE / sources.POPULATION_PC4_FILE, dtype={"pc4": str})
    year = int(population["year"].mode().iat[0])
    return publishers.Publishers(
        {"zorgkantoorregio_gegeneraliseerd": features(sources.REGIONS_FILE, 2024),
         "gemeente_gegeneraliseerd": features(sources.GEMEENTEN_FILE, 2025)},
        publishers.geonames_zip(table.values.tolist()),
        **_cbs(population[["pc4", "inhabitants"]], {f"{year}JJ00": True, f"{year + 1}JJ00": False}),
        page_size=100)


@pytest.fixture(scope="module")
def folder_pages():
    if not (GEO_SOURCE / sources.PC4_FILE).is_file():
        pytest.fail(f"open geodata not found at {GEO_SOURCE}; set ROUTEKAART_TEST_GEO_SOURCE")
    pages = _folder_pages()
    address, stop = publishers.serve(pages)
    yield pages, address
    stop()


def _build_through_mirror(tmp_path, address: str):
    app = create_app({"TESTING": True, "GEO_SOURCE": "download", "DOWNLOAD_MIRROR": address,
                      "DATA_DIR": str(tmp_path / "geodata"), "TILES_URL": "", "RATELIMIT_ENABLED": False})
    result = app.test_cli_runner().invoke(args=["data", "build"])
    assert result.exit_code == 0, result.output
    return app, result, dataset.load(tmp_path / "geodata")


@pytest.fixture(scope="module")
def downloaded(folder_pages, tmp_path_factory):
    pages, address = folder_pages
    pages.requests.clear()
    app, result, geo = _build_through_mirror(tmp_path_factory.mktemp("downloaded"), address)
    return app, result, geo, list(pages.requests)


def test_build_through_the_mirror_answers_every_pc4_as_the_folder_does(downloaded, geodata_dir):
    _, _, geo, requests = downloaded
    folder = dataset.load(geodata_dir)
    common = folder.pc4.index.intersection(geo.pc4.index)
    assert len(common) == len(folder.pc4) == len(geo.pc4)
    differ = folder.pc4.loc[common, "region_code"] != geo.pc4.loc[common, "region_code"]
    assert list(common[differ]) == []
    # The pages give all of a PC4's places its one point, so where a PC4 spans gemeenten the point
    # check may pick the gemeente the point lies in; the region stays the same (asserted above).
    other_gemeente = folder.pc4.loc[common, "gemeente_code"] != geo.pc4.loc[common, "gemeente_code"]
    assert folder.pc4.loc[common[other_gemeente], "all_gemeente_codes"].str.contains(";").all()
    assert sorted(geo.regions.index) == sorted(folder.regions.index)
    assert (geo.gemeenten["province"] == folder.gemeenten["province"].reindex(geo.gemeenten.index)).all()
    assert geo.pc4["inhabitants"].sum() == folder.pc4["inhabitants"].sum()
    assert geo.meta["population_year"] == folder.meta["population_year"]  # the next year has no figures yet
    assert sum("/gemeente_gegeneraliseerd/" in path for path in requests) == 4  # 342 areas, pages of 100


def test_download_records_each_source_and_reports_progress(downloaded):
    _, result, geo, _ = downloaded
    described = geo.meta["sources"]
    assert set(described) == {sources.REGIONS_FILE, sources.GEMEENTEN_FILE, sources.PC4_FILE,
                              sources.POPULATION_PC4_FILE}
    assert described[sources.REGIONS_FILE]["count"] == 31 and described[sources.GEMEENTEN_FILE]["count"] == 342
    assert described[sources.PC4_FILE]["address"] == download.GEONAMES  # the publisher, not the mirror
    assert described[sources.POPULATION_PC4_FILE]["address"].startswith("https://opendata.cbs.nl/ODataFeed/")
    checks = described[sources.PC4_FILE]["checks"]
    assert checks["code_outdated_assigned_by_polygon"] > 0 and checks["code_missing_assigned_by_polygon"] > 0
    assert all(source["date"] for source in described.values())
    assert "pagina 4, 342 gebieden" in result.stderr and "met een oude code" in result.stderr


def test_footer_and_methods_page_show_the_data_dates(downloaded):
    app, _, geo, _ = downloaded
    client = app.test_client()
    dates = dataset.source_dates(geo.meta)
    page = client.get("/dekking/methode").get_data(as_text=True)
    assert download.GEONAMES in page and str(geo.meta["population_year"]) in page
    checks = geo.meta["sources"][sources.PC4_FILE]["checks"]
    assert f"{checks['code_outdated_assigned_by_polygon']} punten met een oude gemeentecode" in page
    footer = page.split('class="site-footer"')[1]
    year = int(dates["areas"][:4])
    assert str(year) in footer and f"1 januari {geo.meta['population_year']}" in footer


def test_a_failing_population_source_still_builds_and_says_population_is_unknown(folder_pages, tmp_path):
    pages, address = folder_pages
    pages.cbs_down = True
    try:
        app, result, geo = _build_through_mirror(tmp_path, address)
    finally:
        pages.cbs_down = False
    assert "Let op: Geen inwonertallen" in result.stderr
    assert geo.meta["population_year"] is None and geo.meta["warnings"]
    assert "503" in geo.meta["sources"][sources.POPULATION_PC4_FILE]["error"]
    assert geo.pc4["inhabitants"].isna().all() and len(geo.pc4) > 4000

    client = app.test_client()
    body = client.get("/api/v1/coverage").get_json()
    assert body["national"]["population"] is None and body["population_year"] is None
    assert all(row["population"] is None and row["median_km"] is None for row in body["regions"])
    page = client.get("/dekking")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "ontbreken de inwonertallen" in text and "onbekend" in text
    assert client.get("/dekking/export.xlsx").status_code == 200
    assert "niet opgehaald" in client.get("/dekking/methode").get_data(as_text=True)


def test_the_download_is_made_once_and_refreshed_on_request(folder_pages, tmp_path, monkeypatch):
    pages, address = folder_pages
    config = {"GEO_SOURCE": "", "DOWNLOAD_MIRROR": address, "DATA_DIR": str(tmp_path / "geodata")}
    monkeypatch.setattr(download, "LOCAL_FOLDER", tmp_path / "no-local-folder")
    quiet = lambda line: None
    pages.requests.clear()
    folder = download.source_folder(config, say=quiet)
    assert folder == tmp_path / "geodata-source" and sources.is_source_folder(folder)
    asked = len(pages.requests)
    assert download.source_folder(config, say=quiet) == folder and len(pages.requests) == asked
    download.source_folder(config, refresh=True, say=quiet)
    assert len(pages.requests) == 2 * asked

    monkeypatch.setattr(download, "LOCAL_FOLDER", GEO_SOURCE)  # a local folder wins, when it is there
    assert download.source_folder(config, say=quiet) == GEO_SOURCE
    assert download.source_folder({**config, "GEO_SOURCE": str(tmp_path)}, say=quiet) == tmp_path


def test_an_unreachable_publisher_is_a_clear_message_and_changes_nothing(tmp_path):
    app = create_app({"TESTING": True, "GEO_SOURCE": "download", "DOWNLOAD_MIRROR": "http://127.0.0.1:9",
                      "DATA_DIR": str(tmp_path / "geodata")})
    result = app.test_cli_runner().invoke(args=["data", "update"])
    assert result.exit_code == 1
    assert "Ophalen mislukt: https://api.pdok.nl/" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "geodata-source").exists() and not (tmp_path / "geodata").exists()


def test_without_data_the_site_says_so_instead_of_failing(tmp_path):
    app = create_app({"TESTING": True, "GEO_SOURCE": "download", "DOWNLOAD_MIRROR": "http://127.0.0.1:9",
                      "DATA_DIR": str(tmp_path / "geodata"), "TILES_URL": "", "RATELIMIT_ENABLED": False})
    result = app.test_cli_runner().invoke(args=["serve"])
    assert result.exit_code == 1 and "niet te lezen of op te halen: Ophalen mislukt" in result.output
    answer = app.test_client().get("/api/v1/lookup?postcode=3511AB")
    assert answer.status_code == 503 and answer.get_json()["error"]["code"] == "dataset_missing"


@pytest.mark.parametrize("text", ["", "NL\tnone\tNergens\n", "NL\t9991\t\t\t\t\t\t\t\tnoord\toost\t6\n"])
def test_an_unusable_geonames_file_is_a_clear_error(text):
    with pytest.raises(SourceError, match="GeoNames NL.txt"):
        download.geonames_to_pc4(text, _gemeenten())
