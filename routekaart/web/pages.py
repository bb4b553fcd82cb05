"""Client pages: the home page, the route map for a postcode, a page per place, and what helps while you wait.

Everything works without JavaScript: the postcode form and the filters are plain GET forms,
the tick boxes are ordinary check boxes that nothing stores. The postcode only ever lives in
the address bar: it is never logged (see logs.py) or kept.
"""
from __future__ import annotations

import functools
from datetime import date
from urllib.parse import urlencode

from flask import (Blueprint, abort, current_app, get_template_attribute, redirect, render_template,
                   request, url_for)
from babel.numbers import get_decimal_symbol
from markupsafe import Markup, escape

from .. import checklist, maps, route_page, state
from ..catalogue.hours import Today
from ..catalogue.schema import AUDIENCE_GROUPS, ENTRY_ID, KINDS, WALK_IN_KINDS
from ..catalogue.verification import verification
from ..errors import FilterError, UnknownEntry
from ..i18n import N_, language
from ..i18n import gettext as _
from ..paper import site_url
from ..postcodes import parse
from ..routing import DEFAULT_AUDIENCE, MAX_K, MAX_SEARCH, VISITORS, Filters, flag
from .errors import translated
from .opening import opening, today_text

bp = Blueprint("pages", __name__)

DISTANCES = ("5", "10", "25", "50")
# The route page's "who is looking" choice (routing.VISITORS), as the form offers it.
VISITOR_LABELS = {"volwassene": N_("Een volwassene"), "jongere": N_("Een jongere"),
                  "naaste": N_("Een naaste (familie of vriend van iemand met klachten)")}
UNFILTERED = Filters(k=MAX_K)  # the list as it first shows


@bp.app_template_global()
def verified(entry: dict) -> str:
    """'never', 'ok' or 'overdue' for an entry, as of today."""
    return verification(entry["last_verified"], date.today())


ENTRY_HTML_KEPT = 8192  # cards without a distance kept per worker (per day, language and screen or paper)


def _shared(name: str, make):
    """A part every visitor gets alike (in this language), made once per dataset (see derived.py)."""
    return state.get().derived.whole(f"{name} ({language()})", make)


@functools.lru_cache(maxsize=8)
def _decimal_sign(locale: str) -> str:
    return get_decimal_symbol(locale)


@bp.app_template_filter("km")
def km_text(distance: float) -> str:
    """1.25 -> '1,3' (one decimal, with the page's language's decimal sign; a page has dozens of
    distances, and Babel's number patterns take ten times as long)."""
    return f"{distance:.1f}".replace(".", _decimal_sign(language()))


@bp.app_template_global()
def directions_url(entry: dict) -> str | None:
    """A route planner's page for a place you visit (OpenStreetMap, by the address, or by the point
    where that is more than a town's centre); nothing when we know neither. A plain link: the
    planner hears of it only when the visitor clicks, and never from where (no-referrer)."""
    if entry["location_type"] != "physical":
        return None
    address = entry["address"]
    if address["address_1"] and address["city"]:
        to = ", ".join(part for part in (address["address_1"], address["postal_code"], address["city"]) if part)
    elif entry["latitude"] is not None and entry["geo_precision"] != "place":
        to = f"{entry['latitude']:.5f},{entry['longitude']:.5f}"
    else:
        return None
    return "https://www.openstreetmap.org/directions?" + urlencode({"to": to})


@bp.app_template_global()
def distance_text(km: float, basis: str | None, e: dict) -> str:
    """A distance as honest as we know it, always as the crow flies (`basis`: routing.DISTANCE_BASIS).
    To a place known only by its town we say the town, and the km only when it is not the
    visitor's own neighbourhood anyway (under 5 km the figure says more about where the town's
    centre is than about the place); to a postcode's point, "about", or, at the visitor's own
    postcode's point, just that. Plain text, for cards, links to cards and the GP's sheet."""
    town = e["address"]["city"] or e["address"]["gemeente"]
    if basis == "place" and town:
        said = _("in %(place)s", place=town)
        return f"{said} ({_('ongeveer %(km)s km hemelsbreed', km=round(km))})" if km >= 5 else said
    if basis == "pc4" and km < 0.05:
        return _("in je eigen postcodegebied")
    if basis in ("pc4", "place"):
        return _("ongeveer %(km)s km hemelsbreed", km=km_text(km))
    return _("%(km)s km hemelsbreed", km=km_text(km))


@bp.app_template_global()
def card_distance(km: float, basis: str | None, e: dict) -> Markup:
    """The distance on a card, between card_head and card_tail (templates/_entry.html)."""
    return Markup(f' · <span class="distance" data-km="{km}">{escape(distance_text(km, basis, e))}</span>')


def _card(router, day: date, language: str, paper: bool, entry_id: str, today: Today | None,
          audience_fit: bool | None, basis: str | None) -> tuple[str, str] | None:
    """An entry's card on the GP's sheet without a distance (templates/_sheet_entry.html), or on
    screen the parts of its card around the distance (templates/_entry.html card_head, card_tail):
    the same for every visitor on one day (a card says whether its check is overdue) in one
    language, with what its hours say now (`today`, part of the key only: the card asks opening()
    itself, for the same moment), for a visitor who looks for a group it is for or not
    (audience_fit; None: nobody said), and whose distance has the same `basis` (an address says
    the town; a distance "in <town>" did already)."""
    found = router.with_ids([entry_id])
    if not len(found):
        return None
    record = {**router.records(found)[0], "audience_fit": audience_fit}
    if paper:
        return str(get_template_attribute("_sheet_entry.html", "entry")(record)), ""
    return (str(get_template_attribute("_entry.html", "card_head")(record)),
            str(get_template_attribute("_entry.html", "card_tail")(record, basis)))


@bp.app_template_global()
def entry_card(entry: dict, paper: bool = False) -> Markup:
    """An entry's card with this visitor's distance to it (see cards)."""
    return cards([entry], paper)[0]


def cards(entries: list[dict], paper: bool = False) -> list[Markup]:
    """The entries' cards with this visitor's distances. A card's parts around its distance are
    kept in the dataset's bounded cache, made when first shown, so start-up does not grow with the
    catalogue (memory only, never logged); a sheet's card with a distance is made whole."""
    data = state.get()
    kept = data.derived.bounded("entry HTML", functools.partial(_card, data.router), ENTRY_HTML_KEPT)
    day, lang = date.today(), language()
    is_kept = [not paper or e["distance_km"] is None for e in entries]
    made = iter(kept.many([(day, lang, paper, e["id"], None if paper else opening(e), e.get("audience_fit"),
                            e["distance_basis"]) for e, keep in zip(entries, is_kept) if keep]))
    shown = []
    for e, keep in zip(entries, is_kept):
        parts = next(made) if keep else None
        distance, basis = e["distance_km"], e["distance_basis"]
        if parts is None:  # on paper with a distance, or not (no longer) in the catalogue: made here, not kept
            shown.append(get_template_attribute("_sheet_entry.html" if paper else "_entry.html", "entry")(
                e, distance, basis))
        else:
            head, tail = parts
            shown.append(Markup(head + (str(card_distance(distance, basis, e)) if distance is not None else "")
                                + tail))
    return shown


REFERENCES_KEPT = 4096  # links to a card kept per worker (by language, entry and whether it is below)


def _reference(language: str, entry_id: str, name: str, below: bool) -> tuple[str, str]:
    """The parts of a link to a card around its distance (templates/_entry.html reference_head and
    reference_tail), in one language."""
    return (str(get_template_attribute("_entry.html", "reference_head")({"id": entry_id, "name": name})),
            str(get_template_attribute("_entry.html", "reference_tail")(below)))


def reference(entry: dict, below: bool) -> str:
    """A link to an entry's card elsewhere on the page, with this visitor's distance to it."""
    head, tail = state.get().derived.bounded("reference HTML", _reference, REFERENCES_KEPT)(
        language(), entry["id"], entry["name"], below)
    distance = entry["distance_km"]
    return head + (f" · {escape(distance_text(distance, entry['distance_basis'], entry))}"
                   if distance is not None else "") + tail


@bp.app_template_global()
def entry_items(entries: list[dict], paper: bool = False, page=None, where: str | None = None) -> Markup:
    """The items of templates/_entry.html entry_list: each entry's card, or on the route page
    (`page`, route_page.RoutePage) a link to its card where another list (`where`) shows it."""
    elsewhere = [bool(page) and not page.is_card(e, where) for e in entries]
    made = iter(cards([e for e, linked in zip(entries, elsewhere) if not linked], paper))
    return Markup("\n".join(reference(e, where == "stappen") if linked else str(next(made))
                             for e, linked in zip(entries, elsewhere)) + "\n")


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
    return Markup(_shared("filter form", lambda: str(macro(UNFILTERED, None, *choices))))


@bp.app_template_filter("audience_label")
def audience_label(group: str) -> str:
    return _(AUDIENCE_GROUPS[group]) if group in AUDIENCE_GROUPS else group


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
                           regional, national, elsewhere)
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

