"""/dekking in real headless Chromium: the map draws with Leaflet from the app itself, nothing is
fetched from another host, the CSP blocks nothing, sorting works by keyboard, and axe-core finds no
serious or critical problems."""
from urllib.parse import urlsplit

import pytest

from .chromium import hosts, serious_axe_violations


def test_overview_map_table_and_no_other_host(page, base_url):
    page.goto(f"{base_url}/dekking")
    page.wait_for_selector(".leaflet-container path.leaflet-interactive")
    assert page.locator(".leaflet-container path.leaflet-interactive").count() == 31
    assert page.evaluate("L.version") == "1.9.3"
    assert f"{base_url}/static/leaflet/leaflet.js" in page.requests
    assert hosts(page) == {urlsplit(base_url).netloc}
    assert page.errors == []
    assert page.locator("table.coverage tbody tr").count() == 31
    assert page.locator("table.coverage tfoot th").inner_text() == "Nederland"


def test_sorting_and_map_choice_work_by_keyboard(page, base_url):
    page.goto(f"{base_url}/dekking")
    header = page.get_by_role("link", name="Mediane afstand tot inloop (km)")
    header.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**sort=median_km**")
    assert page.locator("th[aria-sort='ascending']").inner_text().startswith("Mediane afstand")
    page.select_option("#metric", "walk_ins_per_100k")
    page.get_by_role("button", name="Toon op de kaart").press("Enter")
    page.wait_for_url("**metric=walk_ins_per_100k**")
    assert "Legenda: Inlooppunten per 100.000 inwoners" in page.locator("#legenda").inner_text()
    assert "sort=median_km" in page.url  # the sort survives choosing a map


def test_region_page_draws_farthest_points(page, base_url):
    page.goto(f"{base_url}/dekking/ZK18")
    page.wait_for_selector(".leaflet-container path.leaflet-interactive")
    # The region outline, 25 farthest PC4 points and the walk-ins (all drawn as SVG paths).
    assert page.locator(".leaflet-container path.leaflet-interactive").count() >= 26
    assert hosts(page) == {urlsplit(base_url).netloc}
    assert page.errors == []


@pytest.mark.parametrize("path", ["/dekking", "/dekking/ZK18", "/dekking/methode"])
def test_no_serious_accessibility_problems(page, base_url, path):
    page.goto(f"{base_url}{path}")
    page.wait_for_load_state("load")
    assert serious_axe_violations(page) == []
