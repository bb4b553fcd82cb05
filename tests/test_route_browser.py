"""The client's route map in real headless Chromium: from the home page to the checklist, the list
and a map with named markers; a phone-sized page with each card once; filters by keyboard that
land at the results; a page per place; nothing fetched from another host; axe-core finds no
serious problems; the language switch sets the one cookie."""
from urllib.parse import urlsplit

import pytest

from .chromium import hosts, serious_axe_violations


def test_from_postcode_to_checklist_list_and_map(page, base_url):
    page.goto(base_url)
    page.get_by_label("Je postcode").fill("3511 ab")
    page.get_by_role("button", name="Zoek steun").click()
    page.wait_for_url(f"{base_url}/route/3511AB")
    assert page.locator("ol.checklist > li").count() == 8
    assert page.locator("#resultaten li.entry").count() > 25
    page.wait_for_selector(".leaflet-marker-icon.route-marker")
    markers = page.locator(".leaflet-marker-icon.route-marker")
    places = page.evaluate("JSON.parse(document.getElementById('route-points').textContent).features"
                           ".reduce((n, f) => n + f.properties.places.length, 0)")
    assert markers.count() >= 2 and places >= 25  # the postcode and the 25 nearest walk-ins, at least
    assert markers.first.is_visible()
    titles = markers.evaluate_all("els => els.map(e => e.title)")
    assert "Postcode 3511 AB" in titles and all(titles)
    shapes = set(page.locator(".leaflet-marker-icon .pin").evaluate_all("els => els.map(e => e.className)"))
    assert {"pin pin-star", "pin pin-circle"} <= shapes
    assert page.locator(".leaflet-container path.leaflet-interactive").count() >= 1  # the region outline
    assert hosts(page) == {urlsplit(base_url).netloc}
    assert page.errors == []


PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_on_a_phone_the_page_is_short_with_crisis_help_and_the_first_step_on_the_first_screen(browser, base_url, lang):
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{base_url}/route/3511AB?lang={lang}")
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollHeight") <= 8000
    ids = page.locator("li.entry").evaluate_all("els => els.map(e => e.id)")
    assert len(ids) == len(set(ids)) > 20
    assert page.locator(".crisis").bounding_box()["y"] + page.locator(".crisis").bounding_box()["height"] <= PHONE["height"]
    first = page.locator("ol.checklist > li").first
    assert first.locator(".step-title").bounding_box()["y"] + 30 <= PHONE["height"], "the first step's title shows"
    assert page.locator("details#regio").get_attribute("open") is None
    page.close()  # and its own context, with the language cookie


def test_filters_by_keyboard_land_at_the_results(page, base_url):
    page.set_viewport_size(PHONE)
    page.goto(f"{base_url}/route/3511AB")
    summary = page.locator("details.filter-box > summary")
    summary.focus()
    page.keyboard.press("Enter")  # opens the folded form
    page.locator("#soort").focus()
    page.keyboard.press("End")  # a select changes with the keys, as for a keyboard user
    page.select_option("#soort", "jongeren")
    page.locator("#km").focus()
    page.select_option("#km", "25")
    page.locator("#gratis").focus()
    page.keyboard.press("Space")
    page.locator("fieldset button[type=submit]").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**soort=jongeren**")
    assert page.url.endswith("#resultaten") and "km=25" in page.url and "gratis=1" in page.url
    top = page.locator("#resultaten").bounding_box()["y"]
    assert -5 <= top <= 50, "the page opens at the results, not at its top"
    assert page.evaluate("window.scrollY") > 1000
    said = page.locator("#resultaten .found").inner_text()
    assert "Inloop voor jongeren, binnen 25 km, gratis" in said and "We vonden" in said
    nearby = page.locator("#resultaten h3").first.locator("xpath=following-sibling::ul[1]/li")
    assert nearby.count() >= 1
    assert set(nearby.evaluate_all("els => els.map(e => e.className)")) == {"entry entry-jongeren"}
    assert page.errors == []


def test_a_step_links_to_a_card_and_a_card_to_its_place_page(page, base_url):
    page.goto(f"{base_url}/route/3511AB")
    link = page.locator("#stap-steunpunten li.seen a").first
    target = link.get_attribute("href")
    link.focus()
    page.keyboard.press("Enter")
    assert page.url.endswith(target)
    card = page.locator(target)
    assert card.is_visible()
    name = card.locator("h4").inner_text()
    more = card.get_by_role("link", name="Meer")
    more.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/plek/{target.removeprefix('#plek-')}")
    assert page.locator("h1").inner_text() == name
    assert page.get_by_role("link", name="Meld een fout").count() == 1
    assert hosts(page) == {urlsplit(base_url).netloc}, "a route planner is asked nothing until clicked"
    assert page.errors == []


def test_a_place_page_prints_on_one_a4(page, base_url, data, tmp_path):
    from pypdf import PdfReader

    entries = data.catalogue.entries
    longest = entries.loc[entries["description"].str.len().idxmax(), "id"]
    page.goto(f"{base_url}/plek/{longest}")
    page.wait_for_load_state("load")
    (tmp_path / "plek.pdf").write_bytes(page.pdf(format="A4", print_background=True))
    assert len(PdfReader(tmp_path / "plek.pdf").pages) == 1


def test_language_switch_keeps_the_page_and_sets_only_the_language_cookie(page, base_url):
    page.goto(f"{base_url}/route/3511AB?km=10")
    assert page.context.cookies() == []
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**lang=en**")
    assert urlsplit(page.url).path == "/route/3511AB" and "km=10" in page.url
    assert page.locator("html").get_attribute("lang") == "en"
    assert [(c["name"], c["value"]) for c in page.context.cookies()] == [("lang", "en")]
    page.goto(base_url)  # the cookie keeps the choice
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Nederlands").click()
    assert page.locator("html").get_attribute("lang") == "nl"
    page.context.clear_cookies()


@pytest.mark.parametrize("path", ["/%5Cevil.example/x", "/%2F%2Fevil.example/x", "/route/%5C%5Cevil.example"])
def test_the_language_link_stays_on_the_site_whatever_the_path(page, base_url, path):
    page.goto(base_url + path)
    resolved = page.get_by_role("link", name="English").evaluate("a => a.href")
    assert resolved.startswith(base_url + "/") and urlsplit(resolved).netloc == urlsplit(base_url).netloc, resolved
    page.get_by_role("link", name="English").click()
    assert urlsplit(page.url).netloc == urlsplit(base_url).netloc
    assert page.locator("html").get_attribute("lang") == "en"
    page.context.clear_cookies()


@pytest.mark.parametrize("path", ["/", "/route/3511AB", "/route/3511AB?lang=en", "/route/35x1", "/route/1000",
                                  "/bestaat-niet", "/wat-helpt", "/route/3511AB?km=7",
                                  "/route/3511AB?soort=jongeren&km=25&gratis=1#resultaten",
                                  "/route/3511AB?soort=steunpunt&voor=naasten&lang=en#resultaten",
                                  "/plek/nl-113-zelfmoordpreventie", "/plek/nl-113-zelfmoordpreventie?lang=en",
                                  "/plek/bestaat-niet", "/plek/bestaat-niet?lang=en"])
def test_no_serious_accessibility_problems(page, base_url, path):
    page.goto(f"{base_url}{path}")
    page.wait_for_load_state("load")
    assert serious_axe_violations(page) == []
    page.context.clear_cookies()
