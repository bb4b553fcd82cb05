"""The JSON API against the real dataset: one real postcode per region, errors, filters, schema."""
import geopandas as gpd
import jsonschema
import pytest

from routekaart import state
from routekaart.geodata.build import RD_NEW
from routekaart.routing import MAX_K
from routekaart.web.openapi import openapi_document


def _schema(name):
    document = openapi_document()
    return {**document["components"]["schemas"][name], "components": document["components"]}


def _validate(payload, name):
    jsonschema.validate(payload, _schema(name))


def postcode_inside_each_region(geo):
    """For each region, the PC4 point nearest to a point well inside it (chosen spatially)."""
    inner = geo.regions.to_crs(RD_NEW).representative_point()
    points = gpd.GeoDataFrame(geo.pc4[["pc4"]].reset_index(drop=True),
                              geometry=gpd.points_from_xy(geo.pc4["x"], geo.pc4["y"]), crs=RD_NEW)
    centres = gpd.GeoDataFrame({"code": inner.index}, geometry=inner.values, crs=RD_NEW)
    return gpd.sjoin_nearest(centres, points)[["code", "pc4"]].drop_duplicates("code")


def test_a_real_postcode_in_each_of_the_31_regions(client, data):
    pairs = postcode_inside_each_region(data.geo)
    assert len(pairs) == 31
    for code, pc4 in pairs.itertuples(index=False):
        response = client.get(f"/api/v1/lookup?postcode={pc4}")
        assert response.status_code == 200
        body = response.get_json()
        assert body["region"] == {"code": code, "name": data.geo.region_name(code)}, pc4
        _validate(body, "Lookup")
        assert all(e["zorgkantoorregio"] == code for e in body["regional"])
        assert {"crisis"} <= {e["kind"] for e in body["national"]}


def test_lookup_normalises_the_postcode(client):
    body = client.get("/api/v1/lookup?postcode=%203511-ab%20").get_json()
    assert body["postcode"] == "3511AB" and body["pc4"] == "3511"
    assert body["region"]["code"] == "ZK23" and body["gemeente"]["name"] == "Utrecht"


def test_nearby_sorted_with_metric_distances(client, data):
    body = client.get("/api/v1/lookup?postcode=9711&k=25").get_json()
    assert len(body["nearby"]) == 25 and body["audience"] == "volwassenen"
    fits = [e["audience_fit"] for e in body["nearby"]]
    assert fits == sorted(fits, reverse=True), "places for an adult first"
    for fit in (True, False):
        distances = [e["distance_km"] for e in body["nearby"] if e["audience_fit"] is fit]
        assert distances == sorted(distances)
    assert {e["distance_basis"] for e in body["nearby"]} <= {"address", "pc4", "place"}
    # Check one distance independently with pyproj's geodesic on the WGS84 points.
    from pyproj import Geod
    first = body["nearby"][0]
    _, _, metres = Geod(ellps="WGS84").inv(body["location"]["longitude"], body["location"]["latitude"],
                                           first["longitude"], first["latitude"])
    assert first["distance_km"] == pytest.approx(metres / 1000, abs=0.15)


@pytest.mark.parametrize("query, code, status", [
    ("postcode=hallo", "invalid_postcode", 400),
    ("postcode=", "invalid_postcode", 400),
    ("", "invalid_postcode", 400),
    ("postcode=0999AB", "invalid_postcode", 400),
    ("postcode=1234SA", "invalid_postcode", 400),
    ("postcode=1010", "unknown_postcode", 404),
    ("postcode=3511AB&k=0", "invalid_filter", 400),
    (f"postcode=3511AB&k={MAX_K + 1}", "invalid_filter", 400),
    ("postcode=3511AB&k=vijf", "invalid_filter", 400),
    ("postcode=3511AB&kind=kroeg", "invalid_filter", 400),
    ("postcode=3511AB&audience=ouderen", "invalid_filter", 400),
    ("postcode=3511AB&free=misschien", "invalid_filter", 400),
    ("postcode=3511AB&max_km=-3", "invalid_filter", 400),
    ("postcode=3511AB&max_km=nan", "invalid_filter", 400),
    ("postcode=3511AB&q=" + "x" * 61, "invalid_filter", 400),
])
def test_errors_are_json_with_a_stable_code(client, query, code, status):
    response = client.get(f"/api/v1/lookup?{query}")
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    _validate(response.get_json(), "Error")


def test_filters(client):
    base = "/api/v1/lookup?postcode=1011&k=25"
    youth = client.get(base + "&audience=jongere").get_json()
    assert youth["audience"] == "jongeren" and youth == client.get(base + "&audience=jongeren").get_json()
    fitting = [e for e in youth["nearby"] if e["audience_fit"]]
    assert fitting and youth["nearby"][:len(fitting)] == fitting, "what fits first, nothing hidden"
    assert all("jongeren" in e["audience_groups"] or not e["audience_groups"] for e in fitting)
    assert all("jongeren" not in e["audience_groups"] for e in youth["nearby"][len(fitting):])
    adult = client.get(base).get_json()
    assert sorted(e["id"] for e in adult["nearby"]) == sorted(e["id"] for e in youth["nearby"])
    free = client.get(base + "&free=true").get_json()
    assert free["nearby"] and all(e["free"] for e in free["nearby"] + free["national"])
    direct = client.get(base + "&no_referral=true").get_json()
    assert all(e["referral_needed"] is False for e in direct["nearby"])
    near = client.get(base + "&max_km=5").get_json()
    assert all(e["distance_km"] <= 5 for e in near["nearby"])
    academies = client.get(base + "&kind=herstelacademie").get_json()
    assert academies["nearby"] and {e["kind"] for e in academies["nearby"]} == {"herstelacademie"}
    assert client.get(base + "&kind=herstelacademie,jongeren").status_code == 200


def test_q_finds_places_by_a_word_of_their_name_or_town(client):
    base = "/api/v1/lookup?postcode=1011&k=25"
    everything = client.get(base).get_json()
    town = next(e["address"]["city"] for e in everything["nearby"][1:] if e["address"]["city"])
    found = client.get(base + "&q=" + town.upper()).get_json()
    listed = found["nearby"] + found["regional"] + found["national"] + found["elsewhere_in_region"]

    def holds(entry: dict, word: str) -> bool:
        return word.casefold() in " ".join([entry["name"], entry["organization"] or "", entry["address"]["city"] or "",
                                            entry["address"]["gemeente"] or ""]).casefold()

    assert listed and all(holds(entry, town) for entry in listed), town
    assert client.get(base + "&q=" + town + "&q=ignored").get_json() == found, "one q: the first counts"
    none = client.get(base + "&q=Nergensplaatsjevoorbeeld").get_json()
    assert none["nearby"] == none["regional"] == none["national"] == [] and none["region"] == everything["region"]


def test_regions_geojson(client):
    body = client.get("/api/v1/regions").get_json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 31
    frame = gpd.GeoDataFrame.from_features(body["features"])
    assert frame.is_valid.all()
    one = client.get("/api/v1/regions/zk10").get_json()
    assert one["properties"]["name"] == "Haaglanden"
    assert any(g["name"] == "'s-Gravenhage" for g in one["properties"]["gemeenten"])
    assert client.get("/api/v1/regions/ZK05").get_json()["error"]["code"] == "unknown_region"


def test_openapi_document_and_healthz(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/lookup", "/api/v1/regions", "/api/v1/regions/{code}", "/healthz"} <= set(document["paths"])
    assert client.get("/healthz").get_json()["status"] == "ok"


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_entries_json_made_once_is_the_same_as_made_per_answer(client, data):
    from routekaart.postcodes import parse

    for postcode in ["3511AB", "9711", "6211AB"]:
        answer = client.get(f"/api/v1/lookup?postcode={postcode}").get_json()
        found = data.router.lookup(parse(postcode))
        for name in ["nearby", "regional", "national"]:
            timeless = [{key: value for key, value in entry.items() if key not in ("open_today", "open_now", "next_opening")}
                        for entry in answer[name]]  # what the hours say now is added per answer
            assert timeless == data.router.records(getattr(found, name), found.audience), (postcode, name)
        assert answer["national"] and answer["nearby"][0]["distance_km"] is not None


def test_a_regions_entries_come_a_page_at_a_time(large_app, data):
    """With a national catalogue a region holds thousands of entries: the answer stays bounded."""
    client = large_app.test_client()
    with large_app.app_context():
        held = state.get().catalogue.entries
    own = held[held["zorgkantoorregio"] == "ZK23"]
    first = client.get("/api/v1/regions/ZK23?limit=200").get_json()["properties"]
    assert first["entries_total"] == len(own) > 200 and first["pages"] == -(-len(own) // 200)
    assert len(first["entries"]) == 200 and first["national_entries"] == int((held["zorgkantoorregio"] == "landelijk").sum())
    ids = [e["id"] for page in range(1, first["pages"] + 1)
           for e in client.get(f"/api/v1/regions/ZK23?limit=200&page={page}").get_json()["properties"]["entries"]]
    assert sorted(ids) == sorted(own["id"])
    assert len(client.get("/api/v1/regions/ZK23").get_json()["properties"]["entries"]) == 50, "the default page"
    assert client.get("/api/v1/regions/ZK23?limit=501").get_json()["error"]["code"] == "invalid_parameter"
    assert client.get("/api/v1/regions/ZK23?page=999").status_code == 404
