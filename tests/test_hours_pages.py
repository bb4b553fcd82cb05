"""Opening hours on a fictitious catalogue, end to end: the cards say what the hours say at the
request's moment (and a card kept for the day does not go stale), the place page and the print
give the weekly hours, the API gives schedule / open_today / next_opening as its OpenAPI says,
and the HSDS export fills the schedule table validly."""
from datetime import datetime

import jsonschema
import pandas as pd
import pytest
from flask import g, render_template_string

from routekaart import state
from routekaart.catalogue import hours
from routekaart.catalogue.export import hsds_tables, write_hsds
from routekaart.web.openapi import openapi_document

from .fictitious import ROWS, app_with, row
from .test_export import official_report

TIMED = "ma-vr 10:00-16:00; za 12:00-15:00; feestdagen gesloten"
HOURS_ROWS = ROWS + [
    row("testpunt-utrecht-tijden", "steunpunt", "ZK23", city="Utrecht", gemeente="Utrecht", postal_code="3511 ZZ",
        schedule=TIMED, schedule_note="Testtijden volgens de testbron"),
    row("testpunt-utrecht-woorden", "steunpunt", "ZK23", city="Utrecht", gemeente="Utrecht", postal_code="3511 ZZ",
        schedule_note="woensdagmiddag (testbron)"),
    row("testpunt-utrecht-gepland-tijden", "steunpunt", "ZK23", status="planned", city="Utrecht", gemeente="Utrecht",
        postal_code="3511 ZZ", schedule="ma 10:00-12:00"),
    row("testnetwerk-maandelijks", "informatie", "ZK23", schedule="2e wo 19:00-21:00; vanaf 2026-01-01"),
    row("nl-testlijn-tijden", "telefoon", "landelijk", phones="0800-0114", schedule="ma-vr 10:00-16:00"),
]


@pytest.fixture(scope="module")
def made(tmp_path_factory, geodata_dir):
    return app_with(tmp_path_factory.mktemp("hours"), geodata_dir, HOURS_ROWS)


def record(app, entry_id: str) -> dict:
    router = state.get().router
    return router.records(router.with_ids([entry_id]))[0]


def card_at(app, entry_id: str, moment: datetime, lang: str = "nl") -> str:
    """The entry's card (cards.entry_card, kept per day) in a request at `moment`."""
    with app.test_request_context(f"/?lang={lang}"):
        g.now = moment
        return render_template_string("{{ entry_card(e) }}", e=record(app, entry_id))


def test_a_card_says_what_the_hours_say_at_the_moment_and_never_goes_stale(made):
    at = lambda *parts: datetime(*parts, tzinfo=hours.TIMEZONE)  # noqa: E731
    assert "Nu open (tot 16:00)" in card_at(made, "testpunt-utrecht-tijden", at(2026, 12, 2, 11, 0))
    assert "Vandaag open 10:00–16:00 (nu gesloten)" in card_at(made, "testpunt-utrecht-tijden", at(2026, 12, 2, 17, 0))
    assert "Vandaag open 10:00–16:00</p>" in card_at(made, "testpunt-utrecht-tijden", at(2026, 12, 2, 9, 0))
    holiday = card_at(made, "testpunt-utrecht-tijden", at(2026, 12, 26, 13, 0))
    assert "Vandaag gesloten (Tweede kerstdag) · Weer open: maandag 28 december om 10:00" in holiday
    sunday = card_at(made, "testpunt-utrecht-tijden", at(2026, 12, 6, 13, 0), "en")
    assert "Closed today · Open again: Monday 7 December at 10:00" in sunday
    assert "Tijden onbekend — bel of kijk op de website" in card_at(made, "testpunt-utrecht-open", at(2026, 12, 2, 11, 0))
    words = card_at(made, "testpunt-utrecht-woorden", at(2026, 12, 2, 11, 0))
    assert "woensdagmiddag (testbron)" in words and "Tijden onbekend" not in words
    planned = card_at(made, "testpunt-utrecht-gepland-tijden", at(2026, 12, 7, 11, 0))
    assert "Nu open" not in planned, "a planned place is never said to be open"


def test_the_place_page_and_the_print_give_the_weekly_hours(made):
    client = made.test_client()
    page = client.get("/plek/testpunt-utrecht-tijden").get_data(as_text=True)
    for line in ("Maandag: 10:00–16:00", "Vrijdag: 10:00–16:00", "Zaterdag: 12:00–15:00", "Op feestdagen gesloten.",
                 "Testtijden volgens de testbron"):
        assert line in page
    assert "Zondag:" not in page
    english = client.get("/plek/testnetwerk-maandelijks?lang=en").get_data(as_text=True)
    assert "Every second Wednesday of the month: 19:00–21:00" in english and "From 1 January 2026." in english
    unknown = client.get("/plek/testpunt-utrecht-open?lang=nl").get_data(as_text=True)
    assert "Tijden onbekend — bel of kijk op de website" in unknown
    with made.test_request_context("/"):
        paper = render_template_string("{{ entry_card(e, true) }}", e=record(made, "testpunt-utrecht-tijden"))
    assert "Dinsdag: 10:00–16:00" in paper and "Nu open" not in paper and "Vandaag" not in paper


def _entry_schema() -> dict:
    document = openapi_document()
    return {**document["components"]["schemas"]["Entry"], "components": document["components"]}


def test_the_api_gives_the_schedule_and_what_it_says_today(made):
    client = made.test_client()
    answer = client.get("/api/v1/lookup?postcode=3511AB").get_json()
    entries = {e["id"]: e for name in ("nearby", "regional", "national", "elsewhere_in_region") for e in answer[name]}
    for entry in entries.values():
        jsonschema.validate(entry, _entry_schema())
    timed = entries["testpunt-utrecht-tijden"]
    assert timed["schedule"]["text"] == TIMED and timed["schedule"]["holidays"] == "closed"
    assert timed["schedule"]["rules"][0] == {"freq": "WEEKLY", "wkst": "MO", "byday": "MO,TU,WE,TH,FR", "byweekno": None,
                                             "opens_at": "10:00:00", "closes_at": "16:00:00"}
    with made.test_request_context("/"):
        now = datetime.now(hours.TIMEZONE)
    expected = hours.today(hours.parse(TIMED), now)
    assert timed["open_today"] is expected.open_today and isinstance(timed["open_today"], bool)
    assert datetime.fromisoformat(timed["next_opening"]) > now - pd.Timedelta(minutes=1)
    assert timed["next_opening"][-6:] in ("+01:00", "+02:00")
    unknown = entries["testpunt-utrecht-open"]
    assert (unknown["schedule"], unknown["open_today"], unknown["open_now"], unknown["next_opening"]) == (None, None, None, None)
    region = {e["id"]: e for e in client.get("/api/v1/regions/ZK23").get_json()["properties"]["entries"]}
    assert region["testpunt-utrecht-gepland-tijden"]["open_today"] is None, "not open: nothing said of today"
    assert region["testnetwerk-maandelijks"]["schedule"]["rules"][0]["byday"] == "2WE"
    assert region["testnetwerk-maandelijks"]["next_opening"] is not None


def lookup_at(app, moment: datetime, query: str = "postcode=3511AB") -> dict:
    """The lookup API's answer in a request at `moment` (the view and its hooks, as a client gets it)."""
    with app.test_request_context(f"/api/v1/lookup?{query}"):
        g.now = moment
        return app.full_dispatch_request().get_json()


def test_the_national_list_kept_as_json_says_what_its_hours_say_at_each_minute(made):
    at = lambda *parts: datetime(*parts, tzinfo=hours.TIMEZONE)  # noqa: E731

    def line(answer: dict) -> dict:
        return next(e for e in answer["national"] if e["id"] == "nl-testlijn-tijden")

    before, opened = lookup_at(made, at(2026, 12, 2, 9, 59)), lookup_at(made, at(2026, 12, 2, 10, 0))
    assert (line(before)["open_now"], line(opened)["open_now"]) == (False, True)
    assert line(before)["next_opening"] == "2026-12-02T10:00:00+01:00"
    elsewhere = lookup_at(made, at(2026, 12, 2, 10, 0, 30), "postcode=9711AA")
    assert elsewhere["national"] == opened["national"], "the same for every postcode in the same minute"
    young = lookup_at(made, at(2026, 12, 2, 10, 0), "postcode=3511AB&audience=jongeren")
    assert {e["audience_fit"] for e in young["national"]} == {False}, "kept per audience: none is for young people"
    assert {e["audience_fit"] for e in opened["national"]} == {True}
    assert line(lookup_at(made, at(2026, 12, 2, 16, 0)))["open_now"] is False


def test_the_hsds_schedule_table_holds_the_hours_as_data(made, tmp_path):
    with made.app_context():
        data = state.get()
        entries = data.catalogue.entries
        tables = hsds_tables(entries, data.geo)
        write_hsds(entries, tmp_path, data.geo)
    report = official_report(tmp_path)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    schedule = tables["schedule"].merge(tables["service"][["id", "name"]].rename(columns={"id": "service_id",
                                                                                          "name": "service"}))
    timed = schedule[schedule["service"] == "Testpunt Utrecht Tijden"]
    assert timed[["freq", "byday", "opens_at", "closes_at"]].values.tolist() == [
        ["WEEKLY", "MO,TU,WE,TH,FR", "10:00:00", "16:00:00"], ["WEEKLY", "SA", "12:00:00", "15:00:00"]]
    assert set(timed["description"]) == {"Testtijden volgens de testbron"}
    assert set(timed["notes"]) == {"tijden in Nederlandse tijd (Europe/Amsterdam); op feestdagen gesloten"}
    monthly = schedule[schedule["service"] == "Testnetwerk Maandelijks"].iloc[0]
    assert (monthly["freq"], monthly["byday"], monthly["valid_from"], monthly["description"]) == (
        "MONTHLY", "2WE", "2026-01-01", "2e wo 19:00-21:00; vanaf 2026-01-01")
    words = schedule[schedule["service"] == "Testpunt Utrecht Woorden"]
    assert words[["description", "freq", "opens_at"]].values.tolist() == [["woensdagmiddag (testbron)", "", ""]]
    assert schedule["id"].is_unique


def test_a_catalogue_without_any_hours_exports_an_empty_schedule_table(made):
    with made.app_context():
        data = state.get()
        entries = data.catalogue.entries
        none = entries.assign(schedule="", schedule_note="")
        assert hsds_tables(none, data.geo)["schedule"].empty


def test_a_steps_first_contacts_are_places_one_can_still_go_to_today(made):
    """testpunt-utrecht-tijden is at the visitor's own postcode point, as near as the other walk-ins
    there, whose hours we do not know: its hours put it first on a weekday morning (it opens at
    10:00), and behind them on a Sunday (closed) and on a weekday evening (its hours are over)."""
    at = lambda *parts: datetime(*parts, tzinfo=hours.TIMEZONE)  # noqa: E731

    def walk_in_contacts(moment: datetime) -> list[str]:
        with made.test_request_context("/route/3511AB"):
            g.now = moment
            html = made.full_dispatch_request().get_data(as_text=True)
        step = html.split('id="stap-steunpunten"', 1)[1].split('<li class="step ', 1)[0]
        return [entry_id for entry_id, _ in sorted(
            ((entry_id, step.find(f'plek-{entry_id}"')) for entry_id in
             ("testpunt-utrecht-tijden", "testpunt-utrecht-open", "testpunt-utrecht-woorden")
             if f'plek-{entry_id}"' in step), key=lambda pair: pair[1])]

    assert walk_in_contacts(at(2026, 12, 2, 9, 0))[0] == "testpunt-utrecht-tijden"
    assert "testpunt-utrecht-tijden" not in walk_in_contacts(at(2026, 12, 6, 13, 0)), "Sunday: closed"
    assert "testpunt-utrecht-tijden" not in walk_in_contacts(at(2026, 12, 2, 17, 0)), "its hours are over"
