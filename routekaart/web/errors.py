"""Every error a visitor or an API client can get, answered in one place.

Views raise the core's errors (routekaart.errors) or HTTP ones; these handlers translate the
message and answer with JSON (`{"error": {"code", "message"}}`) on the API, the postcode form again
where a postcode was typed, or the error page.
"""
from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .. import slots
from ..errors import PostcodeError, RequestError, UnknownPostcode
from ..geodata.dataset import DatasetMissing
from ..i18n import N_, gettext

HTTP_ERRORS = {404: ("not_found", N_("Deze pagina bestaat niet.")),
               405: ("method_not_allowed", N_("Deze actie kan hier niet.")),
               429: ("rate_limited", N_("Te veel verzoeken achter elkaar. Wacht een minuut en probeer het opnieuw."))}
OTHER_HTTP_ERROR = ("http_error", N_("Er ging iets mis."))
RETRY_SECONDS = 5  # a PDF takes about a second: by then a slot is likely free
POSTCODE_FORMS = ("pages.home", "pages.route")  # where a wrong postcode shows the form again, as typed


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def translated(error: RequestError) -> str:
    return gettext(error.message, **error.values)


def error_response(status: int, code: str, message: str):
    if wants_json():
        return jsonify({"error": {"code": code, "message": message}}), status
    return render_template("error.html", status=status, message=message), status


def request_error(error: RequestError):
    if isinstance(error, (PostcodeError, UnknownPostcode)) and request.endpoint in POSTCODE_FORMS:
        typed = (request.view_args or {}).get("postcode", request.args.get("postcode", ""))
        return render_template("home.html", typed=typed, error=translated(error)), error.status
    return error_response(error.status, error.code, translated(error))


def init_app(app: Flask) -> None:
    app.register_error_handler(RequestError, request_error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code, message = HTTP_ERRORS.get(error.code, OTHER_HTTP_ERROR)
        return error_response(error.code or 500, code, gettext(message))

    @app.errorhandler(CSRFError)
    def expired_form(error: CSRFError):
        return error_response(400, "csrf", gettext("Dit formulier is verlopen. Laad de pagina opnieuw en probeer het "
                                                   "nog eens."))

    @app.errorhandler(slots.Busy)
    def busy(error: slots.Busy):
        response = make_response(error_response(503, "busy", gettext(
            "Er worden nu veel PDF's tegelijk gemaakt. Probeer het over een paar seconden opnieuw.")))
        response.headers["Retry-After"] = str(RETRY_SECONDS)
        return response

    @app.errorhandler(DatasetMissing)
    def no_dataset(error: DatasetMissing):
        app.logger.error("%s", error)
        return error_response(503, "dataset_missing", gettext("De gegevens zijn nog niet geladen. Probeer het later "
                                                              "opnieuw."))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unexpected error")
        return error_response(500, "internal_error", gettext("Er ging iets mis aan onze kant. Probeer het later "
                                                             "opnieuw."))
