"""/dekking in real headless Chromium: the map draws with Leaflet from the app itself, nothing is
fetched from another host, the CSP blocks nothing, sorting works by keyboard, and axe-core finds no
serious or critical problems."""
import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = Path(os.environ.get("AXE_CORE_JS", "/var/cache/routekaart-ci/axe-core-4.14.1/axe.min.js"))

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium not installed (.ci/install-system.sh)")


@pytest.fixture(scope="module")
def base_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, base_url):
    """A page that records every request and every console error (CSP violations show there)."""
    page = browser.new_page()
    page.requests, page.errors = [], []
    page.on("request", lambda request: page.requests.append(request.url))
    # The browser asks for /favicon.ico by itself; the site has none yet, and that 404 is not ours.
    page.on("console", lambda message: message.type == "error" and not message.location.get("url", "").endswith(
        "/favicon.ico") and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    page.close()


def _hosts(page):
    return {urlsplit(url).netloc for url in page.requests if not url.startswith(("data:", "about:"))}


def _axe(page):
    if not AXE.is_file():
        pytest.skip(f"axe-core not found at {AXE}")
    page.evaluate(AXE.read_text())  # evaluated by the browser tooling, not as a page script
    result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def test_overview_map_table_and_no_other_host(page, base_url):
    page.goto(f"{base_url}/dekking")
    page.wait_for_selector(".leaflet-container path.leaflet-interactive")
    assert page.locator(".leaflet-container path.leaflet-interactive").count() == 31
    assert page.evaluate("L.version") == "1.9.3"
    assert f"{base_url}/static/leaflet/leaflet.js" in page.requests
    assert _hosts(page) == {urlsplit(base_url).netloc}
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
    assert _hosts(page) == {urlsplit(base_url).netloc}
    assert page.errors == []


@pytest.mark.parametrize("path", ["/dekking", "/dekking/ZK18", "/dekking/methode"])
def test_no_serious_accessibility_problems(page, base_url, path):
    page.goto(f"{base_url}{path}")
    page.wait_for_load_state("load")
    assert _axe(page) == []
