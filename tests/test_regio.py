"""The GP's print: /regio, checklists per region and postcode as HTML and PDF (at most two A4
pages with no text under 10 pt, the region, 113 and the MGN on it, a QR code that scans to the
live page, something for the GP to do in every region, where the listings come from), bad
addresses, the rate limit and a PDF renderer that fetches nothing from the network."""
import io
import math
import re
import subprocess
import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from babel.dates import format_date
from markupsafe import escape
from pypdf import PdfReader

from routekaart import ROOT, create_app, paper, state
from routekaart.catalogue.schema import OPEN_STATUSES, WALK_IN_KINDS

A4 = (595.28, 841.89)  # points
PAGE_ONE_PNG = Path(tempfile.gettempdir()) / "routekaart-checklist-page1.png"  # look at it after a run


def pdf_pages(body: bytes) -> list:
    return PdfReader(io.BytesIO(body)).pages


def pdf_text(body: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in pdf_pages(body)).split())


def font_sizes(body: bytes) -> set[float]:
    """The sizes (pt) the PDF's text is printed in: each piece's font size scaled by the text and
    page matrices (pypdf's text visitor)."""
    sizes = set()

    def seen(text, cm, tm, font, size):
        if text.strip():
            sizes.add(round(size * math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3]), 2))

    for page in pdf_pages(body):
        page.extract_text(visitor_text=seen)
    return sizes


def assert_a4_at_most_two_pages(body: bytes):
    """At most two A4 pages, and no text on them under 10 pt (a patient must be able to read it)."""
    pages = pdf_pages(body)
    assert 1 <= len(pages) <= 2
    for page in pages:
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A4
    assert min(font_sizes(body)) >= 10


def qr_on_page_one(body: bytes, png: Path) -> list[str]:
    """Page 1 as PNG (pdftoppm), and what the QR codes on it say (zbar)."""
    from PIL import Image
    from pyzbar.pyzbar import decode

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "sheet.pdf").write_bytes(body)
        subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile",
                        str(Path(tmp) / "sheet.pdf"), str(png.with_suffix(""))], check=True)
    return [symbol.data.decode() for symbol in decode(Image.open(png))]


def a_postcode_in(data, region: str) -> str:
    pc4 = data.geo.pc4
    return str(pc4.index[pc4["region_code"] == region][0])


def test_regio_lists_all_31_regions_and_a_postcode_form(client, data):
    html = client.get("/regio").get_data(as_text=True)
    for code, name in data.geo.regions["name"].items():
        assert f'href="/regio/{code}/checklist"' in html and f'href="/regio/{code}/checklist.pdf"' in html, code
    assert len(data.geo.regions) == 31
    assert 'action="/checklist"' in html and 'name="postcode"' in html


def test_home_page_links_to_regio(client):
    assert 'href="/regio"' in client.get("/").get_data(as_text=True)


def test_region_pdf(client, data, mgn_region):
    code, network = mgn_region
    response = client.get(f"/regio/{code}/checklist.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert_a4_at_most_two_pages(response.data)
    text = pdf_text(response.data)
    assert data.geo.regions.loc[code, "name"] in text
    assert "113" in text and "0800-0113" in text
    assert network in text
    assert "Afspraken met je huisarts" in text and "Meld een fout" in text
    assert qr_on_page_one(response.data, PAGE_ONE_PNG.with_name("routekaart-region-page1.png")) == [
        f"http://localhost/regio/{code}/checklist"]


def test_postcode_pdf(client, data, mgn_region):
    code, network = mgn_region
    postcode = a_postcode_in(data, code)
    response = client.get(f"/checklist/{postcode}.pdf")
    assert response.status_code == 200
    assert_a4_at_most_two_pages(response.data)
    text = pdf_text(response.data)
    assert data.geo.regions.loc[code, "name"] in text and f"Postcode {postcode}" in text
    assert "113" in text and network in text
    assert qr_on_page_one(response.data, PAGE_ONE_PNG) == [f"http://localhost/route/{postcode}"]
    assert PAGE_ONE_PNG.stat().st_size > 10_000


def test_postcode_sheet_lists_the_nearest_walk_ins_with_distances(client, data, mgn_region):
    postcode = a_postcode_in(data, mgn_region[0])
    html = client.get(f"/checklist/{postcode}").get_data(as_text=True)
    assert html.count('class="distance"') >= 1
    assert f"Afstand in een rechte lijn vanaf het midden van postcode {postcode[:4]}." in html
    assert 'href="tel:' not in html.split('class="checklist"')[1], "paper writes numbers out, no tel: links"


def sheet_card(app, **fields) -> str:
    """A fictitious entry as the GP's sheet prints it."""
    from flask import get_template_attribute

    from routekaart.catalogue import as_record
    from routekaart.catalogue.schema import COLUMNS

    row = {**{column: "" for column in COLUMNS}, "id": "testplek-voorbeeld", "name": "Testplek Voorbeeld",
           "source_url": "https://example.org/testplek", **fields}
    with app.test_request_context("/"):
        return " ".join(str(get_template_attribute("_sheet_entry.html", "entry")(as_record(row))).split())


def test_a_place_on_paper_says_where_how_to_call_and_when(app):
    card = sheet_card(app, kind="steunpunt", scope="lokaal", location_type="physical", address_1="Testlaan 1",
                      city="Testdorp", phones="012-3456789", url="https://example.org/testplek", description="Lang verhaal")
    assert "Testlaan 1, Testdorp" in card and "Telefoon 012-3456789" in card and "example.org/testplek" in card
    assert "Tijden onbekend" in card and "Lang verhaal" not in card, "no hours known is said; descriptions stay off paper"
    assert "do 10:00-12:00" in sheet_card(app, kind="steunpunt", scope="lokaal", location_type="physical",
                                          city="Testdorp", schedule_note="do 10:00-12:00")


def test_a_national_line_on_paper_is_one_line(app):
    line = sheet_card(app, kind="telefoon", scope="landelijk", location_type="virtual", phones="0800-0000",
                      url="https://example.org/testlijn", schedule_note="24/7", description="Lang verhaal")
    assert line.startswith('<li class="line"') and line.count("<li") == 1
    assert all(part in line for part in ("0800-0000", "example.org/testlijn", "24/7")) and "Lang verhaal" not in line
    assert "Tijden onbekend" not in line
    unreachable = sheet_card(app, kind="clientondersteuning", scope="landelijk", location_type="virtual",
                             description="Vraag ernaar bij je gemeente.")
    assert "Vraag ernaar bij je gemeente." in unreachable, "a line without phone or website says what it is"


def test_pdf_fonts_are_embedded(client, mgn_region, tmp_path):
    (tmp_path / "sheet.pdf").write_bytes(client.get(f"/regio/{mgn_region[0]}/checklist.pdf").data)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "sheet.pdf")], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all(re.search(r"\byes\b", line.split("Identity-H")[-1]) for line in fonts), fonts


def test_every_region_fits_on_two_a4_pages(client, data):
    for code in data.geo.regions.index:
        response = client.get(f"/regio/{code}/checklist.pdf")
        assert response.status_code == 200, code
        assert len(pdf_pages(response.data)) <= 2 and min(font_sizes(response.data)) >= 10, code


def test_font_sizes_are_read_from_the_pdf():
    html = '<p style="font: 7pt sans-serif">klein</p><p style="font: 12pt sans-serif">groot</p>'
    assert font_sizes(paper.pdf(html, "http://localhost/", ROOT / "static")) == {7.0, 12.0}


def test_region_sheet_lists_every_gemeente_with_its_walk_ins_or_the_nearest(client, data):
    entries = data.catalogue.entries
    walk_ins = entries[entries["kind"].isin(WALK_IN_KINDS) & entries["status"].isin(OPEN_STATUSES)]
    code = walk_ins["zorgkantoorregio"].value_counts().index[0]  # the region with the most walk-ins
    html = client.get(f"/regio/{code}/checklist").get_data(as_text=True)
    with_own = re.findall(r'<p class="gemeente">([^<]+)</p>', html)
    with_nearest = re.findall(r'<p class="nearest"><strong>([^<]+)</strong>', html)
    assert with_own == sorted(set(walk_ins.loc[walk_ins["zorgkantoorregio"] == code, "gemeente"]))
    region = data.geo.gemeenten.loc[data.geo.gemeenten["region_code"] == code, "name"]
    assert set(region) <= set(with_own) | set(with_nearest) and not set(with_own) & set(with_nearest)
    assert "in een rechte lijn vanaf het midden van de gemeente" in html


def test_sheet_is_dated_and_says_where_its_listings_come_from(client, mgn_region):
    html = client.get(f"/regio/{mgn_region[0]}/checklist").get_data(as_text=True)
    assert f"Geprint op {format_date(date.today(), 'd MMMM y', locale='nl')}." in html
    about = html.split('id="over-lijst"')[1]
    assert "catalogus van Routekaart" in about and "Meld een fout via" in about
    assert re.search(r"nog niet nagebeld|We hebben \d+ van de \d+ organisaties op deze lijst nagebeld", about)


def test_every_region_gives_the_gp_something_to_do(client, data):
    from routekaart import checklist

    for code in data.geo.regions.index:
        html = client.get(f"/regio/{code}/checklist").get_data(as_text=True)
        box = html.split('id="voor-huisarts"')[1].split("</section>")[0]
        assert "POH-GGZ" in box and "zorgbemiddeling" in box and "crisisdienst" in box and "113" in box, code
        assert "weten we nog niet" not in box and "We kennen nog geen" not in box, code
        networks = checklist.build(data.router, code).step("netwerk").entries
        assert all(str(escape(e["name"])) in box for e in networks), code


def test_the_sheet_names_no_single_insurer_and_tells_how_to_ask_any(client, data, mgn_region):
    insurers = data.catalogue.entries.loc[data.catalogue.entries["kind"] == "verzekeraar", "id"]
    for path in (f"/regio/{mgn_region[0]}/checklist", f"/checklist/{a_postcode_in(data, mgn_region[0])}"):
        html = client.get(path).get_data(as_text=True)
        assert not any(f'id="plek-{i}"' in html for i in insurers), path
        assert "Bel het nummer op je zorgpas" in html, path


@pytest.mark.parametrize("path, status", [
    ("/regio/ZK00/checklist", 404), ("/regio/ZK00/checklist.pdf", 404),
    ("/regio/Utrecht/checklist", 400), ("/regio/xx/checklist.pdf", 400),
    ("/checklist/12", 400), ("/checklist/0123AB", 400), ("/checklist/1234SS.pdf", 400),
    ("/checklist?postcode=hallo", 400), ("/checklist", 400),
])
def test_bad_addresses_get_a_dutch_page(client, path, status):
    response = client.get(path)
    assert response.status_code == status and response.mimetype == "text/html"
    assert "Terug naar de beginpagina" in response.get_data(as_text=True)


def test_unknown_postcode_is_404(client, data):
    unknown = next(str(n) for n in range(1000, 10000) if str(n) not in data.geo.pc4.index)
    for path in (f"/checklist/{unknown}", f"/checklist/{unknown}.pdf"):
        response = client.get(path)
        assert response.status_code == 404 and "kennen we niet" in response.get_data(as_text=True)


def test_postcodes_are_normalised_in_the_address(client, data, mgn_region):
    pc4 = a_postcode_in(data, mgn_region[0])
    assert client.get(f"/checklist/{pc4}%20ab").headers["Location"] == f"/checklist/{pc4}AB"
    assert client.get(f"/checklist?postcode={pc4}+ab").headers["Location"] == f"/checklist/{pc4}AB"
    assert client.get(f"/checklist/{pc4}AB").status_code == 200


def test_qr_points_to_public_url_when_set():
    assert paper.site_url("/route/3511AB", "https://routekaart.example/", "http://10.0.0.1:8000/") == \
        "https://routekaart.example/route/3511AB"
    assert paper.site_url("/route/3511", "", "http://localhost/") == "http://localhost/route/3511"


def test_pdf_renderer_fetches_only_our_static_files():
    fetcher = paper.StaticOnly("http://localhost/", ROOT / "static")
    assert b"@page" in fetcher.fetch("http://localhost/static/print.css").read()
    for url in ("http://example.invalid/static/print.css", "http://localhost/static/../pyproject.toml",
                "file:///etc/passwd", "http://localhost/api/v1/regions"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    html = '<link rel="stylesheet" href="http://example.invalid/x.css"><img src="https://example.invalid/x.png">x'
    assert paper.pdf(html, "http://localhost/", ROOT / "static").startswith(b"%PDF")


def test_pdfs_are_rate_limited(geodata_dir):
    app = create_app({"DATA_DIR": str(geodata_dir), "PDF_RATE_LIMIT": "2 per minute", "TILES_URL": ""})
    state.reload(app)
    client = app.test_client()
    assert [client.get("/regio/ZK00/checklist.pdf").status_code for _ in range(3)] == [404, 404, 429]
    assert client.get("/regio/ZK00/checklist").status_code == 404, "the HTML sheet is not limited"


def test_printed_web_addresses_lose_scheme_and_tracking_parameters():
    from routekaart.web import web_address

    assert web_address("https://www.113.nl/") == "www.113.nl"
    assert web_address("https://voorbeeld.invalid/nieuws/?utm_source=rss&utm_medium=rss") == "voorbeeld.invalid/nieuws"
    assert web_address("https://voorbeeld.invalid/?p=20409&utm_campaign=x") == "voorbeeld.invalid?p=20409"
    assert web_address("https://voorbeeld.invalid/pagina/?doing_wp_cron=1718645434.78") == "voorbeeld.invalid/pagina"
    assert web_address("https://voorbeeld.invalid/fout?id=") == "voorbeeld.invalid/fout"
    assert web_address("mailto:beheer@voorbeeld.invalid?subject=Fout%20bij%20") == "beheer@voorbeeld.invalid"


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(text=st.one_of(st.text(), st.from_regex(r"[1-9][0-9]{3} ?[A-Za-z]{0,2}", fullmatch=True)))
def test_any_address_gets_a_page_or_a_clear_error(client, text):
    for path in (f"/checklist/{quote(text, safe='')}", f"/regio/{quote(text, safe='')}/checklist",
                 f"/checklist?postcode={quote(text, safe='')}"):
        assert client.get(path).status_code in {200, 301, 302, 308, 400, 404}, path


def test_sheet_with_checked_entries_gives_the_oldest_and_newest_check(app, data, mgn_region):
    from flask import render_template

    from routekaart import checklist

    made = paper.Sheet(checklist.build(data.router, mgn_region[0]), ("2025-03-01", "2025-06-30"), 2, 9)
    with app.test_request_context("/"):
        html = render_template("checklist_print.html", sheet=made, live_url="http://localhost/", qr="",
                               pdf_url=None, report_address="http://localhost/", site_address="http://localhost/")
    assert "We hebben 7 van de 9 organisaties op deze lijst nagebeld, tussen 1 maart 2025 en 30 juni 2025." in html
    assert "nog niet nagebeld" not in html


def test_printed_addresses_use_public_url_when_set(app, client, data, mgn_region, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://routekaart.example/")
    code = mgn_region[0]
    postcode = a_postcode_in(data, code)
    assert '<span class="address">routekaart.example/regio/{}/checklist</span>'.format(code) in client.get(
        f"/regio/{code}/checklist").get_data(as_text=True)
    html = client.get(f"/checklist/{postcode}").get_data(as_text=True)
    assert f'<span class="address">routekaart.example/route/{postcode}</span>' in html
    assert "Meld een fout via routekaart.example." in html


@pytest.mark.parametrize("configured, printed", [
    ("mailto:beheer@voorbeeld.invalid?subject=Fout%20bij%20{id}", "beheer@voorbeeld.invalid"),
    ("https://meldingen.voorbeeld.invalid/fout/{id}", "meldingen.voorbeeld.invalid/fout"),
    ("", "localhost"),
])
def test_the_sheet_says_where_to_report_a_mistake(app, client, mgn_region, monkeypatch, configured, printed):
    """The same REPORT_URL as the entries' 'meld een fout' links, without an entry's id."""
    monkeypatch.setitem(app.config, "REPORT_URL", configured)
    html = client.get(f"/regio/{mgn_region[0]}/checklist").get_data(as_text=True)
    assert f"Meld een fout via {printed}." in html and "{id}" not in html


def test_a_region_with_thousands_of_walk_ins_still_fits_on_two_pages(large_app):
    client = large_app.test_client()
    html = client.get("/regio/ZK23/checklist").get_data(as_text=True)
    assert "Er zijn nog" in html and "Vul je postcode in op localhost" in html
    assert_a4_at_most_two_pages(client.get("/regio/ZK23/checklist.pdf").data)
