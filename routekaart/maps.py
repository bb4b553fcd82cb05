"""The one place where folium maps are made: maps that load nothing from another host.

folium writes a whole HTML page that pulls Leaflet, jQuery, Bootstrap and Font Awesome from
CDNs. The app needs none of those: a page loads Leaflet from the app itself (xstatic-leaflet,
served by the `leaflet` blueprint, see templates/_map.html) and places the map's <div> and its
set-up script, which runs under the page's CSP nonce. Tiles come only from TILES_URL
(empty = no tiles). Colours and legends are ours, not branca's (its legend loads d3 from a CDN).
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import folium
import numpy as np
import xstatic.pkg.leaflet
from markupsafe import Markup

LEAFLET_DIR = Path(xstatic.pkg.leaflet.BASE_DIR)  # leaflet.js, leaflet.css, images/
NL_CENTRE = (52.2, 5.3)
NL_BOUNDS = [[50.75, 3.36], [53.55, 7.23]]  # south-west, north-east (lat, lon)
# Sequential, colour-blind safe (ColorBrewer YlOrRd, 5 classes): light = little, dark = much.
SEQUENTIAL = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]
NO_DATA = "#bdbdbd"
# How close the map may open on a point, by how precisely we know it (geo_precision): an
# address's street, a postcode area's streets, or a town as a whole (its centre is not the address).
MAX_ZOOM = {"source": 16, "pc4": 14, "place": 12}
# Route-map markers differ by shape and letter, not by colour alone (CSS classes in site.css):
# marker group -> (shape, letter). Walk-in kinds have their own group; the rest are 'regio'.
ROUTE_SHAPES = {"postcode": ("star", ""), "steunpunt": ("circle", "S"), "jongeren": ("square", "J"),
                "herstelacademie": ("diamond", "H"), "regio": ("triangle", "R")}


@dataclass(frozen=True)
class MapHTML:
    """A rendered map: put `html` where the map goes and `script` in a <script nonce> after it."""

    html: Markup
    script: Markup
    name: str  # the Leaflet map's JavaScript variable, for scripts that add to it


def base_map(tiles_url: str = "", attribution: str = "", bounds=None, zoom_snap: float = 1,
             fit: bool = True) -> folium.Map:
    """An empty map of the Netherlands (or `bounds`) with the configured tiles, or none. A
    `zoom_snap` below 1 lets the map zoom in steps between tile levels, so `bounds` fill it. With
    fit=False the map starts on the whole country and the page's own script sets the view: a
    view fitted here is animated, and the page's script could not change it until that ends."""
    m = folium.Map(location=NL_CENTRE, zoom_start=7, tiles=None, control_scale=True, zoom_snap=zoom_snap)
    m.default_js, m.default_css = [], []  # the page loads Leaflet itself; nothing else is needed
    if tiles_url:
        folium.TileLayer(tiles=tiles_url, attr=attribution, min_zoom=6, max_zoom=18).add_to(m)
    if fit:
        m.fit_bounds(bounds or NL_BOUNDS)
    return m


def render(m: folium.Map) -> MapHTML:
    """The map's <div> and script, refusing any asset folium would fetch from elsewhere."""
    figure = m.get_root()
    figure.render()
    external = [child.url for child in figure.header._children.values() if hasattr(child, "url")]
    if external:
        raise ValueError(f"folium wil externe bestanden laden: {external}")
    return MapHTML(Markup(figure.html.render()), Markup(figure.script.render()), m.get_name())


def class_of(values, breaks) -> np.ndarray:
    """The class of each value for fixed `breaks` (ascending; class i runs from break i-1 up to, not
    including, break i): 0 to len(breaks); -1 where there is no value."""
    values = np.asarray(values, dtype=float)
    return np.where(np.isnan(values), -1, np.searchsorted(np.asarray(breaks, dtype=float), values, side="right"))


def palette(n: int, lower_is_worse: bool = False) -> list[str]:
    """n colours spread over the whole scale, the darkest for the worst class: the top one, or the
    bottom one when `lower_is_worse`."""
    colours = [SEQUENTIAL[-1]] if n == 1 else [SEQUENTIAL[round(i * (len(SEQUENTIAL) - 1) / (n - 1))] for i in range(n)]
    return colours[::-1] if lower_is_worse else colours


def _tooltip(geojson: dict, tooltip: list[tuple[str, str]]):
    """A copy whose tooltip texts are HTML-escaped (folium's tooltip writes them as HTML), and the tooltip."""
    fields = [field for field, _ in tooltip]
    features = [{**feature, "properties": {
        key: html.escape(value) if isinstance(value, str) and key in fields else value
        for key, value in feature["properties"].items()}} for feature in geojson["features"]]
    return ({**geojson, "features": features},
            folium.GeoJsonTooltip(fields, aliases=[html.escape(label) for _, label in tooltip]))


def point_features(frame, properties: dict) -> dict:
    """Rows of a frame with `lat`/`lon` as GeoJSON points; properties: name -> values (one per row)."""
    columns = {name: list(values) for name, values in properties.items()}
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {name: values[i] for name, values in columns.items()},
         "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]}}
        for i, (lon, lat) in enumerate(zip(frame["lon"], frame["lat"]))]}


# A click on an area opens the page in its `url` property (a path of this site).
OPEN_URL = folium.JsCode("function (feature, layer) { if (feature.properties.url) { layer.on('click', function () {"
                         " window.location.assign(feature.properties.url); }); } }")


def choropleth(m: folium.Map, geojson: dict, value: str, tooltip: list[tuple[str, str]], breaks,
               lower_is_worse: bool = False) -> folium.Map:
    """Colour each feature by the class of its `value` property (see class_of); tooltip:
    (property, label) pairs. A feature with a `url` property opens it when clicked."""
    colours = palette(len(breaks) + 1, lower_is_worse)

    def style(feature):
        index = class_of([feature["properties"].get(value, np.nan)], breaks)[0]
        return {"fillColor": NO_DATA if index < 0 else colours[index], "fillOpacity": 0.75,
                "color": "#333333", "weight": 1}

    geojson, tip = _tooltip(geojson, tooltip)
    folium.GeoJson(geojson, style_function=style, highlight_function=lambda _: {"weight": 3, "color": "#000000"},
                   tooltip=tip, on_each_feature=OPEN_URL).add_to(m)
    return m


def outline(m: folium.Map, geojson: dict) -> folium.Map:
    """An area drawn as a border only, e.g. the region a page is about."""
    folium.GeoJson(geojson, style_function=lambda _: {"fill": False, "color": "#004f9f", "weight": 3}).add_to(m)
    return m


def points(m: folium.Map, geojson: dict, tooltip: list[tuple[str, str]], colour: str = "#bd0026",
           radius: int = 6) -> folium.Map:
    """Point features as circles (no marker images); tooltip: (property, label) pairs."""
    geojson, tip = _tooltip(geojson, tooltip)
    marker = folium.CircleMarker(radius=radius, color="#000000", weight=1, fill=True, fill_color=colour,
                                 fill_opacity=0.85)
    folium.GeoJson(geojson, marker=marker, tooltip=tip).add_to(m)
    return m


def region_map(code: str, outline_geojson: dict, tiles_url: str = "", attribution: str = "") -> MapHTML:
    """A region's border on a map. The route and place pages load its script as a file (the same
    for every visitor, so browsers keep it); static/route-map.js draws their points on it and
    opens it on the postcode and the nearest places (not fitted to the region here). The map is
    named after the region, so page and script match whichever server made them."""
    m = base_map(tiles_url, attribution, fit=False)
    m._id = code.lower()  # folium names the map 'map_' + _id, normally a random one
    return render(outline(m, outline_geojson))


def route_points(place, entries: list[dict], labels: dict[str, str], near: set[str] = frozenset(),
                 hours=lambda entry: "") -> dict:
    """The postcode (when `place` is given) and the entries with a place, as GeoJSON for
    static/route-map.js: one marker per point, with every place at that point in its popup
    (many are placed at their town's centre, and stacked markers could not be told apart).

    `labels` names each marker group of ROUTE_SHAPES (translated by the caller); `hours(entry)`
    is what a popup says of the hours. A marker looks like its first place (entries come nearest
    first) and counts the places. The map opens on the postcode and the points of the entries in
    `near`, not on everything, and no closer than the least precise of those points allows
    (MAX_ZOOM). The script writes every text as text, never as HTML. A page has
    a few dozen points: plain dicts beat a frame.
    """
    def feature(lat, lon, group, places, title, is_near, zoom):
        shape, letter = ROUTE_SHAPES[group]
        return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"name": title, "shape": shape, "letter": letter, "near": is_near, "places": places,
                               "zoom": zoom}}

    points: dict[tuple, list[dict]] = {}
    for e in entries:
        if e["latitude"] is not None:
            points.setdefault((round(e["latitude"], 5), round(e["longitude"], 5)), []).append(e)
    here = [] if place is None else [feature(place.lat, place.lon, "postcode", [], labels["postcode"], True,
                                             MAX_ZOOM["pc4"])]
    return {"type": "FeatureCollection", "features": here + [
        feature(lat, lon, marker_group(at[0]), [{"id": e["id"], "name": e["name"], "what": labels[marker_group(e)],
                                                 "hours": hours(e)} for e in at],
                ", ".join(e["name"] for e in at), any(e["id"] in near for e in at),
                min(MAX_ZOOM.get(e["geo_precision"], MAX_ZOOM["place"]) for e in at))
        for (lat, lon), at in points.items()]}


def marker_group(entry: dict) -> str:
    """The marker group (ROUTE_SHAPES) of an entry: its kind for a walk-in, else 'regio'."""
    return entry["kind"] if entry["kind"] in ROUTE_SHAPES else "regio"
