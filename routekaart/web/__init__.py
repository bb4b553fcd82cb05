"""The web edge: blueprints for the client pages and the JSON API (errors answered in errors.py)."""
from __future__ import annotations

import orjson
from flask import Blueprint, Flask, current_app, render_template, request
from flask.json.provider import JSONProvider
from markupsafe import Markup

from ..catalogue.schema import phone_digits
from ..errors import InvalidParameter, PageNotFound
from ..geodata.dataset import source_dates
from ..geodata.sources import ATTRIBUTION
from ..i18n import N_, language
from ..maps import LEAFLET_DIR


PAGE_SIZE, MAX_PAGE_SIZE = 50, 500  # a region's entries are listed a page at a time (?page=, ?limit=)


def paging(total: int) -> tuple[int, int, int]:
    """(page, limit, pages) from ?page= (from 1) and ?limit= (1 to MAX_PAGE_SIZE)."""
    try:
        page, limit = int(request.args.get("page", 1)), int(request.args.get("limit", PAGE_SIZE))
    except ValueError:
        page = limit = 0
    if not (1 <= limit <= MAX_PAGE_SIZE and page >= 1):
        raise InvalidParameter(N_("Kies een pagina vanaf 1 en een aantal per pagina van 1 tot %(max)s."),
                               max=MAX_PAGE_SIZE)
    pages = max(1, -(-total // limit))
    if page > pages:
        raise PageNotFound(pages)
    return page, limit, pages


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
    (gunicorn.conf.py), so the workers share them; see pages.warm. Then one route page, lookup and
    place page in each language (for the first PC4 and entry of the data, no visitor's), the views
    alone (no request log line, no rate-limit count): every template is compiled and
    every module loaded once, here, not in each worker."""
    from .. import state
    from ..i18n import LANGUAGES
    from .pages import warm as warm_pages

    warm_pages(app)
    with app.app_context():
        data = state.get()
        pc4, entry_id = data.geo.pc4.index[0], data.catalogue.entries["id"].iloc[0]
    for lang in LANGUAGES:
        for path in (f"/route/{pc4}?lang={lang}", f"/api/v1/lookup?postcode={pc4}&lang={lang}",
                     f"/plek/{entry_id}?lang={lang}"):
            with app.test_request_context(path):
                app.dispatch_request()  # the view alone: no before/after_request hooks


class FastJSON(JSONProvider):
    """JSON by orjson: compact, UTF-8, keys in the order given; a lookup's answer (about 40 KB) is
    serialised in a tenth of the json module's time, so entries need no JSON kept in advance."""

    def dumps(self, obj, **kwargs) -> str:
        return orjson.dumps(obj).decode()

    def loads(self, s, **kwargs):
        return orjson.loads(s)


class App(Flask):
    """The app, with orjson for all its JSON from the start: the API's answers and the templates'
    |tojson alike (Jinja takes the JSON the app has when its environment is made)."""

    json_provider_class = FastJSON


def shared(name: str, make):
    """What make() gives for a part every visitor gets alike in this language (the filter form, the
    crisis lines, the footer): kept with the loaded dataset (derived.py), or made each time while
    none is loaded (an error page never loads one)."""
    data = current_app.extensions.get("routekaart")
    if data is None:
        return make()
    return data.derived.whole(f"{name} ({language()})", make)


def shared_part(template: str) -> Markup:
    """A template every page shows alike, made once per dataset and language (see shared)."""
    return Markup(shared(template, lambda: render_template(template)))


def _data_dates() -> dict | None:
    """The loaded dataset's dates for the footer; None before a page has loaded it (never load here)."""
    data = current_app.extensions.get("routekaart")
    return source_dates(data.geo.meta) if data else None


def init_app(app: Flask) -> None:
    from ..security import limit
    from . import api, cards, compression, dekking, errors, opening, pages, regio

    limit(app, api.bp, exempt=("api.healthz",))  # a load balancer's health probe is never refused
    limit(app, dekking.api_bp)
    limit(app, regio.pdf_bp, "PDF_RATE_LIMIT")
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(opening.bp)
    app.register_blueprint(cards.bp)
    app.register_blueprint(dekking.bp)
    app.register_blueprint(dekking.api_bp)
    app.register_blueprint(regio.bp)
    app.register_blueprint(regio.pdf_bp)
    # Leaflet from the app itself (xstatic-leaflet), so a map page needs no CDN.
    app.register_blueprint(Blueprint("leaflet", __name__, static_folder=LEAFLET_DIR,
                                     static_url_path="/static/leaflet"))
    app.jinja_env.globals.update(attribution=ATTRIBUTION, dataset_dates=_data_dates, shared_part=shared_part)
    app.add_template_filter(phone_digits)
    app.add_template_filter(web_address)
    errors.init_app(app)
    compression.init_app(app)

