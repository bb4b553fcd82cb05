"""Map and list together, in real headless Chromium: a marker's popup gives the name, the hours and
a link to the card; each card has "Op de kaart"; the map opens on the postcode and the nearest
places (a place page on the place), not on the whole region; all of it by keyboard. The search
field works without JavaScript; the page prints on three A4 pages at most; it comes compressed."""
from urllib.parse import urlsplit

import pytest

from .chromium import hosts, serious_axe_violations

PHONE = {"width": 390, "height": 844}

# The map's view and what it should hold: the features marked `near` (maps.route_points) and the
# zoom that would show the whole region outline.
VIEW = """() => {
  const map = window[document.getElementById("route-points").dataset.map];
  let region = null, near = [];
  map.eachLayer(layer => {
    if (layer instanceof L.Polygon) { region = region ? region.extend(layer.getBounds()) : L.latLngBounds(layer.getBounds().getSouthWest(), layer.getBounds().getNorthEast()); }
    if (layer.feature?.properties?.near) { near.push(layer.getLatLng()); }
  });
  return {zoom: map.getZoom(), regionZoom: map.getBoundsZoom(region), near: near.length,
          shown: near.every(point => map.getBounds().contains(point))};
}"""


@pytest.fixture(scope="module")
def town(data) -> str:
    """The town of one of the places nearest to 3511AB, as the catalogue has it."""
    from routekaart.postcodes import parse
    from routekaart.routing import Filters

    router = data.router
    near = router.records(router.nearest(router.resolve(parse("3511AB")), Filters(k=25)))
    return next(e["address"]["city"] for e in near if e["address"]["city"])


def marker_of(page, entry_id: str):
    """The marker (its focusable icon) that holds this entry."""
    return page.evaluate_handle("""id => {
      const map = window[document.getElementById("route-points").dataset.map];
      let found = null;
      map.eachLayer(layer => { if (layer.feature?.properties?.places?.some(place => place.id === id)) { found = layer.getElement(); } });
      return found;
    }""", entry_id).as_element()


def in_view(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= -1 and box["y"] < page.viewport_size["height"]


def test_the_map_opens_on_the_postcode_and_the_nearest_places_not_the_region(page, base_url):
    page.goto(f"{base_url}/route/3511AB")
    page.wait_for_selector(".leaflet-marker-icon.route-marker")
    view = page.evaluate(VIEW)
    assert view["near"] >= 2, "the postcode and the points of the five nearest places"
    assert view["shown"] and view["zoom"] > view["regionZoom"], view
    assert page.errors == []


@pytest.mark.parametrize("precision, zooms", [("pc4", (13, 14)), ("place", (11, 12))])
def test_a_place_page_map_shows_the_place_as_closely_as_we_know_it(page, base_url, data, precision, zooms):
    """An address opens on its streets; a place we know only by its town opens on the town,
    since its point is the town's centre, not the address."""
    entries = data.catalogue.entries
    placed = entries.loc[entries["lat"].notna() & (entries["geo_precision"] == precision), "id"]
    if placed.empty:
        pytest.skip(f"no entry placed by {precision} in the catalogue now")
    page.goto(f"{base_url}/plek/{placed.iloc[0]}")
    page.wait_for_selector(".leaflet-marker-icon.route-marker")
    view = page.evaluate(VIEW)
    assert view["near"] == 1 and view["shown"] and zooms[0] <= view["zoom"] <= zooms[1], view
    assert view["zoom"] > view["regionZoom"], view
    assert page.errors == []


def test_a_marker_by_keyboard_gives_name_hours_and_a_link_to_its_card(page, base_url):
    page.goto(f"{base_url}/route/3511AB")
    page.wait_for_selector(".leaflet-marker-icon.route-marker")
    card = page.locator("#resultaten > ul.entries > li.entry").first
    card_id = card.get_attribute("id")
    name, hours = card.locator("h4").inner_text(), card.locator(".entry-hours").inner_text()
    marker = marker_of(page, card_id.removeprefix("plek-"))
    marker.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    place = popup.locator(".popup-place").filter(has=page.get_by_text(name, exact=True))
    assert place.count() == 1 and hours in place.inner_text()
    assert page.locator(".leaflet-popup-close-button").get_attribute("aria-label") == "Sluiten"
    assert page.get_by_role("button", name="Inzoomen").count() == 1, "the map's buttons speak the page's language"
    link = place.get_by_role("link", name=f"Bekijk in de lijst ({name})")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**#{card_id}")
    assert page.evaluate("document.activeElement.id") == card_id
    assert in_view(page, f"#{card_id}")
    assert page.errors == []


def test_a_popup_link_unfolds_the_list_that_holds_the_card(page, base_url):
    page.goto(f"{base_url}/route/3511AB")
    page.wait_for_selector(".leaflet-marker-icon.route-marker")
    card_id = page.evaluate("""() => {
      const placed = JSON.parse(document.getElementById("route-points").textContent).features
        .flatMap(f => f.properties.places).map(place => "plek-" + place.id);
      return [...document.querySelectorAll("details#regio li.entry")].map(li => li.id).find(id => placed.includes(id));
    }""")
    assert page.locator("details#regio").get_attribute("open") is None
    marker = marker_of(page, card_id.removeprefix("plek-"))
    map_box = page.locator(".map .folium-map").bounding_box()
    for _ in range(6):  # zoomed out with the map's own button until the place is in view
        box = marker.bounding_box()
        if map_box["x"] < box["x"] < map_box["x"] + map_box["width"] - 30 and map_box["y"] < box["y"] < map_box["y"] + map_box["height"] - 30:
            break
        page.locator(".leaflet-control-zoom-out").click()
        page.wait_for_timeout(400)
    marker.focus()  # nearby markers may overlap at this zoom: the keyboard reaches each one
    page.keyboard.press("Enter")
    page.locator(f'.leaflet-popup-content a[href="#{card_id}"]').click()
    page.wait_for_url(f"**#{card_id}")
    assert page.locator("details#regio").get_attribute("open") is not None
    assert page.locator(f"#{card_id}").is_visible() and in_view(page, f"#{card_id}")


def test_op_de_kaart_on_a_card_opens_its_popup_and_puts_the_focus_on_its_marker(browser, base_url):
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{base_url}/route/3511AB")
    page.wait_for_selector(".leaflet-marker-icon.route-marker")
    cards = page.locator("#resultaten > ul.entries > li.entry")
    assert cards.locator("button.on-map").count() == cards.count() == 5, "each nearby card has the button"
    with_a_card = page.evaluate("""JSON.parse(document.getElementById("route-points").textContent).features
      .flatMap(f => f.properties.places).filter(place => document.getElementById("plek-" + place.id)).length""")
    assert page.locator("button.on-map").count() == with_a_card > 5, "and so has every other card with a point"
    card = cards.nth(2)
    name = card.locator("h4").inner_text()
    button = card.get_by_role("button", name=f"Op de kaart ({name})")
    button.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert name in popup.locator("strong").all_inner_texts()
    assert name in page.evaluate("document.activeElement.title"), "the focus is on the place's marker"
    assert in_view(page, ".map")
    page.close()


def test_the_search_field_works_without_javascript_and_lands_at_the_results(browser, base_url, town):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{base_url}/route/3511AB")
    page.locator("details.filter-box > summary").click()
    page.get_by_label("Naam of plaats").fill(town.lower())
    page.keyboard.press("Enter")
    page.wait_for_url("**zoek=**")
    assert page.url.endswith("#resultaten")
    assert -5 <= page.locator("#resultaten").bounding_box()["y"] <= 50, "the page opens at the results"
    assert f"“{town.lower()}”" in page.locator("#resultaten .found").inner_text()
    assert page.get_by_label("Naam of plaats").input_value() == town.lower()
    cards = page.locator("#resultaten ul.entries > li.entry").all_inner_texts()
    assert cards and all(town.lower() in card.lower() for card in cards)
    context.close()


@pytest.mark.parametrize("path", ["/route/3511AB", "/route/3511AB?lang=en", "/route/9711", "/route/1811?lang=en"])
def test_the_route_page_prints_on_at_most_three_a4_pages(page, base_url, path, tmp_path):
    from pypdf import PdfReader

    page.goto(f"{base_url}{path}")
    page.wait_for_load_state("load")
    (tmp_path / "route.pdf").write_bytes(page.pdf(format="A4", print_background=True))
    pages = PdfReader(tmp_path / "route.pdf").pages
    assert 1 <= len(pages) <= 3
    text = " ".join(sheet.extract_text() for sheet in pages)
    assert "113" in text and ("Praat met je huisarts" in text or "Talk with your GP" in text)
    calls = page.locator("ol.checklist li.entry .actions a[href^='tel:']").all_inner_texts()
    assert calls and all(call.split(" ", 1)[1] in text for call in calls), "paper keeps the phone numbers"
    page.context.clear_cookies()


def test_the_browser_gets_the_page_its_styles_and_scripts_compressed(page, base_url):
    encodings = {}
    page.on("response", lambda response: encodings.__setitem__(urlsplit(response.url).path,
                                                               response.headers.get("content-encoding")))
    page.goto(f"{base_url}/route/3511AB")
    page.wait_for_selector(".leaflet-marker-icon.route-marker")
    for path in ("/route/3511AB", "/static/site.css", "/static/route-map.js", "/static/leaflet/leaflet.js",
                 "/kaart/ZK23.js"):
        assert encodings.get(path) in ("zstd", "br", "gzip"), (path, encodings.get(path))
    assert hosts(page) == {urlsplit(base_url).netloc}
    assert page.errors == [], "no CSP or script error"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_serious_accessibility_problems_with_a_popup_open_or_on_a_place_with_a_map(page, base_url, data, town,
                                                                                     lang):
    page.goto(f"{base_url}/route/3511AB?zoek={town}&lang={lang}#resultaten")
    page.wait_for_selector(".leaflet-marker-icon.route-marker")
    page.locator("button.on-map").first.click()
    page.locator(".leaflet-popup-content").wait_for()
    # Leaflet fades a popup in; axe reads its colours once it is all there.
    page.wait_for_function("() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'")
    assert serious_axe_violations(page) == []
    entries = data.catalogue.entries
    placed = entries.loc[entries["lat"].notna() & (entries["status"] == "active"), "id"].iloc[0]
    page.goto(f"{base_url}/plek/{placed}?lang={lang}")
    page.wait_for_selector(".leaflet-marker-icon.route-marker")
    assert serious_axe_violations(page) == []
    page.context.clear_cookies()
