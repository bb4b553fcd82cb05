"""Reports of mistakes and suggestions of new places, sent by visitors without an account.

They wait in their region's queue until a coordinator accepts or rejects them. The texts are
for coordinators only: no public page shows them. A reporter may leave an e-mail address for
questions back; it is deleted when the report is handled, or after EMAIL_DAYS.
"""
from __future__ import annotations

import json
import re
import time

from ..i18n import N_
from .db import Database

KINDS = ("fout", "nieuw")  # a mistake in an entry; a new place
TEXT_MAX = 2000
FIELD_MAX = 200
EMAIL_MAX = 254
EMAIL_DAYS = 90
SUGGESTION_FIELDS = ("name", "city", "postal_code", "phones", "url")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)


EMPTY = N_("Vul dit in.")
TOO_LONG = N_("Dit is te lang. Maak het korter.")
NOT_EMAIL = N_("Dit is geen e-mailadres. Laat het veld leeg als je geen antwoord wilt.")


def problems(text: str, email: str, fields: dict | None = None, required: tuple = ()) -> dict[str, str]:
    """field -> what is wrong (a Dutch text the page translates), for a report or suggestion form."""
    found = {}
    if not text.strip():
        found["text"] = EMPTY
    elif len(text) > TEXT_MAX:
        found["text"] = TOO_LONG
    if email and (len(email) > EMAIL_MAX or not _EMAIL.match(email)):
        found["email"] = NOT_EMAIL
    for name, value in (fields or {}).items():
        if len(value) > FIELD_MAX:
            found[name] = TOO_LONG
        elif name in required and not value.strip():
            found[name] = EMPTY
    return found


def submit(db: Database, kind: str, region: str, text: str, email: str = "", entry_id: str = "",
           fields: dict | None = None, now: float | None = None) -> int:
    now = int(now or time.time())
    with db.transaction() as tx:
        purge_emails(tx, now)
        return tx.row("INSERT INTO portal_reports (kind, region, entry_id, body, fields, email, created_at) "
                      "VALUES (:kind, :region, :entry_id, :body, :fields, :email, :now) RETURNING id",
                      kind=kind, region=region, entry_id=entry_id, body=text.strip(),
                      fields=json.dumps(fields or {}, ensure_ascii=False), email=email.strip(), now=now)["id"]


def purge_emails(tx, now: float) -> None:
    """Forget the addresses of reports older than EMAIL_DAYS (handled ones have none already)."""
    tx.rows("UPDATE portal_reports SET email = '' WHERE email <> '' AND created_at < :cutoff",
            cutoff=int(now) - EMAIL_DAYS * 24 * 3600)


def _report(row: dict | None) -> dict | None:
    return row and {**row, "fields": json.loads(row["fields"])}


def waiting(db: Database, regions: list[str] | None, now: float | None = None) -> list[dict]:
    """Open reports and suggestions, oldest first; `regions` None: every region."""
    with db.transaction() as tx:
        purge_emails(tx, now or time.time())
        rows = tx.rows("SELECT * FROM portal_reports WHERE status = 'open' ORDER BY id")
    return [_report(row) for row in rows if regions is None or row["region"] in regions]


def get(db: Database, report_id: int) -> dict | None:
    return _report(db.row("SELECT * FROM portal_reports WHERE id = :id", id=report_id))


def handle(db: Database, report_id: int, status: str, by: str, now: float | None = None) -> None:
    """Accepted or rejected: out of the queue, and the reporter's address forgotten."""
    db.rows("UPDATE portal_reports SET status = :status, handled_at = :now, handled_by = :by, email = '' "
            "WHERE id = :id AND status = 'open'", status=status, now=int(now or time.time()), by=by, id=report_id)
