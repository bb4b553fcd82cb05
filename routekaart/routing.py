"""Postcode -> zorgkantoorregio, gemeente and the support around it: the one lookup every page uses."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from .catalogue import as_record
from .catalogue.schema import AUDIENCE_GROUPS, KINDS, NATIONAL, OPEN_STATUSES, WALK_IN_KINDS
from .derived import Derived
from .errors import FilterError, UnknownPostcode
from .geodata.dataset import GeoData
from .geodata.sources import RD_NEW
from .i18n import N_
from .postcodes import Postcode

DEFAULT_K, MAX_K = 5, 25
MAX_UNKNOWN_SHOWN = 5  # unknown kinds named in an error message
MASKS_KEPT = 64  # filter masks kept per dataset (there are thousands of possible filters)
RECORDS_KEPT = 8192  # entries kept as JSON-ready dicts, per dataset
FIRST_RADIUS_M = 5000  # the nearest search looks this far first, then four times as far, and so on
SLACK_M = 1.0  # the index's distances and ours may differ in the last digits: ask a metre more
MAX_SEARCH = 60  # characters of a name or town to look for (the form's field takes no more)
# Regional entries in the order a client needs them: the network first, then waiting support.
REGIONAL_ORDER = ["mgn", "wachtverzachter", "informatie"]
# Whom a visitor looks for (one choice, no account; adult by default), as the route page's `voor`
# and the API's `audience` say it, -> the schema's audience group. The group's own name is taken
# too (older links and API clients).
VISITORS = {"volwassene": "volwassenen", "jongere": "jongeren", "naaste": "naasten"}
DEFAULT_AUDIENCE = "volwassenen"
# How a distance is known, by how the entry was placed (catalogue.placement's geo_precision): its
# own coordinates (its address), its postcode's PC4 point, or the centre of its place.
DISTANCE_BASIS = {"source": "address", "pc4": "pc4", "place": "place"}
# The Wadden islands without a bridge (CBS codes): from there a walk-in elsewhere is a boat trip.
WADDEN_ISLANDS = ("GM0448", "GM0096", "GM0093", "GM0060", "GM0088")  # Texel, Vlieland, Terschelling, Ameland, Schiermonnikoog


TRUE, FALSE = {"1", "true", "ja", "yes", "on"}, {"0", "false", "nee", "no", "off", ""}


def flag(name: str, value: str | None) -> bool:
    """A yes/no filter as a form or a URL gives it ('1', 'true', 'ja', or empty for no)."""
    value = (value or "").strip().lower()
    if value not in TRUE | FALSE:
        raise FilterError(N_("'%(name)s' moet aan of uit zijn: 1 of 0, true of false."), name=name)
    return value in TRUE


def number(name: str, value: str | None, kind=float, default=None):
    value = (value or "").strip()
    if not value:
        return default
    try:
        return kind(value)
    except ValueError:
        raise FilterError(N_("'%(name)s' moet een getal zijn."), name=name) from None


def plain(texts: pd.Series) -> pd.Series:
    """Texts as a search compares them: lower case, accents dropped ('Café' -> 'cafe')."""
    return texts.str.normalize("NFKD").str.replace(r"[\u0300-\u036f]", "", regex=True).str.casefold()


@dataclass(frozen=True)
class Filters:
    """What a visitor asks for. `audience` is whom they look for: it orders the lists (places for
    that group first, see Router.fitting_first) and hides nothing; the others select entries."""

    kinds: tuple[str, ...] = ()
    audience: str = DEFAULT_AUDIENCE
    no_referral: bool = False
    free: bool = False
    max_km: float | None = None
    k: int = DEFAULT_K
    text: str = ""  # words of a name or town to look for, as typed (never logged or kept)

    def __post_init__(self):
        object.__setattr__(self, "text", " ".join(self.text.split()))
        if len(self.text) > MAX_SEARCH:
            raise FilterError(N_("Zoek met hoogstens %(max)s tekens."), max=MAX_SEARCH)
        # A set of kinds, in one order: `soort=mgn&soort=mgn&...` is the same filter (and cache key) as `soort=mgn`.
        object.__setattr__(self, "kinds", tuple(sorted(set(self.kinds))))
        group = self.audience or DEFAULT_AUDIENCE
        object.__setattr__(self, "audience", VISITORS.get(group, group))
        unknown = [kind for kind in self.kinds if kind not in KINDS][:MAX_UNKNOWN_SHOWN]
        if unknown:
            raise FilterError(N_("Onbekende soort: %(unknown)s. Kies uit: %(kinds)s."), unknown=", ".join(unknown),
                              kinds=", ".join(KINDS))
        if self.audience not in AUDIENCE_GROUPS:
            raise FilterError(N_("Onbekende doelgroep '%(audience)s'. Kies uit: %(groups)s."), audience=self.audience,
                              groups=", ".join(VISITORS))
        if not 1 <= self.k <= MAX_K:
            raise FilterError(N_("Aantal moet tussen 1 en %(max)s liggen."), max=MAX_K)
        if self.max_km is not None and not 0 < self.max_km <= 400:
            raise FilterError(N_("De afstand moet tussen 0 en 400 km liggen."))

    @property
    def selection(self) -> tuple:
        """The part that selects entries by their facts (not the text, distance, count or audience):
        the key of a cached mask. A searched text is never a key: nothing keeps what visitors look for."""
        return (self.kinds, self.no_referral, self.free)

    @functools.cached_property
    def words(self) -> list[str]:
        """The text's words as the search compares them (made once: a lookup asks several times)."""
        return plain(pd.Series(self.text.split(), dtype=object)).tolist() if self.text else []


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

    def first(self, flags: np.ndarray) -> "Hits":
        """The hits whose flag (one per hit) is set first, then the others, each part in its order."""
        order = np.argsort(~flags, kind="stable")
        return Hits(self.rows[order], None if self.km is None else self.km[order])

    def __add__(self, other: "Hits") -> "Hits":
        km = None
        if self.km is not None or other.km is not None:
            km = np.concatenate([np.full(len(h), np.nan) if h.km is None else h.km for h in (self, other)])
        return Hits(np.concatenate([self.rows, other.rows]), km)


@dataclass
class Lookup:
    place: Place
    nearby: Hits  # walk-in entries, nearest first
    regional: Hits  # entries whose service area holds the postcode's gemeente
    national: Hits
    elsewhere: Hits  # the region's other entries: for other gemeenten
    audience: str = DEFAULT_AUDIENCE  # each list has the entries for this group first
    boat_trip: bool = False  # an island postcode whose nearest walk-in is not on the island


class Router:
    """Answers lookups fast: columns, orderings and a spatial index are worked out once per dataset;
    filter masks and each entry's JSON when first asked for, kept in the dataset's bounded caches."""

    def __init__(self, geo: GeoData, entries: pd.DataFrame, nearest_query=None, derived: Derived | None = None):
        """`nearest_query` (a store's `nearest`) asks a database for the nearest entries instead."""
        self.geo = geo
        self._nearest_query = nearest_query
        kind_order = {kind: i for i, kind in enumerate(REGIONAL_ORDER + [k for k in KINDS if k not in REGIONAL_ORDER])}
        self.entries = (entries.assign(_order=entries["kind"].map(kind_order))
                        .sort_values(["_order", "name"]).drop(columns="_order").reset_index(drop=True))
        e = self.entries
        self._x, self._y = e["x"].to_numpy(float), e["y"].to_numpy(float)
        self._walk_in = (e["kind"].isin(WALK_IN_KINDS) & e["x"].notna()).to_numpy()
        self._listed = (~e["kind"].isin(WALK_IN_KINDS)).to_numpy()
        self._columns = {
            "active": (e["status"] != "inactive").to_numpy(),
            "open": e["status"].isin(OPEN_STATUSES).to_numpy(),
            "no_referral": (e["referral_needed"] == "nee").to_numpy(),
            "free": (e["free"] == "ja").to_numpy(),
            **{group: e["audience_groups"].str.contains(f"(?:^|;){group}(?:;|$)").to_numpy(dtype=bool)
               for group in AUDIENCE_GROUPS},
        }
        # An entry fits a group unless it is only for other groups (one that names none is for anyone).
        self._fits = {group: self._columns[group] | (e["audience_groups"] == "").to_numpy()
                      for group in AUDIENCE_GROUPS}
        self._of_kind = {kind: (e["kind"] == kind).to_numpy() for kind in KINDS}
        self._by_region = {code: rows for code, rows in e.groupby("zorgkantoorregio", sort=False).indices.items()}
        # Service areas (catalogue.with_areas): gemeente -> the rows serving it, and region -> the
        # rows serving any of its gemeenten, each in catalogue order.
        served = e["area_codes"].str.split(";").explode()
        served = pd.DataFrame({"row": served.index, "gemeente": served.to_numpy()})
        served = served[served["gemeente"] != ""]
        self._serving = {code: np.sort(rows) for code, rows in served.groupby("gemeente")["row"].agg(np.array).items()}
        served["region"] = served["gemeente"].map(geo.gemeenten["region_code"])
        self._serving_region = {code: np.unique(rows) for code, rows
                                in served.groupby("region")["row"].agg(np.array).items()}
        self._elsewhere: dict[tuple[str, str], np.ndarray] = {}  # (region, gemeente) -> rows, made when asked
        self._name, self._gemeente = e["name"].to_numpy(), e["gemeente"].to_numpy()
        self._searched = plain(e["name"] + " " + e["organization"].fillna("") + " " + e["city"].fillna("") + " "
                               + e["gemeente"].fillna(""))
        self._position = {entry_id: i for i, entry_id in enumerate(e["id"])}
        # The placed walk-ins in an R-tree (RD New metres), for the nearest search; a database that
        # answers it (nearest_query) has its own index.
        self._walk_in_rows = np.flatnonzero(self._walk_in)
        self._tree = None if nearest_query else shapely.STRtree(
            shapely.points(self._x[self._walk_in_rows], self._y[self._walk_in_rows]))
        # Entries as one Arrow table: a record is made from its row when first asked for (kept,
        # bounded), not for every entry at start-up, where a national catalogue's would cost 150 MB.
        self._table = pa.Table.from_pandas(e, preserve_index=False)
        derived = derived or Derived(geo, e)
        self._mask = derived.bounded("filter masks", self._make_mask, MASKS_KEPT)
        self._records = derived.bounded_many("entry records", self._make_records, RECORDS_KEPT)
        pc4 = geo.pc4
        self._places = dict(zip(pc4.index, zip(pc4["lat"], pc4["lon"], pc4["x"], pc4["y"], pc4["place"],
                                               pc4["gemeente_code"], pc4["gemeente"], pc4["region_code"],
                                               pc4["region_method"], pc4["other_regions"])))
        self._region_names = geo.regions["name"].to_dict()
        islands = geo.gemeenten.loc[geo.gemeenten.index.intersection(WADDEN_ISLANDS)].to_crs(RD_NEW)
        self._islands = dict(zip(islands.index, islands.geometry))

    def _make_mask(self, selection: tuple) -> np.ndarray:
        kinds, no_referral, free = selection
        keep = self._columns["active"].copy()
        if kinds:
            keep &= self.is_kind(*kinds)
        if no_referral:
            keep &= self._columns["no_referral"]
        if free:
            keep &= self._columns["free"]
        keep.flags.writeable = False  # shared by every lookup with this selection
        return keep

    def mask(self, filters: Filters) -> np.ndarray:
        """Entries passing the kind, referral and cost filters and holding every word of the text in
        their name, organisation, town or gemeente (not distance)."""
        keep = self._mask(filters.selection)
        for word in filters.words:
            keep = keep & self._searched.str.contains(word, regex=False).to_numpy()
        return keep

    def _make_records(self, rows: list[int]) -> list[dict]:
        return [as_record(row) for row in self._table.take(rows).to_pylist()]

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
        """The k open walk-ins (not planned or stopped) nearest to the place that pass the filters
        (within max_km), nearest first; equally far ones in catalogue order."""
        keep = self._open_walk_ins(filters)
        if self._nearest_query is not None:
            return self._nearest_in_database(place, filters, keep)
        hits = self._hits(self._candidates(place, keep, filters), place)
        rows, km = hits.rows, hits.km
        if filters.max_km is not None:
            rows, km = rows[km <= filters.max_km], km[km <= filters.max_km]
        order = np.argsort(km, kind="stable")[: filters.k]
        return Hits(rows[order], km[order])

    def _open_walk_ins(self, filters: Filters) -> np.ndarray:
        """The placed walk-ins a nearest search may offer: open (not planned or stopped), passing the filters."""
        return self._walk_in & self._columns["open"] & self.mask(filters)

    def _candidates(self, place: Place, keep: np.ndarray, filters: Filters) -> np.ndarray:
        """The rows passing `keep` within a radius that holds the k nearest, in catalogue order: the
        index is asked for a circle that grows fourfold until k of them lie inside it (or it reaches
        max_km, or holds every walk-in). Any entry as near as the k-th is then in the circle."""
        point = shapely.Point(place.x, place.y)
        limit = np.inf if filters.max_km is None else filters.max_km * 1000
        radius = min(FIRST_RADIUS_M, limit)
        while True:
            found = self._tree.query(point, predicate="dwithin", distance=radius + SLACK_M)
            rows = np.sort(self._walk_in_rows[found])
            rows = rows[keep[rows]]
            if radius >= limit or len(found) == len(self._walk_in_rows):
                return rows
            metres = np.hypot(self._x[rows] - place.x, self._y[rows] - place.y)
            if np.count_nonzero(metres <= radius) >= filters.k:
                return rows
            radius = min(radius * 4, limit)

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

    def _of_region(self, code: str) -> np.ndarray:
        return self._by_region.get(code, np.empty(0, dtype=int))

    def of_region(self, code: str) -> Hits:
        """Every entry of a region's file (or the national one), closed ones too, in display order."""
        return Hits(self._of_region(code))

    def _listed_hits(self, rows: np.ndarray, filters: Filters, place: Place | None) -> Hits:
        return self._hits(rows[self._listed[rows] & self.mask(filters)[rows]], place)

    def regional(self, region_code: str, filters: Filters, place: Place | None = None) -> Hits:
        """The regional and local entries (not walk-ins) for the place's gemeente; without a place,
        those for any gemeente of the region (also entries of another region's file)."""
        rows = self._serving.get(place.gemeente_code) if place is not None else self._serving_region.get(region_code)
        return self._listed_hits(rows if rows is not None else np.empty(0, dtype=int), filters, place)

    def elsewhere(self, place: Place, filters: Filters) -> Hits:
        """The place's region's regional and local entries that are for other gemeenten."""
        key = (place.region_code, place.gemeente_code)
        rows = self._elsewhere.get(key)
        if rows is None:  # at most one per gemeente and region: kept
            rows = self._of_region(place.region_code)
            rows = self._elsewhere[key] = rows[~np.isin(rows, self._serving.get(place.gemeente_code, []))]
        return self._listed_hits(rows, filters, place)

    def fitting_first(self, hits: Hits, group: str) -> Hits:
        """The hits for `group` first, then those only for other groups, each part in its order:
        a place only for young people is never listed before an adult's own."""
        return hits.first(self._fits[group][hits.rows])

    def boat_trip(self, place: Place, walk_ins: Hits) -> bool:
        """Whether the place is on a Wadden island and the first of these walk-ins is not on it."""
        island = self._islands.get(place.gemeente_code)
        if island is None or not len(walk_ins):
            return False
        first = walk_ins.rows[0]
        return not shapely.contains_xy(island, self._x[first], self._y[first])

    def walk_ins(self, region_code: str) -> Hits:
        """Every open walk-in of a region (not planned or stopped), placed or not, by gemeente and name."""
        rows = self._of_region(region_code)
        rows = rows[self.is_kind(*WALK_IN_KINDS)[rows] & self._columns["open"][rows]]
        return Hits(rows[np.lexsort((self._name[rows], self._gemeente[rows]))])

    def national(self, filters: Filters) -> Hits:
        rows = self._of_region(NATIONAL)
        return Hits(rows[self.mask(filters)[rows]])

    def nearest_to_gemeenten(self, region_code: str, filters: Filters) -> dict[str, Hits]:
        """For each gemeente of the region (by name), the k open walk-ins nearest to its middle (the
        centroid of its area) that pass the filters, in any region, nearest first."""
        gemeenten = self.geo.gemeenten[self.geo.gemeenten["region_code"] == region_code]
        middle = gemeenten.geometry.to_crs(RD_NEW).centroid
        rows = np.flatnonzero(self._open_walk_ins(filters))
        metres = np.hypot(self._x[rows] - middle.x.to_numpy()[:, None], self._y[rows] - middle.y.to_numpy()[:, None])
        order = np.argsort(metres, axis=1, kind="stable")[:, : filters.k]
        return {name: Hits(rows[nearest], metres[i, nearest] / 1000.0)
                for i, (name, nearest) in enumerate(zip(gemeenten["name"], order))}

    def with_ids(self, ids: list[str]) -> Hits:
        """These entries, in this order (those that exist)."""
        return Hits(np.array([self._position[i] for i in ids if i in self._position], dtype=int))

    def gemeenten(self, hits: Hits) -> np.ndarray:
        """The gemeente of each hit ('' where not known)."""
        return self._gemeente[hits.rows]

    def is_kind(self, *kinds: str) -> np.ndarray:
        return np.logical_or.reduce([self._of_kind[kind] for kind in kinds])

    def for_group(self, group: str) -> np.ndarray:
        return self._columns[group]

    def is_open(self) -> np.ndarray:
        """Entries a visitor can go to now: not planned, not stopped (schema.OPEN_STATUSES)."""
        return self._columns["open"]

    def region_name(self, code: str) -> str:
        return self._region_names[code]

    def records(self, hits: Hits, audience: str | None = None) -> list[dict]:
        """The entries as JSON-ready dicts, with distance_km and its distance_basis where known,
        and, given whom the visitor looks for, whether each is for them (audience_fit)."""
        made = self._records.many(hits.rows.tolist())
        if audience is not None:
            made = [{**record, "audience_fit": bool(fit)} for record, fit in zip(made, self._fits[audience][hits.rows])]
        if hits.km is None:
            return made
        return [{**record, "distance_km": None if np.isnan(km) else round(float(km), 1),
                 "distance_basis": None if np.isnan(km) else DISTANCE_BASIS.get(record["geo_precision"])}
                for record, km in zip(made, hits.km)]

    def lookup(self, postcode: Postcode, filters: Filters = Filters()) -> Lookup:
        """Everything for a postcode, each list with the entries for the visitor's group first."""
        place = self.resolve(postcode)
        nearby = self.nearest(place, filters)
        ordered = (self.fitting_first(hits, filters.audience) for hits in (
            nearby, self.regional(place.region_code, filters, place), self.national(filters),
            self.elsewhere(place, filters)))
        return Lookup(place, *ordered, audience=filters.audience, boat_trip=self.boat_trip(place, nearby))
