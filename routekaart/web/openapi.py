"""The OpenAPI 3 description of the JSON API; tests fuzz the API against it."""
from __future__ import annotations

from ..catalogue.schema import AUDIENCE_GROUPS, KINDS, LOCATION_TYPES, SCOPES, STATUSES
from ..geodata.dataset import REGION_CODE_PATTERN
from ..postcodes import VALID_PATTERN as POSTCODE_PATTERN
from ..coverage import GAP_CODES, METRICS
from ..routing import DISTANCE_BASIS, FALSE, MAX_K, MAX_SEARCH, TRUE, VISITORS
from . import MAX_PAGE_SIZE, PAGE_SIZE

_nullable_str = {"type": ["string", "null"]}

ENTRY = {
    "type": "object",
    "required": ["id", "name", "kind", "status", "scope", "location_type", "phones", "source_url"],
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "kind": {"type": "string", "enum": list(KINDS)},
        "kind_label": {"type": "string"},
        "status": {"type": "string", "enum": list(STATUSES)},
        "status_label": {"type": "string"},
        "open_status": {"type": "boolean", "description": "false: planned or stopped, not open now"},
        "organization": _nullable_str,
        "description": _nullable_str,
        "audience": _nullable_str,
        "audience_groups": {"type": "array", "items": {"type": "string", "enum": list(AUDIENCE_GROUPS)}},
        "fees_description": _nullable_str,
        "free": {"type": "boolean"},
        "referral_needed": {"type": ["boolean", "null"]},
        "scope": {"type": "string", "enum": list(SCOPES)},
        "zorgkantoorregio": {"type": "string"},
        "service_area": {"type": ["object", "null"], "required": ["basis", "gemeenten"],
                         "description": "the gemeenten it is for (null: national, for everyone); basis: given in "
                                        "the catalogue, or by default its own gemeente or its whole region",
                         "properties": {"basis": {"type": "string", "enum": ["given", "gemeente", "region"]},
                                        "gemeenten": {"type": "array", "items": {"$ref": "#/components/schemas/GemeenteRef"}}}},
        "location_type": {"type": "string", "enum": list(LOCATION_TYPES)},
        "address": {"type": "object", "properties": {k: _nullable_str for k in
                                                      ("address_1", "postal_code", "city", "gemeente")}},
        "latitude": {"type": ["number", "null"]},
        "longitude": {"type": ["number", "null"]},
        "geo_precision": {"type": ["string", "null"], "enum": ["source", "pc4", "place", None]},
        "distance_km": {"type": ["number", "null"],
                        "description": "straight-line km from the postcode's PC4 point (in a lookup's lists)"},
        "distance_basis": {"type": ["string", "null"], "enum": [*DISTANCE_BASIS.values(), None],
                           "description": "what distance_km is measured to: the place's address, its postcode's "
                                          "PC4 point (about), or only the centre of its town"},
        "audience_fit": {"type": "boolean", "description": "in a lookup: false when the entry is only for other "
                                                           "groups than the audience asked for (listed after the rest)"},
        "phones": {"type": "array", "items": {"type": "string"}},
        "email": _nullable_str,
        "url": _nullable_str,
        "schedule": {"$ref": "#/components/schemas/Schedule"},
        "open_today": {"type": ["boolean", "null"],
                       "description": "lookup and region answers: whether it opens today (Dutch time, public "
                                      "holidays counted); null: not known (no hours as data, a public holiday "
                                      "without word on it), or not open (planned, stopped)"},
        "open_now": {"type": ["boolean", "null"], "description": "lookup and region answers: open at this moment"},
        "next_opening": {"type": ["string", "null"], "format": "date-time",
                         "description": "lookup and region answers: the next time it opens after now (ISO 8601 "
                                        "with offset); null when not known or open day and night"},
        "schedule_note": {"type": ["string", "null"], "description": "what is known of the opening hours, in words"},
        "general_walk_in": {"type": "boolean"},
        "source_url": {"type": "string"},
        "source_seen": _nullable_str,
        "last_verified": _nullable_str,
        "last_edited": _nullable_str,
    },
}

# The opening hours as data (catalogue/hours.py), after HSDS `schedule`: one rule per set of days
# with the same times; times are Dutch local time.
SCHEDULE = {
    "type": ["object", "null"], "required": ["text", "timezone", "holidays", "valid_from", "valid_to", "rules"],
    "description": "the opening hours as data; null: not known as data (see schedule_note)",
    "properties": {
        "text": {"type": "string", "description": "as the catalogue writes it, e.g. 'ma-vr 10:00-16:00; 2e wo 19:00-21:00'"},
        "timezone": {"type": "string", "enum": ["Europe/Amsterdam"]},
        "holidays": {"type": ["string", "null"], "enum": ["open", "closed", None],
                     "description": "on Dutch public holidays; null: not known (open_today is then null)"},
        "valid_from": {"type": ["string", "null"], "format": "date"},
        "valid_to": {"type": ["string", "null"], "format": "date", "description": "the last day the hours hold"},
        "rules": {"type": "array", "items": {
            "type": "object", "required": ["freq", "wkst", "byday", "byweekno", "opens_at", "closes_at"],
            "properties": {
                "freq": {"type": "string", "enum": ["WEEKLY", "MONTHLY"]},
                "wkst": {"type": "string", "enum": ["MO"]},
                "byday": {"type": "string", "description": "iCal days, e.g. 'MO,TU' or, monthly, '2WE' / '-1FR'"},
                "byweekno": {"type": ["string", "null"], "description": "ISO weeks (odd or even ones), or null: every week"},
                "opens_at": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]:[0-5][0-9]$"},
                "closes_at": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]:[0-5][0-9]$",
                              "description": "23:59:59 stands for midnight"}}}},
    },
}

REGION_REF = {"type": "object", "required": ["code", "name"],
              "properties": {"code": {"type": "string"}, "name": {"type": "string"}}}
GEMEENTE_REF = {"type": "object", "required": ["code", "name"],
                "properties": {"code": {"type": "string", "pattern": "^GM[0-9]{4}$"}, "name": {"type": "string"}}}

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"],
                             "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}},
}

LOOKUP = {
    "type": "object",
    "required": ["postcode", "pc4", "region", "gemeente", "nearby", "regional", "national", "elsewhere_in_region"],
    "properties": {
        "postcode": {"type": "string"},
        "pc4": {"type": "string"},
        "location": {"type": "object"},
        "region": {"$ref": "#/components/schemas/RegionRef"},
        "region_method": {"type": "string", "enum": ["gemeente", "polygon", "nearest"]},
        "also_in_regions": {"type": "array", "items": {"$ref": "#/components/schemas/RegionRef"}},
        "gemeente": {"$ref": "#/components/schemas/GemeenteRef"},
        "audience": {"type": "string", "enum": list(AUDIENCE_GROUPS),
                     "description": "whom the lists are for: each has the entries for this group first"},
        "boat_trip": {"type": "boolean", "description": "the postcode is on a Wadden island and the first nearby "
                                                        "walk-in is not: getting there takes a boat"},
        "nearby": {"type": "array", "items": {"$ref": "#/components/schemas/Entry"},
                   "description": "the k nearest open walk-ins (never planned or stopped ones), those for the "
                                  "audience first, each part nearest first"},
        "regional": {"type": "array", "items": {"$ref": "#/components/schemas/Entry"},
                     "description": "regional and local support whose service area holds the postcode's gemeente"},
        "national": {"type": "array", "items": {"$ref": "#/components/schemas/Entry"}},
        "elsewhere_in_region": {"type": "array", "items": {"$ref": "#/components/schemas/Entry"},
                                "description": "the region's other regional and local support: for other gemeenten"},
    },
}

FEATURE = {"type": "object", "required": ["type", "properties", "geometry"],
           "properties": {"type": {"const": "Feature"}, "id": {"type": "string"},
                          "properties": {"type": "object"}, "geometry": {"type": ["object", "null"]}}}


_number_or_null = {"type": ["number", "null"]}
_BY_FORMAT = {  # a coverage metric's format (coverage.METRICS) -> its JSON schema
    "rate": _number_or_null, "km": _number_or_null,
    "share": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
    # 0 = the best region on every scored measure, 100 = the worst; null in the national row.
    "score": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
    "count": {"type": "integer", "minimum": 0},
    # A region: known or not.
    "known": {"type": "boolean"},
}
COVERAGE_ROW = {
    "type": "object",
    "required": ["code", "name", "population", "walk_ins", "median_km", "share_over_10km", "share_over_20km",
                 "share_unverified"],
    "properties": {
        "code": {"type": "string"}, "name": {"type": "string"},
        **{name: _BY_FORMAT[form] for name, (_label, form) in METRICS.items()},
        "population": {"type": ["integer", "null"], "minimum": 0},  # null: no inhabitant figures
        # What drives the score, worst first; empty in the national row.
        "gaps": {"type": "array", "items": {"type": "string", "enum": ["no_walk_in", *GAP_CODES.values()]}},
        # The national row: in how many regions each "known" measure is known.
        **{f"regions_with_{name}": {"type": "integer", "minimum": 0}
           for name, (_label, form) in METRICS.items() if form == "known"},
    },
}
_ABOUT = {
    "data_as_of": {"type": "string", "format": "date"},
    "dataset_built_at": _nullable_str,
    "population_year": {"type": ["integer", "null"]},
    "sources": {"type": "array", "items": {"type": "string"}},
    "methods_url": {"type": "string"},
}
COVERAGE = {
    "type": "object", "required": ["data_as_of", "sources", "national", "regions"],
    "properties": {**_ABOUT, "national": {"$ref": "#/components/schemas/CoverageRow"},
                   "regions": {"type": "array", "items": {"$ref": "#/components/schemas/CoverageRow"}}},
}
COVERAGE_REGION = {
    "type": "object", "required": ["data_as_of", "sources", "region", "farthest_pc4", "entry_counts", "entries_total",
                                   "page", "limit", "pages", "entries"],
    "properties": {
        **_ABOUT, "region": {"$ref": "#/components/schemas/CoverageRow"},
        "waarom": {"type": "array", "items": {"type": "string"}},
        "entry_counts": {"type": "array", "items": {
            "type": "object", "required": ["kind", "entries", "counted", "stale"],
            "properties": {"kind": {"type": "string", "enum": list(KINDS)}, "entries": {"type": "integer"},
                           "counted": {"type": "integer"}, "stale": {"type": "integer"}}}},
        "entries_total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        "pages": {"type": "integer", "minimum": 1},
        "farthest_pc4": {"type": "array", "items": {
            "type": "object", "required": ["pc4", "km"],
            "properties": {"pc4": {"type": "string"}, "km": {"type": "number"},
                           "inhabitants": {"type": ["integer", "null"]}}}},
        "entries": {"type": "array", "items": {"allOf": [
            {"$ref": "#/components/schemas/Entry"},
            {"type": "object", "required": ["counted", "stale"],
             "properties": {"counted": {"type": "boolean"}, "stale": {"type": "boolean"}}}]}},
    },
}


def _error_response(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _query(name: str, schema: dict, description: str, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


def _region_page_parameters() -> list[dict]:
    """A region's code and the page of its entries (web.paging), for both region endpoints."""
    return [{"name": "code", "in": "path", "required": True,
             "schema": {"type": "string", "pattern": REGION_CODE_PATTERN}},
            _query("page", {"type": "integer", "minimum": 1}, "pagina, vanaf 1"),
            _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                   f"items per pagina (standaard {PAGE_SIZE})")]


def _region_page_errors() -> dict:
    return {"400": _error_response("Geen regiocode (invalid_region), of pagina of aantal buiten bereik "
                                   "(invalid_parameter)"),
            "404": _error_response("Onbekende regio (unknown_region), of een pagina na de laatste (page_not_found)")}


def openapi_document() -> dict:
    flag = {"type": "string", "enum": sorted(TRUE | FALSE)}  # what routing.flag accepts
    return {
        "openapi": "3.1.0",
        "info": {"title": "Routekaart wachttijdondersteuning API", "version": "1.3.0",
                 "description": "Postcode naar zorgkantoorregio, gemeente en steun tijdens het wachten op ggz. "
                                "1.1.0: de dekking heeft er velden bij (score, gaps, planned_walk_ins, "
                                "afstanden binnen de eigen regio, waarom); een regio zonder inlooppunt binnen "
                                "bereik telt bij share_over_* als verder weg (was null). Niets is weggehaald. "
                                "1.2.0: distance_basis, audience_fit, audience en boat_trip; audience ordent "
                                "nu (voor wie je zoekt eerst) in plaats van te filteren. 1.3.0: q, zoeken op "
                                "woorden uit naam, organisatie, plaats of gemeente."},
        "paths": {
            "/api/v1/lookup": {"get": {
                "summary": "Steun bij een postcode",
                "parameters": [
                    _query("postcode", {"type": "string", "pattern": POSTCODE_PATTERN},
                           "1234AB, 1234 ab of 1234", required=True),
                    _query("k", {"type": "integer", "minimum": 1, "maximum": MAX_K}, "aantal inlooppunten"),
                    {**_query("kind", {"type": "array", "items": {"type": "string", "enum": list(KINDS)}},
                              "soort(en), komma-gescheiden"), "style": "form", "explode": False},
                    _query("audience", {"type": "string", "enum": [*VISITORS, *AUDIENCE_GROUPS]},
                           "voor wie je zoekt (standaard volwassene): plekken voor die groep komen eerst, de "
                           "rest erna (audience_fit false); er valt niets weg"),
                    _query("no_referral", flag, "alleen zonder verwijzing"),
                    _query("free", flag, "alleen gratis"),
                    _query("max_km", {"type": "number", "exclusiveMinimum": 0, "maximum": 400},
                           "maximale afstand in km"),
                    _query("q", {"type": "string", "maxLength": MAX_SEARCH},
                           "alleen plekken met al deze woorden in naam, organisatie, plaats of gemeente "
                           "(hoofdletters en accenten tellen niet)"),
                ],
                "responses": {
                    "200": _json("Regio, gemeente en steun", {"$ref": "#/components/schemas/Lookup"}),
                    "400": _error_response("Geen geldige postcode (invalid_postcode) of filter (invalid_filter)"),
                    "404": _error_response("Geldige postcode die we niet kennen (unknown_postcode)"),
                },
            }},
            "/api/v1/regions": {"get": {
                "summary": "De 31 zorgkantoorregio's als GeoJSON",
                "responses": {"200": _json("FeatureCollection", {
                    "type": "object", "required": ["type", "features"],
                    "properties": {"type": {"const": "FeatureCollection"},
                                   "features": {"type": "array", "items": {"$ref": "#/components/schemas/Feature"}}}})},
            }},
            "/api/v1/regions/{code}": {"get": {
                "summary": "Eén zorgkantoorregio met gemeenten en steun (de items een pagina per keer: "
                           "entries_total, page, limit en pages staan bij de properties)",
                "parameters": _region_page_parameters(),
                "responses": {"200": _json("Feature", {"$ref": "#/components/schemas/Feature"}), **_region_page_errors()},
            }},
            "/api/v1/coverage": {"get": {
                "summary": "Dekking per zorgkantoorregio, met een landelijke regel",
                "responses": {"200": _json("Cijfers per regio, datum en bronnen",
                                           {"$ref": "#/components/schemas/Coverage"})},
            }},
            "/api/v1/coverage/{code}": {"get": {
                "summary": "Dekking van één zorgkantoorregio: cijfers, verste postcodegebieden, aantallen per soort "
                           "en de items, een pagina per keer",
                "parameters": _region_page_parameters(),
                "responses": {"200": _json("Cijfers van de regio", {"$ref": "#/components/schemas/CoverageRegion"}), **_region_page_errors()},
            }},
            "/healthz": {"get": {
                "summary": "Gezondheid van de dienst",
                "responses": {"200": _json("OK", {"type": "object", "required": ["status"],
                                                  "properties": {"status": {"const": "ok"}}})},
            }},
        },
        "components": {"schemas": {"Entry": ENTRY, "Schedule": SCHEDULE, "RegionRef": REGION_REF, "GemeenteRef": GEMEENTE_REF, "Error": ERROR,
                                   "Lookup": LOOKUP, "Feature": FEATURE, "CoverageRow": COVERAGE_ROW,
                                   "Coverage": COVERAGE, "CoverageRegion": COVERAGE_REGION}},
    }
