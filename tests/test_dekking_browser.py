"""/dekking in real headless Chromium: the map draws with Leaflet from the app itself, nothing is
fetched from another host, the CSP blocks nothing, sorting works by keyboard, a click on the map
opens a region, the pages fit 1280 and 390 px wide, and axe-core finds no serious or critical
problems, in Dutch and in English."""
import re
from urllib.parse import urlsplit

import pytest

from .chromium import hosts, serious_axe_violations

SCROLL_WIDTHS = "() => [...document.querySelectorAll('.table-scroll')].map(e => e.scrollWidth - e.clientWidth)"


@pytest.fixture(scope="module")
def widest_regions(data):
    """The regions whose pages are likely widest: the longest name and the most catalogue entries."""
    regions, entries = data.geo.regions, data.catalogue.entries
    longest = regions["name"].str.len().idxmax()
    most = entries["zorgkantoorregio"].value_counts().drop("landelijk", errors="ignore").idxmax()
    return sorted({longest, most})


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
    # The first time the farthest come first.
    assert page.locator("th[aria-sort='descending']").inner_text().startswith("Mediane afstand")
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


def test_a_click_on_a_region_opens_its_page(page, base_url):
    page.goto(f"{base_url}/dekking")
    page.wait_for_selector(".leaflet-container path.leaflet-interactive")
    page.locator(".leaflet-container").scroll_into_view_if_needed()
    box = page.locator(".leaflet-container").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.5)  # the middle of the country
    page.wait_for_url(re.compile(r".*/dekking/ZK\d\d$"))
    assert page.locator("h1").inner_text().startswith("Dekking in")


def test_the_map_fills_with_the_country(page, base_url):
    page.goto(f"{base_url}/dekking")
    page.wait_for_selector(".leaflet-container path.leaflet-interactive")
    container = page.locator(".leaflet-container").bounding_box()
    paths = page.evaluate("""() => { const boxes = [...document.querySelectorAll('.leaflet-container path')]
        .map(p => p.getBoundingClientRect());
      return [Math.min(...boxes.map(b => b.left)), Math.min(...boxes.map(b => b.top)),
              Math.max(...boxes.map(b => b.right)), Math.max(...boxes.map(b => b.bottom))]; }""")
    width, height = paths[2] - paths[0], paths[3] - paths[1]
    assert height > 0.8 * container["height"] or width > 0.8 * container["width"]  # not a third of the map


def test_the_table_fits_1280_px_without_sideways_scrolling(page, base_url):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base_url}/dekking")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.evaluate(SCROLL_WIDTHS) == [0]
    # The sorted column stays in view after sorting on it.
    page.get_by_role("link", name="Inwoners verder dan 20 km").click()
    page.wait_for_url("**sort=share_over_20km**")
    sorted_column = page.locator("th[aria-sort]").bounding_box()
    assert sorted_column["x"] + sorted_column["width"] <= 1280


@pytest.mark.parametrize("path", ["/dekking", "/dekking/methode", "/regio", "/dekking?columns=all&lang=en"])
def test_phone_width_without_horizontal_overflow(page, base_url, path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base_url}{path}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_region_pages_fit_a_phone(page, base_url, widest_regions):
    page.set_viewport_size({"width": 390, "height": 844})
    for code in widest_regions:
        page.goto(f"{base_url}/dekking/{code}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, code
        # The figures, the farthest places and the counts per kind fit; the list of entries may scroll.
        assert page.evaluate(SCROLL_WIDTHS)[:3] == [0, 0, 0], code


def test_sticky_region_column_on_a_phone(page, base_url):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base_url}/dekking")
    name = page.locator("table.coverage tbody th").first
    before = name.bounding_box()["x"]
    page.locator(".table-scroll").first.evaluate("e => e.scrollLeft = 400")
    assert name.bounding_box()["x"] == pytest.approx(before, abs=1)


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("path", ["/dekking", "/dekking?columns=all&basis=region", "/dekking/ZK18", "/dekking/methode"])
def test_no_serious_accessibility_problems(page, base_url, path, lang):
    page.goto(f"{base_url}{path}{'&' if '?' in path else '?'}lang={lang}")
    page.wait_for_load_state("load")
    assert serious_axe_violations(page) == []


@pytest.mark.parametrize("width", [1280, 390])
def test_no_serious_accessibility_problems_on_the_widest_region_pages(page, base_url, widest_regions, width):
    page.set_viewport_size({"width": width, "height": 900})
    for code in widest_regions:
        page.goto(f"{base_url}/dekking/{code}")
        assert serious_axe_violations(page) == [], code
