"""The insurer view: coverage gaps per zorgkantoorregio as a sortable table, a map and exports.

Everything works without JavaScript: sorting, the columns shown, the distance basis and the map's
metric are GET parameters, and the table and the lists beside the map are the accessible
alternative to the map. A first click on a column sorts the worst regions first. The figures are
computed once per loaded dataset and day (staleness depends on today's date).
"""
from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_babel import format_date, format_decimal, format_percent
import pandas as pd

from .. import coverage, maps, sheets, state
from ..catalogue import records
from ..catalogue.schema import KINDS
from ..errors import InvalidParameter
from ..i18n import N_, ngettext
from ..i18n import gettext as _
from . import PAGE_SIZE, paging

bp = Blueprint("dekking", __name__)
api_bp = Blueprint("dekking_api", __name__)

# Map metric -> its four fixed class breaks (five classes), the same whatever the figures, so a
# colour always means the same. Said in the legend.
MAP_METRICS = {
    "share_over_20km": (0.01, 0.05, 0.10, 0.25),
    "share_over_10km": (0.10, 0.20, 0.35, 0.50),
    "median_km": (4, 6, 8, 12),
    "walk_ins_per_100k": (0.25, 0.5, 1, 1.5),
    "share_over_20km_in_region": (0.01, 0.05, 0.10, 0.25),
    "share_unverified": (0.2, 0.4, 0.6, 0.8),
    "score": (20, 40, 60, 80),
}
ALL_COLUMNS = [column for column in coverage.METRICS if not column.startswith("pc4")]
# The distance basis of the main table: the nearest walk-in anywhere, or in the region itself.
BASES = {"anywhere": {}, "region": {column: f"{column}_in_region"
                                    for column in ("median_km", "share_over_10km", "share_over_20km")}}
SORT_KEYS = ["name", *ALL_COLUMNS]
GAP_TEXTS = {
    "no_walk_in": N_("Geen inlooppunt in de regio zelf"),
    "few_walk_ins": N_("Weinig inlooppunten: %(value)s per 100.000 inwoners (landelijk %(national)s)"),
    "far_20km": N_("%(value)s woont hemelsbreed verder dan 20 km van een inloop (landelijk %(national)s)"),
    "far_10km": N_("%(value)s woont hemelsbreed verder dan 10 km van een inloop (landelijk %(national)s)"),
    "far_median": N_("De helft woont hemelsbreed verder dan %(value)s km van een inloop (landelijk %(national)s km)"),
    "no_mgn": N_("Geen mentaal gezondheidsnetwerk (MGN) bekend"),
    "stale": N_("%(value)s van de steun is 12 maanden niet gecontroleerd (landelijk %(national)s)"),
}
FARTHEST_N = 25


def coverage_of(data: state.AppData) -> coverage.Coverage:
    """The figures for this dataset and today, computed on first use."""
    return data.derived.coverage(date.today())


def show(value, column: str, of_regions: int | None = None) -> str:
    """A metric as people read it in Dutch: 42%, 8,9, 17.472.870, ja/nee, or '18 van 31' (regions)
    for a 'known' metric in the national row (pass the number of regions as `of_regions`)."""
    fmt = coverage.METRICS[column][1]
    if fmt == "known":
        return _("%(n)s van %(total)s", n=value, total=of_regions) if of_regions else (_("ja") if value else _("nee"))
    if pd.isna(value):  # nothing to measure; an unknown population is said in words
        return _("onbekend") if column == "population" else "–"
    if fmt == "share":
        return format_percent(value)
    if fmt in ("km", "rate"):
        return format_decimal(value, format="#,##0.0")
    return format_decimal(value, format="#,##0")


def waarom(result: coverage.Coverage, code: str) -> list[str]:
    """The gaps that drive a region's score, in words with the region's and the country's figure."""
    row, national = result.table.loc[code], result.table.loc[coverage.NATIONAL_CODE]
    texts = []
    for gap, measure in coverage.gaps_of(result, code)[["gap", "measure"]].itertuples(index=False):
        text = _(GAP_TEXTS[gap], value=show(row[measure], measure), national=show(national[measure], measure))
        if gap in ("no_walk_in", "few_walk_ins") and row["planned_walk_ins"]:
            text += "; " + _("%(n)s gepland, nog niet open", n=show(row["planned_walk_ins"], "planned_walk_ins"))
        texts.append(text)
    return texts


def _choice(name: str, allowed, default: str) -> str | None:
    value = request.args.get(name, default)
    return value if value in allowed else None


bp.app_template_filter("metric")(show)


@bp.app_template_filter("long_date")
def long_date(iso: str) -> str:
    """'2025-06-30' -> '30 juni 2025'."""
    return format_date(date.fromisoformat(iso[:10]), "d MMMM y") if iso else ""


def worst_first(column: str) -> str:
    """The order a first click on a column sorts in: the worst regions first (names A to Z)."""
    return "asc" if column == "name" or column in coverage.LOWER_IS_WORSE else "desc"


SHOWN_DECIMALS = {"share": 2, "km": 1, "rate": 1, "score": 0}  # as `show` writes them (a share as a percentage)


def as_shown(values: pd.Series, metric: str) -> pd.Series:
    """Values rounded as `show` writes them, so a region shown as '10%' is in the class from 10%."""
    return values.astype(float).round(SHOWN_DECIMALS[coverage.METRICS[metric][1]])


def _break_label(value: float, metric: str) -> str:
    fmt = coverage.METRICS[metric][1]
    if fmt == "share":
        return format_percent(value)
    if fmt == "km":
        return _("%(km)s km", km=format_decimal(value))
    return format_decimal(value)


def legend(regions: pd.DataFrame, metric: str) -> list[dict]:
    """The map's classes, worst first: colour, the range in words and the regions in it (code,
    name, figure); a last class for regions without a figure, if any."""
    breaks, lower_is_worse = MAP_METRICS[metric], metric in coverage.LOWER_IS_WORSE
    colours = maps.palette(len(breaks) + 1, lower_is_worse)
    edges = [_break_label(b, metric) for b in breaks]
    labels = [_("minder dan %(high)s", high=edges[0]),
              *[_("%(low)s tot %(high)s", low=low, high=high) for low, high in zip(edges, edges[1:])],
              _("%(low)s of meer", low=edges[-1])]
    ranked = regions.assign(cls=maps.class_of(as_shown(regions[metric], metric), breaks),
                            shown=regions[metric].map(lambda value: show(value, metric)))
    ranked = ranked.sort_values(metric, ascending=lower_is_worse, kind="stable")
    members = {cls: list(zip(group.index, group["name"], group["shown"])) for cls, group in ranked.groupby("cls")}
    classes = [{"colour": colour, "label": label, "regions": members.get(i, [])}
               for i, (colour, label) in enumerate(zip(colours, labels))]
    classes = classes if lower_is_worse else classes[::-1]
    if -1 in members:
        classes.append({"colour": maps.NO_DATA, "label": _("geen cijfer"), "regions": members[-1]})
    return classes


def _regions_map(result: coverage.Coverage, geo, metric: str):
    label = coverage.METRICS[metric][0]
    features = coverage.geojson(result, geo.regions, geo.meta)
    rounded = as_shown(result.table[metric], metric)
    for feature in features["features"]:
        code, properties = feature["id"], feature["properties"]
        properties["shown"] = show(properties[metric], metric)
        properties["url"] = url_for("dekking.region", code=code)
        properties["class_value"] = coverage.plain(rounded[code])
    west, south, east, north = coverage.region_areas(geo.regions).total_bounds
    m = maps.base_map(current_app.config["TILES_URL"], current_app.config["TILES_ATTRIBUTION"],
                      bounds=[[south, west], [north, east]], zoom_snap=0.1)
    maps.choropleth(m, features, "class_value", [("name", _("Regio")), ("shown", _(label))], MAP_METRICS[metric],
                    metric in coverage.LOWER_IS_WORSE)
    return maps.render(m)


@bp.get("/dekking")
def overview():
    sort, metric = _choice("sort", SORT_KEYS, "name"), _choice("metric", MAP_METRICS, "share_over_20km")
    order = _choice("order", ["asc", "desc"], worst_first(sort or "name"))
    view, basis = _choice("columns", ["main", "all"], "main"), _choice("basis", BASES, "anywhere")
    if None in (sort, order, metric, view, basis):
        raise InvalidParameter(N_("Deze sortering of kaart kennen we niet. Kies een kolom uit de tabel."))
    data = state.get()
    result = coverage_of(data)
    regions = result.table.drop(index=coverage.NATIONAL_CODE)
    columns = ALL_COLUMNS if view == "all" else [BASES[basis].get(column, column) for column in coverage.MAIN]
    ordered = regions.sort_values(sort, ascending=order == "asc", na_position="last", kind="stable")
    params = {"sort": sort, "order": order, "metric": metric, "columns": view, "basis": basis}

    def link(**changes) -> str:
        """This page with `changes` to its parameters; those at their default are left out."""
        chosen = {**params, **changes}
        defaults = {"sort": "name", "order": worst_first(chosen["sort"]), "metric": "share_over_20km",
                    "columns": "main", "basis": "anywhere"}
        return url_for("dekking.overview", **{k: v for k, v in chosen.items() if v != defaults[k]})

    return render_template(
        "dekking/overview.html", regions=ordered, national=result.table.loc[coverage.NATIONAL_CODE],
        columns=columns, metrics=coverage.METRICS, map_metrics=MAP_METRICS, metric=metric, sort=sort, order=order,
        view=view, basis=basis, params=params, link=link, worst_first=worst_first,
        waarom={code: waarom(result, code) for code in regions.index},
        rendered=_regions_map(result, data.geo, metric), legend=legend(regions, metric),
        about=coverage.about(result, data.geo.meta))


@bp.get("/dekking/methode")
def methods():
    data = state.get()
    result = coverage_of(data)
    return render_template("dekking/methods.html", about=coverage.about(result, data.geo.meta),
                           national=result.table.loc[coverage.NATIONAL_CODE], stale_months=coverage.STALE_MONTHS,
                           far_km=coverage.FAR_KM, metrics=coverage.METRICS, max_gaps=coverage.MAX_GAPS,
                           geo_sources=data.geo.meta.get("sources", {}))


def _region_map(result: coverage.Coverage, geo, code: str, far):
    outline = coverage.region_areas(geo.regions.loc[[code]])
    west, south, east, north = outline.total_bounds
    m = maps.base_map(current_app.config["TILES_URL"], current_app.config["TILES_ATTRIBUTION"],
                      bounds=[[south, west], [north, east]])
    maps.outline(m, outline.__geo_interface__)
    walk_ins = coverage.walk_ins_near(result, outline.total_bounds)
    names = [name if n == 1 else ngettext("%(name)s en %(num)s ander inlooppunt", "%(name)s en %(num)s andere inlooppunten",
                                          n - 1, name=name) for name, n in zip(walk_ins["name"], walk_ins["count"])]
    maps.points(m, maps.point_features(walk_ins, {"name": names}), [("name", _("Inlooppunt"))], colour="#004f9f",
                radius=5)
    km = far["km"].map(lambda v: show(v, "median_km") + " km")
    maps.points(m, maps.point_features(far, {"pc4": far.index, "km": km}),
                [("pc4", _("Postcode")), ("km", _("Afstand tot inloop"))], radius=7)
    return maps.render(m)


def _region(code: str):
    """The data, figures, code, farthest PC4s and entries of a region."""
    data = state.get()
    result = coverage_of(data)
    code = data.geo.region_code(code)
    return data, result, code, coverage.farthest(result, code, FARTHEST_N), coverage.region_entries(result, code)


@bp.get("/dekking/<code>")
def region(code: str):
    """A region's figures and its entries: the counts per kind, the entries a page at a time."""
    data, result, code, far, entries = _region(code)
    page, limit, pages = paging(len(entries))
    shown = entries.iloc[(page - 1) * limit:page * limit]
    return render_template(
        "dekking/region.html", code=code, row=result.table.loc[code], waarom=waarom(result, code),
        figures=ALL_COLUMNS, metrics=coverage.METRICS, regions_count=len(result.table) - 1,
        national=result.table.loc[coverage.NATIONAL_CODE], far=far, rendered=_region_map(result, data.geo, code, far),
        entries=list(zip(records(shown), shown["stale"], shown["open"])), counts=coverage.entry_counts(entries),
        total=len(entries), page=page, pages=pages, limit=limit, page_size=PAGE_SIZE, kind_labels=KINDS,
        about=coverage.about(result, data.geo.meta), stale_months=coverage.STALE_MONTHS)


# A metric's format (coverage.METRICS) -> its format in a spreadsheet (sheets.FORMATS). 'known'
# is a count for programs (1/0, regions in the national row) and words for people (ja/nee).
SHEET_FORMATS = {"count": "count", "rate": "decimal", "km": "decimal", "share": "share", "score": "whole",
                 "known": "count"}
ABOUT_HEADERS = {"data_as_of": N_("Cijfers van"), "population_year": N_("Jaar inwonertallen"),
                 "sources": N_("Bronnen (gescheiden door |)")}


def _machine_formats() -> dict[str, str]:
    return {column: SHEET_FORMATS[fmt] for column, (_label, fmt) in coverage.METRICS.items()}


def _people_frame(result: coverage.Coverage, geo_meta: dict) -> tuple[pd.DataFrame, dict, dict]:
    """The export for people: 'known' and the gaps in words; with its formats and headers as on the page."""
    frame = coverage.export_frame(result, geo_meta)
    national = frame["code"] == coverage.NATIONAL_CODE
    for column in coverage.KNOWN:
        in_country = show(result.table.at[coverage.NATIONAL_CODE, column], column, int((~national).sum()))
        frame[column] = frame[column].map(lambda value, column=column: show(value, column)).mask(national, in_country)
    frame["gaps"] = frame["code"].map(lambda code: "; ".join(waarom(result, code)))
    formats = {column: "text" if column in coverage.KNOWN else fmt for column, fmt in _machine_formats().items()}
    headers = {"code": _("Regiocode"), "name": _("Regio"), "gaps": _("Waarom"),
               **{column: _(label) for column, (label, _fmt) in coverage.METRICS.items()},
               **{column: _(label) for column, label in ABOUT_HEADERS.items()}}
    return frame, formats, headers


def _download(body: bytes, mimetype: str, name: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/dekking/export.csv")
def export_csv():
    """For Dutch Excel, opened as it is (see sheets.dutch_csv)."""
    data = state.get()
    result = coverage_of(data)
    return _download(sheets.dutch_csv(*_people_frame(result, data.geo.meta)), "text/csv",
                     f"dekking-{result.as_of.isoformat()}.csv")


@bp.get("/dekking/export-international.csv")
def export_international_csv():
    """For programs: the API's names and units (shares as fractions), ',' and a decimal point."""
    data = state.get()
    result = coverage_of(data)
    return _download(sheets.international_csv(coverage.export_frame(result, data.geo.meta), _machine_formats()),
                     "text/csv", f"dekking-{result.as_of.isoformat()}-international.csv")


@bp.get("/dekking/export.xlsx")
def export_xlsx():
    data = state.get()
    result = coverage_of(data)
    info = coverage.about(result, data.geo.meta)
    frame, formats, headers = _people_frame(result, data.geo.meta)
    columns = pd.DataFrame({_("kolom"): [headers[column] for column in frame.columns],
                            _("naam in de CSV voor programma’s en de API"): list(frame.columns)})
    body = sheets.xlsx([("dekking", frame, formats, headers), ("kolommen", columns, {}, {}),
                        ("bronnen", pd.DataFrame({_("bron"): info["sources"]}), {}, {})])
    return _download(body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"dekking-{info['data_as_of']}.xlsx")


@bp.get("/dekking/export.geojson")
def export_geojson():
    data = state.get()
    result = coverage_of(data)
    body = json.dumps(coverage.geojson(result, data.geo.regions, data.geo.meta), ensure_ascii=False)
    return _download(body.encode("utf-8"), "application/geo+json", f"dekking-{result.as_of.isoformat()}.geojson")


@api_bp.get("/api/v1/coverage")
def api_coverage():
    data = state.get()
    result = coverage_of(data)
    codes = [code for code in result.table.index if code != coverage.NATIONAL_CODE]
    return jsonify({**coverage.about(result, data.geo.meta), "methods_url": url_for("dekking.methods"),
                    "national": coverage.row_json(result, coverage.NATIONAL_CODE),
                    "regions": [coverage.row_json(result, code) for code in codes]})


@api_bp.get("/api/v1/coverage/<code>")
def api_coverage_region(code: str):
    data, result, code, far, entries = _region(code)
    page, limit, pages = paging(len(entries))
    shown = entries.iloc[(page - 1) * limit:page * limit]
    counts = coverage.entry_counts(entries)
    return jsonify({
        **coverage.about(result, data.geo.meta), "methods_url": url_for("dekking.methods"),
        "region": coverage.row_json(result, code), "waarom": waarom(result, code),
        "farthest_pc4": [{"pc4": pc4, "km": round(float(km), 2),
                          "inhabitants": None if pd.isna(inhabitants) else int(inhabitants)}
                         for pc4, km, inhabitants in zip(far.index, far["km"], far["inhabitants"])],
        "entry_counts": [{"kind": kind, **{column: int(n) for column, n in row.items()}}
                         for kind, row in counts.iterrows()],
        "entries_total": len(entries), "page": page, "limit": limit, "pages": pages,
        "entries": [{**record, "counted": bool(counted), "stale": bool(stale)}
                    for record, stale, counted in zip(records(shown), shown["stale"], shown["open"])],
    })
