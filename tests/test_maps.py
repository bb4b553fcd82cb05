"""Folium maps without CDNs: what routekaart.maps renders and what the app serves for it."""
import json
import re

import folium
import pytest

from routekaart import maps

SQUARE = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": "Testregio Voorbeeld", "share": 0.25},
     "geometry": {"type": "Polygon", "coordinates": [[[5, 52], [5.1, 52], [5.1, 52.1], [5, 52.1], [5, 52]]]}}]}
POINTS = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"pc4": "9999", "km": 12.5},
     "geometry": {"type": "Point", "coordinates": [5.05, 52.05]}}]}


def test_rendered_map_has_no_url_at_all_without_tiles():
    m = maps.base_map()
    maps.choropleth(m, SQUARE, "share", [("name", "Regio")], [0.1, 0.2, 0.3, 0.4])
    maps.points(m, POINTS, [("pc4", "Postcode")])
    rendered = maps.render(m)
    assert 'class="folium-map"' in rendered.html
    assert "L.map(" in rendered.script and "Testregio Voorbeeld" in rendered.script
    assert not re.search(r"https?://", rendered.html + rendered.script)
    assert "<script" not in rendered.script  # the page wraps it in its own <script nonce>


def test_tooltip_texts_are_escaped_and_points_come_from_a_frame():
    import pandas as pd

    frame = pd.DataFrame({"lat": [52.1], "lon": [5.1]})
    features = maps.point_features(frame, {"name": ["Testpunt <b>Voorbeeld</b>"]})
    assert features["features"][0]["geometry"]["coordinates"] == [5.1, 52.1]
    rendered = maps.render(maps.points(maps.base_map(), features, [("name", "Naam")]))
    # folium writes the data as JSON with & < > as \u escapes; the text itself must be HTML-escaped.
    text = json.loads(re.search(r'"name": ("[^"]*")', rendered.script).group(1))
    assert text == "Testpunt &lt;b&gt;Voorbeeld&lt;/b&gt;"
    assert features["features"][0]["properties"]["name"] == "Testpunt <b>Voorbeeld</b>"  # input untouched


def test_tiles_come_only_from_the_configured_url():
    rendered = maps.render(maps.base_map("https://tiles.example.invalid/{z}/{x}/{y}.png", "Testkaart"))
    assert set(re.findall(r"https?://[^/\"']+", rendered.script)) == {"https://tiles.example.invalid"}


def test_render_refuses_assets_from_elsewhere():
    m = maps.base_map()
    m.get_root().header.add_child(folium.JavascriptLink("https://cdn.example.invalid/plugin.js"))
    with pytest.raises(ValueError, match="cdn.example.invalid"):
        maps.render(m)


def test_fixed_breaks_make_five_classes_and_the_worst_is_darkest():
    breaks = [0.01, 0.05, 0.10, 0.25]
    values = [0.0, 0.01, 0.049, 0.07, 0.10, 0.37, float("nan")]
    assert maps.class_of(values, breaks).tolist() == [0, 1, 1, 2, 3, 4, -1]  # a break opens its class
    assert maps.palette(5) == maps.SEQUENTIAL and maps.palette(5)[-1] == "#bd0026"
    assert maps.palette(5, lower_is_worse=True)[0] == "#bd0026"  # fewer walk-ins: the low class is darkest
    assert maps.palette(3) == [maps.SEQUENTIAL[0], maps.SEQUENTIAL[2], maps.SEQUENTIAL[4]]


def test_choropleth_colours_by_class_and_opens_a_page_on_click():
    features = {**SQUARE, "features": [{**SQUARE["features"][0], "properties": {
        **SQUARE["features"][0]["properties"], "url": "/dekking/ZK90"}}]}
    script = maps.render(maps.choropleth(maps.base_map(), features, "share", [("name", "Regio")],
                                         [0.01, 0.05, 0.10, 0.25])).script
    # 25% opens the top class: the darkest colour, and no other.
    assert maps.SEQUENTIAL[4] in script and not any(colour in script for colour in maps.SEQUENTIAL[:4])
    assert "window.location.assign(feature.properties.url)" in script and '"/dekking/ZK90"' in script


def test_leaflet_is_served_by_the_app(client):
    for name in ("leaflet.js", "leaflet.css", "images/marker-icon.png"):
        response = client.get(f"/static/leaflet/{name}")
        assert response.status_code == 200, name
    assert b"Leaflet" in client.get("/static/leaflet/leaflet.js").data[:200]


def test_route_points_put_the_places_of_one_point_on_one_marker_and_mark_the_nearest():
    from types import SimpleNamespace

    def entry(name, kind, lat, lon, precision="source"):
        return {"id": f"testplek-{name}", "name": f"Testplek {name}", "kind": kind, "latitude": lat, "longitude": lon,
                "geo_precision": precision}

    labels = {"postcode": "Postcode 9999 ZZ", "steunpunt": "Steunpunt", "jongeren": "Jongeren",
              "herstelacademie": "Herstelacademie", "regio": "In de regio"}
    shared, network = entry("a", "steunpunt", 52.1, 5.1), entry("b", "mgn", 52.100001, 5.1, "place")
    youth, line = entry("c", "jongeren", 52.2, 5.2), entry("d", "telefoon", None, None)
    points = maps.route_points(SimpleNamespace(lat=52.0, lon=5.0), [shared, network, youth, line], labels,
                               {"testplek-c"}, hours=lambda e: f"Open: {e['name']}")
    features = [feature["properties"] for feature in points["features"]]
    assert [f["name"] for f in features] == ["Postcode 9999 ZZ", "Testplek a, Testplek b", "Testplek c"]
    assert [f["near"] for f in features] == [True, False, True], "the postcode and the nearest open the map"
    assert [f["shape"] for f in features] == ["star", "circle", "square"]
    assert features[1]["places"] == [
        {"id": "testplek-a", "name": "Testplek a", "what": "Steunpunt", "hours": "Open: Testplek a"},
        {"id": "testplek-b", "name": "Testplek b", "what": "In de regio", "hours": "Open: Testplek b"}]
    assert features[0]["places"] == [] and points["features"][2]["geometry"]["coordinates"] == [5.2, 52.2]
    assert len(maps.route_points(None, [youth], labels)["features"]) == 1, "a place page: the place alone"
    # the map opens no closer than the least precise place at a point allows
    assert [f["zoom"] for f in features] == [maps.MAX_ZOOM["pc4"], maps.MAX_ZOOM["place"], maps.MAX_ZOOM["source"]]
    assert maps.MAX_ZOOM["source"] > maps.MAX_ZOOM["pc4"] > maps.MAX_ZOOM["place"]
