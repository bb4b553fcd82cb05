"""The portal's own tables: accounts, sessions, reports and history.

Embedded set-up: one SQLite file under instance/ (PORTAL_DATABASE). With DATABASE_URL: the same
tables in PostgreSQL, made by migrations/002_portal.sql (`routekaart db migrate`). That migration
is the one definition; SQLite gets it with its own word for an auto-numbered key.
Queries are written once, with :name parameters, for both.
"""
from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from ..catalogue.postgis import MIGRATIONS

SCHEMA = MIGRATIONS / "002_portal.sql"
_PARAMETER = re.compile(r"(?<![:\w]):(\w+)")


class Transaction:
    def __init__(self, cursor, postgres: bool):
        self.cursor, self.postgres = cursor, postgres

    def rows(self, sql: str, **params) -> list[dict]:
        if self.postgres:
            sql = _PARAMETER.sub(r"%(\1)s", sql)
        self.cursor.execute(sql, params)
        if self.cursor.description is None:
            return []
        names = [column[0] for column in self.cursor.description]
        return [dict(zip(names, row)) for row in self.cursor.fetchall()]

    def row(self, sql: str, **params) -> dict | None:
        found = self.rows(sql, **params)
        return found[0] if found else None


class Database:
    def __init__(self, config):
        url = config.get("DATABASE_URL") or ""
        self.postgres = url.startswith(("postgresql://", "postgres://"))
        if self.postgres:
            from ..catalogue.postgis import PostgisStore

            self._connection = PostgisStore(url).connection  # one connection per thread and process
        else:
            self.path = Path(config["PORTAL_DATABASE"])
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = self._sqlite()
            try:
                conn.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
                conn.executescript(SCHEMA.read_text(encoding="utf-8").replace(
                    "bigserial PRIMARY KEY", "INTEGER PRIMARY KEY AUTOINCREMENT"))
            finally:
                conn.close()

    def _sqlite(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    @contextmanager
    def transaction(self):
        """All statements inside commit together, or none do."""
        if self.postgres:
            conn = self._connection()
            with conn.transaction(), conn.cursor() as cursor:
                yield Transaction(cursor, True)
            return
        conn = self._sqlite()
        try:
            conn.execute("BEGIN IMMEDIATE")  # one writer at a time, as in PostgreSQL's row locks
            yield Transaction(conn.cursor(), False)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()

    def rows(self, sql: str, **params) -> list[dict]:
        with self.transaction() as tx:
            return tx.rows(sql, **params)

    def row(self, sql: str, **params) -> dict | None:
        with self.transaction() as tx:
            return tx.row(sql, **params)
