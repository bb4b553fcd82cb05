"""Routekaart wachttijdondersteuning: what you can do while you wait for ggz care."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    # Runtime dataset built from open geodata (git-ignored); see `routekaart data build`.
    "DATA_DIR": None,  # default: <instance>/geodata
    # Source folder with the open geodata, or "download" for the official sources. Empty: the
    # local folder ../shared/data/geo when it is there, else the official data, downloaded once.
    "GEO_SOURCE": "",
    # http://host:port: every download request goes to {mirror}/{publisher host}{path}?{query}.
    "DOWNLOAD_MIRROR": "",
    "CATALOGUE_DIR": str(ROOT / "regions"),
    # postgresql://... keeps the catalogue in PostGIS (several app servers); empty: the files above.
    "DATABASE_URL": "",
    # Map tiles: the only third-party host a page may use. Empty string: no tiles.
    "TILES_URL": "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png",
    "TILES_ATTRIBUTION": "Kaart: <a href=\"https://www.pdok.nl\">PDOK</a> BRT-Achtergrondkaart (Kadaster)",
    # Where visitors report a mistake in an entry: a mailto: or https: address; "{id}" is replaced by
    # the entry's id. Empty: the site's own page /melden/<id>, which says how to check and report.
    # A printed checklist gives the address without an id (empty: the site).
    "REPORT_URL": "",
    # ROUTEKAART_ENV=production turns on the start-up checks in routekaart.security.
    "ENV": "development",
    "SECRET_KEY": None,
    # Per client address, on the JSON API; the address is kept in memory only.
    "API_RATE_LIMIT": "120 per minute",
    # PDFs take a second of CPU each; per client address, like the API limit. The region and the
    # postcode PDF share one count.
    "PDF_RATE_LIMIT": "10 per minute",
    # How many PDFs are rendered at once on this machine, over all workers; more get a quick 503.
    "PDF_RENDERS": str(max(1, (os.cpu_count() or 2) // 2)),
    # How many proxies in front of the app (the TLS proxy) may say who the client is (X-Forwarded-For).
    "PROXY_HOPS": "0",
    # The site's public address, for QR codes on printed sheets. Empty: the host of the request.
    "PUBLIC_URL": "",
}


def create_app(config: dict | None = None) -> Flask:
    from .web import App

    app = App(__name__, instance_relative_config=True, static_folder=str(ROOT / "static"),
              template_folder="web/templates")
    app.config.from_mapping(DEFAULTS, DATABASE_URL=os.environ.get("DATABASE_URL", ""))
    app.config.from_prefixed_env("ROUTEKAART", loads=str)
    if config:
        app.config.update(config)
    app.config["DATA_DIR"] = app.config["DATA_DIR"] or str(Path(app.instance_path) / "geodata")

    from . import cli, i18n, logs, portal, security, state, web

    security.init_app(app)
    logs.init_app(app)
    i18n.init_app(app)
    state.init_app(app)
    web.init_app(app)
    portal.init_app(app)
    cli.init_app(app)
    if app.config["ENV"] == "production":
        logs.configure()
        with app.app_context():
            state.get()  # load before forking workers, and fail now rather than on a visitor
    return app
