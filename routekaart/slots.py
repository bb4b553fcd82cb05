"""A bound on costly work across every process and thread on this machine (PDF renders).

One lock file per slot, taken with flock: such a lock belongs to an open file, so it bounds
gunicorn's workers and the dev server's threads alike, and the kernel frees it when its holder
dies, so a worker killed in the middle of a render never keeps a slot. No waiting: when every
slot is taken the caller hears so at once and can answer 503.
"""
from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Busy(Exception):
    """Every slot is taken."""


@contextmanager
def slot(folder: Path, count: int) -> Iterator[None]:
    """Hold one of `count` slots in `folder` for the duration of the block, or raise Busy."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        handle = (folder / f"{number}.lock").open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        try:
            yield
        finally:
            handle.close()  # closing the file frees the slot
        return
    raise Busy
