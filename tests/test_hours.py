"""Opening hours as data (catalogue/hours.py): the grammar and its row errors, and what the hours
say at a frozen moment (passed in as `now`) on a weekday, a weekend, Dutch public holidays, odd
and even weeks, the nth weekday of a month and between valid dates."""
from datetime import date, datetime, timezone

import pandas as pd
import pytest

from routekaart.catalogue import hours, importing, schema

from .fictitious import row

AMSTERDAM = hours.TIMEZONE


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=AMSTERDAM)


def today(text: str, *moment):
    return hours.today(hours.parse(text), at(*moment))


WEEK = "ma-vr 10:00-16:00; za 12:00-15:00"


def test_the_grammar_reads_days_ranges_ordinals_weeks_and_dates():
    parsed = hours.parse("Ma, wo en vr 09:00-12:00, 13:00-16:00\n2e do 19:00-21:00; di (oneven weken) 13:30-14:30; "
                         "vanaf 2027-01-01; t/m 2027-06-30; feestdagen gesloten")
    assert parsed.valid_from == date(2027, 1, 1) and parsed.valid_to == date(2027, 6, 30)
    assert parsed.holidays == "gesloten"
    assert hours.as_hsds(parsed) == [
        {"freq": "WEEKLY", "wkst": "MO", "byday": "MO,WE,FR", "byweekno": None, "opens_at": "09:00:00", "closes_at": "12:00:00"},
        {"freq": "WEEKLY", "wkst": "MO", "byday": "MO,WE,FR", "byweekno": None, "opens_at": "13:00:00", "closes_at": "16:00:00"},
        {"freq": "WEEKLY", "wkst": "MO", "byday": "TU", "byweekno": ",".join(str(w) for w in range(1, 54, 2)),
         "opens_at": "13:30:00", "closes_at": "14:30:00"},
        {"freq": "MONTHLY", "wkst": "MO", "byday": "2TH", "byweekno": None, "opens_at": "19:00:00", "closes_at": "21:00:00"},
    ]
    assert [(line.weekday, line.ordinal, line.weeks) for line in hours.week(parsed)] == [
        (0, None, None), (1, None, "oneven"), (2, None, None), (3, 2, None), (4, None, None)]
    assert [o.weekday for o in hours.parse("werkdagen 09:00-10:00").openings] == [0, 1, 2, 3, 4]
    assert [o.weekday for o in hours.parse("vr-ma 09:00-10:00").openings] == [0, 4, 5, 6]
    assert [o.ordinal for o in hours.parse("laatste woensdag 09:00-10:00").openings] == [-1]
    assert hours.parse("  ") is None


@pytest.mark.parametrize("text, says", [
    ("ma-vr 10-16 uur", "'ma-vr 10-16 uur' begrijpen we niet"),
    ("maan 10:00-12:00", "'maan' is geen dag"),
    ("ma 16:00-10:00", "de sluittijd moet na de openingstijd liggen"),
    ("ma 10:00-25:00", "25:00 is geen tijd"),
    ("ma 10:00-12:60", "12:60 is geen tijd"),
    ("ma 10:00-12:00, 14:00", "'14:00' is geen tijd van-tot"),
    ("vanaf 2027-02-30; ma 10:00-12:00", "'2027-02-30' is geen datum"),
    ("vanaf 1-1-2027; ma 10:00-12:00", "'1-1-2027' is geen datum"),
    ("vanaf 2027-06-01; t/m 2027-01-01; ma 10:00-12:00", "ligt vóór de datum na 'vanaf'"),
    ("vanaf 2027-01-01", "noem ook dagen en tijden"),
    ("2e wo (even weken) 10:00-12:00", "gaat niet samen met een dag van de maand"),
    ("ma 10:00-12:00; feestdagen open; feestdagen gesloten", "noem feestdagen maar één keer"),
])
def test_a_schedule_outside_the_grammar_is_a_row_problem_that_says_why(text, says):
    assert says in hours.problem(text)
    frame = pd.DataFrame([row("testpunt-tijden", "steunpunt", "ZK23", schedule=text)])
    found = [(p.row, p.column, p.message) for p in importing.check(frame, "ZK23", schema.empty_frame())]
    assert found == [(2, "schedule", hours.problem(text))]


def test_a_good_schedule_and_an_empty_one_pass_the_checks():
    frame = pd.DataFrame([row("testpunt-tijden", "steunpunt", "ZK23", schedule=WEEK + "; vanaf 2030-01-01"),
                          row("testpunt-geen-tijden", "steunpunt", "ZK23")])
    assert schema.validate(frame, region="ZK23") == []


def test_a_weekday_before_during_and_after_the_opening():
    before = today(WEEK, 2026, 12, 2, 9, 0)  # a Wednesday
    assert (before.state, before.times, before.next_opening) == ("later", ((600, 960),), at(2026, 12, 2, 10, 0))
    assert before.open_today is True and before.open_now is False
    during = today(WEEK, 2026, 12, 2, 11, 0)
    assert (during.state, during.until, during.next_opening) == ("open", at(2026, 12, 2, 16, 0), at(2026, 12, 3, 10, 0))
    assert during.open_now is True
    after = today(WEEK, 2026, 12, 2, 16, 0)  # closing time itself is closed
    assert (after.state, after.next_opening) == ("over", at(2026, 12, 3, 10, 0))


def test_the_weekend_saturday_open_sunday_closed():
    saturday = today(WEEK, 2026, 12, 5, 14, 59)
    assert (saturday.state, saturday.until) == ("open", at(2026, 12, 5, 15, 0))
    sunday = today(WEEK, 2026, 12, 6, 12, 0)
    assert (sunday.state, sunday.holiday, sunday.open_today, sunday.next_opening) == (
        "closed", None, False, at(2026, 12, 7, 10, 0))


def test_a_dutch_public_holiday_closes_when_the_hours_say_so_and_is_unsure_when_they_do_not():
    closed = today(WEEK + "; feestdagen gesloten", 2026, 12, 26, 13, 0)  # Tweede kerstdag, a Saturday
    assert (closed.state, closed.holiday, closed.open_today) == ("closed", "Tweede kerstdag", False)
    assert closed.next_opening == at(2026, 12, 28, 10, 0)
    assert hours.today(hours.parse(WEEK + "; feestdagen gesloten"), at(2026, 12, 26, 13, 0), "en_US").holiday \
        == "Second Day of Christmas"
    unsure = today(WEEK, 2026, 12, 25, 11, 0)  # Eerste kerstdag, a Friday: the hours say nothing of holidays
    assert (unsure.state, unsure.holiday, unsure.times) == ("holiday", "Eerste kerstdag", ((600, 960),))
    assert unsure.open_today is None and unsure.open_now is None
    assert unsure.next_opening == at(2026, 12, 28, 10, 0), "the next certain opening skips the holidays"
    assert today(WEEK + "; feestdagen open", 2026, 12, 25, 11, 0).state == "open"
    sunday = today(WEEK + "; feestdagen gesloten", 2027, 3, 28, 11, 0)  # Eerste paasdag, no hours on Sundays anyway
    assert (sunday.state, sunday.holiday) == ("closed", None)
    assert hours.holiday(date(2027, 4, 27)) == "Koningsdag" and hours.holiday(date(2026, 12, 2)) is None


def test_odd_and_even_iso_weeks_also_across_a_53_week_year():
    odd = "wo (oneven weken) 13:30-14:30"
    assert date(2026, 12, 2).isocalendar().week == 49
    assert today(odd, 2026, 12, 2, 13, 45).state == "open"
    even_week = today(odd, 2026, 12, 9, 13, 45)
    assert (even_week.state, even_week.next_opening) == ("closed", at(2026, 12, 16, 13, 30))
    # 2026 has 53 weeks: week 53 and week 1 of 2027 are both odd.
    assert today(odd, 2026, 12, 30, 12, 0).next_opening == at(2026, 12, 30, 13, 30)
    assert today(odd, 2026, 12, 30, 15, 0).next_opening == at(2027, 1, 6, 13, 30)
    assert today("wo (even weken) 13:30-14:30", 2026, 12, 30, 15, 0).next_opening == at(2027, 1, 13, 13, 30)


def test_the_nth_and_the_last_weekday_of_the_month():
    second = "2e vr 11:00-13:00"
    assert today(second, 2026, 12, 11, 12, 0).state == "open"  # 4 and 11 December are Fridays
    first = today(second, 2026, 12, 4, 12, 0)
    assert (first.state, first.next_opening) == ("closed", at(2026, 12, 11, 11, 0))
    assert today(second, 2026, 12, 11, 14, 0).next_opening == at(2027, 1, 8, 11, 0)
    last = "laatste wo 19:00-21:00"
    assert today(last, 2026, 12, 23, 20, 0).state == "closed" and today(last, 2026, 12, 30, 20, 0).state == "open"
    assert today("5e vr 10:00-11:00", 2027, 1, 1, 12, 0).next_opening == at(2027, 1, 29, 10, 0)


def test_valid_from_and_to():
    text = "ma 10:00-12:00; vanaf 2027-01-04; t/m 2027-01-25"
    before = today(text, 2026, 12, 28, 11, 0)
    assert (before.state, before.open_today, before.next_opening) == ("closed", False, at(2027, 1, 4, 10, 0))
    assert today(text, 2027, 1, 25, 11, 0).state == "open"
    last = today(text, 2027, 1, 25, 13, 0)
    assert (last.state, last.next_opening) == ("over", None)
    gone = today(text, 2027, 2, 1, 11, 0)
    assert (gone.state, gone.open_today, gone.next_opening) == ("unknown", None, None), "after it, we do not know"


def test_day_and_night_and_an_opening_over_midnight():
    always = today("dagelijks 00:00-24:00; feestdagen open", 2026, 12, 26, 3, 0)
    assert (always.state, always.until, always.next_opening) == ("open", None, None)
    late = "vr 20:00-24:00; za 00:00-02:00"
    friday = today(late, 2026, 12, 4, 23, 0)
    assert (friday.state, friday.until) == ("open", at(2026, 12, 5, 2, 0))
    saturday = today(late, 2026, 12, 5, 1, 0)
    assert (saturday.state, saturday.until, saturday.next_opening) == ("open", at(2026, 12, 5, 2, 0), at(2026, 12, 11, 20, 0))


def test_the_moment_is_read_in_dutch_time_with_summer_time():
    utc = hours.today(hours.parse(WEEK), datetime(2026, 12, 2, 15, 30, tzinfo=timezone.utc))  # 16:30 in Amsterdam
    assert utc.state == "over"
    summer = today("di 10:00-12:00", 2027, 3, 27, 12, 0)  # the clocks go forward on 28 March 2027
    assert summer.next_opening == at(2027, 3, 30, 10, 0) and summer.next_opening.isoformat().endswith("+02:00")


def test_as_json_carries_what_holds_for_all_rules():
    described = hours.as_json("2e wo 19:00-21:00; vanaf 2027-01-01; feestdagen open")
    assert {key: described[key] for key in ("text", "timezone", "holidays", "valid_from", "valid_to")} == {
        "text": "2e wo 19:00-21:00; vanaf 2027-01-01; feestdagen open", "timezone": "Europe/Amsterdam",
        "holidays": "open", "valid_from": "2027-01-01", "valid_to": None}
    assert described["rules"][0]["byday"] == "2WE"
    assert hours.as_json("") is None
