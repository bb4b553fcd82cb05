"""Opening hours as data: the `schedule` column in a short, readable grammar, the model it
parses into (after HSDS `schedule`: weekly or monthly days with opening and closing times,
valid from/to) and what it says for a moment: open now, open later today, closed today and why.

The grammar (README, "Openingstijden"), parts separated by ';' or a new line:
    ma-vr 10:00-16:00            days (ma di wo do vr za zo, a range, 'werkdagen', 'dagelijks'),
    ma, wo 09:00-12:00, 13:00-16:00   comma- or 'en'-separated, then one or more times
    2e wo 19:00-21:00            the 1e-5e or 'laatste' such weekday of the month
    di (even weken) 13:00-16:00  ISO week numbers, even or oneven
    vanaf 2027-01-01 / t/m 2027-06-30   the hours hold from / up to and including that day
    feestdagen open / feestdagen gesloten   on Dutch public holidays (unsaid: not known, and a
                                 holiday's hours are then not given as certain)
Times are Dutch time (Europe/Amsterdam); a closing time is later than its opening time on the
same day (24:00 at most: over midnight is two parts, 'vr 20:00-24:00; za 00:00-02:00').
Pure functions: `now` is always passed in, so tests can freeze the clock.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

TIMEZONE = ZoneInfo("Europe/Amsterdam")
DAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
FULL_DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ORDINALS = {"1e": 1, "2e": 2, "3e": 3, "4e": 4, "5e": 5, "laatste": -1}
DAY_WORDS = {"dagelijks": tuple(range(7)), "werkdagen": tuple(range(5))}
SEARCH_DAYS = 400  # how far ahead next_opening looks: every monthly or two-weekly rule recurs within it
EXAMPLE = "ma-vr 10:00-16:00; 2e wo 19:00-21:00"
HOLIDAYS_JSON = {"open": "open", "gesloten": "closed"}  # the API's words for what holds on public holidays

_SEPARATOR = re.compile(r"\s*(?:,|\ben\b)\s*")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$")
_OPENING = re.compile(r"^(?P<days>.+?)\s*(?:\((?P<weeks>even|oneven) weken\))?\s+"
                      r"(?P<times>\d{1,2}:\d{2}\s*[-–].*)$")
_DATE_PART = re.compile(r"^(?P<word>vanaf|t/m|tot en met)\s+(?P<date>\S+)$")
_HOLIDAY_PART = re.compile(r"^feestdagen (?P<how>open|gesloten)$")


class ScheduleError(ValueError):
    """The text is not in the grammar; the message says why in Dutch, quoting the part."""


def _quote(part: str, limit: int = 60) -> str:
    return part if len(part) <= limit else part[:limit] + "…"


@dataclass(frozen=True, order=True)
class Opening:
    """One weekday's opening: minutes after midnight (closes may be 24 * 60)."""
    weekday: int  # 0 = Monday
    opens: int
    closes: int
    ordinal: int | None = None  # monthly: the nth (1-5) or last (-1) such weekday of the month
    weeks: str | None = None  # 'even' or 'oneven' ISO weeks only


@dataclass(frozen=True)
class Schedule:
    openings: tuple[Opening, ...]
    valid_from: date | None = None
    valid_to: date | None = None  # the last day the hours hold
    holidays: str | None = None  # 'open' or 'gesloten' on public holidays; None: not known


@dataclass(frozen=True)
class Today:
    """What the hours say for a moment. state: 'unknown' (no hours, or past their last day),
    'holiday' (a public holiday on which it would open, and we do not know if it does: `times`
    are its usual ones), 'closed' (no opening today; `holiday` names the public holiday if that
    is why), 'later' (opens later today), 'open' (open now, `until` when it closes, None: day and
    night), 'over' (was open today). `next_opening` is the next certain start after now."""
    state: str
    times: tuple[tuple[int, int], ...] = ()
    until: datetime | None = None
    holiday: str | None = None
    next_opening: datetime | None = None

    @property
    def open_today(self) -> bool | None:
        return None if self.state in ("unknown", "holiday") else bool(self.times)

    @property
    def still_open_today(self) -> bool | None:
        """Open now or later today: whether a visitor can still go today."""
        return None if self.state in ("unknown", "holiday") else self.state in ("open", "later")

    @property
    def open_now(self) -> bool | None:
        return None if self.state in ("unknown", "holiday") else self.state == "open"


def clock(minutes: int) -> str:
    """540 -> '09:00'; the end of the day is '24:00'."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(hours: str, minutes: str, part: str) -> int:
    if int(minutes) > 59 or int(hours) > 24 or (int(hours) == 24 and int(minutes)):
        raise ScheduleError(f"'{_quote(part)}': {hours}:{minutes} is geen tijd; gebruik 00:00 tot en met 24:00")
    return int(hours) * 60 + int(minutes)


def _times(text: str, part: str) -> list[tuple[int, int]]:
    found = []
    for piece in _SEPARATOR.split(text):
        match = _TIME.match(piece)
        if not match:
            raise ScheduleError(f"'{_quote(part)}': '{piece}' is geen tijd van-tot zoals 10:00-16:00")
        opens, closes = _minutes(*match.group(1, 2), part), _minutes(*match.group(3, 4), part)
        if closes <= opens:
            raise ScheduleError(f"'{_quote(part)}': de sluittijd moet na de openingstijd liggen. Over middernacht "
                                "schrijf je twee delen, zoals vr 20:00-24:00; za 00:00-02:00")
        found.append((opens, closes))
    return found


def _day(word: str, part: str) -> int:
    if word in FULL_DAYS:
        return FULL_DAYS.index(word)
    if word not in DAYS:
        raise ScheduleError(f"'{_quote(part)}': '{word}' is geen dag; gebruik {', '.join(DAYS)}, werkdagen of dagelijks")
    return DAYS.index(word)


def _days(text: str, part: str) -> list[tuple[int, int | None]]:
    """'ma-vr, 2e wo' -> [(0, None) ... (4, None), (2, 2)]: weekdays with their ordinal."""
    found = []
    for piece in _SEPARATOR.split(text):
        words = piece.split()
        if piece in DAY_WORDS:
            found += [(day, None) for day in DAY_WORDS[piece]]
        elif len(words) == 2 and words[0] in ORDINALS:
            found.append((_day(words[1], part), ORDINALS[words[0]]))
        elif re.fullmatch(r"\w+\s*[-–]\s*\w+", piece):
            first, last = (_day(word.strip(), part) for word in re.split(r"[-–]", piece))
            found += [((first + step) % 7, None) for step in range((last - first) % 7 + 1)]
        elif len(words) == 1:
            found.append((_day(piece, part), None))
        else:
            raise ScheduleError(f"'{_quote(part)}': '{piece}' begrijpen we niet; schrijf dagen zoals ma-vr, di, wo of 2e wo")
    return found


def _date(text: str, part: str) -> date:
    wrong = ScheduleError(f"'{_quote(part)}': '{text}' is geen datum; schrijf hem als JJJJ-MM-DD")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise wrong
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise wrong from None


@functools.lru_cache(maxsize=4096)
def parse(text: str) -> Schedule | None:
    """The schedule a `schedule` cell describes (None for an empty cell); ScheduleError if it is
    not in the grammar. Kept per text: the same cell is asked for on every page."""
    parts = [part.strip() for part in re.split(r"[;\n]", text.lower()) if part.strip()]
    if not parts:
        return None
    openings, valid, on_holidays = [], {}, None
    for raw in parts:
        part = " ".join(raw.split())
        if dated := _DATE_PART.match(part):
            key = "valid_from" if dated["word"] == "vanaf" else "valid_to"
            if key in valid:
                raise ScheduleError(f"'{_quote(part)}': noem '{dated['word']}' maar één keer")
            valid[key] = _date(dated["date"], part)
        elif said := _HOLIDAY_PART.match(part):
            if on_holidays:
                raise ScheduleError(f"'{_quote(part)}': noem feestdagen maar één keer")
            on_holidays = said["how"]
        elif opening := _OPENING.match(part):
            days = _days(opening["days"], part)
            if opening["weeks"] and any(ordinal for _, ordinal in days):
                raise ScheduleError(f"'{_quote(part)}': even of oneven weken gaat niet samen met een dag van de maand")
            openings += [Opening(day, opens, closes, ordinal, opening["weeks"])
                         for day, ordinal in days for opens, closes in _times(opening["times"], part)]
        else:
            raise ScheduleError(f"'{_quote(part)}' begrijpen we niet; schrijf dagen en tijden zoals {EXAMPLE}")
    if not openings:
        raise ScheduleError(f"noem ook dagen en tijden, zoals {EXAMPLE}")
    if valid.get("valid_from") and valid.get("valid_to") and valid["valid_to"] < valid["valid_from"]:
        raise ScheduleError("de datum na 't/m' ligt vóór de datum na 'vanaf'")
    return Schedule(tuple(sorted(set(openings))), holidays=on_holidays, **valid)


def problem(text: str) -> str | None:
    """What is wrong with a `schedule` cell, in Dutch; None when it is fine (or empty)."""
    try:
        parse(text)
    except ScheduleError as error:
        return str(error)
    return None


@functools.lru_cache(maxsize=64)
def _holidays(year: int, language: str) -> holidays.HolidayBase:
    return holidays.NL(years=year, language=language)


def holiday(day: date, language: str = "nl") -> str | None:
    """The Dutch public holiday on `day`, in `language` ('nl' or 'en_US'), or None."""
    return _holidays(day.year, language).get(day)


def _ordinal_matches(day: date, ordinal: int) -> bool:
    if ordinal < 0:
        return (day + timedelta(days=7)).month != day.month
    return (day.day - 1) // 7 + 1 == ordinal


def on_day(schedule: Schedule, day: date) -> tuple[tuple[int, int], ...]:
    """The day's certain openings (merged where they touch), () when closed: outside the valid
    dates, on a public holiday (unless said to be open then) or without an opening that day."""
    if (schedule.valid_from and day < schedule.valid_from) or (schedule.valid_to and day > schedule.valid_to):
        return ()
    if schedule.holidays != "open" and holiday(day):
        return ()
    parity = "even" if day.isocalendar().week % 2 == 0 else "oneven"
    times = sorted((o.opens, o.closes) for o in schedule.openings
                   if o.weekday == day.weekday() and o.weeks in (None, parity)
                   and (o.ordinal is None or _ordinal_matches(day, o.ordinal)))
    merged: list[tuple[int, int]] = []
    for opens, closes in times:
        if merged and opens <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(closes, merged[-1][1]))
        else:
            merged.append((opens, closes))
    return tuple(merged)


def _at(day: date, minutes: int) -> datetime:
    return datetime.combine(day, time(0), TIMEZONE) + timedelta(minutes=minutes)


def _starts(schedule: Schedule, first: date):
    """Each opening's (start, end) from `first` on, in order, an opening that runs on over
    midnight joined into one; ends after SEARCH_DAYS days."""
    start = end = None
    for offset in range(SEARCH_DAYS):
        day = first + timedelta(days=offset)
        for opens, closes in on_day(schedule, day):
            if end is not None and opens == 0 and end == _at(day, 0):
                end = _at(day, closes)  # the opening before went on until midnight
                continue
            if start is not None:
                yield start, end
            start, end = _at(day, opens), _at(day, closes)
    if start is not None:
        yield start, None if end == _at(first + timedelta(days=SEARCH_DAYS), 0) else end


def today(schedule: Schedule | None, now: datetime, language: str = "nl") -> Today:
    """What the hours say at `now` (an aware datetime; Dutch time is used), a holiday named in
    `language`. 'unknown' without hours or after their last valid day."""
    local = now.astimezone(TIMEZONE)
    day = local.date()
    if schedule is None or (schedule.valid_to and day > schedule.valid_to):
        return Today("unknown")
    times = on_day(schedule, day)
    yesterday = day - timedelta(days=1)
    until = next_start = None
    for start, end in _starts(schedule, yesterday):
        if start <= local and (end is None or local < end):
            until = end or "always"
        elif start > local:
            next_start = start
            break
    if until is not None:
        return Today("open", times, None if until == "always" else until, None, next_start)
    if not times:
        usual = on_day(replace(schedule, holidays="open"), day)
        free_day = holiday(day, language) if usual else None
        if free_day and schedule.holidays is None:
            return Today("holiday", usual, None, free_day, next_start)
        return Today("closed", times, None, free_day, next_start)
    later = any(_at(day, opens) > local for opens, _ in times)
    return Today("later" if later else "over", times, None, None, next_start)


def as_hsds(schedule: Schedule) -> list[dict]:
    """The openings as HSDS `schedule` rows (iCal fields): one per set of days with the same
    times, frequency and weeks. Times are Dutch local time, HH:MM:SS (as HSDS's table schema
    reads them); midnight at the end of a day is 23:59:59 (times stop there)."""
    groups: dict[tuple, list[Opening]] = {}
    for opening in schedule.openings:
        groups.setdefault((opening.opens, opening.closes, opening.ordinal is not None, opening.weeks), []).append(opening)
    rows = []
    for (opens, closes, monthly, weeks), openings in groups.items():
        byday = ",".join(f"{o.ordinal if monthly else ''}{ICAL_DAYS[o.weekday]}"
                         for o in sorted(openings, key=lambda o: (o.weekday, o.ordinal or 0)))
        rows.append({
            "freq": "MONTHLY" if monthly else "WEEKLY", "wkst": "MO", "byday": byday,
            "byweekno": ",".join(str(week) for week in range(1 if weeks == "oneven" else 2, 54, 2)) if weeks else None,
            "opens_at": f"{clock(opens)}:00", "closes_at": "23:59:59" if closes == 24 * 60 else f"{clock(closes)}:00",
        })
    return rows


def as_json(text: str) -> dict | None:
    """A `schedule` cell as the API gives it: the text, the HSDS-like rules and what holds for
    all of them (None for an empty cell)."""
    schedule = parse(text)
    if schedule is None:
        return None
    return {"text": text, "timezone": TIMEZONE.key, "holidays": HOLIDAYS_JSON.get(schedule.holidays),
            "valid_from": schedule.valid_from.isoformat() if schedule.valid_from else None,
            "valid_to": schedule.valid_to.isoformat() if schedule.valid_to else None,
            "rules": as_hsds(schedule)}


@dataclass(frozen=True)
class Line:
    """One line of the weekly hours: a weekday (with its ordinal or weeks) and its times."""
    weekday: int
    ordinal: int | None
    weeks: str | None
    times: tuple[tuple[int, int], ...]


def week(schedule: Schedule) -> list[Line]:
    """The weekly hours, a line per weekday (Monday first) and per monthly or odd/even rule."""
    lines: dict[tuple, list] = {}
    for o in schedule.openings:
        lines.setdefault((o.weekday, o.ordinal is not None, o.ordinal or 0, o.weeks or ""), []).append((o.opens, o.closes))
    return [Line(weekday, ordinal or None, weeks or None, tuple(sorted(times)))
            for (weekday, _, ordinal, weeks), times in sorted(lines.items())]
