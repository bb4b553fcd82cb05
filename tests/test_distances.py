"""Honest distances and for whom, on a fictitious catalogue: each distance says its basis (address,
PC4 point or only the town) and that it is a straight line; an island postcode whose nearest
walk-in is across the water hears of the boat; whom the visitor looks for puts the places for
that group first and says plainly whom the others are for, hiding none."""
import re

import pytest

from routekaart import state
from routekaart.postcodes import parse
from routekaart.routing import Filters

from .fictitious import ROWS, app_with, row
from .test_regio import pdf_text

NATIONAL = [r for r in ROWS if r["zorgkantoorregio"] == "landelijk"]
PLACES = [
    # Utrecht: by its own coordinates (its address), by its postcode, and by its town only.
    row("testpunt-adres", "steunpunt", "ZK23", city="Utrecht", gemeente="Utrecht", address_1="Testlaan 1",
        latitude="52.0920", longitude="5.1180"),
    row("testpunt-postcode", "steunpunt", "ZK23", city="Utrecht", gemeente="Utrecht", postal_code="3512 ZZ"),
    row("testpunt-plaats", "herstelacademie", "ZK23", city="Utrecht", gemeente="Utrecht"),
    row("testpunt-amersfoort", "steunpunt", "ZK23", city="Amersfoort", gemeente="Amersfoort"),
    # The nearest of all to 3511 AB, but only for young people.
    row("testjong-utrecht", "jongeren", "ZK23", city="Utrecht", gemeente="Utrecht", postal_code="3511 ZZ",
        audience_groups="jongeren", audience="jongeren van 12 tot 25 jaar (testtekst)"),
    # Texel has its own walk-in; Vlieland has none, Harlingen is across the water.
    row("testpunt-texel", "steunpunt", "ZK18", city="Den Burg", gemeente="Texel"),
    row("testpunt-harlingen", "steunpunt", "ZK08", city="Harlingen", gemeente="Harlingen"),
]


@pytest.fixture(scope="module")
def made(tmp_path_factory, geodata_dir):
    return app_with(tmp_path_factory.mktemp("distances"), geodata_dir, PLACES + NATIONAL)


@pytest.fixture()
def client(made):
    return made.test_client()  # its own per test: ?lang=en sets a cookie


def nearby(client, query: str) -> list[dict]:
    return client.get(f"/api/v1/lookup?{query}").get_json()["nearby"]


def distances(html: str) -> dict[str, str]:
    """What each card with a distance says of it, by entry id."""
    cards = [re.search(r'id="plek-([^"]+)".*?<span class="distance"[^>]*>(.*?)</span>', card, re.S)
             for card in html.split('<li class="entry ')[1:]]
    return dict(card.groups() for card in cards if card)


def test_each_distance_says_what_it_is_measured_to(client):
    found = {e["id"]: e for e in nearby(client, "postcode=3511AB&k=25")}
    assert {i: e["distance_basis"] for i, e in found.items() if i.startswith("testpunt-") and "texel" not in i
            and "harlingen" not in i} == {"testpunt-adres": "address", "testpunt-postcode": "pc4",
                                          "testpunt-plaats": "place", "testpunt-amersfoort": "place"}
    assert all(e["distance_km"] >= 0 for e in found.values())
    assert client.get("/api/v1/lookup?postcode=3511AB").get_json()["national"][0]["distance_basis"] is None


def test_the_cards_say_straight_line_about_or_only_the_town(client):
    html = client.get("/route/3511AB").get_data(as_text=True)
    said = distances(html)
    assert re.fullmatch(r"\d+,\d km hemelsbreed", said["testpunt-adres"])
    assert re.fullmatch(r"ongeveer \d+,\d km hemelsbreed", said["testpunt-postcode"])
    assert said["testpunt-plaats"] == "in Utrecht", "a town's centre nearby: no figure that looks exact"
    assert re.fullmatch(r"in Amersfoort \(ongeveer \d+ km hemelsbreed\)", said["testpunt-amersfoort"])
    assert said["testjong-utrecht"] == "in je eigen postcodegebied", "3511 ZZ: the visitor's own PC4 point"
    assert "Afstanden zijn hemelsbreed" in html and "met de boot" not in html
    english = client.get("/route/3511AB?lang=en").get_data(as_text=True)
    assert re.search(r'class="distance"[^>]*>about \d+\.\d km as the crow flies<', english)


def test_the_print_says_it_too(client):
    text = pdf_text(client.get("/checklist/3511AB.pdf").data)
    assert re.search(r"ongeveer \d+,\d km hemelsbreed", text) and "in Utrecht" in text


def test_an_island_without_a_walk_in_says_a_boat_is_needed(client):
    vlieland = client.get("/api/v1/lookup?postcode=8899").get_json()
    assert vlieland["gemeente"]["name"] == "Vlieland" and vlieland["boat_trip"] is True
    assert vlieland["nearby"][0]["id"] == "testpunt-harlingen"
    texel = client.get("/api/v1/lookup?postcode=1791").get_json()
    assert texel["nearby"][0]["id"] == "testpunt-texel" and texel["boat_trip"] is False
    assert client.get("/api/v1/lookup?postcode=8862").get_json()["boat_trip"] is False, "Harlingen itself"
    assert "Let op: je moet met de boot." in client.get("/route/8899").get_data(as_text=True)
    assert "met de boot" not in client.get("/route/1791").get_data(as_text=True)
    assert "je moet met de boot" in pdf_text(client.get("/checklist/8899.pdf").data)


def test_an_adult_gets_the_adult_places_first_and_hears_whom_the_others_are_for(client, made):
    listed = nearby(client, "postcode=3511AB&k=25")
    ids = [e["id"] for e in listed]
    assert ids[-1] == "testjong-utrecht" and listed[-1]["audience_fit"] is False
    assert all(e["audience_fit"] for e in listed[:-1])
    with made.app_context():
        router = state.get().router
        raw = router.nearest(router.resolve(parse("3511AB")), Filters(k=25))
    assert router.records(raw)[0]["id"] == "testjong-utrecht", "it is the nearest: only the order changes"
    html = client.get("/route/3511AB").get_data(as_text=True)
    cards = html.split("Dichtbij om binnen te lopen")[1].split('<h3 id="kaart"')[0].split('<li class="entry ')[1:]
    assert len(cards) == 5 and not any("entry-audience" in card for card in cards)
    further = html.split("Meer inlooppunten, dichtbij eerst")[1].split("</details>")[0].split('<li class="entry ')[1:]
    assert "testjong-utrecht" in further[-1], "six adult places here: the young people's place comes last"
    assert "Alleen voor: Jongeren</strong> (<span lang=\"nl\">jongeren van 12 tot 25 jaar (testtekst)</span>)." in further[-1]
    steps = html.split('<ol class="checklist">')[1].split("</ol>")[0]
    walk_in_step = steps.split('id="stap-steunpunten"')[1].split('<li class="step ')[0]
    assert "Testjong Utrecht" not in walk_in_step, "the walk-in step starts with an adult's place"


def test_a_young_person_gets_theirs_first_on_the_page_and_in_the_api(client):
    for query in ("audience=jongere", "audience=jongeren"):
        listed = nearby(client, f"postcode=3511AB&k=25&{query}")
        assert listed[0]["id"] == "testjong-utrecht" and listed[0]["audience_fit"] is True
        assert not any(e["audience_fit"] for e in listed[1:])
    html = client.get("/route/3511AB?voor=jongere").get_data(as_text=True)
    cards = html.split("Dichtbij om binnen te lopen")[1].split('<h3 id="kaart"')[0].split('<li class="entry ')[1:]
    assert "testjong-utrecht" in cards[0] and "entry-audience" not in cards[0]
    assert all("Alleen voor: Volwassenen" in card for card in cards[1:])
    assert '<option value="jongere" selected>' in html and "Je zoekt steun voor: een jongere." in html
    more = re.findall(r'<p class="more"><a href="([^"]+)"', html)
    assert more and all("voor=jongere" in link for link in more), "the step's links keep whom you look for"
    steps = html.split('<ol class="checklist">')[1].split("</ol>")[0]
    assert "testjong-utrecht" in steps.split('id="stap-steunpunten"')[1].split('<li class="step ')[0]


@pytest.mark.parametrize("url", ["/route/3511AB?voor=kat", "/api/v1/lookup?postcode=3511AB&audience=kat"])
def test_an_unknown_group_is_a_clear_error(client, url):
    response = client.get(url)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Onbekende doelgroep" in text and "volwassene, jongere, naaste" in text


def test_the_place_page_says_where_its_map_point_stands(client):
    pages = {i: client.get(f"/plek/{i}").get_data(as_text=True)
             for i in ("testpunt-adres", "testpunt-postcode", "testpunt-plaats")}
    assert "midden van het postcodegebied" in pages["testpunt-postcode"]
    assert "midden van de plaats" in pages["testpunt-plaats"]
    assert "We weten alleen" not in pages["testpunt-adres"]
