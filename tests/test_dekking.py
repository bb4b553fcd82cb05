"""The insurer pages, exports and coverage API on the real dataset (Flask test client)."""
import csv
import io
import re
from datetime import date, timedelta

import geopandas as gpd
import jsonschema
import pandas as pd
import pytest

from routekaart import state
from routekaart.web.openapi import openapi_document


def _validate(payload, name):
    document = openapi_document()
    jsonschema.validate(payload, {**document["components"]["schemas"][name], "components": document["components"]})


def _row_codes(html):
    return re.findall(r'<th scope="row"><a href="/dekking/(ZK\d\d)">', html)


def test_overview_lists_31_regions_and_the_national_row(client, data):
    response = client.get("/dekking")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert sorted(_row_codes(html)) == sorted(data.geo.regions.index)
    assert re.search(r'<tfoot>\s*<tr>\s*<th scope="row">Nederland</th>', html)
    assert 'aria-sort="ascending"' in html  # sorted by name by default
    assert "Cijfers van" in html and "CBS" in html


def test_national_row_counts_regions_for_known_metrics(client, data):
    national = client.get("/api/v1/coverage").get_json()["national"]
    html = client.get("/dekking").get_data(as_text=True)
    footer = html[html.index("<tfoot>"):html.index("</tfoot>")]
    assert f"<td>{national['regions_with_mgn_known']} van 31</td>" in footer


def test_figures_are_computed_once_per_dataset_and_day(app, data):
    from routekaart.web.dekking import coverage_of

    with app.app_context():
        first = coverage_of(data)
        assert coverage_of(data) is first
        assert data.derived.coverage(date.today() + timedelta(days=1)) is not first  # a new day: made again
        reloaded = state.load(app.config, data.geo)  # a new dataset comes with its own derived layer
        assert coverage_of(reloaded) is not first and coverage_of(reloaded) is coverage_of(reloaded)


def test_no_url_to_another_host_without_tiles(client):
    for path in ("/dekking", "/dekking/ZK18", "/dekking/methode"):
        html = client.get(path).get_data(as_text=True)
        hosts = set(re.findall(r'(?:src|href)="(https?://[^/"]+)', html))
        # Only links people follow (sources of entries) may point elsewhere; nothing is loaded from there.
        assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', html), path
        assert "/static/leaflet/leaflet.js" in html or path == "/dekking/methode", (path, hosts)


def test_sorting_by_a_metric_both_ways(client):
    body = client.get("/api/v1/coverage").get_json()
    km = {row["code"]: row["median_km"] for row in body["regions"]}
    down = _row_codes(client.get("/dekking?sort=median_km&order=desc").get_data(as_text=True))
    up = _row_codes(client.get("/dekking?sort=median_km&order=asc").get_data(as_text=True))
    assert [km[c] for c in down] == sorted(km.values(), reverse=True)
    assert [km[c] for c in up] == sorted(km.values())


@pytest.mark.parametrize("query", ["sort=drop_table", "order=sideways", "metric=population", "columns=some",
                                   "basis=elsewhere"])
def test_unknown_sort_or_metric_is_a_dutch_400(client, query):
    response = client.get(f"/dekking?{query}")
    assert response.status_code == 400
    assert "kennen we niet" in response.get_data(as_text=True)


def test_map_metric_is_chosen_with_a_get_form(client):
    html = client.get("/dekking?metric=median_km").get_data(as_text=True)
    assert '<option value="median_km" selected>' in html
    assert "Legenda: Mediane afstand tot inloop (km)" in html
    assert re.search(r'<script nonce="[^"]+">\s*<?', html) and "L.map(" in html


def test_region_page_says_the_gaps_in_words(client, data):
    html = client.get("/dekking/zk18").get_data(as_text=True)  # lower case is fine
    body = client.get("/api/v1/coverage/ZK18").get_json()
    region = body["region"]
    assert region["youth_walk_in_known"] is False  # Noord-Holland Noord has no youth walk-in in the seed data
    assert "Geen inloop voor jongeren bekend." in html
    share = round(region["share_over_20km"] * 100)
    assert f"{share}% van de inwoners woont verder dan 20 km van een inlooppunt." in html
    assert len(re.findall(r'<tr><th scope="row">\d{4}</th>', html)) == len(body["farthest_pc4"]) == 25
    for entry in body["entries"]:
        assert entry["name"] in html.replace("&#39;", "'").replace("&amp;", "&")


def test_unknown_region_page_and_api(client):
    assert client.get("/dekking/ZK99").status_code == 404
    response = client.get("/api/v1/coverage/ZK99")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "unknown_region"
    response = client.get("/api/v1/coverage/NL")  # the national row is not a region
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_region"


def test_methods_page_names_the_population_year_and_missing_pc4s(client, data):
    html = client.get("/dekking/methode").get_data(as_text=True)
    year = data.geo.meta["population_year"]
    missing = int(data.geo.pc4["inhabitants"].isna().sum())
    assert f"1 januari {year}" in html
    assert f"Voor {missing} postcodegebieden heeft het CBS geen inwonertal" in html
    assert "hemelsbreed" in html


def test_api_matches_its_schema(client):
    body = client.get("/api/v1/coverage").get_json()
    _validate(body, "Coverage")
    assert len(body["regions"]) == 31 and body["national"]["code"] == "NL"
    assert body["national"]["population"] == sum(r["population"] for r in body["regions"])
    region = client.get("/api/v1/coverage/ZK23").get_json()
    _validate(region, "CoverageRegion")
    kms = [p["km"] for p in region["farthest_pc4"]]
    assert kms == sorted(kms, reverse=True)


def _header_links(html) -> dict[str, str]:
    """Column heading text -> the address its link sorts by."""
    return {re.sub(r"<[^>]+>|[▲▼]", "", text).strip(): href.replace("&amp;", "&")
            for href, text in re.findall(r'<th scope="col"[^>]*>\s*<a href="([^"]+)">(.*?)</a>', html, re.S)}


def test_a_first_click_on_a_column_sorts_the_worst_first(client):
    body = client.get("/api/v1/coverage").get_json()
    links = _header_links(client.get("/dekking").get_data(as_text=True))
    for heading, column, worst_is_high in [("Mediane afstand tot inloop (km)", "median_km", True),
                                           ("Inwoners verder dan 20 km", "share_over_20km", True),
                                           ("Inlooppunten per 100.000 inwoners", "walk_ins_per_100k", False),
                                           ("Tekortscore (0 tot 100)", "score", True)]:
        html = client.get(links[heading]).get_data(as_text=True)
        values = {row["code"]: row[column] for row in body["regions"]}
        shown = [values[code] for code in _row_codes(html)]
        assert shown == sorted(shown, reverse=worst_is_high), heading
        assert ('aria-sort="descending"' if worst_is_high else 'aria-sort="ascending"') in html
        again = client.get(_header_links(html)[heading]).get_data(as_text=True)  # the second click turns it
        assert [values[code] for code in _row_codes(again)] == sorted(shown, reverse=not worst_is_high), heading
    assert _header_links(client.get("/dekking?sort=score").get_data(as_text=True))["Regio"] == "/dekking#tabel"


def test_the_main_table_has_the_first_measures_and_the_rest_on_request(client):
    main = _header_links(client.get("/dekking").get_data(as_text=True))
    assert list(main) == ["Regio", "Inlooppunten per 100.000 inwoners", "Mediane afstand tot inloop (km)",
                          "Inwoners verder dan 10 km", "Inwoners verder dan 20 km", "MGN bekend",
                          "Niet gecontroleerd in 12 maanden", "Tekortscore (0 tot 100)"]
    own = _header_links(client.get("/dekking?basis=region").get_data(as_text=True))
    assert "Inwoners verder dan 20 km van inloop in eigen regio" in own and "Inwoners verder dan 20 km" not in own
    assert "basis=region" in own["Tekortscore (0 tot 100)"]  # sorting keeps the basis
    everything = _header_links(client.get("/dekking?columns=all").get_data(as_text=True))
    assert {"Inwoners", "Inlooppunten in de regio", "Inlooppunten gepland, nog niet open",
            "Mediane afstand tot inloop in eigen regio (km)"} <= set(everything)


def test_waarom_column_gives_each_regions_gaps_in_words(client):
    html = client.get("/dekking").get_data(as_text=True)
    body = client.get("/api/v1/coverage").get_json()
    cells = dict(re.findall(r'<a href="/dekking/(ZK\d\d)">.*?<td class="waarom">(.*?)</td>', html, re.S))
    assert sorted(cells) == sorted(row["code"] for row in body["regions"])
    for row in body["regions"]:
        texts = re.findall(r"<li>(.*?)</li>", cells[row["code"]])
        assert len(texts) == len(row["gaps"]) <= 3, row["code"]
        assert texts == client.get(f"/api/v1/coverage/{row['code']}").get_json()["waarom"]
        if not row["gaps"]:
            assert "Geen groot tekort" in cells[row["code"]]


def _coverage_of_four_regions():
    """A Coverage on the fictitious figures of test_coverage: only what `waarom` reads."""
    from routekaart import coverage

    from .test_coverage import COUNTRY, SCORED

    table = pd.concat([SCORED, COUNTRY.to_frame("NL").T]).assign(planned_walk_ins=[1, 0, 0, 0, 1])
    return coverage.Coverage(table, coverage.find_gaps(SCORED, COUNTRY), pd.DataFrame(), pd.DataFrame(),
                             date(2025, 6, 30))


@pytest.mark.parametrize("lang, expected", [
    ("nl", {"ZK90": ["Geen inlooppunt in de regio zelf; 1 gepland, nog niet open",
                     "50% woont hemelsbreed verder dan 10 km van een inloop (landelijk 35%)"],
            "ZK91": ["30% woont hemelsbreed verder dan 20 km van een inloop (landelijk 8%)",
                     "Geen mentaal gezondheidsnetwerk (MGN) bekend",
                     "95% van de steun is 12 maanden niet gecontroleerd (landelijk 50%)"],
            "ZK93": []}),
    ("en", {"ZK90": ["No walk-in place in the region itself; 1 planned, not open yet",
                     "50% live more than 10 km from a walk-in as the crow flies (national 35%)"],
            "ZK92": ["90% of the support not verified for 12 months (national 50%)"]}),
])
def test_waarom_texts_on_fictitious_figures(app, lang, expected):
    from routekaart.web.dekking import waarom

    result = _coverage_of_four_regions()
    with app.test_request_context(f"/dekking?lang={lang}"):
        assert {code: waarom(result, code) for code in expected} == expected


def test_dutch_csv_opens_in_dutch_excel(client):
    response = client.get("/dekking/export.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    header, regions, national = rows[0], rows[1:-1], rows[-1]
    page = _header_links(client.get("/dekking").get_data(as_text=True))
    assert header[:9] == ["Regiocode", *page] and "Waarom" in header  # the headers are the page's
    assert len(regions) == 31 and national[0] == "NL"
    column = dict(zip(header, zip(*rows[1:])))
    assert all(re.fullmatch(r"\d+,\d\d", v) for v in column["Mediane afstand tot inloop (km)"])
    assert all(re.fullmatch(r"\d{1,3},\d\d%", v) for v in column["Inwoners verder dan 20 km"])
    assert set(column["MGN bekend"][:-1]) <= {"ja", "nee"} and column["MGN bekend"][-1].endswith("van 31")
    assert all(re.fullmatch(r"\d+", v) for v in column["Inwoners"])  # no thousands separator
    frame = pd.read_csv(io.BytesIO(response.data), sep=";", decimal=",", encoding="utf-8-sig", dtype={"Regiocode": str})
    assert frame["Inwoners"].iloc[-1] == frame["Inwoners"].iloc[:-1].sum()
    assert frame["Cijfers van"].nunique() == 1 and "CBS" in frame["Bronnen (gescheiden door |)"].iloc[0]


def test_international_csv_reads_back_rounded(client, data):
    response = client.get("/dekking/export-international.csv")
    assert response.status_code == 200 and "international" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    frame = pd.read_csv(io.StringIO(text), dtype={"code": str})
    assert len(frame) == 32 and frame["code"].iloc[-1] == "NL"
    assert frame["data_as_of"].nunique() == 1 and "CBS" in frame["sources"].iloc[0]
    assert frame["population"].iloc[-1] == int(data.geo.pc4["inhabitants"].sum())
    assert frame["share_over_20km"].between(0, 1).all()
    assert (frame["median_km"].round(2) == frame["median_km"]).all()
    assert (frame["share_over_10km"].round(4) == frame["share_over_10km"]).all()
    assert not re.search(r"\.\d{5,}", text)  # nothing unrounded (8.989177384663043)
    api = {row["code"]: row for row in client.get("/api/v1/coverage").get_json()["regions"]}
    assert frame.set_index("code")["gaps"].fillna("").to_dict() == {
        **{code: ";".join(row["gaps"]) for code, row in api.items()}, "NL": ""}


def test_xlsx_export_has_dutch_headers_and_number_formats(client):
    import openpyxl

    response = client.get("/dekking/export.xlsx")
    sheets = pd.read_excel(io.BytesIO(response.data), sheet_name=None)
    assert set(sheets) == {"dekking", "kolommen", "bronnen"}
    table = sheets["dekking"]
    assert len(table) == 32 and table["Inwoners verder dan 20 km"].between(0, 1).all()
    assert dict(zip(sheets["kolommen"]["naam in de CSV voor programma’s en de API"],
                    sheets["kolommen"]["kolom"]))["median_km"] == "Mediane afstand tot inloop (km)"
    assert table["Cijfers van"].nunique() == 1
    sheet = openpyxl.load_workbook(io.BytesIO(response.data))["dekking"]
    formats = {header.value: sheet.cell(row=2, column=header.column).number_format for header in sheet[1]}
    assert formats["Inwoners verder dan 20 km"] == "0.00%" and formats["Mediane afstand tot inloop (km)"] == "#,##0.00"
    assert formats["Inwoners"] == "#,##0"


def test_geojson_export_reads_back(client, tmp_path):
    response = client.get("/dekking/export.geojson")
    path = tmp_path / "dekking.geojson"
    path.write_bytes(response.data)
    frame = gpd.read_file(path)
    assert len(frame) == 31 and frame.crs.to_epsg() == 4326
    assert set(frame.geom_type) <= {"Polygon", "MultiPolygon"}
    assert frame["share_over_10km"].between(0, 1).all()
    assert response.get_json()["metadata"]["data_as_of"]


def test_a_region_lists_its_entries_a_page_at_a_time_with_counts(large_app):
    client = large_app.test_client()
    with large_app.app_context():
        entries = state.get().catalogue.entries
    own = entries[entries["zorgkantoorregio"] == "ZK23"]
    first = client.get("/api/v1/coverage/ZK23?limit=200").get_json()
    _validate(first, "CoverageRegion")
    assert first["entries_total"] == len(own) and first["pages"] == -(-len(own) // 200) > 1
    assert {c["kind"]: c["entries"] for c in first["entry_counts"]} == own["kind"].value_counts().to_dict()
    ids = [e["id"] for page in range(1, first["pages"] + 1)
           for e in client.get(f"/api/v1/coverage/ZK23?limit=200&page={page}").get_json()["entries"]]
    assert len(ids) == len(set(ids)) == len(own)
    html = client.get("/dekking/ZK23").get_data(as_text=True)
    assert html.count('<tr>\n      <th scope="row">') == 50 and 'rel="next" href="/dekking/ZK23?page=2#items"' in html
    assert len(html) < 500_000
    for bad in ("page=0", "page=abc", "limit=0", "limit=501"):
        response = client.get(f"/api/v1/coverage/ZK23?{bad}")
        assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_parameter", bad
        assert client.get(f"/dekking/ZK23?{bad}").status_code == 400, bad
    past_the_end = f"page={first['pages'] * 4 + 1}&limit=50"
    response = client.get(f"/api/v1/coverage/ZK23?{past_the_end}")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "page_not_found"
    assert client.get(f"/dekking/ZK23?{past_the_end}").status_code == 404
