"""Changes to the catalogue made in the portal, with their history.

Every change goes through the catalogue's own store (files in regions/ or PostGIS, so a running
site sees it within seconds) and the import's own checks (catalogue/importing.py). Each changed
field is recorded: who, when, which entry and field, old and new value, and why (as HSDS
`metadata` does). Nothing is deleted: an entry is archived (status inactive), and a change is
undone by a new change that puts the old value back.
"""
from __future__ import annotations

import hashlib
import json
import time
from datetime import date
from typing import Callable

import pandas as pd

from ..catalogue import importing, placement
from ..catalogue.files import slug
from ..catalogue.schema import COLUMNS, Problem, normalise
from ..catalogue.store import Store
from .db import Database

TRACKED = [column for column in COLUMNS if column not in ("id", "last_edited")]


class Conflict(Exception):
    """The entry changed since the form was shown, or a change cannot be undone any more."""


def differences(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Every changed field as rows (entry_id, field, old, new); an added entry has old ''."""
    new = normalise(new).set_index("id")[TRACKED]
    old = normalise(old).set_index("id")[TRACKED].reindex(new.index).fillna("")
    before, after = old.stack(), new.stack()
    changed = before != after
    return pd.DataFrame({"entry_id": before.index.get_level_values(0)[changed],
                         "field": before.index.get_level_values(1)[changed],
                         "old": before[changed].to_numpy(), "new": after[changed].to_numpy()})


def fingerprint(row: dict) -> str:
    """A short token for an entry's current values: a form carries it, so a save over someone
    else's newer change is noticed instead of overwriting it."""
    return hashlib.sha256(json.dumps([row.get(c, "") for c in TRACKED]).encode()).hexdigest()[:16]


def new_id(name: str, region: str, taken: pd.Series) -> str:
    """'Testpunt Voorbeeld' in ZK23 -> 'zk23-testpunt-voorbeeld' (with -2, -3... if taken)."""
    base = f"{region.lower()}-{slug(name)[:50]}".strip("-") or region.lower()
    candidate, n = base, 1
    while (taken == candidate).any():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def change(db: Database, store: Store, geo, catalogue: pd.DataFrame, region: str,
           edit: Callable[[pd.DataFrame], pd.DataFrame], who: str, reason: str,
           checked_ids: list[str] | None = None, undoes: int | None = None, today: date | None = None) -> list[Problem]:
    """Apply `edit` (current rows of the region -> new rows) if the new rows pass the import's
    checks against the rest of the `catalogue`; the problems of the rows in `checked_ids` (None:
    all rows) otherwise, and nothing is written. Portal writes happen one at a time."""
    today = today or date.today()
    with db.transaction() as tx:
        if db.postgres:
            tx.rows("SELECT pg_advisory_xact_lock(hashtext('routekaart-portal-write'))")
        old = store.read_region(region)
        new = normalise(edit(old)).reset_index(drop=True)
        problems = importing.check(new, region, catalogue[catalogue["zorgkantoorregio"] != region], geo)
        if checked_ids is not None:
            rows = set((new.index[new["id"].isin(checked_ids)] + 2).tolist())
            problems = [problem for problem in problems if problem.row in rows]
        if problems:
            return problems
        found = differences(old, new)
        if found.empty:
            return []
        now = int(time.time())
        ids = [tx.row("INSERT INTO portal_changes (at, who, region, entry_id, field, old, new, reason, undoes) "
                      "VALUES (:at, :who, :region, :entry_id, :field, :old, :new, :reason, :undoes) RETURNING id",
                      at=now, who=who, region=region, reason=reason, undoes=undoes, **row)["id"]
               for row in found.to_dict("records")]
        if undoes is not None:
            tx.rows("UPDATE portal_changes SET undone_by = :by WHERE id = :id", by=ids[0], id=undoes)
        stamped = importing.stamp(new, old, importing.compare(old, new), today)
        store.replace_region(region, placement.place(stamped, geo)[0])
    return []


def set_fields(entry_id: str, values: dict[str, str], basis: str | None = None):
    """An edit that sets some fields of one entry (raises Conflict if it changed since `basis`)."""
    def edit(rows: pd.DataFrame) -> pd.DataFrame:
        hit = rows["id"] == entry_id
        if not hit.any():
            raise Conflict("Dit item bestaat niet (meer).")
        if basis is not None and fingerprint(rows[hit].iloc[0].to_dict()) != basis:
            raise Conflict("Iemand anders heeft dit item net veranderd. Open het opnieuw en kijk of uw wijziging nog nodig is.")
        rows = rows.copy()
        for field, value in values.items():
            rows.loc[hit, field] = value
        return rows
    return edit


def add_entry(values: dict[str, str]):
    return lambda rows: pd.concat([rows, normalise(pd.DataFrame([values]))], ignore_index=True)


def merge_file(file_rows: pd.DataFrame):
    """An upload: the file's rows replace or add entries; entries not in the file stay as they are
    (nothing is deleted from the portal; archive them one by one)."""
    return lambda rows: pd.concat([rows[~rows["id"].isin(file_rows["id"])], file_rows], ignore_index=True)


def get(db: Database, change_id: int) -> dict | None:
    return db.row("SELECT * FROM portal_changes WHERE id = :id", id=change_id)


def undo(row: dict) -> Callable:
    """An edit that puts a change's old value back, if nobody changed the field since."""
    if row["undone_by"] is not None:
        raise Conflict("Deze wijziging is al teruggedraaid.")

    def edit(rows: pd.DataFrame) -> pd.DataFrame:
        hit = rows["id"] == row["entry_id"]
        if not hit.any() or rows.loc[hit, row["field"]].iloc[0] != row["new"]:
            raise Conflict("Dit veld is daarna nog eens veranderd. Verander het in het formulier.")
        rows = rows.copy()
        rows.loc[hit, row["field"]] = row["old"]
        return rows
    return edit


def history(db: Database, region: str | None = None, entry_id: str | None = None, limit: int = 200) -> list[dict]:
    """The newest changes of a region or an entry first."""
    if entry_id is not None:
        return db.rows("SELECT * FROM portal_changes WHERE entry_id = :id ORDER BY id DESC LIMIT :limit",
                       id=entry_id, limit=limit)
    return db.rows("SELECT * FROM portal_changes WHERE region = :region ORDER BY id DESC LIMIT :limit",
                   region=region, limit=limit)


def everything(db: Database) -> pd.DataFrame:
    """The whole history, oldest first, for the HSDS export's metadata table."""
    rows = db.rows("SELECT id, at, who, entry_id, field, old, new FROM portal_changes ORDER BY id")
    return pd.DataFrame(rows, columns=["id", "at", "who", "entry_id", "field", "old", "new"])
