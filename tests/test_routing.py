"""The lookup at scale: the indexed nearest search gives the brute-force answer, and the caches
keyed by request input stay bounded whatever the requests."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from routekaart import routing, state
from routekaart.catalogue.schema import KINDS
from routekaart.derived import Derived
from routekaart.postcodes import parse
from routekaart.routing import Filters, Router

FILTERS = [Filters(), Filters(k=25), Filters(kinds=("jongeren",), k=3), Filters(max_km=10, k=25),
           Filters(kinds=("steunpunt", "herstelacademie"), audience="volwassenen", free=True, k=7),
           Filters(max_km=0.5, k=25), Filters(no_referral=True, k=1), Filters(text="a", k=25),
           Filters(text="geen plek heet zo", k=5)]


def brute_force(router: Router, place, filters: Filters):
    """Every open walk-in passing the filters, by distance (equally far ones in catalogue order)."""
    rows = np.flatnonzero(router._walk_in & router.is_open() & router.mask(filters))
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
def large_catalogue(large_app) -> pd.DataFrame:
    with large_app.app_context():
        return state.get().catalogue.entries


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


def test_caches_keyed_by_request_input_stay_bounded(large_app):
    """Thousands of distinct filter addresses: each cache holds at most its bound (issue 11)."""
    from routekaart.web.cards import ENTRY_HTML_KEPT

    client = large_app.test_client()
    with large_app.app_context():
        data = state.get()
    rng = np.random.default_rng(7)
    postcodes = rng.choice(data.geo.pc4.index.to_numpy(), 3000)
    kinds = list(KINDS)
    for i, postcode in enumerate(postcodes):
        chosen = ",".join(rng.choice(kinds, rng.integers(1, len(kinds)), replace=False))
        assert client.get(f"/api/v1/lookup?postcode={postcode}&kind={chosen}&free={i % 2}").status_code == 200
    for repeats in range(1, 200, 20):  # one kind, repeated: one filter
        assert client.get("/route/3511AB?" + "&".join(["soort=steunpunt"] * repeats)).status_code == 200
    for postcode in postcodes[:100]:
        assert client.get(f"/route/{postcode}").status_code == 200
    sizes = data.derived.sizes()
    assert sizes["filter masks"] == routing.MASKS_KEPT
    assert sizes["entry records"] <= routing.RECORDS_KEPT
    assert 0 < sizes["entry HTML"] <= ENTRY_HTML_KEPT
