"""JSON API (v1): plain JSON and GeoJSON that other tools can use, described by OpenAPI."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from .. import state
from ..catalogue import records
from ..catalogue.schema import NATIONAL
from ..postcodes import PostcodeError, parse
from ..routing import COMPACT, DEFAULT_K, FilterError, Filters, UnknownPostcode
from . import error_response
from .openapi import openapi_document

bp = Blueprint("api", __name__)

_TRUE, _FALSE = {"1", "true", "ja", "yes", "on"}, {"0", "false", "nee", "no", "off", ""}


def _flag(name: str) -> bool:
    value = request.args.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise FilterError(f"'{name}' moet true of false zijn.")


def _number(name: str, kind, default=None):
    value = request.args.get(name, "").strip()
    if not value:
        return default
    try:
        return kind(value)
    except ValueError:
        raise FilterError(f"'{name}' moet een getal zijn.") from None


def filters_from_args() -> Filters:
    kinds = tuple(k.strip() for value in request.args.getlist("kind") for k in value.split(",") if k.strip())
    return Filters(
        kinds=kinds,
        audience=request.args.get("audience", "").strip() or None,
        no_referral=_flag("no_referral"),
        free=_flag("free"),
        max_km=_number("max_km", float),
        k=_number("k", int, DEFAULT_K),
    )


def region_json(code: str, name: str) -> dict:
    return {"code": code, "name": name}


@bp.get("/healthz")
def healthz():
    data = state.get()
    return jsonify({"status": "ok", "dataset_built_at": data.geo.meta["built_at"],
                    "entries": int(len(data.catalogue.entries))})


@bp.get("/api/v1/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/api/v1/lookup")
def api_lookup():
    try:
        postcode = parse(request.args.get("postcode"))
        filters = filters_from_args()
    except (PostcodeError, FilterError) as error:
        return error_response(400, error.code, error.message)
    data = state.get()
    try:
        found = data.router.lookup(postcode, filters)
    except UnknownPostcode as error:
        return error_response(404, error.code, error.message)
    place = found.place
    answer = current_app.json.dumps(separators=COMPACT, obj={
        "postcode": str(postcode),
        "pc4": postcode.pc4,
        "location": {"latitude": place.lat, "longitude": place.lon, "place": place.place,
                     "precision": "pc4"},
        "region": region_json(place.region_code, place.region_name),
        "region_method": place.region_method,
        "also_in_regions": [region_json(code, data.geo.region_name(code)) for code in place.other_regions],
        "gemeente": {"code": place.gemeente_code, "name": place.gemeente},
    })
    lists = ",".join(f'"{name}":{data.router.records_json(hits)}' for name, hits in
                      [("nearby", found.nearby), ("regional", found.regional), ("national", found.national),
                       ("elsewhere_in_region", found.elsewhere)])
    return current_app.response_class(f"{answer[:-1]},{lists}}}\n", mimetype="application/json")


def _region_feature(geo, code: str, with_geometry: bool = True) -> dict:
    row = geo.regions.loc[code]
    gemeenten = geo.gemeenten[geo.gemeenten["region_code"] == code].sort_values("name")
    return {
        "type": "Feature",
        "id": code,
        "properties": {"code": code, "name": row["name"],
                       "gemeenten": [{"code": c, "name": n} for c, n in zip(gemeenten["code"], gemeenten["name"])]},
        "geometry": row.geometry.__geo_interface__ if with_geometry else None,
    }


@bp.get("/api/v1/regions")
def api_regions():
    geo = state.get().geo
    return jsonify({"type": "FeatureCollection",
                    "features": [_region_feature(geo, code) for code in geo.regions.index]})


@bp.get("/api/v1/regions/<code>")
def api_region(code: str):
    data = state.get()
    code = code.upper()
    if code not in data.geo.regions.index:
        return error_response(404, "unknown_region", f"Regio '{code}' bestaat niet. Codes zijn zoals ZK10.")
    feature = _region_feature(data.geo, code)
    entries = data.catalogue.entries
    feature["properties"]["entries"] = records(entries[entries["zorgkantoorregio"] == code])
    feature["properties"]["national_entries"] = int((entries["zorgkantoorregio"] == NATIONAL).sum())
    return jsonify(feature)
