"""Pages, styles and scripts sent compressed when the browser accepts it (Flask-Compress).

A route page is about 200 KB of HTML that compresses to a tenth of that: on a phone that is the
difference between waiting and reading. One kind of response is sent as it is: one that holds a
secret (a CSRF token in a form, a coordinator's data behind the portal's login). Compressing a
secret next to text a visitor can choose (a query, a form field) lets someone who sees the sizes
on the wire guess the secret a letter at a time (BREACH). The public pages hold no such secret:
no session, no token; their one per-response value, the CSP nonce, is new in every response, so
there is nothing to guess over many requests.
"""
from __future__ import annotations

from flask import Flask, current_app, g, request
from flask_compress import Compress

# Not the API's JSON: a lookup is made in half a millisecond and compressing it would take a third
# as long again, while its callers are mostly programs on fast links (bench/load.py, issue 7).
MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "image/svg+xml"]
PORTAL_BLUEPRINTS = {"login", "beheer"}


def holds_secret() -> bool:
    """A CSRF token was made for this response (Flask-WTF keeps it in g), or it is a portal page."""
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in g or request.blueprint in PORTAL_BLUEPRINTS


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    # Files (static/, Leaflet) are sent as streams; a browser that offers only gzip gets them in gzip too.
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["zstd", "br", "gzip", "deflate"])
    app.config["COMPRESS_REGISTER"] = False  # compressed only through the check below
    compress = Compress()
    compress.init_app(app)

    @app.after_request
    def compressed(response):
        return response if holds_secret() else compress.after_request(response)
