"""Client pages: the home page, the route map for a postcode, a page per place, and what helps while you wait.

Everything works without JavaScript: the postcode form and the filters are plain GET forms,
the tick boxes are ordinary check boxes that nothing stores. The postcode only ever lives in
the address bar: it is never logged (see logs.py) or kept.
"""
from __future__ import annotations

from flask import (Blueprint, abort, current_app, get_template_attribute, redirect, render_template,
                   request, url_for)
from markupsafe import Markup

from .. import checklist, maps, route_page, state
from ..catalogue.schema import ENTRY_ID, KINDS, WALK_IN_KINDS
from ..errors import FilterError, UnknownEntry
from ..i18n import N_, language
from ..i18n import gettext as _
from ..paper import site_url
from ..postcodes import parse
from ..routing import DEFAULT_AUDIENCE, MAX_K, MAX_SEARCH, VISITORS, Filters, flag
from . import shared
from .cards import entry_card
from .errors import translated
from .opening import still_open_today, today_text

bp = Blueprint("pages", __name__)

DISTANCES = ("5", "10", "25", "50")
# The route page's "who is looking" choice (routing.VISITORS), as the form offers it.
VISITOR_LABELS = {"volwassene": N_("Een volwassene"), "jongere": N_("Een jongere"),
                  "naaste": N_("Een naaste (familie of vriend van iemand met klachten)")}
UNFILTERED = Filters(k=MAX_K)  # the list as it first shows


STEP_TEXTS_KEPT = 4096  # step titles and introductions kept per worker (by step, region, gemeente, language)


def _step_text(part: str, key: str, gap: bool, place_given: bool, region: str, gemeente: str | None,
               language: str) -> str:
    return str(get_template_attribute("_checklist_text.html", part)(key, gap, place_given, region, gemeente))


@bp.app_template_global()
def step_text(part: str, step: checklist.Step, made: checklist.Checklist) -> Markup:
    """A step's 'title' or 'intro' (templates/_checklist_text.html) for this region (and postcode's
    gemeente) in this language, made once and kept (bounded): every page has eight of each."""
    kept = state.get().derived.bounded("step texts", _step_text, STEP_TEXTS_KEPT)
    gemeente = made.place.gemeente if made.place is not None else None
    return Markup(kept(part, step.key, step.gap, made.place is not None, made.region_name, gemeente,
                       language()))


@bp.app_template_global()
def filter_form(filters: Filters, problem: str | None) -> Markup:
    """The list's filter form (templates/_filters.html); the unfiltered one is made once."""
    macro = get_template_attribute("_filters.html", "filter_form")
    visitors = [(word, VISITORS[word], label) for word, label in VISITOR_LABELS.items()]
    choices = (KINDS, visitors, DISTANCES, MAX_SEARCH)
    if problem or filters != UNFILTERED:
        return macro(filters, problem, *choices)
    return Markup(shared("filter form", lambda: str(macro(UNFILTERED, None, *choices))))


def visitor_word(group: str) -> str | None:
    """The `voor` value of a link for whom the visitor looks for (none for the default, an adult)."""
    return None if group == DEFAULT_AUDIENCE else next(word for word, of in VISITORS.items() if of == group)


@bp.app_template_global()
def filter_words(filters: Filters) -> str:
    """The active filters in words ('“Zeist”, Inloop voor jongeren, binnen 25 km, gratis'), said above
    the results. Whom the visitor looks for is no filter (it hides nothing): the page says it apart."""
    words = [_("“%(text)s”", text=filters.text)] if filters.text else []
    words += [_(KINDS[kind][0]) for kind in filters.kinds]
    if filters.max_km:
        words.append(_("binnen %(km)s km", km=f"{filters.max_km:g}"))
    if filters.no_referral:
        words.append(_("geen verwijzing nodig"))
    if filters.free:
        words.append(_("gratis"))
    return ", ".join(words)


@bp.app_template_global()
def report_url(entry: dict | None = None) -> str:
    """Where to report a mistake in an entry: REPORT_URL ({id} is filled in), or our own page.
    Without an entry (a printed sheet as a whole): REPORT_URL without an id, or the site."""
    configured = current_app.config.get("REPORT_URL") or ""
    if configured:
        return configured.replace("{id}", entry["id"] if entry else "")
    return url_for("meldingen.report_mistake", entry_id=entry["id"]) if entry else url_for("pages.home")


@bp.get("/")
def home():
    typed = request.args.get("postcode")
    if typed is None:
        return render_template("home.html")
    postcode = parse(typed)
    state.get().router.resolve(postcode)
    return redirect(url_for("pages.route", postcode=str(postcode)), 303)


def page_filters() -> Filters:
    """The list filters from the form (zoek, soort, zonder_verwijzing, gratis, km) and whom it is for (voor)."""
    km = request.args.get("km", "")
    if km and km not in DISTANCES:
        raise FilterError(N_("Kies een afstand van 5, 10, 25 of 50 km."))
    return Filters(kinds=tuple(kind for kind in request.args.getlist("soort") if kind),
                   audience=request.args.get("voor", ""),
                   no_referral=flag("zonder_verwijzing", request.args.get("zonder_verwijzing")),
                   free=flag("gratis", request.args.get("gratis")), max_km=float(km) if km else None, k=MAX_K,
                   text=request.args.get("zoek", ""))


def warm(app) -> None:
    """Load the data and make the parts every page shares (the region maps, the filter form, the
    national entries' cards in both languages, the holiday calendars), in gunicorn's master before it
    forks, so the workers share them. Other entries are made when first shown (derived.py): a
    start-up that made every entry's HTML would grow with the catalogue."""
    from ..i18n import LANGUAGES
    from . import opening as opening_hours

    opening_hours.warm()
    for lang in LANGUAGES:
        with app.test_request_context(f"/?lang={lang}"):
            data = state.get()
            data.derived.region_maps()
            filter_form(UNFILTERED, None)
            for record in data.router.records(data.router.national(Filters()), DEFAULT_AUDIENCE):
                for paper in (False, True):
                    entry_card(record, paper)


def marker_labels(place=None) -> dict[str, str]:
    """What each kind of marker on the route map stands for (maps.ROUTE_SHAPES)."""
    return {"postcode": _("Postcode %(postcode)s", postcode=place.postcode.display) if place else "",
            **{kind: _(KINDS[kind][0]) for kind in WALK_IN_KINDS}, "regio": _("Steun in je regio")}


def popup_hours(entry: dict) -> str:
    """What a map popup says of a place's hours: plain text, as its card says it."""
    return today_text(entry) or ""


@bp.get("/route/<path:postcode>")
def route(postcode: str):
    parsed = parse(postcode)
    if str(parsed) != postcode:
        query = request.query_string.decode("latin-1")
        return redirect(url_for("pages.route", postcode=str(parsed)) + (f"?{query}" if query else ""), 308)
    data = state.get()
    router = data.router
    place = router.resolve(parsed)
    status, problem = 200, None
    try:
        filters = page_filters()
    except FilterError as error:  # the unfiltered list, with what was wrong above it
        status, problem, filters = 400, translated(error), UNFILTERED
    found = router.lookup(parsed, filters)
    walk_ins, regional, national, elsewhere = (router.records(hits, found.audience) for hits in (
        found.nearby, found.regional, found.national, found.elsewhere))
    page = route_page.plan(checklist.build(router, place.region_code, place, audience=found.audience), walk_ins,
                           regional, national, elsewhere, still_open_today)
    labels = marker_labels(place)
    points = maps.route_points(place, [e for e in walk_ins + regional if e["open_status"]], labels,
                               {entry["id"] for entry in page.nearby}, popup_hours)
    return render_template(
        "route.html", place=place, page=page, filters=filters, problem=problem,
        filtered=filters != Filters(audience=filters.audience, k=MAX_K), visitor=visitor_word(filters.audience),
        boat_trip=found.boat_trip, visitor_labels=VISITOR_LABELS,
        rendered=data.derived.region_maps()[place.region_code], points=points,
        shapes=maps.ROUTE_SHAPES, labels=labels), status


@bp.get("/plek/<entry_id>")
def place_page(entry_id: str):
    """Everything we know of one entry, on an address to share or print. The id is looked up as
    it is, never logged; an id we do not have (or could never have) gets a plain 404 page."""
    data = state.get()
    found = data.router.with_ids([entry_id]) if ENTRY_ID.match(entry_id) else None
    if found is None or not len(found):
        raise UnknownEntry()
    entry = data.router.records(found)[0]
    rendered = data.derived.region_maps().get(entry["zorgkantoorregio"]) if entry["latitude"] is not None else None
    address = site_url(url_for("pages.place_page", entry_id=entry_id), current_app.config["PUBLIC_URL"],
                             request.host_url)
    return render_template("plek.html", e=entry, rendered=rendered, address=address,
                           points=maps.route_points(None, [entry], marker_labels(), {entry_id}, popup_hours),
                           region_name=data.router.region_name(entry["zorgkantoorregio"])
                           if entry["zorgkantoorregio"] in data.geo.regions.index else None)


@bp.get("/kaart/<code>.js")
def region_map_script(code: str):
    """A region map's set-up script (see maps.region_map): public, so it may be kept an hour."""
    made = state.get().derived.region_maps().get(code)
    if made is None:
        abort(404)
    return current_app.response_class(str(made.script), mimetype="text/javascript",
                                      headers={"Cache-Control": "public, max-age=3600"})


@bp.get("/wat-helpt")
def what_helps():
    """The numbers on this page are what our catalogue holds now (entries that are not closed)."""
    return render_template("wat_helpt.html", counts=state.get().derived.catalogue_counts())

