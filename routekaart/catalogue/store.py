"""Where the catalogue lives, behind one interface: files in `regions/` (the default, no server)
or PostGIS (when DATABASE_URL is a postgresql:// address, for several app servers).

Both replace a region's entries all at once, keep the version they replace, and can restore it;
`version()` is a cheap token that changes with every write, so a running app notices imports;
`region_versions()` says which regions changed, so it reads only those.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Protocol

import pandas as pd

from . import files
from .schema import normalise

HISTORY = ".history"  # inside the catalogue folder, git-ignored


class NoHistory(LookupError):
    pass


@dataclass(frozen=True)
class Version:
    """A kept earlier version of one region's entries."""

    id: str
    saved: datetime
    rows: int


class Store(Protocol):
    # (x, y, limit, max_metres) -> (ids, metres) of placed entries, nearest first (a database's
    # KNN index); None: the Router works it out in memory
    nearest: Callable | None

    def read_all(self) -> pd.DataFrame: ...
    def read_region(self, code: str) -> pd.DataFrame: ...
    def replace_region(self, code: str, frame: pd.DataFrame) -> None: ...
    def history(self, code: str) -> list[Version]: ...
    def restore(self, code: str, version_id: str) -> pd.DataFrame: ...
    def version(self) -> object: ...
    def region_versions(self) -> dict[str, object]: ...  # region -> a token that changes with its every write


def open_store(config) -> Store:
    url = config.get("DATABASE_URL") or ""
    if url.startswith(("postgresql://", "postgres://")):
        from .postgis import PostgisStore

        return PostgisStore(url)
    return FileStore(Path(config["CATALOGUE_DIR"]))


def rollback(store: Store, code: str, version_id: str | None = None) -> Version:
    """Put back an earlier version (default: the newest kept one). The current entries are kept
    as a version first, so a rollback can itself be undone."""
    versions = store.history(code)
    chosen = next((v for v in versions if version_id in (None, v.id)), None)
    if chosen is None:
        raise NoHistory(f"Geen eerdere versie{'' if version_id is None else ' ' + version_id} van {code}.")
    store.replace_region(code, store.restore(code, chosen.id))
    return chosen


def replace_all(store: Store, frame: pd.DataFrame) -> dict[str, int]:
    """Write every region of `frame` (used by `db load` and the tests); rows per region."""
    counts = {}
    for code, rows in frame.groupby("zorgkantoorregio", sort=True):
        store.replace_region(code, rows)
        counts[code] = len(rows)
    return counts


class FileStore:
    """regions/*.csv; each write is an atomic file replacement, the old file kept in .history/."""

    nearest = None

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def read_all(self) -> pd.DataFrame:
        return files.read_all(self.folder)

    def read_region(self, code: str) -> pd.DataFrame:
        path = files.region_files(self.folder).get(code)
        return normalise(files.read_file(path).assign(zorgkantoorregio=code) if path else pd.DataFrame())

    def replace_region(self, code: str, frame: pd.DataFrame) -> None:
        path = files.file_for(self.folder, code)
        if path.exists():
            kept = self.folder / HISTORY / code / f"{datetime.now():%Y%m%dT%H%M%S%f}.csv"
            kept.parent.mkdir(parents=True, exist_ok=True)
            old = path.read_text(encoding="utf-8")
            files.replace_atomic(kept, lambda out: out.write(old))
        files.write_atomic(path, frame)

    def _kept(self, code: str) -> list[Path]:
        return sorted((self.folder / HISTORY / code).glob("*.csv"), reverse=True)

    def history(self, code: str) -> list[Version]:
        return [Version(path.stem, datetime.strptime(path.stem, "%Y%m%dT%H%M%S%f"), len(files.read_file(path)))
                for path in self._kept(code)]

    def restore(self, code: str, version_id: str) -> pd.DataFrame:
        return files.read_file(self.folder / HISTORY / code / f"{version_id}.csv")

    def version(self) -> tuple:
        """Modification times of the folder and its files: a few stat calls."""
        paths = [self.folder, *files.region_files(self.folder).values()]
        return tuple(os.stat(path).st_mtime_ns for path in paths)

    def region_versions(self) -> dict[str, tuple]:
        """A file's modification time and inode: every write replaces the file."""
        return {code: (stat.st_mtime_ns, stat.st_ino) for code, stat in
                ((code, os.stat(path)) for code, path in files.region_files(self.folder).items())}
