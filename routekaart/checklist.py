"""The while-you-wait route map: an ordered list of steps, filled in for one region or postcode.

The order is the advice itself: first the huisarts and the insurer (who can shorten the wait),
then the region's network and walk-ins, then help you can reach from home. Where a region (or,
for a postcode, its gemeente) has no entry for a step, the step says so and offers the national
alternative instead of vanishing. Only open entries are listed: a planned or stopped one is not
something to do today.
The texts live in the templates (translatable); this module only decides what goes where.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from .catalogue.schema import FROM_HOME_KINDS
from .routing import DEFAULT_AUDIENCE, Filters, Hits, Place, Router

# National entries that belong to a step by what they are, not by kind alone: an editorial
# choice, so named here by id; `missing` says when the catalogue no longer holds one.
HUISARTS_IDS = ["nl-poh-ggz-huisarts"]
NETWORK_FALLBACK_IDS = ["nl-mentale-gezondheidsnetwerken-programma"]
WAITING_FALLBACK_IDS = ["nl-wegvandewachtlijst", "nl-mind-wachtlijsten-dossier"]
# What every insured person can ask of their own insurer comes first in the insurer step: an
# insurer's own service is for its members only, and we do not know the visitor's insurer.
INSURER_FIRST_IDS = ["nl-zorgbemiddeling-zorgverzekeraar"]
NAMED = {"huisarts": HUISARTS_IDS, "verzekeraar": INSURER_FIRST_IDS, "netwerk": NETWORK_FALLBACK_IDS,
         "wachten": WAITING_FALLBACK_IDS}

# Walk-ins a region's sheet lists: with the other steps, what fits on two A4 pages. A region with
# more gets its walk-ins picked per gemeente, and the sheet counts the others.
SHEET_WALK_INS = 12
NEAREST_NAMED = 2  # walk-ins a region's sheet names, with distance, for a gemeente without one on it

STEP_KEYS = ["huisarts", "verzekeraar", "netwerk", "steunpunten", "wachten", "thuis", "jongeren_naasten",
             "clientondersteuning"]


@dataclass
class Step:
    key: str
    entries: list[dict]
    gap: bool = False  # the region has nothing of this kind that we know of
    fallback: list[dict] = field(default_factory=list)  # the national alternative for a gap
    not_listed: int = 0  # a region's walk-ins left off its sheet


@dataclass
class Gemeente:
    """One gemeente on a region's sheet: its walk-ins on the sheet, or else the nearest ones."""
    name: str | None  # None: walk-ins whose gemeente we do not know
    entries: list[dict]
    nearest: list[dict] = field(default_factory=list)  # with distance_km from the gemeente's middle


@dataclass
class Checklist:
    region_code: str
    region_name: str
    place: Place | None
    steps: list[Step]
    made_on: date
    gemeenten: list[Gemeente] = field(default_factory=list)  # a region's sheet: every gemeente, A to Z
    boat_trip: bool = False  # a Wadden-island postcode whose nearest walk-in is across the water

    def step(self, key: str) -> Step:
        return next(step for step in self.steps if step.key == key)


def missing(router: Router) -> dict[str, list[str]]:
    """Per step, the entries it names that the catalogue does not hold (or holds as closed): that
    step then shows less, or its national alternative is gone. Said by `data build` and at start-up."""
    held = {record["id"] for record in router.records(router.national(Filters()))}
    return {key: [i for i in ids if i not in held] for key, ids in NAMED.items() if not set(ids) <= held}


def once(steps: list[Step]) -> list[Step]:
    """Each entry in the first step that lists it only: a helpline printed twice wastes paper and
    reads as two helplines."""
    seen: set[str] = set()
    kept = []
    for s in steps:
        entries, fallback = ([e for e in group if e["id"] not in seen] for group in (s.entries, s.fallback))
        seen.update(e["id"] for e in entries + fallback)
        kept.append(Step(s.key, entries, s.gap, fallback, s.not_listed))
    return kept


def per_gemeente(gemeenten: np.ndarray, room: int) -> np.ndarray:
    """Which of these walk-ins (given by gemeente, each gemeente's in the order to show) fit in
    `room`: every gemeente's first before any gemeente's second, gemeenten with more walk-ins
    first. Positions, in their original order."""
    frame = pd.DataFrame({"gemeente": gemeenten})
    frame["turn"] = frame.groupby("gemeente").cumcount()
    frame["size"] = frame.groupby("gemeente")["gemeente"].transform("size")
    picked = frame.sort_values(["turn", "size", "gemeente"], ascending=[True, False, True], kind="stable")
    return np.sort(picked.index.to_numpy()[:room])


def by_gemeente(router: Router, region_code: str, walk_ins: list[dict]) -> list[Gemeente]:
    """The region's gemeenten A to Z (and those of walk-ins filed under the region but elsewhere),
    each with its walk-ins, or without any the NEAREST_NAMED nearest to it; walk-ins without a
    known gemeente last."""
    nearest = router.nearest_to_gemeenten(region_code, Filters(k=NEAREST_NAMED))
    names = sorted(set(nearest) | {e["address"]["gemeente"] for e in walk_ins if e["address"]["gemeente"]},
                   key=lambda name: name.removeprefix("'s-").casefold())
    groups = []
    for name in names:
        own = [e for e in walk_ins if e["address"]["gemeente"] == name]
        groups.append(Gemeente(name, own, [] if own or name not in nearest else router.records(nearest[name])))
    unknown = [e for e in walk_ins if not e["address"]["gemeente"]]
    return groups + ([Gemeente(None, unknown)] if unknown else [])


def build(router: Router, region_code: str, place: Place | None = None, k: int = 5,
          today: date | None = None, audience: str = DEFAULT_AUDIENCE) -> Checklist:
    """The checklist for a region; with a postcode's place, the nearest walk-ins instead of the region's.
    The walk-ins for `audience` (whom the visitor looks for) come first; the others say whom they are for."""
    everything = Filters(k=k)
    national = router.national(everything).where(router.is_open())
    regional = router.regional(region_code, everything, place).where(router.is_open())
    if place is not None:
        walk_ins = router.fitting_first(router.nearest(place, everything), audience)
        youth_walk_ins = router.nearest(place, Filters(kinds=("jongeren",), k=3))
        not_listed = 0
    else:
        walk_ins = router.walk_ins(region_code)
        shown = per_gemeente(router.gemeenten(walk_ins), SHEET_WALK_INS)
        walk_ins, not_listed = Hits(walk_ins.rows[shown]), len(walk_ins) - len(shown)
        youth_walk_ins = walk_ins.where(router.is_kind("jongeren"))

    networks = regional.where(router.is_kind("mgn"))
    waiting = regional.where(router.is_kind("wachtverzachter", "informatie"))
    no_waiting_support = len(regional.where(router.is_kind("wachtverzachter"))) == 0
    from_home = national.where(router.is_kind(*FROM_HOME_KINDS))
    insurers = national.where(router.is_kind("verzekeraar"))
    young_or_carers = router.for_group("jongeren") | router.for_group("naasten")

    def step(key: str, hits: Hits, gap: bool = False, fallback: list[str] = (), not_listed: int = 0,
             group: str | None = audience) -> Step:
        return Step(key, router.records(hits, group), gap,
                    router.records(router.with_ids(list(fallback)), group) if gap else [], not_listed)

    steps = once([
        step("huisarts", router.with_ids(HUISARTS_IDS)),
        step("verzekeraar", insurers.first(np.isin(insurers.rows, router.with_ids(INSURER_FIRST_IDS).rows))),
        step("netwerk", networks, gap=not len(networks), fallback=NETWORK_FALLBACK_IDS),
        step("steunpunten", walk_ins, gap=not len(walk_ins), not_listed=not_listed),
        step("wachten", waiting, gap=no_waiting_support, fallback=WAITING_FALLBACK_IDS),
        step("thuis", from_home.where(router.for_group("volwassenen"))),
        step("jongeren_naasten", youth_walk_ins + from_home.where(young_or_carers), group=None),  # for them by name
        step("clientondersteuning", national.where(router.is_kind("clientondersteuning"))),
    ])
    made = Checklist(
        region_code=region_code,
        region_name=router.region_name(region_code),
        place=place,
        steps=steps,
        made_on=today or date.today(),
        boat_trip=place is not None and router.boat_trip(place, walk_ins),
    )
    if place is None:
        made.gemeenten = by_gemeente(router, region_code, made.step("steunpunten").entries)
    return made
