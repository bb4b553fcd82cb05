"""Security headers, the production guard and rate limiting.

Visitors look up health information: a page may talk to no host but ours and the configured
tile server, must not be framed, and must not leak where the visitor came from.
"""
from __future__ import annotations

import secrets
import time
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from limits.storage import MemoryStorage


class ConfigError(RuntimeError):
    """The app is not safe to start with this configuration."""


def _client_key() -> str:
    # Rate limiting needs the address in memory for a minute; it is never logged or stored.
    return request.remote_addr or "unknown"


class QuietMemoryStorage(MemoryStorage):
    """limits' memory storage, minus its clean-up thread. Under load the original starts a new
    thread every 10 ms, and each start makes the request wait for the thread switch (a fifth of
    an API answer's time in a profile). Expired counts are already dropped when read; this
    sweeps the rest at most once a second, in the request itself."""

    STORAGE_SCHEME = ["quiet-memory"]  # limits registers storages by scheme
    SWEEP_SECONDS = 1.0
    _swept = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the private thread starter
        now = time.monotonic()
        if now - self._swept >= self.SWEEP_SECONDS:
            self._swept = now
            self._MemoryStorage__expire_events()


def limit(app: Flask, blueprint, setting: str = "API_RATE_LIMIT") -> None:
    """Apply a configured per-client limit (API_RATE_LIMIT by default) to a blueprint of this app."""
    app.extensions["routekaart_limiter"].limit(lambda: current_app.config[setting])(blueprint)


def tile_origin(tiles_url: str) -> str | None:
    """'https://service.pdok.nl/brt/{z}/{x}/{y}.png' -> 'https://service.pdok.nl'."""
    if not tiles_url:
        return None
    parts = urlsplit(tiles_url.replace("{s}", "a"))
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigError(f"TILES_URL is geen geldig webadres: {tiles_url!r}")
    netloc = parts.netloc.replace("a.", "*.", 1) if "{s}" in tiles_url else parts.netloc
    return f"{parts.scheme}://{netloc}"


def content_security_policy(tiles_url: str, nonce: str) -> str:
    tiles = tile_origin(tiles_url)
    images = "'self' data:" + (f" {tiles}" if tiles else "")
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",  # Leaflet positions map panes with inline styles
        f"img-src {images}",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def csp_nonce() -> str:
    """A fresh nonce per response, for the few inline scripts (the map set-up)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def check_production(app: Flask) -> None:
    """Refuse to run in production with debug on or secrets missing from the environment."""
    if app.config["ENV"] != "production":
        return
    if app.debug:
        raise ConfigError("Debug staat aan in productie.")
    if not app.config.get("SECRET_KEY") or len(app.config["SECRET_KEY"]) < 32:
        raise ConfigError("Zet ROUTEKAART_SECRET_KEY (minstens 32 tekens) in de omgeving.")


def init_app(app: Flask) -> None:
    tile_origin(app.config["TILES_URL"])  # fail at start-up, not on the first page
    check_production(app)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.config.setdefault("RATELIMIT_STORAGE_URI", "quiet-memory://")
    limiter = Limiter(key_func=_client_key, default_limits=[], headers_enabled=True)
    limiter.init_app(app)
    app.extensions["routekaart_limiter"] = limiter

    @app.after_request
    def headers(response):
        response.headers["Content-Security-Policy"] = content_security_policy(
            current_app.config["TILES_URL"], csp_nonce())
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Permissions-Policy"] = "geolocation=(), camera=(), microphone=()"
        response.headers.setdefault("Cache-Control", "no-store")
        return response
