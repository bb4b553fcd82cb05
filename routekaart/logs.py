"""Structured logs that never hold a postcode, a query string or a client address.

Each request is logged once, as JSON, by its route *pattern* ('/route/<postcode>'), never by
the path the visitor typed. Werkzeug's own access log (which prints full URLs and IPs) is off.
"""
from __future__ import annotations

import json
import logging
import sys
import time

from flask import Flask, g, request

ACCESS = logging.getLogger("routekaart.access")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                 "logger": record.name, "message": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = record.exc_info[0].__name__  # the type only: a traceback may hold input
        return json.dumps(entry, ensure_ascii=False)


def configure(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)


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
