"""The GP's checklist in English (?lang=en): the page, its PDF and both QR codes stay English,
the PDF is at most two A4 pages for every region and for a postcode, and the catalogue's own
texts (names, regions) stay as they are."""
from datetime import date

from babel.dates import format_date

from .test_regio import PAGE_ONE_PNG, a_postcode_in, assert_a4_at_most_two_pages, pdf_pages, pdf_text, qr_on_page_one


def test_english_region_pdf(client, data, mgn_region):
    code, network = mgn_region
    html = client.get(f"/regio/{code}/checklist?lang=en").get_data(as_text=True)
    assert f"/regio/{code}/checklist.pdf?lang=en" in html
    assert f"Printed on {format_date(date.today(), 'd MMMM y', locale='en')}." in html
    response = client.get(f"/regio/{code}/checklist.pdf?lang=en")
    assert_a4_at_most_two_pages(response.data)
    text = pdf_text(response.data)
    assert "What can you do while you wait for mental health care?" in text
    assert "Agreements with your GP" in text and "Report a mistake" in text and "Printed on" in text
    assert "Wat kun je doen" not in text and "Afspraken met je huisarts" not in text
    assert data.geo.regions.loc[code, "name"] in text and "113" in text and network in text
    assert qr_on_page_one(response.data, PAGE_ONE_PNG.with_name("routekaart-english-page1.png")) == [
        f"http://localhost/regio/{code}/checklist?lang=en"]


def test_english_postcode_pdf(client, data, mgn_region):
    postcode = a_postcode_in(data, mgn_region[0])
    response = client.get(f"/checklist/{postcode}.pdf?lang=en")
    assert_a4_at_most_two_pages(response.data)
    assert f"Postcode {postcode}" in pdf_text(response.data)
    assert qr_on_page_one(response.data, PAGE_ONE_PNG.with_name("routekaart-english-postcode-page1.png")) == [
        f"http://localhost/route/{postcode}?lang=en"]


def test_every_region_fits_on_two_a4_pages_in_english(client, data):
    for code in data.geo.regions.index:
        response = client.get(f"/regio/{code}/checklist.pdf?lang=en")
        assert response.status_code == 200, code
        assert len(pdf_pages(response.data)) <= 2, code
