"""The data a running app serves: the built geodata and the placed catalogue, loaded once."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from . import catalogue
from .geodata import build, dataset, sources
from .routing import Router


@dataclass
class AppData:
    geo: dataset.GeoData
    catalogue: catalogue.Catalogue
    router: Router


_lock = threading.Lock()


def ensure_dataset(config) -> Path:
    """Build the runtime dataset on first start when a source is configured."""
    out = Path(config["DATA_DIR"])
    if (out / "meta.json").is_file():
        return out
    source = config["GEO_SOURCE"]
    if not source:
        raise dataset.DatasetMissing(
            f"Geen dataset in {out}. Zet ROUTEKAART_GEO_SOURCE op een map met open geodata "
            "(of op 'download'), of draai `routekaart data build --source MAP`.")
    if source == "download":
        source = sources.download(out.with_name(out.name + "-source"))
    build.build(Path(source), out)
    return out


def load(config) -> AppData:
    geo = dataset.load(ensure_dataset(config))
    entries = catalogue.load(Path(config["CATALOGUE_DIR"]), geo)
    return AppData(geo, entries, Router(geo, entries.entries))


def get() -> AppData:
    """The app's data, loaded on first use so that maintenance commands work without it."""
    data = current_app.extensions.get("routekaart")
    if data is None:
        with _lock:
            data = current_app.extensions.get("routekaart")
            if data is None:
                data = current_app.extensions["routekaart"] = load(current_app.config)
    return data


def reload(app: Flask) -> AppData:
    with app.app_context():
        app.extensions["routekaart"] = load(app.config)
        return app.extensions["routekaart"]


def init_app(app: Flask) -> None:
    app.extensions.setdefault("routekaart", None)
