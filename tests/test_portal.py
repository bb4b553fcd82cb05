"""The coordinator portal on both storage backends (files + SQLite, PostGIS + PostgreSQL): accounts
and log-in, editing with the import's checks and history, undo, the visitors' reports and
suggestions, and the public pages seeing a change."""
import json
from html import unescape
import logging
import re
import time

import pyotp
import pytest

from routekaart import state
from routekaart.portal import accounts, database, reports

from .conftest import fresh_database
from .portal_helpers import (COORDINATOR, PASSWORD, csrf_token, log_in, make_user, portal_app, post)

REGION = "ZK23"


@pytest.fixture(scope="module", params=["files", "postgis"])
def app(request, tmp_path_factory, geodata_dir):
    url = ""
    if request.param == "postgis":
        url = fresh_database()
    return portal_app(tmp_path_factory.mktemp(f"portal-{request.param}"), geodata_dir, url)


@pytest.fixture(scope="module")
def coordinator(app):
    """A signed-in coordinator of REGION."""
    client = app.test_client()
    assert log_in(client, COORDINATOR, make_user(app, COORDINATOR, "coordinator", [REGION])).status_code == 303
    return client


def _entry_id(app, n=0) -> str:
    with app.app_context():
        return sorted(state.get().store.read_region(REGION)["id"])[n]


def _stored(app, entry_id: str) -> dict:
    with app.app_context():
        rows = state.get().store.read_region(REGION)
    return rows[rows["id"] == entry_id].iloc[0].to_dict()


def _form(client, path: str) -> dict:
    html = client.get(path).get_data(as_text=True)
    fields = dict(re.findall(r'<input id="f-\w+" name="(\w+)" value="([^"]*)"', html))
    fields.update(re.findall(r'<select id="f-\w+" name="(\w+)">.*?<option value="([^"]*)" selected', html, re.S))
    fields.update(re.findall(r'<textarea id="f-\w+" name="(\w+)"[^>]*>([^<]*)</textarea>', html))
    basis = re.search(r'name="basis" value="([^"]+)"', html)
    if basis:
        fields["basis"] = basis.group(1)
    return {name: unescape(value) for name, value in fields.items()}


# --- accounts -----------------------------------------------------------------------------------

def test_a_log_in_says_nothing_about_whether_an_address_has_an_account(app, caplog):
    make_user(app, "bestaat@voorbeeld.invalid", "coordinator", [REGION])
    answers = []
    with caplog.at_level(logging.INFO, logger="routekaart.portal"):
        for email in ("bestaat@voorbeeld.invalid", "bestaat-niet@voorbeeld.invalid"):
            response = log_in(app.test_client(), email, "", password="fout wachtwoord 123")
            body = re.sub(r'value="[^"]+"', "", response.get_data(as_text=True))
            answers.append((response.status_code, body))
    assert answers[0] == answers[1] and answers[0][0] == 401
    logged = " ".join(record.getMessage() + json.dumps(getattr(record, "fields", {})) for record in caplog.records)
    assert "login failed" in logged and "voorbeeld.invalid" not in logged and "fout wachtwoord" not in logged


def test_an_account_locks_after_repeated_failures_and_a_code_works_once(app):
    email = "slot@voorbeeld.invalid"
    secret = make_user(app, email, "coordinator", [REGION])
    with app.app_context():
        db = database()
        code = pyotp.TOTP(secret).now()
        assert accounts.authenticate(db, email, PASSWORD, code) is not None
        assert accounts.authenticate(db, email, PASSWORD, code) is None  # the same code again: refused
        assert accounts.authenticate(db, email, PASSWORD, "") is None  # no second factor: refused
        for _ in range(accounts.MAX_FAILURES):
            accounts.authenticate(db, email, "verkeerd wachtwoord", "000000")
        later = time.time() + 60
        right = pyotp.TOTP(secret).at(later)
        assert accounts.authenticate(db, email, PASSWORD, right, now=later) is None  # locked
        after = time.time() + accounts.LOCK_SECONDS + 60
        assert accounts.authenticate(db, email, PASSWORD, pyotp.TOTP(secret).at(after), now=after) is not None


def test_sessions_expire_and_end_when_an_account_is_disabled(app):
    email = "sessie@voorbeeld.invalid"
    make_user(app, email, "reviewer")
    with app.app_context():
        db = database()
        user = accounts.authenticate(db, email, PASSWORD, "")
        token = accounts.start_session(db, user)
        assert accounts.session_user(db, token) == user
        assert accounts.session_user(db, token, now=time.time() + accounts.SESSION_IDLE_SECONDS + 5) is None
        assert accounts.session_user(db, token, now=time.time() + accounts.SESSION_MAX_SECONDS + 5) is None
        accounts.disable(db, email)
        assert accounts.session_user(db, token) is None
        assert accounts.authenticate(db, email, PASSWORD, "") is None


def test_the_cli_invites_lists_disables_and_resets(app):
    runner = app.test_cli_runner()
    added = runner.invoke(args=["users", "add", "cli@voorbeeld.invalid", "--role", "coordinator", "--region", "zk23"])
    assert added.exit_code == 0, added.output
    url = re.search(r"http\S+/beheer/uitnodiging/(\S+)", added.output)
    assert url
    client = app.test_client()
    page = client.get(f"/beheer/uitnodiging/{url.group(1)}")
    assert page.status_code == 200 and "Kies een wachtwoord" in page.get_data(as_text=True)
    assert "cli@voorbeeld.invalid  coordinator  ZK23  uitgenodigd" in runner.invoke(args=["users", "list"]).output
    again = runner.invoke(args=["users", "add", "cli@voorbeeld.invalid", "--role", "reviewer"])
    assert again.exit_code != 0 and "al een account" in again.output
    assert "minstens één regio" in runner.invoke(args=["users", "add", "x@voorbeeld.invalid", "--role",
                                                       "coordinator"]).output
    reset = runner.invoke(args=["users", "reset", "cli@voorbeeld.invalid"])
    assert reset.exit_code == 0 and "/beheer/uitnodiging/" in reset.output
    assert client.get(f"/beheer/uitnodiging/{url.group(1)}").status_code == 404  # the old one is void
    assert runner.invoke(args=["users", "disable", "cli@voorbeeld.invalid"]).exit_code == 0
    assert "uit" in runner.invoke(args=["users", "list"]).output.split("cli@voorbeeld.invalid")[1].split("\n")[0]


def test_an_invitation_sets_password_and_second_factor_once(app):
    with app.app_context():
        token = accounts.add(database(), "nieuw@voorbeeld.invalid", "admin", [])
    client = app.test_client()
    page = client.get(f"/beheer/uitnodiging/{token}").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert "<svg" in page and "<script" not in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    short = client.post(f"/beheer/uitnodiging/{token}", data={"csrf_token": csrf, "password": "kort",
                                                              "password_again": "kort", "code": ""})
    assert short.status_code == 400 and "minstens 12 tekens" in short.get_data(as_text=True)
    wrong = client.post(f"/beheer/uitnodiging/{token}", data={"csrf_token": csrf, "password": PASSWORD,
                                                              "password_again": PASSWORD, "code": "000000"})
    assert wrong.status_code == 400 and "code uit de app klopt niet" in wrong.get_data(as_text=True)
    done = client.post(f"/beheer/uitnodiging/{token}", data={
        "csrf_token": csrf, "password": PASSWORD, "password_again": PASSWORD, "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and "Uw account is klaar" in done.get_data(as_text=True)
    assert client.get(f"/beheer/uitnodiging/{token}").status_code == 404
    with app.app_context():
        row = database().row("SELECT password_hash FROM portal_users WHERE email = :e", e="nieuw@voorbeeld.invalid")
    assert row["password_hash"].startswith("$argon2id$") and PASSWORD not in row["password_hash"]


def test_a_form_without_its_csrf_token_is_refused(app, coordinator):
    response = coordinator.post(f"/beheer/item/{_entry_id(app)}/gecontroleerd", data={})
    assert response.status_code == 400 and "formulier is verlopen" in response.get_data(as_text=True)


def test_the_session_cookie_is_httponly_and_samesite(app):
    client = app.test_client()
    client.get("/beheer/inloggen")
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


# --- editing ------------------------------------------------------------------------------------

def test_edit_checks_like_the_import_and_keeps_history(app, coordinator):
    entry_id = _entry_id(app)
    path = f"/beheer/item/{entry_id}"
    form = _form(coordinator, path)
    bad = post(coordinator, path, {**form, "phones": "0301", "url": "geen adres"}, form_path=path)
    html = unescape(bad.get_data(as_text=True))
    assert bad.status_code == 400
    assert "'0301' is geen Nederlands telefoonnummer" in html and "is geen webadres" in html
    assert 'href="#f-phones"' in html and 'aria-invalid="true"' in html
    assert _stored(app, entry_id)["phones"] == form.get("phones", "")

    good = post(coordinator, path, {**form, "phones": "030 000 0000", "reason": "nagebeld"}, form_path=path)
    assert good.status_code == 303
    assert _stored(app, entry_id)["phones"] == "030 000 0000"
    with app.app_context():
        changes = database().rows("SELECT * FROM portal_changes WHERE entry_id = :id", id=entry_id)
    assert [(c["field"], c["old"], c["new"], c["who"], c["reason"]) for c in changes] == [
        ("phones", form.get("phones", ""), "030 000 0000", COORDINATOR, "nagebeld")]

    stale = post(coordinator, path, {**form, "phones": "030 111 1111"}, form_path=path)  # the old basis
    assert stale.status_code == 400 and "net veranderd" in stale.get_data(as_text=True)

    undo = post(coordinator, f"/beheer/wijziging/{changes[0]['id']}/terugdraaien", form_path=path)
    assert undo.status_code == 303
    assert _stored(app, entry_id)["phones"] == form.get("phones", "")
    again = post(coordinator, f"/beheer/wijziging/{changes[0]['id']}/terugdraaien", form_path=path)
    assert again.status_code == 409
    history = coordinator.get(f"/beheer/regio/{REGION}/geschiedenis").get_data(as_text=True)
    assert "030 000 0000" in history and "teruggedraaid" in history


def test_hours_as_data_are_checked_in_the_form_and_shown_on_the_public_page(app, coordinator):
    entry_id = _entry_id(app, 3)
    path = f"/beheer/item/{entry_id}"
    form = _form(coordinator, path)
    bad = post(coordinator, path, {**form, "schedule": "ma-vr 10-16 uur"}, form_path=path)
    assert bad.status_code == 400 and "'ma-vr 10-16 uur' begrijpen we niet" in unescape(bad.get_data(as_text=True))
    good = post(coordinator, path, {**form, "schedule": "di (even weken) 13:00-16:00; feestdagen gesloten",
                                    "reason": "testbron"}, form_path=path)
    assert good.status_code == 303
    assert _stored(app, entry_id)["schedule"] == "di (even weken) 13:00-16:00; feestdagen gesloten"
    state.reload(app)  # at once, not after the next version check (state.CHECK_SECONDS)
    page = app.test_client().get(f"/plek/{entry_id}").get_data(as_text=True)
    assert "Dinsdag (even weken): 13:00–16:00" in page and "Op feestdagen gesloten." in page


def test_verify_archive_and_add(app, coordinator):
    entry_id = _entry_id(app, 1)
    path = f"/beheer/item/{entry_id}"
    assert post(coordinator, f"{path}/gecontroleerd", form_path=path).status_code == 303
    stored = _stored(app, entry_id)
    assert stored["last_verified"] == time.strftime("%Y-%m-%d") and stored["verified_by"] == COORDINATOR
    assert post(coordinator, f"{path}/archiveren", form_path=path).status_code == 303
    assert _stored(app, entry_id)["status"] == "inactive"  # archived, still there

    new = f"/beheer/regio/{REGION}/nieuw"
    values = {**_form(coordinator, new), "name": "Testpunt Voorbeeld", "kind": "steunpunt",
              "source_url": "https://voorbeeld.invalid/testpunt", "city": "Utrecht"}
    missing = post(coordinator, new, {**values, "source_url": ""}, form_path=new)
    assert missing.status_code == 400 and "is verplicht maar leeg" in missing.get_data(as_text=True)
    added = post(coordinator, new, values, form_path=new)
    assert added.status_code == 303 and "zk23-testpunt-voorbeeld" in added.headers["Location"]
    assert _stored(app, "zk23-testpunt-voorbeeld")["name"] == "Testpunt Voorbeeld"


def test_upload_shows_a_preview_and_writes_only_when_confirmed(app, coordinator):
    with app.app_context():
        rows = state.get().store.read_region(REGION)
    target = sorted(rows["id"])[2]
    rows = rows[rows["id"] == target].assign(schedule_note="ma-vr 9-17 (test)")
    path = f"/beheer/regio/{REGION}/bestand"
    preview = post(coordinator, path, {"file": (__import__("io").BytesIO(rows.to_csv(index=False).encode()),
                                                "test.csv")}, form_path=path, content_type="multipart/form-data")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and f"Gewijzigd: 1 ({target})" in html
    assert _stored(app, target)["schedule_note"] != "ma-vr 9-17 (test)"
    upload = re.search(r'name="upload" value="([^"]+)"', html).group(1)
    assert post(coordinator, path, {"upload": upload}, form_path=path).status_code == 303
    assert _stored(app, target)["schedule_note"] == "ma-vr 9-17 (test)"
    assert post(coordinator, path, {"upload": upload}, form_path=path).status_code == 400  # used up

    broken = rows.assign(postal_code="99999")
    bad = post(coordinator, path, {"file": (__import__("io").BytesIO(broken.to_csv(index=False).encode()), "x.csv")},
               form_path=path, content_type="multipart/form-data")
    assert bad.status_code == 400 and "geen geldige postcode" in bad.get_data(as_text=True)


# --- visitors' reports and suggestions ----------------------------------------------------------

def test_a_report_lands_in_the_queue_and_never_on_a_public_page(app, coordinator):
    entry_id = _entry_id(app, 3)
    client = app.test_client()
    path = f"/melden/{entry_id}"
    text = "Het telefoonnummer is veranderd (testmelding)"
    sent = client.post(path, data={"csrf_token": csrf_token(client, path), "text": text,
                                   "email": "melder@voorbeeld.invalid"})
    assert sent.status_code == 200 and "Bedankt" in sent.get_data(as_text=True)
    queue = coordinator.get("/beheer/meldingen").get_data(as_text=True)
    number = re.findall(r"/beheer/melding/(\d+)", queue)[-1]
    report = coordinator.get(f"/beheer/melding/{number}").get_data(as_text=True)
    assert text in report and "melder@voorbeeld.invalid" in report
    for public in (path, "/route/3511AB", "/api/v1/lookup?postcode=3511AB", "/regio/ZK23/checklist"):
        assert text not in client.get(public).get_data(as_text=True)
    assert post(coordinator, f"/beheer/melding/{number}/afwijzen", form_path="/beheer/meldingen").status_code == 303
    with app.app_context():
        handled = reports.get(database(), int(number))
    assert handled["status"] == "rejected" and handled["email"] == ""


def test_spam_protection_honeypot_size_and_rate(app, tmp_path, geodata_dir):
    client = app.test_client()
    with app.app_context():
        before = len(reports.waiting(database(), None))
    token = csrf_token(client, "/aanmelden")
    robot = client.post("/aanmelden", data={"csrf_token": token, "name": "Testpunt Robot", "city": "Utrecht",
                                             "text": "koop nu", "website": "https://spam.invalid"})
    assert robot.status_code == 200
    with app.app_context():
        assert len(reports.waiting(database(), None)) == before
    huge = client.post("/aanmelden", data={"csrf_token": token, "name": "x", "city": "y", "text": "a" * 20000})
    assert huge.status_code == 413
    long = client.post("/aanmelden", data={"csrf_token": token, "name": "x", "city": "y", "text": "a" * 2001})
    assert long.status_code == 400 and "te lang" in long.get_data(as_text=True)


def test_reporters_addresses_are_forgotten_after_90_days(app):
    with app.app_context():
        db = database()
        old = reports.submit(db, "fout", REGION, "oude testmelding", "oud@voorbeeld.invalid",
                             now=time.time() - (reports.EMAIL_DAYS + 1) * 86400)
        fresh = reports.submit(db, "fout", REGION, "nieuwe testmelding", "nieuw@voorbeeld.invalid")
        assert reports.get(db, old)["email"] == "" and reports.get(db, fresh)["email"] == "nieuw@voorbeeld.invalid"


def test_rate_limits_answer_429(tmp_path, geodata_dir):
    app = portal_app(tmp_path, geodata_dir, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute",
                     REPORT_RATE_LIMIT="2 per minute")
    client = app.test_client()
    answers = [log_in(client, "x@voorbeeld.invalid", "").status_code for _ in range(4)]
    assert answers == [401, 401, 401, 429]
    token = csrf_token(client, "/aanmelden")
    answers = [client.post("/aanmelden", data={"csrf_token": token}).status_code for _ in range(3)]
    assert answers == [400, 400, 429]


def test_the_history_goes_out_as_hsds_metadata(app, coordinator, tmp_path):
    import pandas as pd

    from .test_export import official_report

    out = tmp_path / "hsds"
    result = app.test_cli_runner().invoke(args=["export", "--format", "hsds", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert official_report(out).valid
    metadata = pd.read_csv(out / "metadata.csv", dtype=str, keep_default_na=False)
    with app.app_context():
        changes = database().rows("SELECT * FROM portal_changes")
    assert len(metadata) == len(changes) > 0
    phone = metadata[metadata["replacement_value"] == "030 000 0000"]
    assert phone[["field_name", "resource_type", "updated_by"]].values.tolist() == [["phones", "service", COORDINATOR]]
    services = pd.read_csv(out / "services.csv", dtype=str, keep_default_na=False)
    assert set(metadata["resource_id"]) <= set(services["id"])


def test_the_to_do_list_names_what_each_entry_lacks():
    from datetime import date

    import pandas as pd

    from routekaart.catalogue.schema import normalise
    from routekaart.portal.web import attention

    base = {"kind": "steunpunt", "scope": "lokaal", "zorgkantoorregio": "ZK99", "location_type": "physical",
            "source_url": "https://voorbeeld.invalid"}
    entries = normalise(pd.DataFrame([
        {**base, "id": "testpunt-compleet", "name": "Testpunt Compleet", "last_verified": "2026-11-01",
         "phones": "030 000 0000", "schedule_note": "ma 10-12", "service_area": "Utrecht"},
        {**base, "id": "testpunt-leeg", "name": "Testpunt Leeg"},
        {**base, "id": "testpunt-oud", "name": "Testpunt Oud", "last_verified": "2024-01-01", "phones": "030 000 0001",
         "schedule_note": "di 10-12", "service_area": "Utrecht"},
        {**base, "id": "testpunt-gestopt", "name": "Testpunt Gestopt", "status": "inactive"},
        {**base, "id": "testlijn-landelijk", "name": "Testlijn Landelijk", "zorgkantoorregio": "landelijk",
         "scope": "landelijk", "location_type": "virtual", "last_verified": "2026-11-01", "phones": "0800 000 0000"},
    ]))
    found = {key: list(rows["id"]) for key, rows in attention(entries, date(2026, 12, 2)).items()}
    assert found == {"never": ["testpunt-leeg"], "stale": ["testpunt-oud"], "no_phone": ["testpunt-leeg"],
                     "no_hours": ["testpunt-leeg"], "no_service_area": ["testpunt-leeg"]}
