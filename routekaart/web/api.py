"""JSON API (v1): plain JSON and GeoJSON that other tools can use, described by OpenAPI."""
from __future__ import annotations

import functools

import numpy as np
import orjson
from flask import Blueprint, jsonify, request

from .. import state
from ..catalogue.schema import NATIONAL
from ..postcodes import parse
from ..routing import DEFAULT_K, Filters, Hits, flag, number
from . import paging
from .openapi import openapi_document
from .opening import api_fields, this_minute

bp = Blueprint("api", __name__)


def filters_from_args() -> Filters:
    args = request.args
    kinds = tuple(k.strip() for value in args.getlist("kind") for k in value.split(",") if k.strip())
    return Filters(kinds=kinds, audience=args.get("audience", "").strip(),
                   no_referral=flag("no_referral", args.get("no_referral")), free=flag("free", args.get("free")),
                   max_km=number("max_km", args.get("max_km")), k=number("k", args.get("k"), int, DEFAULT_K),
                   text=args.get("q", ""))


NATIONAL_KEPT = 64  # national lists' JSON kept per worker (by filters' outcome, audience and minute)


def _national_json(router, rows: tuple[int, ...], audience: str, minute) -> orjson.Fragment:
    """The national entries as the API gives them, made once per minute (`minute` is part of the
    key only: open_now is asked of opening() at this request's moment). No language in the key:
    the API's fields say nothing in words."""
    return orjson.Fragment(orjson.dumps([api_fields(record) for record in router.records(
        Hits(np.array(rows, dtype=int)), audience)]))


def national_json(data, hits: Hits, audience: str) -> orjson.Fragment:
    """The national list is the same for every visitor with the same filters at the same minute
    (it has no distances), and is most of a lookup's answer: kept whole as JSON (derived.py)."""
    kept = data.derived.bounded("national JSON", functools.partial(_national_json, data.router), NATIONAL_KEPT)
    return kept(tuple(hits.rows.tolist()), audience, this_minute())


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

    def entries_json(hits: Hits) -> list[dict]:
        return [api_fields(record) for record in data.router.records(hits, found.audience)]

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
        "nearby": entries_json(found.nearby),
        "regional": entries_json(found.regional),
        "national": national_json(data, found.national, found.audience),
        "elsewhere_in_region": entries_json(found.elsewhere),
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
