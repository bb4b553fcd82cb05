"""Pages, styles and scripts go compressed to a browser that accepts it, with the same security
headers; a response that holds a secret (a CSRF token, a portal page) never does (BREACH)."""
import gzip
import re

import brotli
import pytest

from .portal_helpers import COORDINATOR, log_in, make_user, portal_app

ACCEPT = {"Accept-Encoding": "gzip"}


def without_nonce(body: bytes) -> bytes:
    """A page with its CSP nonce blanked: the nonce is new in every response."""
    return re.sub(rb'nonce="[^"]+"', b'nonce=""', body)


@pytest.mark.parametrize("path", ["/", "/route/3511AB", "/route/3511AB?zoek=utrecht&lang=en",
                                  "/plek/nl-113-zelfmoordpreventie", "/static/site.css", "/static/route-map.js",
                                  "/static/leaflet/leaflet.js", "/static/leaflet/leaflet.css", "/kaart/ZK23.js",
                                  "/wat-helpt"])
def test_compressed_when_the_browser_accepts_it_with_the_same_content_and_headers(client, path):
    plain = client.get(path)
    packed = client.get(path, headers=ACCEPT)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    body = gzip.decompress(packed.get_data())
    assert without_nonce(body) == without_nonce(plain.get_data())
    assert len(packed.get_data()) < len(body) / 2
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"):
        assert header in packed.headers


def test_the_apis_json_is_sent_as_it_is(client):
    response = client.get("/api/v1/lookup?postcode=3511AB", headers=ACCEPT)
    assert response.status_code == 200 and "Content-Encoding" not in response.headers and response.json["pc4"] == "3511"


def test_the_best_encoding_the_browser_offers_is_used(client):
    packed = client.get("/route/3511AB", headers={"Accept-Encoding": "gzip;q=0.5, br"})
    assert packed.headers["Content-Encoding"] == "br"
    assert b"<h1>" in brotli.decompress(packed.get_data())
    assert "Content-Encoding" not in client.get("/route/3511AB", headers={"Accept-Encoding": "identity"}).headers


def test_a_form_with_a_csrf_token_is_sent_as_it_is(client, data):
    entry_id = data.catalogue.entries["id"].iloc[0]
    for path in (f"/melden/{entry_id}", "/aanmelden", "/beheer/inloggen"):
        response = client.get(path, headers=ACCEPT)
        assert response.status_code == 200, path
        assert 'name="csrf_token"' in response.get_data(as_text=True), path
        assert "Content-Encoding" not in response.headers, path


def test_portal_pages_behind_the_login_are_sent_as_they_are(tmp_path, geodata_dir):
    app = portal_app(tmp_path, geodata_dir)
    secret = make_user(app, COORDINATOR, "coordinator", ["ZK23"])
    client = app.test_client()
    assert log_in(client, COORDINATOR, secret).status_code == 303
    for path in ("/beheer/", "/beheer/regio/ZK23", "/beheer/meldingen"):
        response = client.get(path, headers=ACCEPT)
        assert response.status_code == 200, path
        assert "Content-Encoding" not in response.headers, path
    assert client.get("/route/3511AB", headers=ACCEPT).headers["Content-Encoding"] == "gzip", "the public pages are"
