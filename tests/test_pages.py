"""The client pages over plain HTTP (no JavaScript): home, the route map for a postcode, its list
filters, bad input, the 'meld een fout' link and the page on what helps while you wait."""
import json
import re
import subprocess
import sys
import unicodedata
from datetime import date

import numpy as np

import pytest
from flask import render_template, render_template_string
from markupsafe import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routekaart import ROOT, create_app, state
from routekaart.catalogue.verification import verification
from routekaart.errors import FilterError
from routekaart.postcodes import parse
from routekaart.routing import Filters


def entries_in(html: str, section: str) -> list[str]:
    """The raw HTML of each entry card in the list section with this heading text (up to the next heading)."""
    part = re.split(r"<h[23]", html.split(section, 1)[1], maxsplit=1)[0]
    return part.split('<li class="entry ')[1:]


def cards_and_links(html: str) -> tuple[list[str], list[str]]:
    """The ids of the entry cards on a page, and of the cards its in-page links point to."""
    return re.findall(r'<li class="entry [^"]*" id="plek-([^"]+)"', html), re.findall(r'href="#plek-([^"]+)"', html)


NEARBY, FURTHER = "Dichtbij om binnen te lopen", "Meer inlooppunten, dichtbij eerst"


def test_home_has_a_labelled_postcode_field_and_the_crisis_block(client):
    html = client.get("/").get_data(as_text=True)
    assert '<label for="postcode">Je postcode</label>' in html
    assert "Bijvoorbeeld 3511 AB" in html
    assert 'href="tel:113"' in html and 'href="tel:08000113"' in html and 'href="tel:112"' in html
    assert "huisartsenpost" in html


@pytest.mark.parametrize("typed, target", [("3511 ab", "/route/3511AB"), (" 3511-AB ", "/route/3511AB"),
                                           ("3511", "/route/3511")])
def test_the_home_form_leads_to_the_route_page(client, typed, target):
    response = client.get("/", query_string={"postcode": typed})
    assert response.status_code == 303
    assert response.headers["Location"] == target


@pytest.mark.parametrize("typed, status, message", [
    ("35x1", 400, "Dit is geen postcode"), ("0123 AB", 400, "begint nooit met een 0"),
    ("1000", 404, "kennen we niet"), ("", 400, "Dit is geen postcode")])
def test_bad_postcodes_say_why_and_keep_what_was_typed(client, typed, status, message):
    for response in (client.get("/", query_string={"postcode": typed}), client.get(f"/route/{typed}")):
        if not typed and response.request.path.startswith("/route"):
            continue  # /route/ itself is no page
        html = response.get_data(as_text=True)
        assert response.status_code == status
        assert message in html
        assert f'value="{typed}"' in html
        assert 'aria-invalid="true"' in html
        assert "tel:113" in html


def test_the_typed_value_is_escaped(client):
    html = client.get("/", query_string={"postcode": '"><script>x</script>'}).get_data(as_text=True)
    assert "<script>x</script>" not in html
    assert "&#34;&gt;&lt;script&gt;" in html


@pytest.mark.parametrize("query", ["km=5", "soort=jongeren&soort=steunpunt&_external=1&_anchor=x&_scheme=javascript"])
def test_an_unnormalised_address_redirects_to_the_shareable_one(client, query):
    response = client.get(f"/route/3511 ab?{query}")
    assert response.status_code == 308
    assert response.headers["Location"] == f"/route/3511AB?{query}"


def test_route_page_without_javascript_has_checklist_list_and_map(client):
    response = client.get("/route/3511AB")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert html.count('<li class="step ') == 8
    assert html.count('type="checkbox" id="vink-') == 8
    assert "Bij jou in de buurt" in html
    nearby = entries_in(html, NEARBY)
    assert len(nearby) == 5
    fitting = [card for card in nearby if 'class="entry-audience"' not in card]
    assert nearby[:len(fitting)] == fitting, "places only for another group come after an adult's own"
    distances = [float(km) for km in re.findall(r'class="distance" data-km="([\d.]+)"', "".join(fitting))]
    assert distances == sorted(distances) and len(distances) == len(fitting)
    assert all(re.search(r'class="distance"[^>]*>(in |ongeveer |[\d,]+ km hemelsbreed)', card) for card in nearby)
    further = html.split(FURTHER, 1)[1].split("</details>", 1)[0]
    assert further.count('<li class="entry ') + further.count('<li class="seen">') == 20  # the 25 nearest in all
    assert '<details id="regio"' in html and '<details id="landelijk"' in html and " open" not in html.split('id="regio"')[1][:40]
    regional = html.split("<h3>Steun in je regio</h3>", 1)[1].split("<h3", 1)[0]
    assert regional.count('<li class="entry ') + regional.count('<li class="seen">') >= 1, "the region's own list"
    assert 'class="folium-map"' in html and "Kaart met steun bij postcode 3511 AB" in html
    assert "gemeente Utrecht" in html


def test_no_card_twice_and_every_link_to_a_card_finds_it(client):
    for path in ("/route/3511AB", "/route/9711", "/route/6211?soort=jongeren&voor=jongere", "/route/1811?gratis=1&lang=en"):
        cards, links = cards_and_links(client.get(path).get_data(as_text=True))
        assert len(cards) == len(set(cards)) > 20, path
        assert links and set(links) <= set(cards), path


def test_each_step_shows_its_best_contacts_and_links_to_the_rest(client):
    html = client.get("/route/3511AB").get_data(as_text=True)
    steps = html.split('<ol class="checklist">')[1].split("</ol>")[0].split('<li class="step ')[1:]
    for step in steps:
        assert step.count('<li class="entry ') + step.count('<li class="seen">') <= 2
    # the nearest walk-ins are the nearby cards: the walk-in step links down to them
    walk_ins = next(step for step in steps if step.startswith("step-steunpunten"))
    assert '<li class="seen"><a href="#plek-' in walk_ins and "(staat hieronder)" in walk_ins
    # a link says the distance its card says, in the same words
    linked = re.findall(r'<li class="seen"><a href="#plek-([^"]+)" lang="nl">[^<]*</a> · ([^<]*?)\s*<span', walk_ins)
    assert linked
    for entry_id, said in linked:
        card = html.split(f'id="plek-{entry_id}"', 1)[1].split("</li>", 1)[0]
        assert 'data-km="' in card and f">{said}</span>" in card, entry_id
    rest = re.search(r'<p class="more"><a href="([^"]+)">Nog (\d+) plekken voor deze stap', html)
    assert rest and rest.group(1).startswith("/route/3511AB?soort=") and rest.group(1).endswith("#resultaten")
    assert client.get(rest.group(1).replace("&amp;", "&")).status_code == 200


def test_the_route_page_links_to_its_printable_checklist(client):
    html = client.get("/route/3511AB").get_data(as_text=True)
    assert 'href="/checklist/3511AB.pdf"' in html


def test_filters_narrow_the_list(client):
    html = client.get("/route/3511AB?soort=jongeren&km=25").get_data(as_text=True)
    nearby = entries_in(html, NEARBY)
    assert nearby and all(e.startswith('entry-jongeren"') for e in nearby)
    assert all(float(km.replace(",", ".")) <= 25 for km in re.findall(r'class="distance">([\d,]+) km', "".join(nearby)))
    assert '<option value="jongeren" selected>' in html and '<option value="25" selected>' in html
    free = client.get("/route/3511AB?gratis=1&zonder_verwijzing=1").get_data(as_text=True)
    listed = [e for section in (NEARBY, FURTHER, "<h3>Steun in je regio", "Landelijk: bellen") for e in entries_in(free, section)]
    assert listed and all("Gratis" in e and "Geen verwijzing nodig" in e for e in listed)
    assert 'id="gratis" name="gratis" value="1" checked' in free
    carers = client.get("/route/3511AB?voor=naaste").get_data(as_text=True)
    everyone = client.get("/route/3511AB").get_data(as_text=True)
    national = lambda page: page.split('<details id="landelijk"')[1].split("</details>")[0]
    assert sorted(sum(cards_and_links(national(carers)), [])) == sorted(sum(cards_and_links(national(everyone)), [])), \
        "whom you look for orders, hides nothing"
    said = ['class="entry-audience"' in card for card in national(carers).split('<li class="entry ')[1:]]
    assert any(said) and said == sorted(said), "what is only for others comes last, and says for whom"
    assert '<option value="naaste" selected>' in carers and "Je zoekt steun voor: een naaste" in carers
    assert "Je filters:" not in carers, "whom you look for is no filter"


def test_the_filter_form_opens_the_page_at_the_results_and_says_what_was_chosen(client):
    plain = client.get("/route/3511AB").get_data(as_text=True)
    assert '<form method="get" class="filters" action="#resultaten">' in plain and 'id="resultaten"' in plain
    assert "Je filters:" not in plain
    html = client.get("/route/3511AB?soort=jongeren&km=25&gratis=1").get_data(as_text=True)
    said = re.search(r'<p class="found"><strong>Je filters: (.*?)\.</strong>\s*We vonden (\d+) plek', html)
    assert said and said.group(1) == "Inloop voor jongeren, binnen 25 km, gratis"
    cards, links = cards_and_links(html.split('id="resultaten"')[1])
    assert int(said.group(2)) == len(set(cards) | set(links)) > 0
    assert '<details id="regio" class="more-list" open>' in html, "filtered results are shown unfolded"


def folded(text: str) -> str:
    """Lower case without accents, by the standard library (routing.plain does it with pandas)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


@pytest.mark.parametrize("text", ["utrecht", "  UTRECHT ", "Steunpunt   Utrecht", "cafe", "CAFÉ", "Herstel",
                                  "’s-Hertogenbosch", "bestaat-nergens-xyz"])
def test_a_search_keeps_the_entries_with_every_word_in_their_name_or_town(data, text):
    router = data.router
    e = router.entries
    words = folded(text).split()
    holds = [all(w in folded(" ".join(parts)) for w in words)
             for parts in zip(e["name"], e["organization"].fillna(""), e["city"].fillna(""), e["gemeente"].fillna(""))]
    expected = router.mask(Filters()) & np.array(holds)
    assert router.mask(Filters(text=text)).tolist() == expected.tolist()
    if text == "utrecht":
        assert expected.sum() > 1, "the test looks for something the catalogue has"


def test_a_searched_text_is_bounded_and_tidied():
    assert Filters(text="  De   Bilt ").text == "De Bilt"
    assert Filters(text="x" * 60).text == "x" * 60
    with pytest.raises(FilterError):
        Filters(text="x" * 61)


def test_the_search_field_finds_a_nearby_place_by_its_town_and_says_so(client, data):
    router = data.router
    near = router.records(router.nearest(router.resolve(parse("3511AB")), Filters(k=25)))
    town = next(e["address"]["city"] for e in near if e["address"]["city"])
    html = client.get("/route/3511AB", query_string={"zoek": town.upper()}).get_data(as_text=True)
    assert f'name="zoek" maxlength="60" value="{escape(town.upper())}"' in html
    assert f"Je filters: “{escape(town.upper())}”." in html
    cards, links = cards_and_links(html.split('id="resultaten"')[1])
    shown = router.records(router.with_ids(list(dict.fromkeys(cards + links))))
    assert shown and all(folded(town) in folded(f"{e['name']} {e['organization'] or ''} {e['address']['city'] or ''} "
                                                f"{e['address']['gemeente'] or ''}") for e in shown)
    hostile = client.get("/route/3511AB", query_string={"zoek": '"><script>x</script>'}).get_data(as_text=True)
    assert "<script>x</script>" not in hostile and "&#34;&gt;&lt;script&gt;" in hostile


def test_close_by_with_nothing_found_says_so(client):
    html = client.get("/route/9999?soort=herstelacademie&km=5").get_data(as_text=True)
    assert "Met deze keuze vinden we geen inlooppunt" in html


@pytest.mark.parametrize("query, message", [("km=7", "Kies een afstand van 5, 10, 25 of 50 km"),
                                            ("soort=bakker", "Onbekende soort"),
                                            ("voor=katten", "Onbekende doelgroep"),
                                            ("gratis=misschien", "moet aan of uit zijn"),
                                            ("zoek=" + "x" * 61, "Zoek met hoogstens 60 tekens")])
def test_bad_filters_say_why_on_the_page(client, query, message):
    response = client.get(f"/route/3511AB?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert html.count('<li class="step ') == 8, "the checklist still shows"


@given(path=st.text(min_size=1, max_size=40))
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_path_under_route_or_typed_postcode_gives_a_server_error(app, path):
    client = app.test_client()
    assert client.get("/route/" + path).status_code < 500
    assert client.get("/", query_string={"postcode": path}).status_code in (303, 400, 404)


@given(query=st.dictionaries(st.sampled_from(["soort", "voor", "km", "gratis", "zonder_verwijzing", "zoek", "lang", "_anchor",
                                              "_external"]), st.text(max_size=64), max_size=4))
@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_filter_value_gives_a_server_error(app, query):
    client = app.test_client()
    assert client.get("/route/3511AB", query_string=query).status_code in (200, 400)
    assert client.get("/route/3511ab", query_string=query).status_code == 308


@pytest.mark.parametrize("verified, today, expected", [
    (None, date(2026, 1, 1), "never"), ("", date(2026, 1, 1), "never"),
    ("2024-01-15", date(2026, 1, 15), "ok"),  # exactly 24 months: not yet more
    ("2024-01-15", date(2026, 1, 16), "overdue"),
    ("2024-02-29", date(2026, 2, 28), "ok"), ("2024-02-29", date(2026, 3, 1), "overdue"),
    ("2024-06", date(2026, 6, 1), "ok"), ("2024-06", date(2026, 6, 2), "overdue"),
    ("2024", date(2025, 12, 31), "ok"), ("2024", date(2026, 1, 2), "overdue"),
    ("2025-11-30", date(2026, 11, 30), "ok")])
def test_an_entry_is_overdue_after_24_months(verified, today, expected):
    assert verification(verified, today) == expected


def fictitious_entry(**changes) -> dict:
    entry = {"id": "test-voorbeeldpunt", "name": "Testpunt Voorbeeld", "kind": "steunpunt", "kind_label": "Steunpunt (inloop)",
             "status": "active", "status_label": "Actief", "description": None, "distance_km": None, "distance_basis": None,
             "address": {"address_1": None, "postal_code": None, "city": None, "gemeente": None}, "referral_needed": False,
             "free": True, "general_walk_in": False, "phones": [], "url": None, "email": None, "schedule": None, "schedule_note": None, "open_status": True,
             "geo_precision": None, "source_url": "https://example.org/testpunt", "last_verified": None,
             "location_type": "physical", "latitude": None, "longitude": None, "organization": None, "audience": None,
             "audience_groups": [], "fees_description": None, "zorgkantoorregio": "ZK23", "source_seen": None}
    return {**entry, **changes}


ENTRY = '{{ entry_card(e, paper) }}'  # the screen's card or the sheet's (paper)


def test_the_card_warns_when_its_check_is_long_ago_and_the_place_page_says_when_it_was_checked(app):
    with app.test_request_context("/"):
        never = render_template_string(ENTRY, e=fictitious_entry(), paper=False)
        old = render_template_string(ENTRY, e=fictitious_entry(last_verified="2019-03-01"), paper=True)
        pages = [render_template("plek.html", e=fictitious_entry(last_verified=verified), rendered=None, points={},
                                 address="https://example.org/plek/test-voorbeeldpunt", region_name="Utrecht")
                 for verified in (None, date.today().isoformat(), "2019-03-01")]
    assert "Let op" not in never and "meer dan 2 jaar niet gecontroleerd" in old
    assert "<a " not in old, "paper mode writes no links"
    assert "Nog niet gecontroleerd" in pages[0] and "Let op" not in pages[0]
    assert f"Laatst gecontroleerd: {date.today().isoformat()}" in pages[1] and "Let op" not in pages[1]
    assert "Laatst gecontroleerd: 2019-03-01" in pages[2] and "meer dan 2 jaar niet gecontroleerd" in pages[2]


def test_a_card_has_its_actions_and_says_when_its_hours_are_unknown(app):
    placed = fictitious_entry(phones=["030 000 0000 (Testlijn)"], url="https://example.org/testpunt",
                              address={"address_1": "Teststraat 1", "postal_code": "3511 ZZ", "city": "Utrecht"})
    with app.test_request_context("/"):
        card = render_template_string(ENTRY, e=placed, paper=False)
        online = render_template_string(ENTRY, e=fictitious_entry(location_type="virtual", kind="online"), paper=False)
        town_only = render_template_string(ENTRY, e=fictitious_entry(latitude=52.09, longitude=5.12, geo_precision="place",
                                                                     address={"address_1": None, "postal_code": None, "city": "Utrecht"}), paper=False)
    assert 'href="tel:0300000000">Bel 030 000 0000 (Testlijn)</a>' in card
    assert 'href="https://www.openstreetmap.org/directions?to=Teststraat+1%2C+3511+ZZ%2C+Utrecht">Route' in card
    assert 'href="https://example.org/testpunt">Website' in card and 'href="/plek/test-voorbeeldpunt">Meer' in card
    assert "Tijden onbekend" in card and "Tijden onbekend" not in online
    assert "openstreetmap" not in online and "openstreetmap" not in town_only, "no route to a town's centre"


def test_meld_een_fout_goes_to_our_page_or_the_configured_address(client, data, geodata_dir):
    html = client.get("/plek/nl-113-zelfmoordpreventie").get_data(as_text=True)
    link = re.search(r'<a href="(/melden/[a-z0-9-]+)">Meld een fout', html).group(1)
    page = client.get(link)
    assert page.status_code == 200 and "Wat klopt er niet?" in page.get_data(as_text=True)  # the form (portal)
    assert client.get("/melden/bestaat-niet").status_code == 404
    configured = create_app({"TESTING": True, "DATA_DIR": str(geodata_dir), "RATELIMIT_ENABLED": False, "TILES_URL": "",
                             "REPORT_URL": "mailto:beheer@example.org?subject=Fout%20bij%20{id}"})
    state.reload(configured)  # its own data: page parts are kept with the data, made for its app's settings
    html = configured.test_client().get("/plek/nl-113-zelfmoordpreventie").get_data(as_text=True)
    assert 'href="mailto:beheer@example.org?subject=Fout%20bij%20nl-113-zelfmoordpreventie"' in html


def test_what_helps_names_its_sources_and_counts_from_the_catalogue(client, data):
    html = client.get("/wat-helpt").get_data(as_text=True)
    walk_ins = int((data.catalogue.entries["kind"].eq("steunpunt") & data.catalogue.entries["status"].ne("inactive")).sum())
    assert f"In onze lijst staan {walk_ins} steunpunten" in html
    assert "kst-25424-731" in html and "wachtverzachter.nu" in html
    assert html.count("Wat we weten:") == 6
    assert "tel:113" in html


def test_the_map_uses_the_configured_tiles_and_only_that_host(geodata_dir):
    app = create_app({"TESTING": True, "DATA_DIR": str(geodata_dir), "RATELIMIT_ENABLED": False,
                      "TILES_URL": "https://tiles.example.org/{z}/{x}/{y}.png"})
    state.reload(app)
    response = app.test_client().get("/route/3511AB")
    script = re.search(r'<script src="(/kaart/ZK\d+\.js)">', response.get_data(as_text=True)).group(1)
    assert "https://tiles.example.org/{z}/{x}/{y}.png" in app.test_client().get(script).get_data(as_text=True)
    assert "img-src 'self' data: https://tiles.example.org" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_cards_made_once_still_show_each_visitors_distance_and_language(app, data):
    from routekaart.web.cards import entry_card

    router = data.router
    near = router.records(router.nearest(router.resolve(parse("3511AB")), Filters(k=3)))
    far = router.records(router.nearest(router.resolve(parse("9711AB")), Filters(k=3)))
    labels = []
    for lang in ("nl", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            for entry in near + far:
                html = entry_card(entry)
                km = f"{entry['distance_km']:.1f}".replace(".", ",") if lang == "nl" else f"{entry['distance_km']:.1f}"
                said = re.search(r'<span class="distance" data-km="([\d.]+)">(.*?)</span>', html)
                assert float(said.group(1)) == entry["distance_km"] and str(escape(entry["name"])) in html
                assert (f"{km} km" in said.group(2)) == (entry["distance_basis"] != "place")
                bare = entry_card({**entry, "distance_km": None})
                assert 'class="distance"' not in bare and "<!--" not in bare
                assert bare == entry_card({**entry, "distance_km": None}), "made once, the same each time"
            labels.append(entry_card({**near[0], "distance_km": None}).split('class="kind">')[1].split("<")[0])
    assert labels[0] == near[0]["kind_label"] and labels[1] != labels[0], "each language has its own copy"


def test_the_route_map_points_are_data_not_code(client):
    html = client.get("/route/3511AB").get_data(as_text=True)
    points = json.loads(re.search(r'<script type="application/json" id="route-points"[^>]*>(.*?)</script>', html,
                                  re.S).group(1))
    names = [feature["properties"]["name"] for feature in points["features"]]
    places = [place for feature in points["features"] for place in feature["properties"]["places"]]
    assert names[0] == "Postcode 3511 AB" and len(places) >= 25  # the 25 nearest walk-ins too
    assert len({place["id"] for place in places}) == len(places), "each place on one marker"
    assert {feature["properties"]["shape"] for feature in points["features"]} >= {"star", "circle"}


def test_step_texts_made_once_carry_each_regions_own_name(client, data):
    names = data.geo.regions["name"]
    for code in [names.index[0], names[names.str.contains("'")].index[0], names.index[-1]]:
        html = client.get(f"/regio/{code}/checklist").get_data(as_text=True)
        title = re.search(r'id="stap-wachten".*?<h3 class="step-title">(.*?)</h3>', html, re.S).group(1)
        assert title == f"Steun tijdens het wachten in {escape(names[code])}"


def test_the_filter_form_shows_the_visitors_own_choice(client):
    plain = client.get("/route/3511AB").get_data(as_text=True)
    chosen = client.get("/route/3511AB?km=10&gratis=1").get_data(as_text=True)
    assert '<option value="10" selected>' not in plain and 'id="gratis" name="gratis" value="1" checked' not in plain
    assert '<option value="10" selected>' in chosen and 'id="gratis" name="gratis" value="1" checked' in chosen


def test_the_region_maps_script_is_one_public_file_that_matches_the_page(client):
    html = client.get("/route/3511AB").get_data(as_text=True)
    name = re.search(r'data-map="(map_\w+)"', html).group(1)
    assert f'id="{name}"' in html and 'src="/kaart/ZK23.js"' in html
    script = client.get("/kaart/ZK23.js")
    assert script.mimetype == "text/javascript" and "max-age" in script.headers["Cache-Control"]
    assert f'var {name} = L.map(' in script.get_data(as_text=True)
    assert client.get("/kaart/ZK99.js").status_code == 404


def test_warm_makes_the_shared_parts_and_logs_each_build_without_keys(geodata_dir, caplog):
    from routekaart.web import warm

    app = create_app({"TESTING": True, "DATA_DIR": str(geodata_dir), "RATELIMIT_ENABLED": False, "TILES_URL": ""})
    with caplog.at_level("INFO", logger="routekaart.derived"):
        warm(app)
    with app.app_context():
        data = state.get()
    national = len(data.router.national(Filters()))
    # the national entries in 2 languages, on screen and on paper, and those of the one route and
    # place page warm() makes; the rest waits until it is shown
    warmed = data.derived.sizes()["entry HTML"]
    assert 4 * national < warmed < 4 * len(data.catalogue.entries)
    built = [record.getMessage() for record in caplog.records]
    assert any(line.startswith("built region maps in") for line in built)
    assert any(line.startswith("started entry HTML (at most") for line in built)
    assert not any(re.search(r"\d{4}|nl-", line.split(" in ")[0]) for line in built if line.startswith("built"))
    assert str(data.geo.pc4.index[0])[:2] != "97", "warm() made a page far from Groningen"
    response = app.test_client().get("/route/9711")
    assert response.status_code == 200 and data.derived.sizes()["entry HTML"] > warmed


WARM_THEN_VISIT = """
import json
import sys
from routekaart import create_app
from routekaart.web import warm
app = create_app({"DATA_DIR": sys.argv[1], "RATELIMIT_ENABLED": False, "TILES_URL": ""})
warm(app)
before = set(sys.modules)
client = app.test_client()
for path in ["/route/3511AB", "/route/9711?lang=en", "/api/v1/lookup?postcode=6211", "/plek/" + sys.argv[2]]:
    assert client.get(path).status_code == 200, path
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_warm_leaves_no_module_for_the_workers_to_load(geodata_dir, data):
    """What a worker loads after the fork is its own copy: the holidays package loads all its
    countries (about 280 modules) on first use, so warm() in the master asks it first."""
    with_hours = data.catalogue.entries.loc[data.catalogue.entries["schedule"].fillna("") != "", "id"]
    out = subprocess.run([sys.executable, "-c", WARM_THEN_VISIT, str(geodata_dir), with_hours.iloc[0]],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert json.loads(out) == []


def test_every_entry_of_the_catalogue_has_a_place_page(client, data):
    for entry_id in data.catalogue.entries["id"]:
        response = client.get(f"/plek/{entry_id}")
        assert response.status_code == 200, entry_id
        assert f'/melden/{entry_id}"' in response.get_data(as_text=True)


def test_the_place_page_says_what_we_know(client, data):
    html = client.get("/plek/nl-113-zelfmoordpreventie").get_data(as_text=True)
    assert '<h1 lang="nl">113 Zelfmoordpreventie</h1>' in html
    for fact in ("Voor wie", "Kosten", "Verwijzing", "Openingstijden", "Klopt dit nog?", "Bron:"):
        assert fact in html
    assert 'href="tel:113"' in html and "Heel Nederland" in html
    assert 'href="http://localhost/plek/nl-113-zelfmoordpreventie"' in html, "a plain link to share"
    entries = data.catalogue.entries
    placed = entries.loc[entries["lat"].notna() & (entries["status"] == "active"), ["id", "zorgkantoorregio"]].iloc[0]
    with_map = client.get(f"/plek/{placed['id']}").get_data(as_text=True)
    points = json.loads(re.search(r'id="route-points"[^>]*>(.*?)</script>', with_map, re.S).group(1))
    assert len(points["features"]) == 1 and f'src="/kaart/{placed["zorgkantoorregio"]}.js"' in with_map


@pytest.mark.parametrize("entry_id", ["bestaat-niet", "NL-113-ZELFMOORDPREVENTIE", "a" * 300, "<script>alert(1)</script>",
                                      "nl-113-zelfmoordpreventie%00", "..%2F..%2Fetc%2Fpasswd", "%E2%80%AE"])
def test_an_unknown_or_hostile_place_id_gets_a_plain_404_page(client, entry_id):
    response = client.get(f"/plek/{entry_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Deze plek kennen we niet" in html or "Deze pagina bestaat niet" in html
    assert "<script>alert" not in html and "tel:113" in html


def test_templates_write_json_as_the_api_does_and_safe_in_html(app):
    """|tojson (the map's points) goes through the app's JSON (orjson, UTF-8 as it is), and stays
    safe inside a script element."""
    value = {"name": "Testpunt </script><b> 'één' & co"}
    with app.test_request_context("/"):
        written = render_template_string("{{ value|tojson }}", value=value)
    assert json.loads(written) == value
    assert "</script>" not in written and "<b>" not in written and "'" not in written
    assert "één" in written, "the app's JSON, not Flask's default (which writes \\u00e9)"
