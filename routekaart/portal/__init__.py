"""The coordinator portal: accounts and roles, the region's to-do list, editing entries with
history, and the queue of visitors' reports and suggestions (web.py, cli.py).

Set-up for the whole app: CSRF tokens on every form (Flask-WTF), the session cookie's flags,
and the portal's database (db.py).
"""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask, current_app
from flask_wtf.csrf import CSRFProtect

from .db import Database

csrf = CSRFProtect()


def database() -> Database:
    return current_app.extensions["routekaart_portal"]


def init_app(app: Flask) -> None:
    app.config.setdefault("PORTAL_DATABASE", str(Path(app.instance_path) / "portal.sqlite3"))
    # Visitors' reports and suggestions, per client address (kept in memory only, like the API's).
    app.config.setdefault("REPORT_RATE_LIMIT", "5 per 10 minutes")
    app.config.setdefault("LOGIN_RATE_LIMIT", "20 per 10 minutes")
    if not app.config.get("SECRET_KEY"):  # development only: production refuses to start without one
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    production = app.config["ENV"] == "production"
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=production,
        # Pages send no Referer (Referrer-Policy: no-referrer), so Flask-WTF's HTTPS referrer check
        # would refuse every form; the session-bound token and SameSite do the work.
        WTF_CSRF_SSL_STRICT=False)
    from . import cli, web

    app.before_request(web.limit_body)  # before CSRFProtect's hook reads the form
    csrf.init_app(app)
    app.extensions["routekaart_portal"] = _LazyDatabase(app)
    web.init_app(app)
    cli.init_app(app)


class _LazyDatabase:
    """Opened on first use, so that commands that never touch the portal need no database."""

    def __init__(self, app: Flask):
        self.app, self.opened = app, None

    def __getattr__(self, name):
        if self.opened is None:
            self.opened = Database(self.app.config)
        return getattr(self.opened, name)
