"""Security headers, the production guard and rate limiting.

Visitors look up health information: a page may talk to no host but ours and the configured
tile server, must not be framed, and must not leak where the visitor came from.
"""
from __future__ import annotations

import functools
import logging
import math
import os
import secrets
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, request
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import Storage, storage_from_string
from werkzeug.exceptions import TooManyRequests
from werkzeug.middleware.proxy_fix import ProxyFix

from .errors import FilterError
from .routing import flag

log = logging.getLogger(__name__)


class ConfigError(RuntimeError):
    """The app is not safe to start with this configuration."""


def _client_key() -> str:
    # Rate limiting needs the address in memory for a minute; it is never logged or stored.
    return request.remote_addr or "unknown"


class SQLiteStorage(Storage):
    """Rate-limit counts in one SQLite file (limits' public Storage interface), so that every
    gunicorn worker and thread on this machine counts the same client alike. Each process and
    thread opens its own connection (none crosses a fork); expired counts are restarted when
    hit and swept at most once a minute. `routekaart-sqlite:///abs/path.sqlite3`.

    A counted request then asks for its count and expiry again, for its X-RateLimit headers:
    those come from the count this thread just made (kept with its key and time), if it is at
    most RECOUNT_SECONDS old, so a request costs one statement, not three."""

    STORAGE_SCHEME = ["routekaart-sqlite"]  # limits registers storages by scheme
    SWEEP_SECONDS = 60.0
    RECOUNT_SECONDS = 1.0
    base_exceptions = sqlite3.Error

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = Path(urlsplit(uri).path)
        self._local = threading.local()
        self._swept = 0.0

    def _db(self) -> sqlite3.Connection:
        if getattr(self._local, "pid", None) != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=OFF")  # a count lost in a power cut costs nothing
            db.execute("CREATE TABLE IF NOT EXISTS counts (key TEXT PRIMARY KEY, count INTEGER NOT NULL, "
                       "expires REAL NOT NULL)")
            self._local.db, self._local.pid = db, os.getpid()
        return self._local.db

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        db = self._db()
        if now - self._swept > self.SWEEP_SECONDS:
            self._swept = now
            db.execute("DELETE FROM counts WHERE expires <= ?", (now,))
        count, expires = db.execute(
            "INSERT INTO counts VALUES (?1, ?2, ?3) ON CONFLICT (key) DO UPDATE SET "
            "count = CASE WHEN expires <= ?4 THEN ?2 ELSE count + ?2 END, "
            "expires = CASE WHEN expires <= ?4 THEN ?3 ELSE expires END RETURNING count, expires",
            (key, amount, now + expiry, now)).fetchone()
        self._local.last = (key, now, count, expires)
        return count

    def _counted(self, key: str) -> tuple[int, float] | None:
        """(count, expires) as now: the count this thread just made, else from the file."""
        now = time.time()
        last = getattr(self._local, "last", None)
        if last and last[0] == key and now - last[1] <= self.RECOUNT_SECONDS and last[3] > now:
            return last[2], last[3]
        return self._db().execute("SELECT count, expires FROM counts WHERE key = ? AND expires > ?",
                                  (key, now)).fetchone()

    def get(self, key: str) -> int:
        row = self._counted(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._counted(key)
        return row[1] if row else time.time()

    def check(self) -> bool:
        return self._db().execute("SELECT 1").fetchone() == (1,)

    def reset(self) -> int | None:
        self._local.last = None
        return self._db().execute("DELETE FROM counts").rowcount

    def clear(self, key: str) -> None:
        self._local.last = None
        self._db().execute("DELETE FROM counts WHERE key = ?", (key,))


class RateLimits:
    """Per-client limits on a few blueprints, counted by the `limits` library in fixed windows in
    RATELIMIT_STORAGE_URI (SQLiteStorage above by default, or any store `limits` knows). Flask-Limiter
    did this before; its bookkeeping per request cost a fifth of a lookup (bench/load.py), for
    features we do not use. A count store that fails lets the request through, logged without its
    key: a broken count must not take the site down."""

    def __init__(self, app: Flask):
        self._storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"], wrap_exceptions=True)
        self._limited: dict[str, tuple[str, frozenset[str] | None, frozenset[str]]] = {}
        self._config = app.config
        app.before_request(self._count)
        app.after_request(self._headers)

    def limit(self, blueprint: Blueprint, setting: str, methods: tuple[str, ...] = (),
              exempt: tuple[str, ...] = ()) -> None:
        """One count per client for `setting` (a limit such as '120 per minute' in the app's config),
        for the blueprint's `methods` (all by default) but its `exempt` endpoints. A limit that
        does not read stops the start, not every request after it."""
        try:
            _parsed(self._config[setting])
        except ValueError:
            raise ConfigError(f"{setting} is geen geldige limiet, zoals '120 per minute': "
                              f"{self._config[setting]!r}") from None
        self._limited[blueprint.name] = (setting, frozenset(methods) or None, frozenset(exempt))

    def _count(self) -> None:
        found = self._limited.get(request.blueprint)
        if found is None or not self._config["RATELIMIT_ENABLED"]:
            return
        setting, methods, exempt = found
        if (methods and request.method not in methods) or request.endpoint in exempt:
            return
        item = _parsed(self._config[setting])
        key = item.key_for(setting, _client_key())
        try:  # a fixed window, as limits' FixedWindowRateLimiter counts it, with the key made once
            count = self._storage.incr(key, item.get_expiry())
            g.rate_limit = (item, self._storage.get_expiry(key), max(0, item.amount - count))
        except StorageError:
            log.warning("rate-limit store failed: request let through")
            return
        if count > item.amount:
            raise TooManyRequests()

    @staticmethod
    def _headers(response):
        """What the count says, on every counted response (and when to try again, on a 429)."""
        if "rate_limit" in g:
            item, reset, remaining = g.rate_limit
            response.headers["X-RateLimit-Limit"] = str(item.amount)
            response.headers["X-RateLimit-Remaining"] = str(remaining)
            response.headers["X-RateLimit-Reset"] = str(math.ceil(reset))
            if response.status_code == 429:
                response.headers["Retry-After"] = str(max(1, math.ceil(reset - time.time())))
        return response


@functools.lru_cache(maxsize=16)
def _parsed(limit: str) -> RateLimitItem:
    return parse(limit)


def limit(app: Flask, blueprint: Blueprint, setting: str = "API_RATE_LIMIT", **which) -> None:
    """Apply a configured per-client limit to a blueprint of this app (see RateLimits.limit). One
    count per setting: all API addresses share API_RATE_LIMIT, the region and the postcode PDF share
    PDF_RATE_LIMIT."""
    app.extensions["routekaart_limits"].limit(blueprint, setting, **which)


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
    """Refuse to run in production with debug on, secrets missing from the environment, or no
    public address: without one, printed sheets would take the site's address from the request's
    Host header, which anyone can set."""
    if app.config["ENV"] != "production":
        return
    if app.debug:
        raise ConfigError("Debug staat aan in productie.")
    if not app.config.get("SECRET_KEY") or len(app.config["SECRET_KEY"]) < 32:
        raise ConfigError("Zet ROUTEKAART_SECRET_KEY (minstens 32 tekens) in de omgeving.")
    public = urlsplit(app.config.get("PUBLIC_URL") or "")
    if public.scheme not in {"http", "https"} or not public.netloc or public.query or public.fragment:
        raise ConfigError("Zet ROUTEKAART_PUBLIC_URL op het openbare adres van de site, "
                          "zoals https://routekaart.nl.")


def switch(config, setting: str, default: bool) -> bool:
    """An on/off setting: from the environment it is text ('false' would be true as text), so it
    reads as a yes/no word or stops the start."""
    value = config.get(setting, default)
    if isinstance(value, bool):
        return value
    try:
        return flag(setting, str(value))
    except FilterError:
        raise ConfigError(f"{setting} moet aan of uit zijn (true of false): {value!r}") from None


def init_app(app: Flask) -> None:
    tile_origin(app.config["TILES_URL"])  # fail at start-up, not on the first page
    check_production(app)
    hops = int(app.config["PROXY_HOPS"])
    if hops:  # behind the TLS proxy the client is the one it names, so limits count per visitor
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.config.setdefault("RATELIMIT_STORAGE_URI", f"routekaart-sqlite://{Path(app.instance_path) / 'ratelimit.sqlite3'}")
    app.config["RATELIMIT_ENABLED"] = switch(app.config, "RATELIMIT_ENABLED", True)
    app.extensions["routekaart_limits"] = RateLimits(app)

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
