"""Every GET route the app has, now and later: security headers, no cookie but the language (and on a page
with a form, the session cookie holding its CSRF token), no 5xx.

The paths come from the app's own URL map, so a page added by any blueprint is checked too.
Each variable part is filled with a real value and with nonsense.
"""
import re

import pytest

from routekaart import state

# A real value for each kind of path variable (unknown names fail the test, so add them here).
# An entry id is taken from the catalogue the app has (paths()), as coordinators change it.
REAL = {"postcode": "3511AB", "code": "ZK18", "filename": "site.css", "token": "verlopen", "report_id": "1",
        "change_id": "1"}
# Pages with a form set the session cookie that holds the form's CSRF token (and nothing else).
FORM_PAGES = ("/beheer", "/melden/", "/aanmelden")
NONSENSE = ["x", "0000ZZ", "ZK99", "%00", "a" * 300, "..%2F..%2Fetc%2Fpasswd"]


def _paths(app) -> list[str]:
    with app.app_context():
        entry_id = state.get().catalogue.entries["id"].iloc[0]
    real = {**REAL, "id": entry_id, "entry_id": entry_id}
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        names = list(rule.arguments)
        unknown = [name for name in names if name not in real]
        assert not unknown, f"give tests/test_every_route.py a real value for {unknown} in {rule.rule}"
        fill = lambda value: re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: value(m.group(1)), rule.rule)
        paths.append(fill(lambda name: real[name]))
        if names and not rule.rule.startswith("/static"):
            paths += [fill(lambda name: bad) for bad in NONSENSE]
    return sorted(set(paths))


@pytest.fixture(scope="module")
def paths(app):
    return _paths(app)


def test_the_url_map_has_the_sites_areas(paths):
    for expected in ["/", "/healthz", "/api/v1/lookup", "/dekking"]:
        assert expected in paths


def test_every_route_answers_safely(client, paths):
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        cookies = response.headers.getlist("Set-Cookie")
        allowed = ("lang=", "session=") if path.startswith(FORM_PAGES) else ("lang=",)
        assert all(cookie.startswith(allowed) for cookie in cookies), (path, cookies)
        if response.mimetype == "text/html":
            assert "Traceback" not in response.get_data(as_text=True), path


def test_english_pages_answer_safely_too(client, paths):
    for path in paths:
        if path.startswith(("/static", "/api")):
            continue
        response = client.get(path, query_string={"lang": "en"})
        assert response.status_code < 500, (path, response.status_code)
