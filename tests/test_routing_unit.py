"""The lookup on a small fictitious country (tests/tiny_country.py): fast, and no national data needed."""
import itertools

import numpy as np
import pytest

from routekaart import catalogue
from routekaart.errors import UnknownPostcode
from routekaart.postcodes import parse
from routekaart.routing import Filters, Router

from .tiny_country import GEMEENTEN, entries, pc4_points


@pytest.fixture(scope="module")
def router(tiny_geo):
    return Router(tiny_geo, catalogue.load(entries(), tiny_geo).entries)


def ids(router, hits) -> list[str]:
    return [record["id"] for record in router.records(hits)]


def test_every_postcode_gets_its_gemeente_and_region(router):
    for point in pc4_points().itertuples():
        place = router.resolve(parse(point.pc4))
        assert (place.gemeente_code, place.region_code) == (point.gemeente_code, GEMEENTEN[point.gemeente_code][1])
        assert place.region_method == "gemeente"
    with pytest.raises(UnknownPostcode):
        router.resolve(parse("9999"))


def test_nearest_is_the_brute_force_answer(router):
    """Every PC4, several filters: the R-tree search gives the straight-line order worked out by hand."""
    walk_ins = router.entries[router.entries["kind"].isin(["steunpunt"]) & (router.entries["status"] == "active")]
    for point, k in itertools.product(pc4_points().itertuples(), (1, 2, 5)):
        place = router.resolve(parse(point.pc4))
        found = router.nearest(place, Filters(k=k))
        metres = np.hypot(walk_ins["x"] - place.x, walk_ins["y"] - place.y).sort_values()
        assert ids(router, found) == list(walk_ins.loc[metres.index[:k], "id"])
        assert np.allclose(found.km, metres.to_numpy()[:k] / 1000)


def test_a_planned_place_is_never_a_walk_in(router):
    place = router.resolve(parse("9422"))  # the planned place's own PC4
    assert "testpunt-zo-gepland" not in ids(router, router.nearest(place, Filters(k=25)))


def test_a_network_is_offered_only_where_it_serves(router):
    north_west, north_east, south = (router.lookup(parse(pc4)) for pc4 in ("9111", "9222", "9333"))
    assert "testnetwerk-nw" in ids(router, north_west.regional)
    assert "testnetwerk-nw" not in ids(router, north_east.regional)
    assert "testnetwerk-nw" in ids(router, north_east.elsewhere), "said to be for another gemeente"
    assert "testnetwerk-zuid" in ids(router, south.regional), "no service area: the whole region"
    assert ids(router, south.national) == ["testlijn"]
