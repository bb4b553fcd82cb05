"""Shared fixtures: the runtime dataset is built once per test run from the real open geodata."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from routekaart import ROOT, create_app, state
from routekaart.catalogue.schema import OPEN_STATUSES
from routekaart.catalogue.store import open_store, replace_all

GEO_SOURCE = Path(os.environ.get("ROUTEKAART_TEST_GEO_SOURCE", ROOT.parent / "shared" / "data" / "geo"))
SUPPORT_SOURCE = GEO_SOURCE.parent / "support"
# The PostGIS test database. Taken out of the environment so that every other app a test makes
# uses the default file backend; PostGIS tests pass it on explicitly.
TEST_DATABASE_URL = os.environ.pop("DATABASE_URL", "")


@pytest.fixture(scope="session")
def geodata_dir(tmp_path_factory) -> Path:
    from routekaart.geodata.build import build

    if not (GEO_SOURCE / "pc4.csv").is_file():
        pytest.fail(f"open geodata not found at {GEO_SOURCE}; set ROUTEKAART_TEST_GEO_SOURCE")
    out = tmp_path_factory.mktemp("geodata") / "geodata"
    build(GEO_SOURCE, out)
    return out


@pytest.fixture(scope="session")
def app(geodata_dir, tmp_path_factory):
    app = create_app({"TESTING": True, "DATA_DIR": str(geodata_dir), "TILES_URL": "", "RATELIMIT_ENABLED": False,
                      "PORTAL_DATABASE": str(tmp_path_factory.mktemp("portal") / "portal.sqlite3")})
    state.reload(app)
    return app


@pytest.fixture(scope="session")
def data(app):
    with app.app_context():
        return state.get()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def mgn_region(data) -> tuple[str, str]:
    """A region the catalogue gives an open mentaal gezondheidsnetwerk for all its gemeenten, with
    that network's name."""
    entries = data.catalogue.entries
    network = entries[(entries["kind"] == "mgn") & entries["status"].isin(OPEN_STATUSES)
                      & (entries["area_basis"] == "region")].iloc[0]
    return network["zorgkantoorregio"], network["name"]


@pytest.fixture(scope="session")
def large_app(tmp_path_factory, geodata_dir, data):
    """An app on the committed catalogue plus 5,000 fictitious walk-ins at real PC4 points (many
    sharing one point, so equally far), in a copy of regions/: the catalogue at a national scale."""
    import numpy as np
    import pandas as pd

    from routekaart.catalogue import files
    from routekaart.catalogue.schema import WALK_IN_KINDS

    folder = tmp_path_factory.mktemp("large") / "regions"
    shutil.copytree(ROOT / "regions", folder, ignore=shutil.ignore_patterns(".history"))
    n, rng = 5000, np.random.default_rng(11)
    pc4 = data.geo.pc4.iloc[rng.integers(0, len(data.geo.pc4), n)]
    extra = pd.DataFrame({
        "id": [f"testpunt-voorbeeld-{i}" for i in range(n)], "name": [f"Testpunt Voorbeeld {i}" for i in range(n)],
        "kind": rng.choice(WALK_IN_KINDS, n), "status": rng.choice(["active", "inactive"], n, p=[0.9, 0.1]),
        "audience_groups": rng.choice(["volwassenen", "jongeren", "volwassenen;naasten"], n),
        "free": rng.choice(["ja", ""], n), "referral_needed": rng.choice(["nee", ""], n), "scope": "lokaal",
        "zorgkantoorregio": pc4["region_code"].to_numpy(), "location_type": "physical",
        "postal_code": pc4.index.to_numpy() + " ZZ", "gemeente": pc4["gemeente"].to_numpy(),
        "description": "Bestaat niet: een testitem.", "source_url": "https://example.org/testpunt"})
    for code, rows in extra.groupby("zorgkantoorregio"):
        path = files.file_for(folder, code)
        files.write_atomic(path, pd.concat([files.read_file(path), rows]) if path.exists() else rows)
    app = create_app({"TESTING": True, "DATA_DIR": str(geodata_dir), "CATALOGUE_DIR": str(folder), "TILES_URL": "",
                      "RATELIMIT_ENABLED": False})
    state.reload(app)
    return app


@pytest.fixture()
def api_schema(app):
    import schemathesis

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture(scope="session")
def base_url(app):
    """The app on a real local HTTP server, for the browser tests."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from .chromium import ARGS, CHROMIUM

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found; run .ci/install-system.sh")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, base_url):
    """A page that records every request and every console error (CSP violations show there)."""
    page = browser.new_page()
    page.requests, page.errors = [], []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    page.close()


def postgis_url() -> str:
    """The test database (DATABASE_URL); PostGIS tests skip without one, unless CI requires it."""
    url = TEST_DATABASE_URL
    if not url.startswith("postgresql://"):
        if os.environ.get("ROUTEKAART_REQUIRE_POSTGIS") == "1":
            pytest.fail("ROUTEKAART_REQUIRE_POSTGIS=1 but DATABASE_URL is not a postgresql:// address")
        pytest.skip("no DATABASE_URL: start one with eval \"$(bash .ci/postgres.sh start)\"")
    return url


def fresh_database() -> str:
    """The test database with the tables dropped and the migrations applied anew."""
    from routekaart.catalogue.postgis import drop_tables, migrate

    url = postgis_url()
    drop_tables(url)
    migrate(url)
    return url


@pytest.fixture(params=["files", "postgis"])
def store_config(request, tmp_path, data) -> dict:
    """App config for a fresh copy of the committed catalogue, in files or in PostGIS."""
    folder = tmp_path / "regions"
    shutil.copytree(ROOT / "regions", folder, ignore=shutil.ignore_patterns(".history"))
    if request.param == "files":
        return {"CATALOGUE_DIR": str(folder), "DATABASE_URL": ""}
    url = fresh_database()
    replace_all(open_store({"DATABASE_URL": url}), data.catalogue.entries)
    return {"CATALOGUE_DIR": str(folder), "DATABASE_URL": url}


@pytest.fixture()
def store(store_config):
    return open_store(store_config)


@pytest.fixture()
def store_app(store_config, geodata_dir):
    """An app on that catalogue (for its CLI and its pages)."""
    return create_app({"TESTING": True, "DATA_DIR": str(geodata_dir), "TILES_URL": "", "RATELIMIT_ENABLED": False,
                       "PORTAL_DATABASE": str(Path(store_config["CATALOGUE_DIR"]).parent / "portal.sqlite3"),
                       **store_config})


@pytest.fixture(scope="session")
def tiny_geo(tmp_path_factory):
    """The fictitious country of tests/tiny_country.py, built as the real data is (no national data needed)."""
    from routekaart.geodata import build, dataset

    from .tiny_country import write_source

    folder = tmp_path_factory.mktemp("tiny")
    build.build(write_source(folder / "source"), folder / "geodata")
    return dataset.load(folder / "geodata")
