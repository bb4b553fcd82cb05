"""The data a running app serves: the built geodata and the placed catalogue.

The geodata is loaded once. The catalogue is reloaded when its store says it changed (an import
through the CLI, perhaps for another server on the same database); the app asks the store at
most once every CHECK_SECONDS per process, so a lookup costs the same as before. What is worked
out from the data (maps, figures, page parts) lives in its `derived` layer (derived.py), which
goes with it: a reload starts an empty one.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from flask import Flask, current_app

from . import catalogue, checklist
from .catalogue.schema import COLUMNS
from .catalogue.store import Store, open_store
from .derived import Derived
from .geodata import build, dataset, download, sources
from .routing import Router

CHECK_SECONDS = 1.0


@dataclass
class AppData:
    geo: dataset.GeoData
    catalogue: catalogue.Catalogue
    router: Router
    store: Store
    version: object  # the store's version this catalogue was read at
    region_versions: dict  # and each region's, to read only the changed regions on a reload
    checked: float  # time.monotonic() of the last version check
    derived: Derived  # what is worked out from this data, made on first use (see derived.py)


_lock = threading.Lock()


def ensure_dataset(config) -> Path:
    """Build the runtime dataset on first start: from ROUTEKAART_GEO_SOURCE, the local open-data
    folder, or the official data (downloaded once into the instance folder, with progress on stderr)."""
    out = Path(config["DATA_DIR"])
    if (out / "meta.json").is_file():
        return out
    try:
        build.build(download.source_folder(config), out, say=download.say_stderr)
    except sources.SourceError as error:
        raise dataset.DatasetMissing(f"Geen dataset in {out}, en de open geodata is niet te lezen of op te "
                                     f"halen: {error}") from None
    return out


def load(config, geo: dataset.GeoData | None = None, store: Store | None = None,
         previous: AppData | None = None) -> AppData:
    """The data from the store. Given the data loaded before, only the regions written since are
    read, and only changed entries placed: a worker reloads a national catalogue in about a second."""
    geo = geo or dataset.load(ensure_dataset(config))
    store = store or open_store(config)
    version = store.version()  # before reading: a write during the read shows as a change next time
    versions = store.region_versions()
    stored = store.read_all() if previous is None else _reread(store, previous, versions)
    entries = catalogue.load(stored, geo, previous and previous.catalogue)
    derived = Derived(geo, entries.entries, config.get("TILES_URL", ""), config.get("TILES_ATTRIBUTION", ""))
    router = Router(geo, entries.entries, store.nearest, derived)
    for step, ids in checklist.missing(router).items():
        logging.getLogger(__name__).warning("checklist step %s names entries the catalogue lacks: %s", step,
                                            ", ".join(ids))
    return AppData(geo, entries, router, store, version, versions, time.monotonic(), derived)


def _reread(store: Store, previous: AppData, versions: dict) -> pd.DataFrame:
    """The stored entries as `read_all` gives them (regions in code order, each in stored order),
    with the unchanged regions taken from the previous load."""
    changed = [code for code, token in sorted(versions.items()) if previous.region_versions.get(code) != token]
    kept = previous.catalogue.entries[COLUMNS]
    kept = kept[kept["zorgkantoorregio"].isin(versions) & ~kept["zorgkantoorregio"].isin(changed)]
    both = pd.concat([kept, *(store.read_region(code) for code in changed)], ignore_index=True)
    return both.iloc[np.argsort(both["zorgkantoorregio"].to_numpy(str), kind="stable")].reset_index(drop=True)


def get() -> AppData:
    """The app's data, loaded on first use so that maintenance commands work without it."""
    data = current_app.extensions.get("routekaart")
    if data is None:
        with _lock:
            data = current_app.extensions.get("routekaart")
            if data is None:
                data = current_app.extensions["routekaart"] = load(current_app.config)
    elif time.monotonic() - data.checked > CHECK_SECONDS:
        data = _refresh()
    return data


def _refresh() -> AppData:
    """Reload the catalogue if the store changed; on a failure keep serving what we have."""
    with _lock:
        data = current_app.extensions["routekaart"]
        if time.monotonic() - data.checked <= CHECK_SECONDS:
            return data
        data.checked = time.monotonic()
        try:
            if data.store.version() != data.version:
                data = current_app.extensions["routekaart"] = load(current_app.config, data.geo, data.store, data)
        except Exception:  # noqa: BLE001 - a visitor still gets the catalogue we have
            logging.getLogger(__name__).exception("catalogue reload failed; serving the loaded version")
        return data


def reload(app: Flask) -> AppData:
    with app.app_context():
        app.extensions["routekaart"] = load(app.config)
        return app.extensions["routekaart"]


def init_app(app: Flask) -> None:
    app.extensions.setdefault("routekaart", None)
