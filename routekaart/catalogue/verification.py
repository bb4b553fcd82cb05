"""The verification cycle: which entries are due for a check, and recording a check.

`last_verified` / `verified_by` (HSDS assured_date / assurer_email) say when someone last
confirmed an entry with the provider; an import that changes a row sets `last_edited` instead.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from .schema import Problem, validate

WARN_MONTHS = 24  # pages warn about entries not verified for this long


def verified_on(last_verified: pd.Series) -> pd.Series:
    """The dates as timestamps; a partial date ('2024', '2024-05') counts from its first day,
    the cautious reading; empty or unreadable gives NaT."""
    full = last_verified.mask(last_verified.str.len() == 4, last_verified + "-01-01")
    full = full.mask(full.str.len() == 7, full + "-01")
    return pd.to_datetime(full, format="%Y-%m-%d", errors="coerce")


def is_stale(last_verified: pd.Series, as_of: date, months: int) -> pd.Series:
    """Not verified in the `months` before `as_of`, or never."""
    verified = verified_on(last_verified)
    return verified.isna() | (verified < pd.Timestamp(as_of) - pd.DateOffset(months=months))


def verification(last_verified: str | None, today: date) -> str:
    """'never', 'ok' or 'overdue' (not verified in the last WARN_MONTHS): what a page shows."""
    if not last_verified:
        return "never"
    return "overdue" if is_stale(pd.Series([last_verified]), today, WARN_MONTHS).iloc[0] else "ok"


def due(entries: pd.DataFrame, as_of: date, months: int) -> pd.DataFrame:
    """Entries due for a check, per region, the longest unchecked first (never checked on top)."""
    stale = entries[is_stale(entries["last_verified"], as_of, months)]
    return stale.assign(_since=verified_on(stale["last_verified"])).sort_values(
        ["zorgkantoorregio", "_since", "id"], na_position="first").drop(columns="_since")


def record_check(region: pd.DataFrame, entry_id: str, by: str, on: date) -> tuple[pd.DataFrame, list[Problem]]:
    """The region's entries with one check recorded; problems if `by` is not an e-mail address."""
    checked = region.copy()
    hit = checked["id"] == entry_id
    checked.loc[hit, "last_verified"] = on.isoformat()
    checked.loc[hit, "verified_by"] = by
    return checked, [p for p in validate(checked[hit]) if p.column == "verified_by"]
