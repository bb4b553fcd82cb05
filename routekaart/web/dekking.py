"""The insurer view: coverage gaps per zorgkantoorregio as a sortable table, a map and exports.

Everything works without JavaScript: sorting and the map's metric are GET parameters, and the
table is the accessible alternative to the map. The figures are computed once per loaded
dataset and day (staleness depends on today's date).
"""
from __future__ import annotations

import io
import json
from datetime import date

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import ngettext
import pandas as pd

from .. import coverage, maps, state
from ..errors import InvalidParameter, PageNotFound
from ..i18n import N_
from ..catalogue import records, spreadsheet
from ..catalogue.schema import KINDS

bp = Blueprint("dekking", __name__)
api_bp = Blueprint("dekking_api", __name__)

MAP_METRICS = ["share_over_20km", "share_over_10km", "median_km", "walk_ins_per_100k", "walk_ins",
               "share_unverified"]
TABLE_COLUMNS = [column for column in coverage.METRICS if not column.startswith("pc4")]
SORT_KEYS = ["name", *TABLE_COLUMNS]
FARTHEST_N = 25
PAGE_SIZE, MAX_PAGE_SIZE = 50, 500  # a region's entries are listed a page at a time (?page=, ?limit=)


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
    return format_decimal(value)


def _choice(name: str, allowed: list[str], default: str) -> str | None:
    value = request.args.get(name, default)
    return value if value in allowed else None


bp.app_template_filter("metric")(show)


@bp.app_template_filter("long_date")
def long_date(iso: str) -> str:
    """'2025-06-30' -> '30 juni 2025'."""
    return format_date(date.fromisoformat(iso[:10]), "d MMMM y") if iso else ""


def _regions_map(result: coverage.Coverage, geo, metric: str):
    label = coverage.METRICS[metric][0]
    features = coverage.geojson(result, geo.regions, geo.meta)
    for feature in features["features"]:
        feature["properties"]["shown"] = show(feature["properties"][metric], metric)
    values = result.table.drop(index=coverage.NATIONAL_CODE)[metric]
    edges = maps.classes(values)
    m = maps.base_map(current_app.config["TILES_URL"], current_app.config["TILES_ATTRIBUTION"])
    maps.choropleth(m, features, metric, [("name", _("Regio")), ("shown", _(label))], edges)
    return maps.render(m), maps.legend(edges, lambda v: show(v, metric))


@bp.get("/dekking")
def overview():
    sort, order = _choice("sort", SORT_KEYS, "name"), _choice("order", ["asc", "desc"], "asc")
    metric = _choice("metric", MAP_METRICS, MAP_METRICS[0])
    if None in (sort, order, metric):
        raise InvalidParameter(N_("Deze sortering of kaart kennen we niet. Kies een kolom uit de tabel."))
    data = state.get()
    result = coverage_of(data)
    regions = result.table.drop(index=coverage.NATIONAL_CODE)
    regions = regions.sort_values(sort, ascending=order == "asc", na_position="last", kind="stable")
    rendered, legend = _regions_map(result, data.geo, metric)
    return render_template(
        "dekking/overview.html", regions=regions, national=result.table.loc[coverage.NATIONAL_CODE],
        columns=TABLE_COLUMNS, metrics=coverage.METRICS, map_metrics=MAP_METRICS, metric=metric, sort=sort,
        order=order, rendered=rendered, legend=legend, about=coverage.about(result, data.geo.meta))


@bp.get("/dekking/methode")
def methods():
    data = state.get()
    result = coverage_of(data)
    return render_template("dekking/methods.html", about=coverage.about(result, data.geo.meta),
                           national=result.table.loc[coverage.NATIONAL_CODE], stale_months=coverage.STALE_MONTHS,
                           far_km=coverage.FAR_KM, metrics=coverage.METRICS,
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


def _paging(total: int) -> tuple[int, int, int]:
    """(page, limit, pages) from ?page= (from 1) and ?limit= (1 to MAX_PAGE_SIZE)."""
    try:
        page, limit = int(request.args.get("page", 1)), int(request.args.get("limit", PAGE_SIZE))
    except ValueError:
        page = limit = 0
    if not (1 <= limit <= MAX_PAGE_SIZE and page >= 1):
        raise InvalidParameter(N_("Kies een pagina vanaf 1 en een aantal per pagina van 1 tot %(max)s."),
                               max=MAX_PAGE_SIZE)
    pages = max(1, -(-total // limit))
    if page > pages:
        raise PageNotFound(pages)
    return page, limit, pages


@bp.get("/dekking/<code>")
def region(code: str):
    """A region's figures and its entries: the counts per kind, the entries a page at a time."""
    data, result, code, far, entries = _region(code)
    page, limit, pages = _paging(len(entries))
    shown = entries.iloc[(page - 1) * limit:page * limit]
    return render_template(
        "dekking/region.html", code=code, row=result.table.loc[code],
        national=result.table.loc[coverage.NATIONAL_CODE], far=far, rendered=_region_map(result, data.geo, code, far),
        entries=list(zip(records(shown), shown["stale"], shown["open"])), counts=coverage.entry_counts(entries),
        total=len(entries), page=page, pages=pages, limit=limit, page_size=PAGE_SIZE, kind_labels=KINDS,
        about=coverage.about(result, data.geo.meta), stale_months=coverage.STALE_MONTHS)


def _download(body: bytes, mimetype: str, extension: str, as_of: str) -> Response:
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="dekking-{as_of}.{extension}"'})


@bp.get("/dekking/export.csv")
def export_csv():
    data = state.get()
    result = coverage_of(data)
    frame = spreadsheet.protect(coverage.export_frame(result, data.geo.meta))
    return _download(frame.to_csv(index=False).encode("utf-8"), "text/csv", "csv",
                     result.as_of.isoformat())


@bp.get("/dekking/export.xlsx")
def export_xlsx():
    data = state.get()
    result = coverage_of(data)
    info = coverage.about(result, data.geo.meta)
    columns = [("code", "Regiocode"), ("name", "Naam"),
               *[(column, label) for column, (label, _) in coverage.METRICS.items()]]
    explained = [("data_as_of", "Cijfers van"), ("population_year", "Jaar inwonertallen"),
                 ("sources", "Bronnen (gescheiden door |)")]
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, sheet in (("dekking", coverage.export_frame(result, data.geo.meta)),
                            ("kolommen", pd.DataFrame(columns + explained, columns=["kolom", "betekenis"])),
                            ("bronnen", pd.DataFrame({"bron": info["sources"]}))):
            spreadsheet.protect(sheet).to_excel(writer, sheet_name=name, index=False)
    return _download(buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     "xlsx", info["data_as_of"])


@bp.get("/dekking/export.geojson")
def export_geojson():
    data = state.get()
    result = coverage_of(data)
    body = json.dumps(coverage.geojson(result, data.geo.regions, data.geo.meta), ensure_ascii=False)
    return _download(body.encode("utf-8"), "application/geo+json", "geojson", result.as_of.isoformat())


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
    page, limit, pages = _paging(len(entries))
    shown = entries.iloc[(page - 1) * limit:page * limit]
    counts = coverage.entry_counts(entries)
    return jsonify({
        **coverage.about(result, data.geo.meta), "methods_url": url_for("dekking.methods"),
        "region": coverage.row_json(result, code),
        "farthest_pc4": [{"pc4": pc4, "km": round(float(km), 2),
                          "inhabitants": None if pd.isna(inhabitants) else int(inhabitants)}
                         for pc4, km, inhabitants in zip(far.index, far["km"], far["inhabitants"])],
        "entry_counts": [{"kind": kind, **{column: int(n) for column, n in row.items()}}
                         for kind, row in counts.iterrows()],
        "entries_total": len(entries), "page": page, "limit": limit, "pages": pages,
        "entries": [{**record, "counted": bool(counted), "stale": bool(stale)}
                    for record, stale, counted in zip(records(shown), shown["stale"], shown["open"])],
    })
