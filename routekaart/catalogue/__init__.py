"""The support catalogue: what help exists, where, for whom, and how sure we are of it."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from ..geodata.dataset import GeoData
from . import files
from .placement import Unplaced, place
from .schema import KINDS, STATUSES, split_list


@dataclass
class Catalogue:
    entries: pd.DataFrame  # schema columns plus lat, lon, x, y, geo_precision, placed_region
    unplaced: list[Unplaced] = field(default_factory=list)


def load(folder: Path, geo: GeoData) -> Catalogue:
    entries, unplaced = place(files.read_all(folder), geo)
    return Catalogue(entries.reset_index(drop=True), unplaced)


def _number(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), 5)


def as_record(row: dict) -> dict:
    """One entry as plain JSON (HSDS names where they fit); used by the API and the pages."""
    return {
        "id": row["id"],
        "name": row["name"],
        "kind": row["kind"],
        "kind_label": KINDS[row["kind"]][0],
        "status": row["status"] or "active",
        "status_label": STATUSES.get(row["status"] or "active"),
        "organization": row["organization"] or None,
        "description": row["description"] or None,
        "audience": row["audience"] or None,
        "audience_groups": split_list(row["audience_groups"]),
        "fees_description": row["fees_description"] or None,
        "free": row["free"] == "ja",
        "referral_needed": {"ja": True, "nee": False}.get(row["referral_needed"]),
        "scope": row["scope"],
        "zorgkantoorregio": row["zorgkantoorregio"],
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
        "distance_km": None if _number(row.get("distance_km")) is None else round(float(row["distance_km"]), 1),
        "phones": split_list(row["phones"]),
        "email": row["email"] or None,
        "url": row["url"] or None,
        "schedule": row["schedule"] or None,
        "general_walk_in": row["general_walk_in"] == "ja",
        "source_url": row["source_url"],
        "source_seen": row["source_seen"] or None,
        "last_verified": row["last_verified"] or None,
    }


def records(frame: pd.DataFrame) -> list[dict]:
    return [as_record(row) for row in frame.to_dict("records")]


OVERDUE_MONTHS = 24  # after this long unchecked, a page warns that an entry may be out of date


def verification(last_verified: str | None, today: date) -> str:
    """'never', 'ok' or 'overdue' (last checked more than OVERDUE_MONTHS ago).

    Dates may be partial ('2024-09', '2024'); a partial date counts from its first day, so it
    errs towards a warning rather than towards trust.
    """
    if not last_verified:
        return "never"
    year, month, day = ([int(part) for part in last_verified.split("-")] + [1, 1])[:3]
    months = (today.year - year) * 12 + today.month - month
    overdue = months > OVERDUE_MONTHS or (months == OVERDUE_MONTHS and today.day > day)
    return "overdue" if overdue else "ok"
