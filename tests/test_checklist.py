"""The while-you-wait checklist: order, gaps with national alternatives, and nearest walk-ins."""
from datetime import date

import numpy as np
import pandas as pd
import pytest
from flask import render_template_string

from routekaart import checklist, paper, route_page, state
from routekaart.catalogue.schema import OPEN_STATUSES
from routekaart.postcodes import parse

from .fictitious import app_with


def test_steps_in_the_order_of_the_advice(data):
    place = data.router.resolve(parse("3511AB"))
    made = checklist.build(data.router, place.region_code, place, today=date(2026, 1, 2))
    assert [s.key for s in made.steps] == checklist.STEP_KEYS
    assert made.made_on == date(2026, 1, 2)
    assert made.region_name == "Utrecht"


def test_every_region_says_plainly_when_it_lacks_a_network(data):
    entries = data.catalogue.entries
    networks = entries[(entries["kind"] == "mgn") & entries["status"].isin(OPEN_STATUSES)]
    served = networks["area_codes"].str.split(";").explode().map(data.geo.gemeenten["region_code"])
    for code in data.geo.regions.index:
        has_mgn = (served == code).any()
        step = checklist.build(data.router, code).step("netwerk")
        assert step.gap == (not has_mgn), code
        assert bool(step.fallback) == (not has_mgn), "a gap always comes with the national alternative"
        assert all(e["id"] in set(networks["id"][served.index[served == code]]) for e in step.entries)


def test_postcode_checklist_lists_the_nearest_walk_ins(data):
    place = data.router.resolve(parse("9711"))
    step = checklist.build(data.router, place.region_code, place, k=4).step("steunpunten")
    distances = [e["distance_km"] for e in step.entries]
    assert len(distances) == 4 and distances == sorted(distances)


def test_region_checklist_lists_the_walk_ins_of_the_region_that_fit(data):
    step = checklist.build(data.router, "ZK09").step("steunpunten")
    entries = data.catalogue.entries
    expected = entries[(entries["zorgkantoorregio"] == "ZK09") & entries["kind"].isin(["steunpunt", "jongeren", "herstelacademie"])
                       & (entries["status"] != "inactive")]
    listed = [e["id"] for e in step.entries]
    assert len(listed) == min(len(expected), checklist.SHEET_WALK_INS) and set(listed) <= set(expected["id"])
    assert step.not_listed == len(expected) - len(listed)


def test_the_sheet_leaves_out_what_its_text_says_and_counts_the_checks_of_what_it_prints():
    def entry(name, checked=None):
        return {"id": f"testplek-{name}", "last_verified": checked}

    steps = [checklist.Step("huisarts", [entry("poh", "2020-01-01")]),
             checklist.Step("verzekeraar", [entry("verzekeraar", "2020-01-01")]),
             checklist.Step("steunpunten", [entry("a", "2025-06-30"), entry("b"), entry("c", "2024-05")]),
             checklist.Step("wachten", [], gap=True, fallback=[entry("d", "2025-01-02")])]
    made = checklist.Checklist("ZK99", "Testregio", None, steps, date(2026, 1, 2))
    sheet = paper.sheet(made)
    assert [(s.entries, s.fallback) for s in sheet.checklist.steps[:2]] == [([], []), ([], [])]
    assert sheet.checklist.steps[2:] == steps[2:]
    assert (sheet.checked, sheet.unchecked, sheet.printed) == (("2024-05", "2025-06-30"), 1, 4)
    assert paper.sheet(checklist.Checklist("ZK99", "Testregio", None, [], date(2026, 1, 2))).checked is None


def test_a_region_sheet_has_every_gemeente_with_its_walk_ins_or_the_nearest(data):
    for code in ("ZK23", "ZK08", "ZK02"):
        made = checklist.build(data.router, code)
        names = [g.name for g in made.gemeenten if g.name]
        region = data.geo.gemeenten.loc[data.geo.gemeenten["region_code"] == code, "name"]
        assert set(region) <= set(names) and len(names) == len(set(names)), code
        listed = [e["id"] for g in made.gemeenten for e in g.entries]
        assert sorted(listed) == sorted(e["id"] for e in made.step("steunpunten").entries), "each walk-in once"
        for g in made.gemeenten:
            assert all(e["address"]["gemeente"] == g.name for e in g.entries)
            distances = [e["distance_km"] for e in g.nearest]
            assert (not g.entries) or not g.nearest
            assert distances == sorted(distances) and len(distances) <= checklist.NEAREST_NAMED


def test_nearest_to_gemeenten_is_the_nearest_walk_in_to_the_middle(data):
    from routekaart.catalogue.schema import WALK_IN_KINDS
    from routekaart.geodata.sources import RD_NEW
    from routekaart.routing import Filters

    router = data.router
    nearest = router.nearest_to_gemeenten("ZK23", Filters(k=3))
    middle = data.geo.gemeenten.set_index("name").geometry.to_crs(RD_NEW).centroid
    e = router.entries
    placed = e[e["x"].notna() & e["kind"].isin(WALK_IN_KINDS) & e["status"].isin(OPEN_STATUSES)]
    for name, hits in nearest.items():
        everywhere = np.sort(np.hypot(placed["x"] - middle[name].x, placed["y"] - middle[name].y).to_numpy()) / 1000
        assert hits.km == pytest.approx(everywhere[:3]), name


def test_checklist_renders_with_tick_boxes_on_paper_and_on_the_route_page(tmp_path, geodata_dir):
    """On the fictitious catalogue, which has no network in Zeeland (ZK27): the living catalogue may get one."""
    app = app_with(tmp_path, geodata_dir)
    with app.test_request_context("/"):
        router = state.get().router
        geo = state.get().geo
        made = checklist.build(router, "ZK27")
        place = router.resolve(parse(str(geo.pc4.index[geo.pc4["region_code"] == "ZK27"][0])))
        page = route_page.plan(checklist.build(router, "ZK27", place), [], [], [])
        sheet = render_template_string('{% from "_checklist.html" import sheet_steps %}{{ sheet_steps(c, "x") }}', c=made)
        screen = render_template_string('{% from "_checklist.html" import route_steps %}{{ route_steps(p) }}', p=page)
    for html in (sheet, screen):
        assert html.count('type="checkbox"') == len(checklist.STEP_KEYS)
    assert "We kennen nog geen mentaal gezondheidsnetwerk in Zeeland" in sheet
    assert f"We kennen nog geen mentaal gezondheidsnetwerk voor de gemeente {place.gemeente}" in screen
    assert 'href="tel:' not in sheet and 'href="tel:' in screen


def test_each_entry_once_per_checklist(data):
    for code in data.geo.regions.index:
        for place in (None, data.router.resolve(parse(str(data.geo.pc4.index[data.geo.pc4["region_code"] == code][0])))):
            ids = [e["id"] for s in checklist.build(data.router, code, place).steps for e in s.entries + s.fallback]
            assert len(ids) == len(set(ids)), code


def test_once_keeps_the_first_step_and_the_shape():
    line, walk_in = {"id": "testlijn-voorbeeld"}, {"id": "testpunt-voorbeeld"}
    steps = [checklist.Step("thuis", [line]), checklist.Step("jongeren_naasten", [walk_in, line], gap=False),
             checklist.Step("netwerk", [], gap=True, fallback=[line])]
    assert checklist.once(steps) == [checklist.Step("thuis", [line]), checklist.Step("jongeren_naasten", [walk_in]),
                                     checklist.Step("netwerk", [], gap=True, fallback=[])]


def test_a_region_with_many_walk_ins_gets_them_picked_per_gemeente(large_app):
    with large_app.app_context():
        router = state.get().router
    walk_ins = router.walk_ins("ZK23")
    everywhere = pd.Series(router.gemeenten(walk_ins)).value_counts()
    step = checklist.build(router, "ZK23").step("steunpunten")
    shown = pd.Series([e["address"]["gemeente"] for e in step.entries]).value_counts()
    assert len(step.entries) == checklist.SHEET_WALK_INS < len(walk_ins)
    assert shown.max() == 1  # one per gemeente before any gemeente gets a second; the biggest first
    assert everywhere[shown.index].min() >= everywhere.drop(shown.index).max()
    assert step.not_listed == len(walk_ins) - len(step.entries)


def test_per_gemeente_takes_turns_largest_gemeente_first():
    gemeenten = np.array(["A", "A", "A", "B", "C", "C"])
    assert checklist.per_gemeente(gemeenten, 2).tolist() == [0, 4]
    assert checklist.per_gemeente(gemeenten, 4).tolist() == [0, 1, 3, 4]
    assert checklist.per_gemeente(gemeenten, 10).tolist() == list(range(6))


def test_a_step_whose_named_entries_are_gone_is_said(data):
    """The steps name a few national entries by id; without them a step shows less, so the build
    and the start-up say so. Fictitious stand-ins for the named entries, the huisarts's left out."""
    from routekaart.routing import Router

    named = [i for ids in checklist.NAMED.values() for i in ids]
    entries = data.catalogue.entries
    template = entries[entries["zorgkantoorregio"] == "landelijk"].iloc[[0]]
    stand_ins = pd.concat([template.assign(id=i, name=f"Testlijn {i}", status="active")
                           for i in named if i not in checklist.HUISARTS_IDS])
    without = pd.concat([entries[~entries["id"].isin(named)], stand_ins], ignore_index=True)
    assert checklist.missing(Router(data.geo, without)) == {"huisarts": checklist.HUISARTS_IDS}
    closed = pd.concat([without, template.assign(id=checklist.HUISARTS_IDS[0], status="inactive")], ignore_index=True)
    assert checklist.missing(Router(data.geo, closed)) == {"huisarts": checklist.HUISARTS_IDS}, "closed counts as gone"
    complete = pd.concat([without, template.assign(id=checklist.HUISARTS_IDS[0], status="active")], ignore_index=True)
    assert checklist.missing(Router(data.geo, complete)) == {}


def test_the_insurer_step_offers_what_every_insured_person_can_ask_first(data):
    """We do not know the visitor's insurer: the entry for everyone comes before one insurer's own
    service, whatever their order in the catalogue. Fictitious insurers stand in for the real ones."""
    from routekaart.routing import Router

    entries = data.catalogue.entries
    template = entries[entries["zorgkantoorregio"] == "landelijk"].iloc[[0]]
    insurers = pd.concat([template.assign(id="nl-testverzekeraar-eigen", name="Aaa Testverzekeraar, eigen dienst",
                                          kind="verzekeraar", status="active"),
                          template.assign(id=checklist.INSURER_FIRST_IDS[0], name="Zzz Testbemiddeling voor iedereen",
                                          kind="verzekeraar", status="active")])
    router = Router(data.geo, pd.concat([entries[(entries["kind"] != "verzekeraar")
                                                 & ~entries["id"].isin(checklist.INSURER_FIRST_IDS)], insurers],
                                        ignore_index=True))
    place = router.resolve(parse("3511AB"))
    step = checklist.build(router, place.region_code, place).step("verzekeraar")
    assert [e["id"] for e in step.entries] == [checklist.INSURER_FIRST_IDS[0], "nl-testverzekeraar-eigen"]
    assert route_page.best(step.entries, 1)[0]["id"] == checklist.INSURER_FIRST_IDS[0], "the step's first contact"
