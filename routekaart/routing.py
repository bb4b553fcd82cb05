"""Postcode -> zorgkantoorregio, gemeente and the support around it: the one lookup every page uses."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from flask_babel import gettext as _

from .catalogue import records
from .catalogue.schema import AUDIENCE_GROUPS, KINDS, NATIONAL, WALK_IN_KINDS
from .geodata.dataset import GeoData
from .postcodes import Postcode

DEFAULT_K, MAX_K = 5, 25
COMPACT = (",", ":")  # JSON separators without spaces, as Flask's jsonify writes
# Regional entries in the order a client needs them: the network first, then waiting support.
REGIONAL_ORDER = ["mgn", "wachtverzachter", "informatie"]


class UnknownPostcode(LookupError):
    code = "unknown_postcode"

    def __init__(self, postcode: Postcode):
        self.postcode = postcode
        self.message = _("Postcode %(postcode)s kennen we niet. Klopt hij? Nieuwe postcodes en postbusnummers "
                         "staan soms nog niet in onze gegevens.", postcode=postcode.display)
        super().__init__(self.message)


class FilterError(ValueError):
    code = "invalid_filter"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Filters:
    kinds: tuple[str, ...] = ()
    audience: str | None = None
    no_referral: bool = False
    free: bool = False
    max_km: float | None = None
    k: int = DEFAULT_K

    def __post_init__(self):
        unknown = [kind for kind in self.kinds if kind not in KINDS]
        if unknown:
            raise FilterError(_("Onbekende soort: %(unknown)s. Kies uit: %(kinds)s.", unknown=", ".join(unknown),
                                kinds=", ".join(KINDS)))
        if self.audience is not None and self.audience not in AUDIENCE_GROUPS:
            raise FilterError(_("Onbekende doelgroep '%(audience)s'. Kies uit: %(groups)s.", audience=self.audience,
                                groups=", ".join(AUDIENCE_GROUPS)))
        if not 1 <= self.k <= MAX_K:
            raise FilterError(_("Aantal moet tussen 1 en %(max)s liggen.", max=MAX_K))
        if self.max_km is not None and not 0 < self.max_km <= 400:
            raise FilterError(_("De afstand moet tussen 0 en 400 km liggen."))

    @property
    def selection(self) -> tuple:
        """The part that selects entries (not distance or count): the key of a cached mask."""
        return (tuple(sorted(self.kinds)), self.audience, self.no_referral, self.free)


@dataclass
class Place:
    """Where a postcode lies: its PC4 point, gemeente and zorgkantoorregio."""

    postcode: Postcode
    lat: float
    lon: float
    x: float
    y: float
    place: str
    gemeente_code: str
    gemeente: str
    region_code: str
    region_name: str
    region_method: str  # 'gemeente' (from the postcode data) or 'polygon'/'nearest' (spatial)
    other_regions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Hits:
    """Entries as positions in Router.entries (in display order), with distances when known.

    Positions, not frames: a lookup is a few numpy operations, and the JSON for each entry
    is made once per dataset (Router.records), so a lookup costs about as much as /healthz.
    """

    rows: np.ndarray
    km: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def where(self, mask: np.ndarray) -> "Hits":
        """Keep the hits for which `mask` (one flag per catalogue entry) is set."""
        keep = mask[self.rows]
        return Hits(self.rows[keep], None if self.km is None else self.km[keep])

    def __add__(self, other: "Hits") -> "Hits":
        km = None
        if self.km is not None or other.km is not None:
            km = np.concatenate([np.full(len(h), np.nan) if h.km is None else h.km for h in (self, other)])
        return Hits(np.concatenate([self.rows, other.rows]), km)


@dataclass
class Lookup:
    place: Place
    nearby: Hits  # walk-in entries, nearest first
    regional: Hits
    national: Hits


class Router:
    """Answers lookups fast: columns, orderings and filter masks are worked out once per dataset."""

    def __init__(self, geo: GeoData, entries: pd.DataFrame, nearest_query=None):
        """`nearest_query` (a store's `nearest`) asks a database for the nearest entries instead."""
        self.geo = geo
        self._nearest_query = nearest_query
        kind_order = {kind: i for i, kind in enumerate(REGIONAL_ORDER + [k for k in KINDS if k not in REGIONAL_ORDER])}
        self.entries = (entries.assign(_order=entries["kind"].map(kind_order))
                        .sort_values(["_order", "name"]).drop(columns="_order").reset_index(drop=True))
        e = self.entries
        self._x, self._y = e["x"].to_numpy(float), e["y"].to_numpy(float)
        self._walk_in = (e["kind"].isin(WALK_IN_KINDS) & e["x"].notna()).to_numpy()
        self._region = e["zorgkantoorregio"].to_numpy()
        self._listed = (~e["kind"].isin(WALK_IN_KINDS)).to_numpy()
        self._columns = {
            "active": (e["status"] != "inactive").to_numpy(),
            "no_referral": (e["referral_needed"] == "nee").to_numpy(),
            "free": (e["free"] == "ja").to_numpy(),
            **{group: e["audience_groups"].str.split(";").map(lambda gs, g=group: g in gs).to_numpy()
               for group in AUDIENCE_GROUPS},
        }
        self._kind = e["kind"].to_numpy()
        self._name, self._gemeente = e["name"].to_numpy(), e["gemeente"].to_numpy()
        self._position = {entry_id: i for i, entry_id in enumerate(e["id"])}
        self._records = records(e)
        self._json = [json.dumps(record, separators=COMPACT) for record in self._records]
        self._masks: dict[tuple, np.ndarray] = {}
        pc4 = geo.pc4
        self._places = dict(zip(pc4.index, zip(pc4["lat"], pc4["lon"], pc4["x"], pc4["y"], pc4["place"],
                                               pc4["gemeente_code"], pc4["gemeente"], pc4["region_code"],
                                               pc4["region_method"], pc4["other_regions"])))
        self._region_names = geo.regions["name"].to_dict()

    def mask(self, filters: Filters) -> np.ndarray:
        """Entries passing the kind, audience, referral and cost filters (not distance)."""
        key = filters.selection
        if key not in self._masks:
            keep = self._columns["active"].copy()
            if filters.kinds:
                keep &= np.isin(self._kind, filters.kinds)
            if filters.audience:
                keep &= self._columns[filters.audience]
            if filters.no_referral:
                keep &= self._columns["no_referral"]
            if filters.free:
                keep &= self._columns["free"]
            self._masks[key] = keep
        return self._masks[key]

    def resolve(self, postcode: Postcode) -> Place:
        try:
            lat, lon, x, y, place, gm_code, gm_name, region, method, others = self._places[postcode.pc4]
        except KeyError:
            raise UnknownPostcode(postcode) from None
        return Place(postcode, float(lat), float(lon), float(x), float(y), place, gm_code, gm_name, region,
                     self.region_name(region), method, [code for code in others.split(";") if code])

    def _hits(self, rows: np.ndarray, place: Place | None) -> Hits:
        if place is None:
            return Hits(rows)
        return Hits(rows, np.hypot(self._x[rows] - place.x, self._y[rows] - place.y) / 1000.0)

    def nearest(self, place: Place, filters: Filters) -> Hits:
        keep = self._walk_in & self.mask(filters)
        if self._nearest_query is not None:
            return self._nearest_in_database(place, filters, keep)
        hits = self._hits(np.flatnonzero(keep), place)
        rows, km = hits.rows, hits.km
        if filters.max_km is not None:
            rows, km = rows[km <= filters.max_km], km[km <= filters.max_km]
        order = np.argsort(km, kind="stable")[: filters.k]
        return Hits(rows[order], km[order])

    def _nearest_in_database(self, place: Place, filters: Filters, keep: np.ndarray) -> Hits:
        """Ask the database (KNN index) for the nearest placed entries, keep those passing the
        filters here, and ask for more until k pass or the database has no more."""
        max_m = None if filters.max_km is None else filters.max_km * 1000
        limit = 4 * filters.k
        while True:
            ids, metres = self._nearest_query(place.x, place.y, limit, max_m)
            rows = np.array([self._position.get(i, -1) for i in ids], dtype=int)  # -1: newer than this Router
            passing = (rows >= 0) & keep[rows]
            if passing.sum() >= filters.k or len(ids) < limit:
                return Hits(rows[passing][: filters.k], np.array(metres, dtype=float)[passing][: filters.k] / 1000)
            limit *= 4

    def regional(self, region_code: str, filters: Filters, place: Place | None = None) -> Hits:
        return self._hits(np.flatnonzero((self._region == region_code) & self._listed & self.mask(filters)), place)

    def walk_ins(self, region_code: str) -> Hits:
        """Every walk-in of a region that is not closed, placed or not, by gemeente and name."""
        rows = np.flatnonzero((self._region == region_code) & self.is_kind(*WALK_IN_KINDS) & self._columns["active"])
        return Hits(rows[np.lexsort((self._name[rows], self._gemeente[rows]))])

    def national(self, filters: Filters) -> Hits:
        return Hits(np.flatnonzero((self._region == NATIONAL) & self.mask(filters)))

    def with_ids(self, ids: list[str]) -> Hits:
        """These entries, in this order (those that exist)."""
        return Hits(np.array([self._position[i] for i in ids if i in self._position], dtype=int))

    def is_kind(self, *kinds: str) -> np.ndarray:
        return np.isin(self._kind, kinds)

    def for_group(self, group: str) -> np.ndarray:
        return self._columns[group]

    def region_name(self, code: str) -> str:
        return self._region_names[code]

    def frame(self, hits: Hits) -> pd.DataFrame:
        frame = self.entries.iloc[hits.rows]
        return frame if hits.km is None else frame.assign(distance_km=hits.km)

    def records(self, hits: Hits) -> list[dict]:
        """The entries as JSON-ready dicts, with distance_km where known."""
        if hits.km is None:
            return [self._records[i] for i in hits.rows]
        return [{**self._records[i], "distance_km": None if np.isnan(km) else round(float(km), 1)}
                for i, km in zip(hits.rows, hits.km)]

    def records_json(self, hits: Hits) -> str:
        """records() as a JSON array, compact like Flask's jsonify. An entry without a distance is
        the same in every answer, so its JSON is made once per dataset; most of an answer is such."""
        if hits.km is None:
            return "[" + ",".join(self._json[i] for i in hits.rows) + "]"
        return json.dumps(self.records(hits), separators=COMPACT)

    def lookup(self, postcode: Postcode, filters: Filters = Filters()) -> Lookup:
        place = self.resolve(postcode)
        return Lookup(place, self.nearest(place, filters), self.regional(place.region_code, filters, place),
                      self.national(filters))
