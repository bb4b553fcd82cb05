"""The while-you-wait route map: an ordered list of steps, filled in for one region or postcode.

The order is the advice itself: first the huisarts and the insurer (who can shorten the wait),
then the region's network and walk-ins, then help you can reach from home. Where a region has
no entry for a step, the step says so and offers the national alternative instead of vanishing.
The texts live in the templates (translatable); this module only decides what goes where.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from .catalogue import records
from .routing import Filters, Place, Router

# National entries that belong to a step by what they are, not by kind alone.
HUISARTS_IDS = ["nl-poh-ggz-huisarts"]
NETWORK_FALLBACK_IDS = ["nl-mentale-gezondheidsnetwerken-programma"]
WAITING_FALLBACK_IDS = ["nl-wegvandewachtlijst", "nl-mind-wachtlijsten-dossier"]
FROM_HOME_KINDS = ["telefoon", "online", "zelfhulp", "lotgenoten"]

STEP_KEYS = ["huisarts", "verzekeraar", "netwerk", "steunpunten", "wachten", "thuis", "jongeren_naasten",
             "clientondersteuning"]


@dataclass
class Step:
    key: str
    entries: list[dict]
    gap: bool = False  # the region has nothing of this kind that we know of
    fallback: list[dict] = field(default_factory=list)  # the national alternative for a gap


@dataclass
class Checklist:
    region_code: str
    region_name: str
    place: Place | None
    steps: list[Step]
    made_on: date
    verified_until: str | None  # the oldest verification date among the listed entries
    unverified: int  # listed entries nobody has verified yet

    def step(self, key: str) -> Step:
        return next(step for step in self.steps if step.key == key)


def _by_ids(frame: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    return frame[frame["id"].isin(ids)].set_index("id", drop=False).reindex([i for i in ids if i in set(frame["id"])])


def _for(groups: pd.Series, group: str) -> pd.Series:
    return groups.str.split(";").map(lambda gs: group in gs)


def build(router: Router, region_code: str, place: Place | None = None, k: int = 5,
          today: date | None = None) -> Checklist:
    """The checklist for a region; with a postcode's place, the nearest walk-ins instead of all."""
    everything = Filters(k=k)
    national = router.national(everything)
    regional = router.regional(region_code, everything, place)
    if place is not None:
        walk_ins = router.nearest(place, everything)
        youth_walk_ins = router.nearest(place, Filters(kinds=("jongeren",), k=3))
    else:
        walk_ins = router.walk_ins(region_code).sort_values(["gemeente", "name"])
        youth_walk_ins = walk_ins[walk_ins["kind"] == "jongeren"]

    networks = regional[regional["kind"] == "mgn"]
    waiting = regional[regional["kind"].isin(["wachtverzachter", "informatie"])]
    from_home = national[national["kind"].isin(FROM_HOME_KINDS)]
    young_or_carers = lambda f: f[_for(f["audience_groups"], "jongeren") | _for(f["audience_groups"], "naasten")]  # noqa: E731
    adults_from_home = from_home[_for(from_home["audience_groups"], "volwassenen")]

    steps = [
        Step("huisarts", records(_by_ids(national, HUISARTS_IDS))),
        Step("verzekeraar", records(national[national["kind"] == "verzekeraar"])),
        Step("netwerk", records(networks), gap=networks.empty,
             fallback=records(_by_ids(national, NETWORK_FALLBACK_IDS)) if networks.empty else []),
        Step("steunpunten", records(walk_ins), gap=walk_ins.empty),
        Step("wachten", records(waiting), gap=not (waiting["kind"] == "wachtverzachter").any(),
             fallback=records(_by_ids(national, WAITING_FALLBACK_IDS))
             if not (waiting["kind"] == "wachtverzachter").any() else []),
        Step("thuis", records(adults_from_home)),
        Step("jongeren_naasten", records(pd.concat([youth_walk_ins, young_or_carers(from_home)]))),
        Step("clientondersteuning", records(national[national["kind"] == "clientondersteuning"])),
    ]
    listed = [entry for step in steps for entry in step.entries + step.fallback]
    dates = sorted(entry["last_verified"] for entry in listed if entry["last_verified"])
    return Checklist(
        region_code=region_code,
        region_name=router.region_name(region_code),
        place=place,
        steps=steps,
        made_on=today or date.today(),
        verified_until=dates[0] if dates else None,
        unverified=len({entry["id"] for entry in listed if not entry["last_verified"]}),
    )
