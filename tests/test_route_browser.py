"""The client's route map in real headless Chromium: from the home page to the checklist, the list
and a map with named markers; nothing fetched from another host; axe-core finds no serious
problems; the language switch sets the one cookie."""
from urllib.parse import urlsplit

import pytest

from .chromium import hosts, serious_axe_violations


def test_from_postcode_to_checklist_list_and_map(page, base_url):
    page.goto(base_url)
    page.get_by_label("Je postcode").fill("3511 ab")
    page.get_by_role("button", name="Zoek steun").click()
    page.wait_for_url(f"{base_url}/route/3511AB")
    assert page.locator("ol.checklist > li").count() == 8
    assert page.locator("#lijst li.entry").count() > 25
    page.wait_for_selector(".leaflet-marker-icon.route-marker")
    markers = page.locator(".leaflet-marker-icon.route-marker")
    assert markers.count() >= 26  # the postcode and the 25 nearest walk-ins, at least
    assert markers.first.is_visible()
    titles = markers.evaluate_all("els => els.map(e => e.title)")
    assert "Postcode 3511 AB" in titles and all(titles)
    shapes = set(page.locator(".leaflet-marker-icon .pin").evaluate_all("els => els.map(e => e.className)"))
    assert {"pin pin-star", "pin pin-circle"} <= shapes
    assert page.locator(".leaflet-container path.leaflet-interactive").count() >= 1  # the region outline
    assert hosts(page) == {urlsplit(base_url).netloc}
    assert page.errors == []


def test_filters_work_from_the_form(page, base_url):
    page.goto(f"{base_url}/route/3511AB")
    page.select_option("#soort", "jongeren")
    page.select_option("#km", "25")
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url("**soort=jongeren**")
    assert "km=25" in page.url
    nearby = page.locator("#lijst h3").first.locator("xpath=following-sibling::ul[1]/li")
    assert nearby.count() >= 1
    assert set(nearby.evaluate_all("els => els.map(e => e.className)")) == {"entry entry-jongeren"}
    assert page.errors == []


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
                                  "/bestaat-niet", "/wat-helpt", "/route/3511AB?km=7"])
def test_no_serious_accessibility_problems(page, base_url, path):
    page.goto(f"{base_url}{path}")
    page.wait_for_load_state("load")
    assert serious_axe_violations(page) == []
    page.context.clear_cookies()
