"""What the app works out from one loaded dataset, kept with it: the one derived-data layer.

The rule for when something is built:
- a `Derived` belongs to one loaded dataset (`state.AppData`: the geodata plus one version of the
  catalogue, for one app's settings). A new dataset (an import, a rollback, another server
  writing to the database) comes with a new, empty `Derived`: everything is made again from it;
- a part is made when it is first asked for, never before, so start-up stays short whatever the
  catalogue's size; a part made for a `day` is made again when the date changes;
- parts every visitor gets alike are kept whole (`whole`: the coverage figures, the region maps,
  the catalogue counts, shared page texts); parts keyed by what a request asks for (an entry's
  HTML, a filter's mask) are kept in bounded LRU caches (`bounded`), so no stream of distinct
  addresses can grow memory past their sizes.
Each build logs one line with the part's name and how long it took, never a key: a key could
say what a visitor looked up.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from datetime import date
from typing import Callable

import pandas as pd

from . import coverage, maps
from .catalogue.schema import FROM_HOME_KINDS, KINDS
from .geodata.dataset import GeoData

log = logging.getLogger(__name__)
_MISSING = object()


class LRU:
    """The answers of make_many(keys) for the last `size` keys asked for; the least recently used
    is dropped first. Thread-safe; a key asked for twice at once may be made twice (no harm)."""

    def __init__(self, make_many: Callable[[list], list], size: int):
        self._make_many, self._size = make_many, size
        self._kept: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, *key):
        return self.many([key])[0]

    def __len__(self) -> int:
        return len(self._kept)

    def many(self, keys: list) -> list:
        with self._lock:
            found = [self._kept.get(key, _MISSING) for key in keys]
            for key, value in zip(keys, found):
                if value is not _MISSING:
                    self._kept.move_to_end(key)
        missing = list(dict.fromkeys(key for key, value in zip(keys, found) if value is _MISSING))
        if not missing:
            return found
        made = dict(zip(missing, self._make_many(missing)))
        with self._lock:
            self._kept.update(made)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return [made[key] if value is _MISSING else value for key, value in zip(keys, found)]


class Derived:
    def __init__(self, geo: GeoData, entries: pd.DataFrame, tiles_url: str = "", tiles_attribution: str = ""):
        self.geo, self.entries = geo, entries
        self.tiles_url, self.tiles_attribution = tiles_url, tiles_attribution
        self._whole: dict[str, tuple[date | None, object]] = {}
        self._bounded: dict[str, Callable] = {}
        self._lock = threading.RLock()  # a part may ask for another part while it is built

    def whole(self, name: str, make: Callable[[], object], day: date | None = None):
        """What make() returns, made once (per `day` when given: the old day's is dropped).
        `name` comes from the code, never from a request: it is logged."""
        kept = self._whole.get(name)
        if kept is None or kept[0] != day:
            with self._lock:
                kept = self._whole.get(name)
                if kept is None or kept[0] != day:
                    started = time.perf_counter()
                    kept = self._whole[name] = (day, make())
                    log.info("built %s in %.2f s", name, time.perf_counter() - started)
        return kept[1]

    def bounded(self, name: str, make: Callable, size: int) -> "LRU":
        """make, with its answers kept for its last `size` distinct arguments (the least recently
        used is dropped first). Logged once, when the cache starts: its keys are request input."""
        return self.bounded_many(name, lambda keys: [make(*key) for key in keys], size)

    def bounded_many(self, name: str, make_many: Callable[[list], list], size: int) -> "LRU":
        """As bounded, for a maker that is quicker asked for many keys at once (LRU.many)."""
        cached = self._bounded.get(name)
        if cached is None:
            with self._lock:
                cached = self._bounded.get(name)
                if cached is None:
                    cached = self._bounded[name] = LRU(make_many, size)
                    log.info("started %s (at most %s kept)", name, size)
        return cached

    def sizes(self) -> dict[str, int]:
        """How many answers each bounded cache holds now (for tests and bench/)."""
        return {name: len(cached) for name, cached in self._bounded.items()}

    def coverage(self, today: date) -> coverage.Coverage:
        """The insurer figures; staleness depends on the date, so they are made per day."""
        return self.whole("coverage", lambda: coverage.compute(self.geo.pc4, self.geo.regions, self.entries, today),
                          today)

    def region_maps(self) -> dict[str, maps.MapHTML]:
        """Every region's map with its border, all at once (what is kept says nothing about who
        looked up which region)."""
        def make():
            areas = coverage.region_areas(self.geo.regions).simplify(0.001)
            return {code: maps.region_map(code, area.__geo_interface__, self.tiles_url,
                                          self.tiles_attribution) for code, area in areas.items()}

        return self.whole("region maps", make)

    def catalogue_counts(self) -> dict[str, int]:
        """What the catalogue holds now (entries that are not closed), for /wat-helpt."""
        def make():
            active = self.entries[self.entries["status"] != "inactive"]
            counts = active["kind"].value_counts()
            return {**{kind: int(counts.get(kind, 0)) for kind in KINDS},
                    "mgn_regions": active.loc[active["kind"] == "mgn", "zorgkantoorregio"].nunique(),
                    "from_home": int(counts.reindex(FROM_HOME_KINDS).fillna(0).sum()),
                    "naasten": int(active["audience_groups"].str.split(";").map(lambda gs: "naasten" in gs).sum())}

        return self.whole("catalogue counts", make)
