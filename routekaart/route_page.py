"""What goes where on the route page, so that it stays short: each step's best contacts, the places
nearby, and every entry's card in exactly one spot (the other spots link to it).

A visitor reads the steps first, so a step shows its one or two best contacts and says how many
more there are; the five nearest places come next as cards; the rest of the region and the
national lines follow, folded away. An entry that belongs to two of these (a walk-in that is a
step's contact and one of the nearest) gets its card once, in the first list of CARD_ORDER that
holds it; elsewhere it is a link to that card. Pure functions on the lookup's records.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .catalogue.schema import WALK_IN_KINDS
from .checklist import Checklist, Step

CONTACTS = 2  # a step's best contacts shown with the step
NEARBY = 5  # the places shown as cards under "Bij jou in de buurt"
# Which list shows an entry's card when several hold it: the nearest places are what a visitor
# compares, so their cards stay together; a step then links down to them.
CARD_ORDER = ("dichtbij", "stappen", "regio", "landelijk")


@dataclass(frozen=True)
class StepPlan:
    step: Step
    contacts: list[dict]  # at most CONTACTS, best first
    more: int  # how many of the step's entries are not among the contacts
    kinds: tuple[str, ...]  # the kinds of the step's entries: a filter that lists them all


@dataclass(frozen=True)
class RoutePage:
    checklist: Checklist
    steps: list[StepPlan]
    nearby: list[dict]  # the NEARBY nearest walk-ins that fit the filters
    further: list[dict]  # the next walk-ins, for "Alles in je regio"
    regional: list[dict]  # the region's entries for the postcode's gemeente
    elsewhere: list[dict]  # the region's entries for its other gemeenten
    national: list[dict]
    card_in: dict[str, str]  # entry id -> the list (CARD_ORDER) that shows its card

    def is_card(self, entry: dict, where: str) -> bool:
        return self.card_in[entry["id"]] == where


TODAY_ORDER = {True: 0, None: 1, False: 2}  # still open today, not known, not today


def unknown_hours(entry: dict) -> bool | None:
    """For a plan made without a moment: every entry's hours as if unknown."""
    return None


def best(entries: list[dict], n: int = CONTACTS,
         still_open: Callable[[dict], bool | None] = unknown_hours) -> list[dict]:
    """The n best of a step's entries: open ones before planned or trial ones, then those for whom
    the visitor looks for before those only for other groups, then those whose hours say one can
    still go or call today, then those whose hours we do not know (`still_open` None), then those
    whose hours say not today. Among equals, one place to walk in to and one of each other kind
    before a second of any (so a far walk-in does not keep a helpline out, and 'bellen' and
    'online' both show), the nearest first (those without a distance after them), then the order given."""
    standing = [(e["status"] != "active", e.get("audience_fit") is False, TODAY_ORDER[still_open(e)])
                for e in entries]
    nearest = sorted(range(len(entries)), key=lambda i: (
        standing[i], entries[i].get("distance_km") is None, entries[i].get("distance_km") or 0.0, i))
    turn: dict[str, int] = {}
    keyed = []
    for position, i in enumerate(nearest):
        group = "walk_in" if entries[i]["kind"] in WALK_IN_KINDS else entries[i]["kind"]
        turn[group] = turn.get(group, -1) + 1
        keyed.append((standing[i], turn[group], position, i))
    return [entries[i] for *_, i in sorted(keyed)[:n]]


def plan(made: Checklist, walk_ins: list[dict], regional: list[dict], national: list[dict],
         elsewhere: list[dict] = (), still_open: Callable[[dict], bool | None] = unknown_hours) -> RoutePage:
    """The page for one postcode: `walk_ins` are the nearest walk-ins that fit the filters,
    nearest first (NEARBY of them become cards, the others go with the region); `still_open` says
    of an entry whether its hours let one go today (see best)."""
    steps = []
    for step in made.steps:
        listed = step.entries + step.fallback
        steps.append(StepPlan(step, best(listed, still_open=still_open), max(0, len(listed) - CONTACTS),
                              tuple(sorted({entry["kind"] for entry in listed}))))
    nearby, further = walk_ins[:NEARBY], walk_ins[NEARBY:]
    lists = {"dichtbij": nearby, "stappen": [entry for s in steps for entry in s.contacts],
             "regio": further + regional + list(elsewhere), "landelijk": national}
    card_in: dict[str, str] = {}
    for where in CARD_ORDER:
        for entry in lists[where]:
            card_in.setdefault(entry["id"], where)
    return RoutePage(made, steps, nearby, further, regional, list(elsewhere), national, card_in)
