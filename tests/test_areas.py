"""Service areas and status on a fictitious catalogue: a network is offered only to the gemeenten
it serves (also across a region border), the checklist says when none serves the gemeente, and a
planned or stopped place is never a walk-in, on the map or on the printed sheet."""
import json
import re

import pandas as pd
import pytest

from routekaart import checklist, state
from routekaart.catalogue import areas, importing, schema
from routekaart.postcodes import parse
from routekaart.routing import Filters

from .fictitious import ROWS, app_with, row
from .test_regio import pdf_text


@pytest.fixture(scope="module")
def made(tmp_path_factory, geodata_dir):
    return app_with(tmp_path_factory.mktemp("areas"), geodata_dir)


@pytest.fixture(scope="module")
def router(made):
    with made.app_context():
        return state.get().router


def ids(router, hits) -> list[str]:
    return [entry["id"] for entry in router.records(hits)]


def test_names_codes_and_aliases_are_gemeenten_and_anything_else_a_row_problem(data):
    frame = schema.normalise(pd.DataFrame([
        row("testnetwerk-goed", "mgn", "ZK10", service_area="Den Haag; GM0603; rijswijk; Middelburg"),
        row("testnetwerk-fout", "mgn", "ZK10", service_area="Nergenshuizen; GM9999"),
        row("testnetwerk-twee", "mgn", "ZK18", service_area="Bergen"),
        row("nl-testlijn", "telefoon", "landelijk", service_area="Utrecht"),
    ]))
    problems = [(p.row, p.column, p.message) for p in areas.problems(frame, data.geo)]
    assert [(r, c) for r, c, _ in problems] == [(3, "service_area")] * 2 + [(4, "service_area"), (5, "service_area")]
    assert "'Nergenshuizen' is geen gemeente" in problems[0][2] and "CBS-code" in problems[1][2]
    assert "Bergen (L.) of Bergen (NH.)" in problems[2][2]
    assert "landelijk" in problems[3][2]
    served = areas.served(frame.iloc[:1], data.geo)
    assert set(served["gemeente_code"]) == {"GM0518", "GM0603", "GM0687"}


def test_an_import_checks_service_areas_against_the_geodata(data):
    frame = pd.DataFrame([row("testnetwerk-fout", "mgn", "ZK10", service_area="Nergenshuizen")])
    problems = importing.check(frame, "ZK10", schema.empty_frame(), data.geo)
    assert [(p.row, p.column) for p in problems] == [(2, "service_area")]


def test_defaults_own_gemeente_when_local_else_the_whole_region(data):
    frame = schema.normalise(pd.DataFrame(ROWS))
    basis = dict(zip(frame["id"], areas.basis(frame, data.geo)))
    assert basis["testnetwerk-eemland"] == "given" and basis["testwacht-utrecht"] == "gemeente"
    assert basis["nl-testlijn"] == ""
    regional = schema.normalise(pd.DataFrame([row("testnetwerk-regio", "mgn", "ZK23")]))
    served = areas.served(regional, data.geo)
    region = data.geo.gemeenten
    assert set(served["gemeente_code"]) == set(region.index[region["region_code"] == "ZK23"])


def test_utrecht_is_not_offered_the_network_of_other_gemeenten(router):
    found = router.lookup(parse("3511AB"))
    assert found.place.gemeente == "Utrecht"
    assert "testnetwerk-eemland" not in ids(router, found.regional)
    assert "testwacht-utrecht" in ids(router, found.regional)
    assert {"testnetwerk-eemland", "testwacht-nieuwegein"} <= set(ids(router, found.elsewhere))
    step = checklist.build(router, found.place.region_code, found.place).step("netwerk")
    assert step.gap and step.entries == []  # the planned network for Utrecht is no step to take today
    assert [e["id"] for e in step.fallback] == ["nl-mentale-gezondheidsnetwerken-programma"]
    assert ids(router, router.lookup(parse("3811")).regional)[:1] == ["testnetwerk-eemland"]  # Amersfoort
    assert "testnetwerk-eemland" in ids(router, router.lookup(parse("3832")).regional)  # Leusden, by its code


def test_a_service_area_may_cross_a_region_border(router):
    zeewolde = router.lookup(parse("3891"))
    assert zeewolde.place.region_code == "ZK07" and ids(router, zeewolde.regional) == ["testnetwerk-veluwe"]
    assert [e["id"] for e in checklist.build(router, "ZK07").step("netwerk").entries] == ["testnetwerk-veluwe"]
    assert "testnetwerk-veluwe" not in ids(router, router.lookup(parse("8011")).regional)  # Zwolle


def test_the_route_page_api_and_print_say_it_for_utrecht(made):
    client = made.test_client()
    page = client.get("/route/3511AB").get_data(as_text=True)
    mine, elsewhere = page.split("In je regio, maar voor andere gemeenten")
    assert "Testnetwerk Eemland" not in mine and "Testnetwerk Eemland" in elsewhere
    assert "We kennen nog geen mentaal gezondheidsnetwerk voor de gemeente Utrecht" in mine
    assert "Voor inwoners van de gemeenten Amersfoort, Leusden." in elsewhere
    body = client.get("/api/v1/lookup?postcode=3511AB").get_json()
    assert "testnetwerk-eemland" in [e["id"] for e in body["elsewhere_in_region"]]
    assert "testnetwerk-eemland" not in [e["id"] for e in body["regional"]]
    network = next(e for e in body["elsewhere_in_region"] if e["id"] == "testnetwerk-eemland")
    assert network["service_area"] == {"basis": "given", "gemeenten": [
        {"code": "GM0307", "name": "Amersfoort"}, {"code": "GM0327", "name": "Leusden"}]}
    text = pdf_text(client.get("/checklist/3511AB.pdf").data)
    assert "mentaal gezondheidsnetwerk voor de gemeente Utrecht" in text and "Testprogramma Netwerken" in text
    assert "Wat u nu al kunt doen:" in text, "the GP gets the national route where no network serves the gemeente"
    assert "Testnetwerk Eemland" not in text


def test_planned_and_stopped_places_are_never_walk_ins_map_points_or_on_paper(made, router):
    closed = {"testpunt-utrecht-gepland", "testpunt-utrecht-gestopt"}
    place = router.resolve(parse("3511AB"))
    assert ids(router, router.nearest(place, Filters(k=25))) == ["testpunt-utrecht-open"]
    assert not closed & set(ids(router, router.walk_ins("ZK23")))
    client = made.test_client()
    page = client.get("/route/3511AB").get_data(as_text=True)
    points = json.loads(re.search(r'id="route-points"[^>]*>(.*?)</script>', page, re.S).group(1))
    names = {feature["properties"]["name"] for feature in points["features"]}
    assert "Testpunt Utrecht Open" in names and not names & {"Testpunt Utrecht Gepland", "Testpunt Utrecht Gestopt",
                                                             "Testnetwerk Utrecht Gepland"}
    for sheet in ("/checklist/3511AB.pdf", "/regio/ZK23/checklist.pdf"):
        text = pdf_text(client.get(sheet).data)
        assert "Testpunt Utrecht Open" in text and "Gepland" not in text and "Gestopt" not in text, sheet
