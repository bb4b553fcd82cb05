"""An entry as a card: on screen (templates/_entry.html) and on the GP's sheet (_sheet_entry.html),
with this visitor's distance to it as honestly as we know it, and the links to a card that is
elsewhere on the page. A card is the same for every visitor but for its distance, so its parts
around the distance are kept in the dataset's bounded cache (derived.py) and a page's cards are
those parts around its distances: a route page shows some fifty.
"""
from __future__ import annotations

import functools
from datetime import date
from urllib.parse import urlencode

from babel.numbers import get_decimal_symbol
from flask import Blueprint, get_template_attribute
from markupsafe import Markup, escape

from .. import state
from ..catalogue.hours import Today
from ..catalogue.schema import AUDIENCE_GROUPS
from ..catalogue.verification import verification
from ..i18n import gettext as _
from ..i18n import language
from .opening import opening

bp = Blueprint("cards", __name__)


@bp.app_template_global()
def verified(entry: dict) -> str:
    """'never', 'ok' or 'overdue' for an entry, as of today."""
    return verification(entry["last_verified"], date.today())


ENTRY_HTML_KEPT = 8192  # cards' parts kept per worker (per day, language, screen or paper, hours now)


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


def _card(router, day: date, lang: str, paper: bool, entry_id: str, today: Today | None,
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
    keep = [e for e in entries if not paper or e["distance_km"] is None]
    parts = dict(zip((e["id"] for e in keep), kept.many([
        (day, lang, paper, e["id"], None if paper else opening(e), e.get("audience_fit"), e["distance_basis"])
        for e in keep])))
    shown = []
    for e in entries:
        distance, basis = e["distance_km"], e["distance_basis"]
        made = parts.get(e["id"]) if not paper or distance is None else None
        if made is None:  # on paper with a distance, or not (no longer) in the catalogue: made here, not kept
            shown.append(get_template_attribute("_sheet_entry.html" if paper else "_entry.html", "entry")(
                e, distance, basis))
        else:
            head, tail = made
            shown.append(Markup(head + (str(card_distance(distance, basis, e)) if distance is not None else "")
                                + tail))
    return shown


REFERENCES_KEPT = 4096  # links to a card kept per worker (by language, entry and whether it is below)


def _reference(lang: str, entry_id: str, name: str, below: bool) -> tuple[str, str]:
    """The parts of a link to a card around its distance (templates/_entry.html reference_head and
    reference_tail), in one language."""
    return (str(get_template_attribute("_entry.html", "reference_head")({"id": entry_id, "name": name})),
            str(get_template_attribute("_entry.html", "reference_tail")(below)))


def references(entries: list[dict], below: bool) -> list[str]:
    """Links to the entries' cards elsewhere on the page, with this visitor's distances to them."""
    lang = language()
    kept = state.get().derived.bounded("reference HTML", _reference, REFERENCES_KEPT)
    return [head + (f" · {escape(distance_text(e['distance_km'], e['distance_basis'], e))}"
                    if e["distance_km"] is not None else "") + tail
            for e, (head, tail) in zip(entries, kept.many([(lang, e["id"], e["name"], below) for e in entries]))]


@bp.app_template_global()
def entry_items(entries: list[dict], paper: bool = False, page=None, where: str | None = None) -> Markup:
    """The items of templates/_entry.html entry_list: each entry's card, or on the route page
    (`page`, route_page.RoutePage) a link to its card where another list (`where`) shows it."""
    linked = {e["id"] for e in entries if page and not page.is_card(e, where)}
    made = iter(cards([e for e in entries if e["id"] not in linked], paper))
    links = iter(references([e for e in entries if e["id"] in linked], where == "stappen"))
    return Markup("\n".join(next(links) if e["id"] in linked else str(next(made)) for e in entries) + "\n")


@bp.app_template_filter("audience_label")
def audience_label(group: str) -> str:
    return _(AUDIENCE_GROUPS[group]) if group in AUDIENCE_GROUPS else group
