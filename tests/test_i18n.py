"""Languages: Dutch by default, English through the switch; every text in the English catalogue;
the `lang` cookie only when a visitor chooses a language on an HTML page."""
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from routekaart import ROOT

PO = ROOT / "routekaart" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
FIX = "extract, update, translate and compile as the README says under 'Languages'"


def extracted() -> set[str]:
    """Every msgid pybabel would extract with babel.cfg (N_ is one of Babel's default keywords)."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    return {singular(message) for _, _, message, _, _ in extract_from_dir(ROOT, method_map, options_map)}


def singular(msgid) -> str:
    """A plural message is known by its singular text."""
    return msgid if isinstance(msgid, str) else msgid[0]


def test_every_text_in_the_code_has_an_english_translation():
    catalogue = read_po(PO.open("rb"))
    translated = {singular(m.id) for m in catalogue
                  if m.id and m.string and all(m.string) and "fuzzy" not in m.flags}
    assert extracted() - translated == set(), FIX


def test_the_compiled_catalogue_matches_the_po_file():
    def texts(catalogue) -> dict:
        return {singular(m.id): m.string if isinstance(m.string, str) else tuple(m.string)
                for m in catalogue if m.id}

    assert texts(read_mo(MO.open("rb"))) == texts(read_po(PO.open("rb"))), FIX


@pytest.mark.parametrize("path, english", [
    ("/", "What can you do while you wait?"),
    ("/route/3511AB", "Walk-in places nearby"),
    ("/wat-helpt", "What we know:"),
    ("/route/35x1", "This is not a postcode."),
    ("/bestaat-niet", "This page does not exist."),
    ("/dekking", "Coverage per care office region"),
])
def test_english_pages(client, path, english):
    html = client.get(path, query_string={"lang": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert english in html
    assert "Are you thinking about suicide?" in html, "the crisis block is on every page"
    assert "Gaat het nu niet goed?" not in html


def test_dutch_is_the_default(client):
    html = client.get("/route/3511AB").get_data(as_text=True)
    assert '<html lang="nl">' in html and "Gaat het nu niet goed?" in html
    assert "Steunpunt (inloop)" in html  # kind labels come from the schema, translated in the page
    english = client.get("/route/3511AB?lang=en").get_data(as_text=True)
    assert "Walk-in support point" in english and "Steunpunt (inloop)" not in english
    assert "Are you not doing well right now?" in english and "Gaat het nu niet goed?" not in english, \
        "the crisis lines are kept per language, not as the first page had them"
    assert "We do not store your postcode." in english.split('class="site-footer"')[1]
    assert '<h4 class="entry-name" lang="nl">' in english, "catalogue texts stay Dutch and say so"


def test_the_switch_link_keeps_path_and_query(client):
    html = client.get("/route/3511AB?km=10&soort=jongeren").get_data(as_text=True)
    assert 'href="?km=10&amp;soort=jongeren&amp;lang=en" lang="en" hreflang="en">English' in html
    back = client.get("/route/3511AB?km=10&lang=en").get_data(as_text=True)
    assert 'href="?km=10&amp;lang=nl" lang="nl" hreflang="nl">Nederlands' in back


def test_choosing_a_language_on_a_page_sets_the_one_cookie(app):
    client = app.test_client()
    response = client.get("/route/3511AB?lang=en")
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("lang=en;")
    assert "HttpOnly" in cookies[0] and "SameSite=Lax" in cookies[0]
    html = client.get("/").get_data(as_text=True)  # the cookie keeps the choice
    assert '<html lang="en">' in html
    assert client.get("/").headers.getlist("Set-Cookie") == [], "nothing new to remember"


@pytest.mark.parametrize("path", ["/api/v1/lookup?postcode=3511AB", "/healthz", "/api/v1/openapi.json",
                                  "/dekking/export.csv", "/static/site.css", "/?postcode=3511AB"])
def test_no_cookie_on_anything_but_an_html_page(client, path):
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}lang=en")
    assert response.headers.getlist("Set-Cookie") == [], path


def test_no_cookie_without_a_choice(client):
    for path in ("/", "/route/3511AB", "/wat-helpt", "/route/1000", "/dekking"):
        assert client.get(path).headers.getlist("Set-Cookie") == [], path
