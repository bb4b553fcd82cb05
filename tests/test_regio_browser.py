"""The GP's pages in real headless Chromium: nothing fetched from another host, no console errors,
no serious accessibility problems, the postcode form works without JavaScript, and Chromium's own
print of a sheet also stays within two A4 pages."""
import io
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

from routekaart.catalogue.schema import NATIONAL

from .chromium import hosts, serious_axe_violations


@pytest.fixture(scope="module")
def region_code(data):
    return data.geo.regions.index[0]


@pytest.mark.parametrize("path", ["/regio", "/regio/{code}/checklist"])
def test_no_other_host_and_no_serious_accessibility_problems(page, base_url, region_code, path):
    page.goto(base_url + path.format(code=region_code))
    page.wait_for_load_state("load")
    assert hosts(page) == {urlsplit(base_url).netloc}
    assert page.errors == []
    assert serious_axe_violations(page) == []


def test_postcode_form_leads_to_the_sheet(page, base_url, data, region_code):
    pc4 = data.geo.pc4
    postcode = str(pc4.index[pc4["region_code"] == region_code][0])
    page.goto(f"{base_url}/regio")
    page.get_by_label("Postcode van de praktijk of de patiënt").fill(f"{postcode} ab")
    page.get_by_role("button", name="Maak de checklist").press("Enter")
    page.wait_for_url(f"**/checklist/{postcode}AB")
    assert page.locator("h1").inner_text() == "Wat kun je doen terwijl je wacht op de ggz?"
    assert hosts(page) == {urlsplit(base_url).netloc}
    assert serious_axe_violations(page) == []


def test_chromium_prints_a_sheet_on_at_most_two_a4_pages(page, base_url, data):
    counts = data.catalogue.entries["zorgkantoorregio"].value_counts().drop(NATIONAL)
    page.goto(f"{base_url}/regio/{counts.index[0]}/checklist")  # the region with the most entries
    pages = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True))).pages
    assert 1 <= len(pages) <= 2
    assert {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pages} == {(595, 842)}
