"""The lookup at scale: the indexed nearest search gives the brute-force answer, and the caches
keyed by request input stay bounded whatever the requests."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from routekaart import catalogue, routing
from routekaart.catalogue.schema import KINDS, WALK_IN_KINDS, normalise
from routekaart.derived import Derived
from routekaart.postcodes import parse
from routekaart.routing import Filters, Router

FILTERS = [Filters(), Filters(k=25), Filters(kinds=("jongeren",), k=3), Filters(max_km=10, k=25),
           Filters(kinds=("steunpunt", "herstelacademie"), audience="volwassenen", free=True, k=7),
           Filters(max_km=0.5, k=25), Filters(no_referral=True, k=1)]


def brute_force(router: Router, place, filters: Filters):
    """Every walk-in passing the filters, by distance (equally far ones in catalogue order)."""
    rows = np.flatnonzero(router._walk_in & router.mask(filters))
    km = np.hypot(router._x[rows] - place.x, router._y[rows] - place.y) / 1000
    if filters.max_km is not None:
        rows, km = rows[km <= filters.max_km], km[km <= filters.max_km]
    order = np.argsort(km, kind="stable")[: filters.k]
    return rows[order], km[order]


def assert_same_as_brute_force(router: Router, postcodes):
    for code in postcodes:
        place = router.resolve(parse(code))
        for filters in FILTERS:
            hits = router.nearest(place, filters)
            rows, km = brute_force(router, place, filters)
            assert hits.rows.tolist() == rows.tolist(), (code, filters)
            assert np.array_equal(hits.km, km), (code, filters)


def test_nearest_is_the_brute_force_answer_on_the_catalogue(data):
    assert_same_as_brute_force(data.router, data.geo.pc4.index)


@pytest.fixture(scope="module")
def large_catalogue(data) -> pd.DataFrame:
    """The catalogue plus 5,000 fictitious walk-ins, many sharing one PC4 point (equal distances)."""
    rng = np.random.default_rng(11)
    pc4 = data.geo.pc4.iloc[rng.integers(0, len(data.geo.pc4), 5000)]
    extra = normalise(pd.DataFrame({
        "id": [f"testpunt-voorbeeld-{i}" for i in range(5000)],
        "name": [f"Testpunt Voorbeeld {i}" for i in range(5000)],
        "kind": rng.choice(WALK_IN_KINDS, 5000), "status": rng.choice(["active", "inactive"], 5000, p=[0.9, 0.1]),
        "audience_groups": rng.choice(["volwassenen", "jongeren", "volwassenen;naasten"], 5000),
        "free": rng.choice(["ja", ""], 5000), "referral_needed": rng.choice(["nee", ""], 5000), "scope": "lokaal",
        "zorgkantoorregio": pc4["region_code"].to_numpy(), "location_type": "physical",
        "postal_code": pc4.index.to_numpy() + " ZZ", "gemeente": pc4["gemeente"].to_numpy(),
        "source_url": "https://example.org/testpunt"}))
    stored = pd.concat([data.store.read_all(), extra], ignore_index=True)
    return catalogue.load(stored, data.geo).entries


def test_nearest_is_the_brute_force_answer_on_a_large_fictitious_catalogue(large_catalogue, data):
    sample = np.random.default_rng(5).choice(data.geo.pc4.index.to_numpy(), 400, replace=False)
    assert_same_as_brute_force(Router(data.geo, large_catalogue), sample)


def test_filter_masks_are_kept_per_set_of_kinds_and_bounded(large_catalogue, data):
    derived = Derived(data.geo, large_catalogue)
    router = Router(data.geo, large_catalogue, derived=derived)
    assert Filters(kinds=("mgn", "crisis", "mgn")) == Filters(kinds=("crisis", "mgn"))
    for repeats in range(1, 300):
        router.mask(Filters(kinds=("mgn",) * repeats))
    assert derived.sizes()["filter masks"] == 1
    kinds = list(KINDS)
    rng = np.random.default_rng(2)
    for _ in range(3000):  # thousands of distinct selections
        chosen = tuple(rng.choice(kinds, rng.integers(1, len(kinds)), replace=False))
        router.mask(Filters(kinds=chosen, free=bool(rng.integers(2))))
    assert derived.sizes()["filter masks"] == routing.MASKS_KEPT
