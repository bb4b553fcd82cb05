"""The web edge: blueprints for the client pages and the JSON API, and shared error handling."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from ..catalogue.schema import phone_digits
from ..geodata.dataset import DatasetMissing, source_dates
from ..geodata.sources import ATTRIBUTION
from ..maps import LEAFLET_DIR


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(status: int, code: str, message: str):
    if wants_json():
        return jsonify({"error": {"code": code, "message": message}}), status
    return render_template("error.html", status=status, message=message), status


# Query parameters that only track visitors or trigger a site's own jobs (WordPress cron).
NOISE_PARAMETERS = ("utm_", "fbclid=", "gclid=", "doing_wp_cron=")


def web_address(url: str) -> str:
    """'https://www.113.nl/?utm_source=rss' -> 'www.113.nl': how a web address is read out or printed
    (without the scheme, and without the tracking or empty parameters nobody should have to type);
    a mailto: address as the bare e-mail address."""
    if url.startswith("mailto:"):
        return url.removeprefix("mailto:").partition("?")[0]
    address, _, query = url.split("://", 1)[-1].partition("?")
    kept = "&".join(part for part in query.split("&") if part and not part.startswith(NOISE_PARAMETERS)
                    and not part.endswith("="))
    return address.rstrip("/") + (f"?{kept}" if kept else "")


def warm(app: Flask) -> None:
    """Load the data and make the parts every page shares, in gunicorn's master before it forks
    (gunicorn.conf.py), so the workers share them; see pages.warm."""
    from .pages import warm as warm_pages

    warm_pages(app)


def _data_dates() -> dict | None:
    """The loaded dataset's dates for the footer; None before a page has loaded it (never load here)."""
    data = current_app.extensions.get("routekaart")
    return source_dates(data.geo.meta) if data else None


def init_app(app: Flask) -> None:
    from ..security import limit
    from . import api, dekking, pages, regio

    limit(app, api.bp)
    # A load balancer's health probe is never refused.
    app.extensions["routekaart_limiter"].request_filter(lambda: request.endpoint == "api.healthz")
    limit(app, dekking.api_bp)
    limit(app, regio.pdf_bp, "PDF_RATE_LIMIT")
    app.json.sort_keys = False  # keep the schema's field order; sorting every answer costs time
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(dekking.bp)
    app.register_blueprint(dekking.api_bp)
    app.register_blueprint(regio.bp)
    app.register_blueprint(regio.pdf_bp)
    # Leaflet from the app itself (xstatic-leaflet), so a map page needs no CDN.
    app.register_blueprint(Blueprint("leaflet", __name__, static_folder=LEAFLET_DIR,
                                     static_url_path="/static/leaflet"))
    app.context_processor(lambda: {"attribution": ATTRIBUTION, "data_dates": _data_dates()})
    app.add_template_filter(phone_digits)
    app.add_template_filter(web_address)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        messages = {404: ("not_found", _("Deze pagina bestaat niet.")),
                    405: ("method_not_allowed", _("Deze actie kan hier niet.")),
                    429: ("rate_limited", _("Te veel verzoeken achter elkaar. Wacht een minuut en probeer het opnieuw."))}
        code, message = messages.get(error.code, ("http_error", _("Er ging iets mis.")))
        return error_response(error.code or 500, code, message)

    @app.errorhandler(DatasetMissing)
    def no_dataset(error: DatasetMissing):
        app.logger.error("%s", error)
        return error_response(503, "dataset_missing", _("De gegevens zijn nog niet geladen. Probeer het later opnieuw."))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unexpected error")
        return error_response(500, "internal_error", _("Er ging iets mis aan onze kant. Probeer het later opnieuw."))
