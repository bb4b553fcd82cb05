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
    app = create_app({"TESTING": True, "DATA_DIR": str(geodata_dir), "TILES_URL": "", "RATELIMIT_ENABLED": False})
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
