"""Opening hours at the web edge: one moment per request (so every card on a page says the
same), today's hours in the visitor's language for cards, the place page and map popups, the
weekly hours for the place page and the print, and the API's open_today / next_opening.
The rules themselves are catalogue/hours.py."""
from __future__ import annotations

import functools
from datetime import date, datetime

from flask import Blueprint, g
from flask_babel import format_date

from ..catalogue import hours
from ..i18n import N_, language
from ..i18n import gettext as _

bp = Blueprint("opening", __name__)

DAY_NAMES = (N_("maandag"), N_("dinsdag"), N_("woensdag"), N_("donderdag"), N_("vrijdag"), N_("zaterdag"),
             N_("zondag"))
ORDINAL_NAMES = {1: N_("eerste"), 2: N_("tweede"), 3: N_("derde"), 4: N_("vierde"), 5: N_("vijfde"),
                 -1: N_("laatste")}
HOLIDAY_LANGUAGE = {"nl": "nl", "en": "en_US"}  # our language -> the holidays package's
TODAY_KEPT = 4096  # schedules' answers kept (per text, minute and language)


def now() -> datetime:
    """This request's moment, Dutch time."""
    if "now" not in g:
        g.now = datetime.now(hours.TIMEZONE)
    return g.now


def this_minute() -> datetime:
    """This request's moment to the minute: what hours say changes on the minute at most."""
    return now().replace(second=0, microsecond=0)


@bp.app_template_global()
def opening(e: dict) -> hours.Today | None:
    """What the entry's hours say now; None when there is nothing to say: no hours as data, or
    not open (planned, stopped), or past the hours' last valid day."""
    if not e["schedule"] or not e["open_status"]:
        return None
    found = _today(e["schedule"]["text"], this_minute(), HOLIDAY_LANGUAGE.get(language(), "nl"))
    return None if found.state == "unknown" else found


@functools.lru_cache(maxsize=TODAY_KEPT)
def _today(text: str, minute: datetime, language: str) -> hours.Today:
    """hours.today for a schedule's text at a whole minute: its answer changes on the minute at
    most (hours are in minutes), and a lookup asks it for the same national lines (113 is open day
    and night: a year of days to look through) again and again. Key: text, minute, language;
    bounded, so old minutes fall out."""
    return hours.today(hours.parse(text), minute, language)


def warm() -> None:
    """The holidays package loads all its countries' modules (about 280) on first use, and each
    worker would hold its own copy: asked here, in gunicorn's master (pages.warm), for this year
    and the next in both languages, so the workers share them."""
    this_year = date.today().year
    for holiday_language in HOLIDAY_LANGUAGE.values():
        for year in (this_year, this_year + 1):
            hours.holiday(date(year, 1, 1), holiday_language)


def _times(times) -> str:
    return ", ".join(f"{hours.clock(opens)}–{hours.clock(closes)}" for opens, closes in times)


def _when(moment: datetime) -> str:
    local = moment.astimezone(hours.TIMEZONE)
    return _("%(day)s om %(time)s", day=format_date(local.date(), "EEEE d MMMM"),
             time=f"{local:%H:%M}")


@bp.app_template_global()
def today_text(e: dict) -> str | None:
    """One line on today's hours ('Nu open (tot 16:00)', 'Vandaag gesloten (Tweede kerstdag)'),
    or the hours in words, or that they are unknown; None for a service you do not visit whose
    hours we do not know. Plain text: the map popups use it too."""
    return _today_words(opening(e), e["schedule_note"], e["location_type"], language())


@functools.lru_cache(maxsize=TODAY_KEPT)
def _today_words(found: hours.Today | None, note: str | None, location_type: str, lang: str) -> str | None:
    """today_text, kept: a page says it of some thirty places, and many say the same (key: what
    the hours say now, the hours in words, the kind of location, the language, `lang`, which the
    texts use through gettext; bounded)."""
    if found is None:
        if note:
            return _("Open:") + " " + note
        return _("Tijden onbekend — bel of kijk op de website") if location_type == "physical" else None
    if found.state == "open":
        return _("Nu open (tot %(time)s)", time=f"{found.until:%H:%M}") if found.until else _("Nu open (dag en nacht)")
    if found.state == "holiday":
        return _("Vandaag is het %(holiday)s: bel of kijk op de website of het open is", holiday=found.holiday)
    if found.state == "later":
        return _("Vandaag open %(times)s", times=_times(found.times))
    said = (_("Vandaag open %(times)s (nu gesloten)", times=_times(found.times)) if found.state == "over"
            else _("Vandaag gesloten (%(holiday)s)", holiday=found.holiday) if found.holiday
            else _("Vandaag gesloten"))
    return said + (" · " + _("Weer open: %(when)s", when=_when(found.next_opening)) if found.next_opening else "")


def _day_label(line: hours.Line) -> str:
    day = _(DAY_NAMES[line.weekday])
    if line.ordinal:
        return _("elke %(ordinal)s %(day)s van de maand", ordinal=_(ORDINAL_NAMES[line.ordinal]), day=day)
    if line.weeks:
        return _("%(day)s (even weken)", day=day) if line.weeks == "even" else _("%(day)s (oneven weken)", day=day)
    return day


def _date(day: date) -> str:
    return format_date(day, "d MMMM y")


@bp.app_template_global()
def week_hours(e: dict) -> tuple[list[tuple[str, str]], list[str]]:
    """The weekly hours as (days, times) lines, and what holds for them all (valid from/to,
    public holidays); ([], []) without hours as data."""
    if not e["schedule"]:
        return [], []
    schedule = hours.parse(e["schedule"]["text"])
    labels = [(_day_label(line), line) for line in hours.week(schedule)]
    lines = [(label[:1].upper() + label[1:], _times(line.times)) for label, line in labels]
    notes = ([_("Vanaf %(date)s.", date=_date(schedule.valid_from))] if schedule.valid_from else []) + (
        [_("Tot en met %(date)s.", date=_date(schedule.valid_to))] if schedule.valid_to else []) + [
        _("Ook open op feestdagen.") if schedule.holidays == "open" else _("Op feestdagen gesloten.")
        if schedule.holidays == "gesloten" else _("Of het op feestdagen open is, weten we niet.")]
    return lines, notes


def still_open_today(e: dict) -> bool | None:
    """Whether the entry's hours let one still go (or call) today; None: we do not know."""
    found = opening(e)
    return found.still_open_today if found else None


def api_fields(record: dict) -> dict:
    """The entry as the API gives it: with open_today, open_now (null: not known) and
    next_opening (the next start after now, ISO 8601 with offset; null when none is known)."""
    found = opening(record)
    return {**record, "open_today": found.open_today if found else None,
            "open_now": found.open_now if found else None,
            "next_opening": found.next_opening.isoformat() if found and found.next_opening else None}
