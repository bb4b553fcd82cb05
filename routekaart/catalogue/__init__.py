"""The support catalogue: what help exists, where, for whom, and how sure we are of it."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from ..geodata.dataset import GeoData
from . import areas, hours
from .placement import Unplaced, place
from .schema import COLUMNS, KINDS, OPEN_STATUSES, STATUSES, split_list


@dataclass
class Catalogue:
    # schema columns plus lat, lon, x, y, geo_precision, placed_region (placement) and area_codes,
    # area_names, area_basis (the service area, see with_areas)
    entries: pd.DataFrame
    unplaced: list[Unplaced] = field(default_factory=list)
    stored: pd.Series | None = None  # a hash of each entry as stored, row by row with `entries`


def load(entries: pd.DataFrame, geo: GeoData, previous: Catalogue | None = None) -> Catalogue:
    """Place the stored entries on the map (see placement) for the Router and the pages. Given the
    previous load (a running app reloading after an import), entries stored exactly as before keep
    their place and only the others are placed: placing a national catalogue takes seconds."""
    entries = entries.reset_index(drop=True)
    stored = pd.util.hash_pandas_object(entries[COLUMNS], index=False)
    if previous is None or previous.stored is None:
        placed, unplaced = place(entries, geo)
        return Catalogue(with_areas(placed, geo), unplaced, stored)
    before = pd.Series(previous.entries.index, index=previous.stored.to_numpy())
    before = before[~before.index.duplicated()]
    same = stored.isin(before.index).to_numpy()
    kept = previous.entries.loc[before[stored[same]].to_numpy()].set_axis(entries.index[same])
    fresh, unplaced = place(entries[~same], geo) if not same.all() else (previous.entries.iloc[:0], [])
    kept_ids = set(kept["id"])
    unplaced = [problem for problem in previous.unplaced if problem.id in kept_ids] + unplaced
    # An entry's service area follows from its own row: the kept ones keep theirs.
    return Catalogue(pd.concat([kept, with_areas(fresh, geo)]).sort_index(), unplaced, stored)


def with_areas(entries: pd.DataFrame, geo: GeoData) -> pd.DataFrame:
    """The entries with their service area (areas.served): CBS codes and names, ';'-separated and
    by name, and how it is known (area_basis)."""
    how = areas.basis(entries, geo)
    served = areas.served(entries, geo, how).merge(geo.gemeenten[["code", "name"]].reset_index(drop=True),
                                                   left_on="gemeente_code", right_on="code")
    served = served.sort_values(["entry", "name"])
    # Most entries serve one gemeente: those without a join per entry (a national catalogue has 50,000).
    many = served["entry"].duplicated(keep=False)
    joined = pd.concat([served.loc[~many].set_index("entry")[["gemeente_code", "name"]],
                        served.loc[many].groupby("entry")[["gemeente_code", "name"]].agg(";".join)])
    return entries.assign(area_codes=joined["gemeente_code"].reindex(entries.index).fillna(""),
                          area_names=joined["name"].reindex(entries.index).fillna(""), area_basis=how)


def _number(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), 5)


def _service_area(row: dict) -> dict | None:
    """The gemeenten an entry is for (None: national, for everyone) and how that is known:
    'given' in the catalogue, or by default its own 'gemeente' or its whole 'region'."""
    if not row.get("area_basis"):
        return None
    return {"basis": row["area_basis"], "gemeenten": [
        {"code": code, "name": name} for code, name in zip(split_list(row["area_codes"]), split_list(row["area_names"]))]}


def as_record(row: dict) -> dict:
    """One entry as plain JSON (HSDS names where they fit); used by the API and the pages."""
    return {
        "id": row["id"],
        "name": row["name"],
        "kind": row["kind"],
        "kind_label": KINDS[row["kind"]][0],
        "status": row["status"] or "active",
        "status_label": STATUSES.get(row["status"] or "active"),
        "open_status": row["status"] in OPEN_STATUSES,
        "organization": row["organization"] or None,
        "description": row["description"] or None,
        "audience": row["audience"] or None,
        "audience_groups": split_list(row["audience_groups"]),
        "fees_description": row["fees_description"] or None,
        "free": row["free"] == "ja",
        "referral_needed": {"ja": True, "nee": False}.get(row["referral_needed"]),
        "scope": row["scope"],
        "zorgkantoorregio": row["zorgkantoorregio"],
        "service_area": _service_area(row),
        "location_type": row["location_type"],
        "address": {
            "address_1": row["address_1"] or None,
            "postal_code": row["postal_code"] or None,
            "city": row["city"] or None,
            "gemeente": row["gemeente"] or None,
        },
        "latitude": _number(row.get("lat")),
        "longitude": _number(row.get("lon")),
        "geo_precision": row.get("geo_precision") or None,
        "distance_km": None,  # a lookup fills in these two (routing.Router.records)
        "distance_basis": None,
        "phones": split_list(row["phones"]),
        "email": row["email"] or None,
        "url": row["url"] or None,
        "schedule": hours.as_json(row["schedule"]),
        "schedule_note": row["schedule_note"] or None,
        "general_walk_in": row["general_walk_in"] == "ja",
        "source_url": row["source_url"],
        "source_seen": row["source_seen"] or None,
        "last_verified": row["last_verified"] or None,
        "last_edited": row["last_edited"] or None,
    }


def records(frame: pd.DataFrame) -> list[dict]:
    return [as_record(row) for row in frame.to_dict("records")]

