"""The catalogue in PostGIS (DATABASE_URL=postgresql://...), for several app servers on one database.

Same interface as FileStore (see store.py). A region is replaced in one transaction that also
keeps the old rows in entry_versions and bumps catalogue_version; the nearest walk-ins are found
by the database with the GiST index (`ORDER BY geom <-> point`). Schema: migrations/*.sql.
"""
from __future__ import annotations

import io
import json
import os
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg

from .. import ROOT
from .schema import COLUMNS, normalise
from .store import Version

MIGRATIONS = ROOT / "migrations"
_COLUMNS = ", ".join(COLUMNS)
_POINT = "ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 28992)"
_NEAREST = f"""
    SELECT id, geom <-> {_POINT} AS metres FROM entries
    WHERE geom IS NOT NULL AND (%(max_m)s::float8 IS NULL OR ST_DWithin(geom, {_POINT}, %(max_m)s::float8))
    ORDER BY geom <-> {_POINT} LIMIT %(limit)s"""
# Connections a parent process opened (gunicorn preloads, then forks): a child never uses them,
# and never lets them be closed either, which would end the parent's session.
_inherited: list = []


def migrate(url: str, folder: Path = MIGRATIONS) -> list[str]:
    """Apply the migrations not yet applied, each in its own transaction, in file-name order."""
    applied = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                     "(name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
        for path in sorted(Path(folder).glob("*.sql")):
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(hashtext('routekaart-migrate'))")
                if conn.execute("SELECT 1 FROM schema_migrations WHERE name = %s", [path.name]).fetchone():
                    continue
                conn.execute(path.read_text(encoding="utf-8"))
                conn.execute("INSERT INTO schema_migrations (name) VALUES (%s)", [path.name])
                applied.append(path.name)
    return applied


def drop_tables(url: str) -> None:
    """Every table of ours gone, PostGIS's own kept: a throwaway database for the tests and benches."""
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'")]
        if tables:
            conn.execute(f"DROP TABLE {', '.join(tables)} CASCADE")


class PostgisStore:
    def __init__(self, url: str):
        self.url = url
        self._local = threading.local()

    def connection(self) -> psycopg.Connection:
        """One connection per thread and process, opened on first use."""
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid != os.getpid():
            _inherited.append(conn)
            conn = None
        if conn is None or conn.closed:
            conn = self._local.conn = psycopg.connect(self.url, autocommit=True)
            self._local.pid = os.getpid()
        return conn

    def _frame(self, sql: str, params=()) -> pd.DataFrame:
        rows = self.connection().execute(sql, params).fetchall()
        return normalise(pd.DataFrame(rows, columns=COLUMNS))

    def read_all(self) -> pd.DataFrame:
        """Every entry, as CSV from COPY read by pandas' parser: a worker reloads a national
        catalogue after an import in a fraction of the time that building it from rows takes."""
        buffer = io.BytesIO()
        with self.connection().cursor() as cursor, cursor.copy(
                f'COPY (SELECT {_COLUMNS} FROM entries ORDER BY zorgkantoorregio COLLATE "C", id COLLATE "C") '
                "TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
            for block in copy:
                buffer.write(block)
        buffer.seek(0)
        return normalise(pd.read_csv(buffer, dtype=str, keep_default_na=False, encoding="utf-8"))

    def read_region(self, code: str) -> pd.DataFrame:
        return self._frame(f'SELECT {_COLUMNS} FROM entries WHERE zorgkantoorregio = %s ORDER BY id COLLATE "C"',
                           [code])

    def replace_region(self, code: str, frame: pd.DataFrame) -> None:
        """In one transaction: keep the current rows as a version, write the new ones, bump the version."""
        rows = normalise(frame.assign(zorgkantoorregio=code)).sort_values("id")
        x = frame["x"].reindex(rows.index) if "x" in frame else pd.Series(np.nan, index=rows.index)
        y = frame["y"].reindex(rows.index) if "y" in frame else pd.Series(np.nan, index=rows.index)
        points = [None if pd.isna(a) or pd.isna(b) else f"SRID=28992;POINT({a} {b})" for a, b in zip(x, y)]
        conn = self.connection()
        with conn.transaction(), conn.cursor() as cursor:
            cursor.execute("SELECT version FROM catalogue_version FOR UPDATE")  # one writer at a time
            cursor.execute("""
                INSERT INTO entry_versions (region, rows)
                SELECT %(code)s, jsonb_agg(to_jsonb(e) - 'geom'
                       || jsonb_build_object('x', ST_X(e.geom), 'y', ST_Y(e.geom)) ORDER BY e.id)
                FROM entries e WHERE zorgkantoorregio = %(code)s HAVING count(*) > 0""", {"code": code})
            cursor.execute("DELETE FROM entries WHERE zorgkantoorregio = %s", [code])
            with cursor.copy(f"COPY entries ({_COLUMNS}, geom) FROM STDIN") as copy:
                for values, point in zip(rows.itertuples(index=False), points):
                    copy.write_row([*values, point])
            cursor.execute("UPDATE catalogue_version SET version = version + 1")
            cursor.execute("""
                INSERT INTO region_versions (region, version) SELECT %s, version FROM catalogue_version
                ON CONFLICT (region) DO UPDATE SET version = excluded.version""", [code])

    def history(self, code: str) -> list[Version]:
        rows = self.connection().execute(
            "SELECT id, saved_at, jsonb_array_length(rows) FROM entry_versions WHERE region = %s ORDER BY id DESC",
            [code]).fetchall()
        return [Version(str(version_id), saved.replace(tzinfo=None), count) for version_id, saved, count in rows]

    def restore(self, code: str, version_id: str) -> pd.DataFrame:
        """The rows of a kept version, with their points (x, y) as they were."""
        (rows,) = self.connection().execute(
            "SELECT rows FROM entry_versions WHERE region = %s AND id = %s", [code, int(version_id)]).fetchone()
        frame = pd.DataFrame(rows if isinstance(rows, list) else json.loads(rows))
        return normalise(frame).assign(x=pd.to_numeric(frame["x"]), y=pd.to_numeric(frame["y"]))

    def version(self) -> int:
        return self.connection().execute("SELECT version FROM catalogue_version").fetchone()[0]

    def region_versions(self) -> dict[str, int]:
        return dict(self.connection().execute("SELECT region, version FROM region_versions").fetchall())

    def nearest(self, x: float, y: float, limit: int, max_m: float | None) -> tuple[list, list]:
        """The `limit` placed entries nearest to (x, y) in RD New metres, nearest first."""
        rows = self.connection().execute(_NEAREST, {"x": x, "y": y, "limit": limit, "max_m": max_m}).fetchall()
        return [row[0] for row in rows], [row[1] for row in rows]
