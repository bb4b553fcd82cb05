"""Every portal route with every role: anonymous, a coordinator of another region, the region's
coordinator, a reviewer and an administrator. The table below is the portal's access policy; a
route without a row fails the test, so a new page cannot slip in unguarded."""
import re

import pytest

from routekaart.portal import database, reports

from .portal_helpers import (ADMIN, COORDINATOR, OTHER, REVIEWER, log_in, make_user, portal_app, post)

ROLES = ("anonymous", "other", "coordinator", "reviewer", "admin")
REGION = "ZK23"
OTHER_REGION = "ZK10"
# (method, rule, filled path, form data) -> answer per role, in the order of ROLES. Rows run top to
# bottom, each role in that order: the administrator undoes a change the coordinator undid (409).
LOGIN = 302  # anonymous: to the log-in page
POLICY = [
    ("GET", "/beheer/inloggen", "/beheer/inloggen", None, (200, 200, 200, 200, 200)),
    ("POST", "/beheer/inloggen", "/beheer/inloggen", {"email": "niemand@voorbeeld.invalid", "password": "x"},
     (401, 401, 401, 401, 401)),
    ("GET", "/beheer/uitnodiging/<token>", "/beheer/uitnodiging/bestaat-niet", None, (404,) * 5),
    ("POST", "/beheer/uitnodiging/<token>", "/beheer/uitnodiging/bestaat-niet", {}, (404,) * 5),
    ("GET", "/beheer/", "/beheer/", None, (LOGIN, 200, 200, 200, 200)),
    ("GET", "/beheer/regio/<code>", "/beheer/regio/{region}", None, (LOGIN, 403, 200, 200, 200)),
    ("GET", "/beheer/regio/<code>/geschiedenis", "/beheer/regio/{region}/geschiedenis", None,
     (LOGIN, 403, 200, 200, 200)),
    ("GET", "/beheer/regio/<code>/nieuw", "/beheer/regio/{region}/nieuw", None, (LOGIN, 403, 200, 403, 200)),
    ("POST", "/beheer/regio/<code>/nieuw", "/beheer/regio/{region}/nieuw", {"name": ""}, (LOGIN, 403, 400, 403, 400)),
    ("GET", "/beheer/regio/<code>/bestand", "/beheer/regio/{region}/bestand", None, (LOGIN, 403, 200, 403, 200)),
    ("POST", "/beheer/regio/<code>/bestand", "/beheer/regio/{region}/bestand", {}, (LOGIN, 403, 400, 403, 400)),
    ("GET", "/beheer/item/<entry_id>", "/beheer/item/{entry}", None, (LOGIN, 403, 200, 200, 200)),
    ("POST", "/beheer/item/<entry_id>", "/beheer/item/{entry}", {"phones": "12"}, (LOGIN, 403, 400, 403, 400)),
    ("POST", "/beheer/item/<entry_id>/gecontroleerd", "/beheer/item/{entry}/gecontroleerd", {},
     (LOGIN, 403, 303, 403, 303)),
    ("POST", "/beheer/item/<entry_id>/archiveren", "/beheer/item/{archived}/archiveren", {},
     (LOGIN, 403, 303, 403, 303)),
    ("POST", "/beheer/wijziging/<int(max=2147483647):change_id>/terugdraaien", "/beheer/wijziging/{change}/terugdraaien", {},
     (LOGIN, 403, 303, 403, 409)),
    ("GET", "/beheer/meldingen", "/beheer/meldingen", None, (LOGIN, 200, 200, 403, 200)),
    ("GET", "/beheer/melding/<int(max=2147483647):report_id>", "/beheer/melding/{report}", None, (LOGIN, 403, 200, 403, 200)),
    ("POST", "/beheer/melding/<int(max=2147483647):report_id>/afwijzen", "/beheer/melding/{rejected}/afwijzen", {},
     (LOGIN, 403, 303, 403, 303)),
    ("GET", "/beheer/gebruikers", "/beheer/gebruikers", None, (LOGIN, 403, 403, 403, 200)),
    ("POST", "/beheer/gebruikers", "/beheer/gebruikers", {"email": "geen-adres", "role": "coordinator"},
     (LOGIN, 403, 403, 403, 400)),
    ("GET", "/melden/<entry_id>", "/melden/{entry}", None, (200,) * 5),
    ("POST", "/melden/<entry_id>", "/melden/{entry}", {"text": ""}, (400,) * 5),
    ("GET", "/aanmelden", "/aanmelden", None, (200,) * 5),
    ("POST", "/aanmelden", "/aanmelden", {"name": "", "city": "", "text": ""}, (400,) * 5),
    ("POST", "/beheer/uitloggen", "/beheer/uitloggen", {}, (303,) * 5),  # last: it ends the session
]
PORTAL = re.compile(r"^/(beheer|melden|aanmelden)")


@pytest.fixture(scope="module")
def world(tmp_path_factory, geodata_dir):
    """An app on a catalogue copy, one signed-in client per role, and things to act on."""
    app = portal_app(tmp_path_factory.mktemp("access"), geodata_dir)
    clients = {"anonymous": app.test_client()}
    for role, email, kind, regions in [("other", OTHER, "coordinator", [OTHER_REGION]),
                                       ("coordinator", COORDINATOR, "coordinator", [REGION]),
                                       ("reviewer", REVIEWER, "reviewer", []), ("admin", ADMIN, "admin", [])]:
        secret = make_user(app, email, kind, regions)
        clients[role] = app.test_client()
        assert log_in(clients[role], email, secret).status_code == 303
    with app.app_context():
        entries = sorted(app.extensions["routekaart"].store.read_region(REGION)["id"])
        db = database()
        found = {"region": REGION, "entry": entries[0], "archived": entries[1],
                 "report": reports.submit(db, "fout", REGION, "Het nummer klopt niet (test)", entry_id=entries[0]),
                 "rejected": reports.submit(db, "fout", REGION, "Bestaat niet meer (test)", entry_id=entries[0])}
    response = post(clients["admin"], f"/beheer/item/{entries[0]}",
                    {**_current(clients["admin"], entries[0]), "notes": "Testnotitie", "reason": "test"},
                    form_path=f"/beheer/item/{entries[0]}")
    assert response.status_code == 303
    with app.app_context():
        found["change"] = db.row("SELECT max(id) AS id FROM portal_changes")["id"]
    return app, clients, found


def _current(client, entry_id: str) -> dict:
    """The edit form's fields as they are now."""
    html = client.get(f"/beheer/item/{entry_id}").get_data(as_text=True)
    fields = dict(re.findall(r'<input id="f-\w+" name="(\w+)" value="([^"]*)"', html))
    fields.update(re.findall(r'<select id="f-\w+" name="(\w+)">.*?<option value="([^"]*)" selected', html, re.S))
    fields["basis"] = re.search(r'name="basis" value="([^"]+)"', html).group(1)
    return fields


def test_every_portal_route_is_in_the_policy(app):
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules() if PORTAL.match(rule.rule)
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == {(method, rule) for method, rule, *_ in POLICY}


def test_a_coordinator_of_another_region_sees_none_of_its_reports(world):
    app, clients, found = world
    own = clients["coordinator"].get("/beheer/meldingen").get_data(as_text=True)
    other = clients["other"].get("/beheer/meldingen").get_data(as_text=True)
    assert f"/beheer/melding/{found['report']}" in own
    assert f"/beheer/melding/{found['report']}" not in other and "klopt niet" not in other
    assert "Het nummer klopt niet" not in clients["reviewer"].get(f"/beheer/item/{found['entry']}").get_data(as_text=True)


def test_every_route_with_every_role(world):
    app, clients, found = world
    answers = []
    for method, _rule, path, data, expected in POLICY:
        path = path.format(**found)
        for role, status in zip(ROLES, expected):
            client = clients[role]
            response = client.get(path) if method == "GET" else post(client, path, data)
            answers.append((method, path, role, response.status_code, status))
            assert response.headers["Cache-Control"] == "no-store", (method, path, role)
            if status == LOGIN and role == "anonymous":
                assert response.headers["Location"].endswith("/beheer/inloggen")
    wrong = [answer for answer in answers if answer[3] != answer[4]]
    assert wrong == [], wrong
