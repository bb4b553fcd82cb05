"""Shared fixtures: the runtime dataset is built once per test run from the real open geodata."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from routekaart import ROOT, create_app, state

GEO_SOURCE = Path(os.environ.get("ROUTEKAART_TEST_GEO_SOURCE", ROOT.parent / "shared" / "data" / "geo"))
SUPPORT_SOURCE = GEO_SOURCE.parent / "support"


@pytest.fixture(scope="session")
def geodata_dir(tmp_path_factory) -> Path:
    from routekaart.geodata.build import build

    if not (GEO_SOURCE / "pc4.csv").is_file():
        pytest.fail(f"open geodata not found at {GEO_SOURCE}; set ROUTEKAART_TEST_GEO_SOURCE")
    out = tmp_path_factory.mktemp("geodata") / "geodata"
    build(GEO_SOURCE, out)
    return out


@pytest.fixture(scope="session")
def app(geodata_dir):
    app = create_app({"TESTING": True, "DATA_DIR": str(geodata_dir), "TILES_URL": "", "RATELIMIT_ENABLED": False,
                      "DATABASE_URL": ""})  # the default file backend, whatever the environment says
    state.reload(app)
    return app


@pytest.fixture(scope="session")
def data(app):
    with app.app_context():
        return state.get()


@pytest.fixture()
def client(app):
    return app.test_client()


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
    # The browser asks for /favicon.ico by itself; the site has none yet, and that 404 is not ours.
    page.on("console", lambda message: message.type == "error" and not message.location.get("url", "").endswith(
        "/favicon.ico") and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    page.close()
