"""What goes where on the route page (routekaart.route_page), on fictitious entries."""
from datetime import date

from routekaart.checklist import Checklist, Step
from routekaart.route_page import CONTACTS, NEARBY, best, plan


def entry(name: str, kind: str = "steunpunt", km: float | None = None, status: str = "active") -> dict:
    return {"id": f"testpunt-{name}", "name": f"Testpunt {name}", "kind": kind, "distance_km": km, "status": status}


def made(*steps: Step) -> Checklist:
    return Checklist("ZK99", "Testregio", None, list(steps), date(2026, 1, 1))


def test_best_puts_open_places_first_then_the_nearest_then_one_of_each_kind():
    far, near, planned = entry("ver", km=9.0), entry("dichtbij", km=1.0), entry("gepland", km=0.5, status="planned")
    assert best([far, planned, near]) == [near, far]
    lines = [entry("a", "telefoon"), entry("b", "telefoon"), entry("c", "online")]
    assert best(lines) == [lines[0], lines[2]], "a second phone line waits for the first online help"
    assert best(lines, 3) == [lines[0], lines[2], lines[1]]
    assert best([]) == []


def test_each_entry_gets_one_card_and_the_nearest_places_keep_theirs():
    walk_ins = [entry(str(i), km=float(i)) for i in range(NEARBY + 3)]
    line, network = entry("lijn", "telefoon"), entry("netwerk", "mgn", km=3.0)
    page = plan(made(Step("steunpunten", walk_ins[:4]), Step("thuis", [line]), Step("netwerk", [network])),
                walk_ins, [network], [line])
    walk_in_step, home_step, network_step = page.steps
    assert [e["id"] for e in walk_in_step.contacts] == ["testpunt-0", "testpunt-1"] and walk_in_step.more == 4 - CONTACTS
    assert all(page.card_in[e["id"]] == "dichtbij" for e in walk_in_step.contacts), "the step links down to them"
    assert page.nearby == walk_ins[:NEARBY] and page.further == walk_ins[NEARBY:]
    assert page.is_card(line, "stappen") and not page.is_card(line, "landelijk")
    assert page.is_card(network, "stappen") and not page.is_card(network, "regio")
    assert home_step.more == 0 and home_step.kinds == ("telefoon",) and network_step.kinds == ("mgn",)
    assert set(page.card_in.values()) <= {"dichtbij", "stappen", "regio", "landelijk"}
    assert len(page.card_in) == len(walk_ins) + 2


def test_a_gap_offers_its_fallback_as_the_steps_contacts():
    fallback = [entry("landelijk-a", "informatie"), entry("landelijk-b", "informatie"), entry("landelijk-c", "informatie")]
    page = plan(made(Step("wachten", [], gap=True, fallback=fallback)), [], [], fallback)
    assert page.steps[0].contacts == fallback[:2] and page.steps[0].more == 1
    assert page.card_in == {"testpunt-landelijk-a": "stappen", "testpunt-landelijk-b": "stappen",
                            "testpunt-landelijk-c": "landelijk"}


def test_best_puts_the_visitors_own_places_before_nearer_ones_for_others():
    youth, adult = {**entry("jong", km=0.4), "audience_fit": False}, {**entry("volwassen", km=6.0), "audience_fit": True}
    unknown = entry("onbekend", km=2.0)  # no visitor given: as if it fits
    assert best([youth, adult, unknown], 3) == [unknown, adult, youth]


def test_best_puts_what_one_can_still_go_to_today_before_what_the_hours_say_is_not_today():
    closed, opened, unknown = entry("dicht", km=1.0), entry("open", km=4.0), entry("onbekend", km=2.0)
    said = {"testpunt-dicht": False, "testpunt-open": True}  # onbekend: None, hours not known
    assert best([closed, opened, unknown], 3, still_open=lambda e: said.get(e["id"])) == [opened, unknown, closed]
    assert best([closed, opened, unknown], 3) == [closed, unknown, opened], "without a moment: by distance"


def test_best_offers_a_helpline_before_a_second_far_walk_in_but_keeps_walk_ins_nearest_first():
    far_a, far_b = entry("jong-a", "jongeren", km=34.0), entry("jong-b", "jongeren", km=34.5)
    line, online = entry("lijn", "telefoon"), entry("chat", "online")
    assert best([far_a, far_b, line, online]) == [far_a, line], "one place to go, then one line"
    near, other_kind, second = entry("a", km=1.0), entry("b", "jongeren", km=5.0), entry("c", km=2.0)
    assert best([near, other_kind, second]) == [near, second], "walk-ins of any kind: the nearest"
