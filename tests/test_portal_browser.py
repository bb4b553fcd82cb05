"""The portal in real headless Chromium, the issue's whole story: an administrator invites a
coordinator; the coordinator sets a password and a second factor, logs in, changes a phone
number and marks the entry verified, and the public route page shows both within seconds; a
visitor reports a mistake and suggests a place; the coordinator accepts one and rejects the
other; the coordinator of another region sees neither. axe-core checks every screen at 390 and
1280 px; no page runs a script the CSP blocks."""
import os
import re
import threading
import time
from datetime import date

import pyotp
import pytest
from werkzeug.serving import make_server

from routekaart import state
from routekaart.portal import database
from routekaart.postcodes import parse
from routekaart.routing import Filters

from .chromium import serious_axe_violations
from .portal_helpers import ADMIN, OTHER, PASSWORD, make_user, portal_app

REGION, POSTCODE = "ZK23", "3511AB"
NEW_COORDINATOR = "nieuwe.coordinator@voorbeeld.invalid"
PHONE = "030 000 0000"  # fictitious


@pytest.fixture(scope="module")
def portal(tmp_path_factory, geodata_dir):
    app = portal_app(tmp_path_factory.mktemp("portal-browser"), geodata_dir)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _checked(page, screens: list, name: str) -> None:
    """axe and sideways scrolling at both widths; the findings are collected per screen. With
    ROUTEKAART_SCREENSHOTS=folder each screen is also saved there, to be looked at."""
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth") - width
        screens.append((name, width, serious_axe_violations(page) + ([f"{overflow} px too wide"] if overflow > 0 else [])))
        if os.environ.get("ROUTEKAART_SCREENSHOTS"):
            page.screenshot(path=f"{os.environ['ROUTEKAART_SCREENSHOTS']}/portal-{name.replace(' ', '-')}-{width}.png",
                            full_page=True)


def _log_in(page, base: str, email: str, secret: str, ahead: int = 0) -> None:
    page.goto(f"{base}/beheer/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_label("Code uit uw app").fill(pyotp.TOTP(secret).at(time.time() + ahead))
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base}/beheer/")


def test_the_coordinator_story(portal, browser):
    app, base = portal
    admin_secret = make_user(app, ADMIN, "admin")
    other_secret = make_user(app, OTHER, "coordinator", ["ZK10"])
    with app.app_context():
        router = state.get().router
        nearby = router.records(router.nearest(router.resolve(parse(POSTCODE)), Filters(k=25)))
    entry = next(e for e in nearby if e["zorgkantoorregio"] == REGION and PHONE not in e["phones"])
    reported = next(e for e in nearby if e["zorgkantoorregio"] == REGION and e["id"] != entry["id"])
    screens, errors = [], []

    def new_page():
        page = browser.new_context().new_page()
        page.set_default_timeout(120_000)  # a save re-places the region; a busy machine is slow
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    # The administrator invites a coordinator.
    admin = new_page()
    _log_in(admin, base, ADMIN, admin_secret)
    admin.get_by_role("link", name="Accounts").click()
    admin.get_by_label("E-mailadres").fill(NEW_COORDINATOR)
    admin.get_by_label("Rol").select_option("coordinator")
    admin.get_by_label("Regio’s").select_option(REGION)
    admin.get_by_role("button", name="Uitnodiging maken").click()
    invitation = admin.locator(".invitation-url").inner_text()
    _checked(admin, screens, "accounts")

    # The coordinator sets a password and a second factor, then logs in.
    coordinator = new_page()
    coordinator.goto(invitation)
    _checked(coordinator, screens, "invitation")
    secret = coordinator.locator("#totp-secret").inner_text()
    coordinator.get_by_label("Nieuw wachtwoord").fill(PASSWORD)
    coordinator.get_by_label("Nog een keer hetzelfde wachtwoord").fill(PASSWORD)
    coordinator.get_by_label("De code die de app nu toont").fill(pyotp.TOTP(secret).now())
    coordinator.get_by_role("button", name="Account klaarmaken").click()
    coordinator.get_by_text("Uw account is klaar").wait_for()
    _log_in(coordinator, base, NEW_COORDINATOR, secret, ahead=30)  # the next code: the set-up's is used up
    _checked(coordinator, screens, "overview")

    # ... changes a phone number and marks the entry verified.
    coordinator.goto(f"{base}/beheer/regio/{REGION}")
    _checked(coordinator, screens, "region")
    coordinator.goto(f"{base}/beheer/item/{entry['id']}")
    coordinator.get_by_label("Telefoon").fill("0301")
    coordinator.get_by_role("button", name="Opslaan").click()
    assert "'0301' is geen Nederlands telefoonnummer" in coordinator.locator(".error-summary").inner_text()
    _checked(coordinator, screens, "entry with a problem")
    coordinator.get_by_label("Telefoon").fill(PHONE)
    coordinator.get_by_label("Waarom verandert dit?").fill("nagebeld (test)")
    coordinator.get_by_role("button", name="Opslaan").click()
    coordinator.get_by_text("Opgeslagen").wait_for()
    coordinator.get_by_role("button", name="Gecontroleerd").click()
    coordinator.get_by_text("Opgeslagen").wait_for()
    assert PHONE in coordinator.locator("table.history").inner_text()
    _checked(coordinator, screens, "entry")

    # The public route page and the place's own page show the new number and the check within seconds.
    visitor = new_page()
    listed = visitor.locator(f"#plek-{entry['id']}")
    for _ in range(20):
        visitor.goto(f"{base}/route/{POSTCODE}")
        if PHONE in listed.inner_text():
            break
        time.sleep(0.5)
    assert PHONE in listed.inner_text()
    visitor.goto(f"{base}/plek/{entry['id']}")
    text = visitor.locator("main").inner_text()
    assert PHONE in text and f"Laatst gecontroleerd: {date.today().isoformat()}" in text

    # A visitor reports a mistake and suggests a place.
    visitor.goto(f"{base}/plek/{reported['id']}")
    visitor.locator("main a", has_text="Meld een fout").click()
    _checked(visitor, screens, "report form")
    visitor.get_by_label("Wat klopt er niet?").fill("De openingstijden kloppen niet (testmelding)")
    visitor.get_by_role("button", name="Verstuur de melding").click()
    visitor.get_by_text("Bedankt").first.wait_for()
    visitor.goto(f"{base}/aanmelden")
    _checked(visitor, screens, "suggestion form")
    visitor.get_by_label("Naam van de plek").fill("Testpunt Voorbeeld")
    visitor.get_by_label("Plaats").fill("Utrecht")
    visitor.get_by_label("Postcode van de plek").fill(POSTCODE)
    visitor.get_by_label("Wat biedt de plek").fill("Inloop op dinsdag (testvoorstel)")
    visitor.get_by_role("button", name="Meld de plek aan").click()
    visitor.get_by_text("Bedankt").first.wait_for()

    # The coordinator accepts the suggestion and rejects the report.
    coordinator.goto(f"{base}/beheer/meldingen")
    _checked(coordinator, screens, "queue")
    coordinator.get_by_role("link", name=re.compile("nieuwe plek: Testpunt Voorbeeld")).click()
    _checked(coordinator, screens, "suggestion")
    coordinator.get_by_role("link", name="Overnemen").click()
    assert coordinator.get_by_label("Naam", exact=True).input_value() == "Testpunt Voorbeeld"
    coordinator.get_by_label("Soort", exact=True).select_option("steunpunt")
    coordinator.get_by_label("Bron (webadres").fill("https://voorbeeld.invalid/testpunt")
    coordinator.get_by_role("button", name="Opslaan").click()
    coordinator.get_by_text("Opgeslagen").wait_for()
    coordinator.goto(f"{base}/beheer/meldingen")
    coordinator.get_by_role("link", name=f"Melding 1: fout in {reported['name']}").click()  # by name, not code
    report_url = coordinator.url
    coordinator.get_by_role("button", name="Afwijzen").click()
    coordinator.get_by_text("Er wachten geen meldingen").wait_for()
    with app.app_context():
        stored = state.get().store.read_region(REGION)
        statuses = database().rows("SELECT kind, status, email FROM portal_reports ORDER BY id")
    assert (stored["name"] == "Testpunt Voorbeeld").sum() == 1
    assert [(r["kind"], r["status"], r["email"]) for r in statuses] == [("fout", "rejected", ""), ("nieuw", "accepted", "")]

    # The coordinator of another region sees neither.
    other = new_page()
    _log_in(other, base, OTHER, other_secret)
    other.goto(f"{base}/beheer/meldingen")
    queue = other.locator("main").inner_text()
    assert "Testpunt Voorbeeld" not in queue and reported["id"] not in queue
    assert other.goto(report_url).status == 403
    assert other.goto(f"{base}/beheer/regio/{REGION}").status == 403

    assert [screen for screen in screens if screen[2]] == []
    # The 400 of a form with a problem and the 403s above show as failed loads; anything else (a
    # script the CSP refused, a script error) is a fault.
    assert [error for error in errors if not error.startswith("Failed to load resource")] == []
