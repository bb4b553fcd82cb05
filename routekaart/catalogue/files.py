"""The default catalogue storage: one CSV per zorgkantoorregio in `regions/`, plus `landelijk.csv`.

One file per region lets a regional coordinator review their region in one spreadsheet.
Writes are atomic (temporary file, fsync, rename) so a crash never leaves half a file, and a
replaced file keeps its mode (a new one gets what the umask gives), so whoever could read the
catalogue still can. Every CSV goes through the spreadsheet rule (spreadsheet.py) both ways.
"""
from __future__ import annotations

import os
import re
import secrets
import stat
import unicodedata
from pathlib import Path

import pandas as pd

from . import spreadsheet
from .schema import COLUMNS, NATIONAL, normalise

_FILE = re.compile(r"^(ZK\d{2}|landelijk)(-.*)?\.csv$")


def slug(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def region_files(folder: Path) -> dict[str, Path]:
    """region code -> its file; the national file is under 'landelijk'."""
    files = {}
    for path in sorted(Path(folder).glob("*.csv")):
        match = _FILE.match(path.name)
        if match:
            files[match.group(1)] = path
    return files


def file_for(folder: Path, region: str, name: str | None = None) -> Path:
    existing = region_files(folder).get(region)
    if existing:
        return existing
    suffix = f"-{slug(name)}" if name and region != NATIONAL else ""
    return Path(folder) / f"{region}{suffix}.csv"


def read_file(path: Path) -> pd.DataFrame:
    """A catalogue file. One written before `schedule_note` existed (a version kept in .history)
    holds the opening hours in words in `schedule`: they are read as the note they are."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    if "schedule_note" not in frame and "schedule" in frame:
        frame = frame.rename(columns={"schedule": "schedule_note"})
    return normalise(spreadsheet.unprotect(frame))


def read_all(folder: Path) -> pd.DataFrame:
    """Every entry, with `zorgkantoorregio` taken from the file it lives in."""
    frames = [read_file(path).assign(zorgkantoorregio=code) for code, path in region_files(folder).items()]
    if not frames:
        return normalise(pd.DataFrame(columns=COLUMNS))
    return pd.concat(frames, ignore_index=True)


def _keep_mode(handle: int, path: Path) -> None:
    """Give the new file the mode of the file it replaces, if there is one."""
    try:
        os.fchmod(handle, stat.S_IMODE(os.stat(path).st_mode))
    except FileNotFoundError:
        pass


def replace_atomic(path: Path, write) -> None:
    """Put a new file at `path` all at once: `write(handle)` fills a temporary file in the same
    folder, which is synced and renamed over `path`, and the folder is synced. A crash at any
    moment leaves the old file or the new one, never a mix."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    # Made as open() makes files (0666 less the umask), not 0600 as mkstemp would; O_EXCL: ours alone.
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            _keep_mode(out.fileno(), path)
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    """Any table as a CSV for spreadsheets: formula starts neutralised, written atomically."""
    safe = spreadsheet.protect(frame)
    replace_atomic(path, lambda out: safe.to_csv(out, index=False))


def write_atomic(path: Path, frame: pd.DataFrame) -> None:
    write_csv(path, normalise(frame).sort_values("id"))


def removed_ids(folder: Path) -> set[str]:
    """Seed ids taken out on purpose, listed in `provenance/removed.csv` (id, date, by, reason),
    so the provenance check tells a deliberate removal from a lost row."""
    path = Path(folder) / "provenance" / "removed.csv"
    if not path.is_file():
        return set()
    return set(pd.read_csv(path, dtype=str, keep_default_na=False)["id"])
