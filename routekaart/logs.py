"""Structured logs that never hold a postcode, a query string or a client address.

Each request is logged once, as JSON, by its route *pattern* ('/route/<postcode>'), never by
the path the visitor typed. The servers around the app (gunicorn's workers, Werkzeug's dev
server) name the client address, the request line or the URI when a request
fails or is refused; `Private` cuts their lines down to the leading words.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time

from flask import Flask, g, request
from werkzeug.serving import WSGIRequestHandler

ACCESS = logging.getLogger("routekaart.access")

# Loggers we do not write that see requests (gunicorn's worker: see gunicorn.conf.py).
FOREIGN = ("werkzeug",)
# Where a line's details begin: a value, a colon, "from ip=", an opening bracket.
DETAILS = re.compile(r"%|:| from |\(|\{")


class Private(logging.Filter):
    """'Invalid request from ip=127.0.0.1: ... GET /route/3511AB' -> 'Invalid request': the lines
    of the given loggers (all, without names) keep their leading words only. On a handler it sees
    the lines of every logger that reaches it; on a logger, that logger's own lines."""

    def __init__(self, loggers: tuple[str, ...] | None = None):
        super().__init__()
        self.loggers = loggers

    def filter(self, record: logging.LogRecord) -> bool:
        if self.loggers is None or record.name in self.loggers:
            record.msg = DETAILS.split(str(record.msg), maxsplit=1)[0].strip() or record.name
            record.args = ()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                 "logger": record.name, "message": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = record.exc_info[0].__name__  # the type only: a traceback may hold input
        return json.dumps(entry, ensure_ascii=False)


def configure(level: int = logging.INFO) -> None:
    """One JSON handler on stderr for every logger (gunicorn's too, see gunicorn.conf.py)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(Private(FOREIGN))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # a line per step of every PDF


class QuietRequestHandler(WSGIRequestHandler):
    """The development server (`routekaart serve`) without its own lines, which start with the
    client address and hold the raw request line; a request it refuses (400, 414, 431) is logged
    by its status alone. The app logs every other request itself."""

    def log(self, type: str, message: str, *args) -> None:
        if message.startswith("code %d"):  # http.server's send_error
            ACCESS.warning("refused by the server", extra={"fields": {"status": args[0]}})


def init_app(app: Flask) -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app.logger.handlers.clear()  # propagate to the root's JSON handler
    app.logger.propagate = True

    @app.before_request
    def start_timer():
        g.started = time.perf_counter()

    @app.after_request
    def log_request(response):
        rule = request.url_rule.rule if request.url_rule else "(geen route)"
        ACCESS.info("request", extra={"fields": {
            "method": request.method, "route": rule, "status": response.status_code,
            "ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1)}})
        return response
