"""Helpers for the portal tests: an app on a copy of the catalogue, accounts, log-ins with a TOTP code."""
from __future__ import annotations

import re
import shutil
import time

import pyotp

from routekaart import ROOT, create_app, state
from routekaart.portal import accounts, database

# Obviously fictitious accounts.
ADMIN = "beheerder@voorbeeld.invalid"
COORDINATOR = "coordinator@voorbeeld.invalid"
OTHER = "andere.regio@voorbeeld.invalid"
REVIEWER = "meelezer@voorbeeld.invalid"
PASSWORD = "correct paard batterij niet echt"


def portal_app(tmp_path, geodata_dir, database_url: str = "", **config):
    folder = tmp_path / "regions"
    shutil.copytree(ROOT / "regions", folder, ignore=shutil.ignore_patterns(".history"))
    app = create_app({"TESTING": True, "DATA_DIR": str(geodata_dir), "TILES_URL": "", "RATELIMIT_ENABLED": False,
                      "CATALOGUE_DIR": str(folder), "DATABASE_URL": database_url,
                      "PORTAL_DATABASE": str(tmp_path / "portal.sqlite3"), **config})
    if database_url:
        from routekaart.catalogue.store import open_store, replace_all
        from routekaart.catalogue import files, placement

        data = state.reload(app)
        replace_all(open_store(app.config), placement.place(files.read_all(folder), data.geo)[0])
    state.reload(app)
    return app


def make_user(app, email: str, role: str, regions=()) -> str:
    """A ready account; returns its TOTP secret ('' for a reviewer). Set up 90 s ago, so that a
    log-in now uses a newer code than the set-up did."""
    with app.app_context():
        token = accounts.add(database(), email, role, list(regions))
        secret = accounts.new_totp_secret() if role != "reviewer" else ""
        then = time.time() - 90
        accounts.accept(database(), token, PASSWORD, secret, pyotp.TOTP(secret).at(then) if secret else "", now=then)
    return secret


def csrf_token(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(client, email: str, secret: str, password: str = PASSWORD):
    token = csrf_token(client, "/beheer/inloggen")
    return client.post("/beheer/inloggen", data={"csrf_token": token, "email": email, "password": password,
                                                 "code": pyotp.TOTP(secret).now() if secret else ""})


def post(client, path: str, data: dict | None = None, form_path: str | None = None, **kwargs):
    """POST with the CSRF token of this client's session (taken from a form page)."""
    return client.post(path, data={"csrf_token": csrf_token(client, form_path or "/beheer/inloggen"),
                                   **(data or {})}, **kwargs)
