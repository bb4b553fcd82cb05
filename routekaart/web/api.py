"""JSON API (v1): plain JSON and GeoJSON that other tools can use, described by OpenAPI."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from .. import state
from ..catalogue.schema import NATIONAL
from ..postcodes import parse
from ..routing import DEFAULT_K, Filters, Hits, flag, number
from . import paging
from .openapi import openapi_document
from .opening import api_fields

bp = Blueprint("api", __name__)


def filters_from_args() -> Filters:
    args = request.args
    kinds = tuple(k.strip() for value in args.getlist("kind") for k in value.split(",") if k.strip())
    return Filters(kinds=kinds, audience=args.get("audience", "").strip(),
                   no_referral=flag("no_referral", args.get("no_referral")), free=flag("free", args.get("free")),
                   max_km=number("max_km", args.get("max_km")), k=number("k", args.get("k"), int, DEFAULT_K),
                   text=args.get("q", ""))


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
    postcode = parse(request.args.get("postcode"))
    filters = filters_from_args()
    data = state.get()
    found = data.router.lookup(postcode, filters)
    place = found.place
    return jsonify({
        "postcode": str(postcode),
        "pc4": postcode.pc4,
        "location": {"latitude": place.lat, "longitude": place.lon, "place": place.place,
                     "precision": "pc4"},
        "region": region_json(place.region_code, place.region_name),
        "region_method": place.region_method,
        "also_in_regions": [region_json(code, data.geo.region_name(code)) for code in place.other_regions],
        "gemeente": {"code": place.gemeente_code, "name": place.gemeente},
        "audience": found.audience,
        "boat_trip": found.boat_trip,
        **{name: [api_fields(record) for record in data.router.records(hits, found.audience)] for name, hits in
           [("nearby", found.nearby), ("regional", found.regional), ("national", found.national),
            ("elsewhere_in_region", found.elsewhere)]},
    })


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
    code = data.geo.region_code(code)
    feature = _region_feature(data.geo, code)
    router = data.router
    entries = router.of_region(code)
    page, limit, pages = paging(len(entries))
    feature["properties"].update({
        "entries_total": len(entries), "page": page, "limit": limit, "pages": pages,
        "entries": [api_fields(record) for record in router.records(Hits(entries.rows[(page - 1) * limit:page * limit]))],
        "national_entries": len(router.of_region(NATIONAL))})
    return jsonify(feature)
