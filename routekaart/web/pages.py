"""Client pages: the home page, the route map for a postcode, and what helps while you wait.

Everything works without JavaScript: the postcode form and the filters are plain GET forms,
the tick boxes are ordinary check boxes that nothing stores. The postcode only ever lives in
the address bar: it is never logged (see logs.py) or kept.
"""
from __future__ import annotations

import functools
import re
from datetime import date

from flask import (Blueprint, abort, current_app, get_template_attribute, redirect, render_template,
                   request, url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from .. import checklist, maps, state
from ..catalogue.schema import KINDS, WALK_IN_KINDS
from ..catalogue.verification import verification
from ..postcodes import PostcodeError, parse
from ..routing import MAX_K, FilterError, Filters, UnknownPostcode

bp = Blueprint("pages", __name__)

DISTANCES = ("5", "10", "25", "50")
UNFILTERED = Filters(k=MAX_K)  # the list as it first shows


@bp.app_template_global()
def verified(entry: dict) -> str:
    """'never', 'ok' or 'overdue' for an entry, as of today."""
    return verification(entry["last_verified"], date.today())


DISTANCE_SLOT = "<!--afstand-->"
REGION_SLOT = "\x1eregio\x1e"  # a stand-in no text contains and escaping leaves alone
GEMEENTE_SLOT = "\x1egemeente\x1e"


ENTRY_HTML_KEPT = 8192  # entries' HTML kept per worker (per day, language and screen or paper)


def _shared(name: str, make):
    """A part every visitor gets alike (in this language), made once per dataset (see derived.py)."""
    return state.get().derived.whole(f"{name} ({get_locale()})", make)


def _entry_parts(router, day: date, language: str, paper: bool, entry_id: str) -> list[str] | None:
    """An entry's HTML (templates/_entry.html) split at its distance slot: apart from its distance
    an entry looks the same on every page (on one day: it says whether its check is overdue)."""
    found = router.with_ids([entry_id])
    if not len(found):
        return None
    # Indentation from the template is a tenth of a route page; one line break does as well.
    html = str(get_template_attribute("_entry.html", "entry")(router.records(found)[0], paper))
    return re.sub(r"\s*\n\s*", "\n", html).split(DISTANCE_SLOT)


def _made_entry(entry_id: str, paper: bool) -> list[str] | None:
    """_entry_parts, kept in the dataset's bounded cache: made when an entry is first shown, so
    start-up does not grow with the catalogue. The cache is memory only and never logged."""
    data = state.get()
    made = data.derived.bounded("entry HTML", functools.partial(_entry_parts, data.router), ENTRY_HTML_KEPT)
    return made(date.today(), str(get_locale()), paper, entry_id)


def _step_texts(part: str) -> dict[tuple, str]:
    """Every step's 'title' or 'intro' (templates/_checklist_text.html) with stand-ins for the
    region's and the gemeente's name, by (step, gap, for a postcode)."""
    def make():
        macro = get_template_attribute("_checklist_text.html", part)
        return {(key, gap, place_given): str(macro(key, gap, place_given, REGION_SLOT, GEMEENTE_SLOT))
                for key in checklist.STEP_KEYS for gap in (False, True) for place_given in (False, True)}

    return _shared(f"checklist {part}s", make)


@bp.app_template_global()
def checklist_text(part: str, step: checklist.Step, made_for: checklist.Checklist) -> Markup:
    """A step's title or introduction, with the region's name (and for a postcode its gemeente's)."""
    text = _step_texts(part)[step.key, step.gap, made_for.place is not None]
    gemeente = made_for.place.gemeente if made_for.place is not None else ""
    return Markup(text.replace(REGION_SLOT, str(escape(made_for.region_name)))
                  .replace(GEMEENTE_SLOT, str(escape(gemeente))))


@bp.app_template_global()
def filter_form(filters: Filters, problem: str | None) -> Markup:
    """The list's filter form (templates/_filters.html); the unfiltered one is made once."""
    macro = get_template_attribute("_filters.html", "filter_form")
    if problem or filters != UNFILTERED:
        return macro(filters, problem, KINDS, DISTANCES)
    return Markup(_shared("filter form", lambda: str(macro(UNFILTERED, None, KINDS, DISTANCES))))


@bp.app_template_global()
def entries_html(entries: list[dict], paper: bool = False) -> Markup:
    """A list of entries as <ul class="entries">, each with its distance from this visitor's
    postcode; nothing when the list is empty."""
    if not entries:
        return Markup()
    macro = get_template_attribute("_entry.html", "entry")
    distance = str(Markup(' · <span class="distance">%s</span>') % _("%(km)s km", km="{km}"))  # translated once
    parts = []
    for entry in entries:
        before, after = _made_entry(entry["id"], paper) or str(macro(entry, paper)).split(DISTANCE_SLOT)
        km = entry["distance_km"]
        parts += [before, distance.replace("{km}", f"{km:.1f}".replace(".", ",")) if km is not None else "", after]
    return Markup('<ul class="entries">' + "".join(parts) + "</ul>")


@bp.app_template_global()
def report_url(entry: dict | None = None) -> str:
    """Where to report a mistake in an entry: REPORT_URL ({id} is filled in), or our own page.
    Without an entry (a printed sheet as a whole): REPORT_URL without an id, or the site."""
    configured = current_app.config.get("REPORT_URL") or ""
    if configured:
        return configured.replace("{id}", entry["id"] if entry else "")
    return url_for("meldingen.report_mistake", entry_id=entry["id"]) if entry else url_for("pages.home")


def _postcode_problem(typed: str, status: int, message: str):
    return render_template("home.html", typed=typed, error=message), status


@bp.get("/")
def home():
    typed = request.args.get("postcode")
    if typed is None:
        return render_template("home.html")
    try:
        postcode = parse(typed)
        state.get().router.resolve(postcode)
    except PostcodeError as error:
        return _postcode_problem(typed, 400, error.message)
    except UnknownPostcode as error:
        return _postcode_problem(typed, 404, error.message)
    return redirect(url_for("pages.route", postcode=str(postcode)), 303)


def _flag(name: str) -> bool:
    value = request.args.get(name, "")
    if value not in ("", "1"):
        raise FilterError(_("Deze keuze kennen we niet. Vink het vakje aan of uit."))
    return value == "1"


def page_filters() -> Filters:
    """The list filters from the form (soort, voor, zonder_verwijzing, gratis, km)."""
    km = request.args.get("km", "")
    if km and km not in DISTANCES:
        raise FilterError(_("Kies een afstand van 5, 10, 25 of 50 km."))
    return Filters(kinds=tuple(kind for kind in request.args.getlist("soort") if kind),
                   audience=request.args.get("voor") or None, no_referral=_flag("zonder_verwijzing"),
                   free=_flag("gratis"), max_km=float(km) if km else None, k=MAX_K)


def warm(app) -> None:
    """Load the data and make the parts every page shares (the region maps, the checklist texts,
    the filter form and the national entries, in both languages), in gunicorn's master before it
    forks, so the workers share them. Other entries are made when first shown (derived.py): a
    start-up that made every entry's HTML would grow with the catalogue."""
    from ..i18n import LANGUAGES

    for lang in LANGUAGES:
        with app.test_request_context(f"/?lang={lang}"):
            data = state.get()
            data.derived.region_maps()
            for part in ("title", "intro"):
                _step_texts(part)
            filter_form(UNFILTERED, None)
            for record in data.router.records(data.router.national(Filters())):
                for paper in (False, True):
                    _made_entry(record["id"], paper)


def marker_labels(place) -> dict[str, str]:
    """What each kind of marker on the route map stands for (maps.ROUTE_SHAPES)."""
    return {"postcode": _("Postcode %(postcode)s", postcode=place.postcode.display),
            **{kind: _(KINDS[kind][0]) for kind in WALK_IN_KINDS}, "regio": _("Steun in je regio")}


@bp.get("/route/<path:postcode>")
def route(postcode: str):
    try:
        parsed = parse(postcode)
    except PostcodeError as error:
        return _postcode_problem(postcode, 400, error.message)
    if str(parsed) != postcode:
        query = request.query_string.decode("latin-1")
        return redirect(url_for("pages.route", postcode=str(parsed)) + (f"?{query}" if query else ""), 308)
    data = state.get()
    router = data.router
    try:
        place = router.resolve(parsed)
    except UnknownPostcode as error:
        return _postcode_problem(postcode, 404, error.message)
    status, problem = 200, None
    try:
        filters = page_filters()
    except FilterError as error:
        status, problem, filters = 400, error.message, UNFILTERED
    nearby = router.records(router.nearest(place, filters))
    regional = router.records(router.regional(place.region_code, filters, place))
    elsewhere = router.records(router.elsewhere(place, filters))
    national = router.records(router.national(filters))
    labels = marker_labels(place)
    points = maps.route_points(place, [e for e in nearby + regional if e["open_status"]], labels)
    return render_template(
        "route.html", place=place, checklist=checklist.build(router, place.region_code, place),
        nearby=nearby, regional=regional, elsewhere=elsewhere, national=national, filters=filters, problem=problem,
        rendered=data.derived.region_maps()[place.region_code], points=points,
        shapes=maps.ROUTE_SHAPES, labels=labels), status


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

