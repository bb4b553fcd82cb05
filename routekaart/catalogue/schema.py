"""The one schema of a catalogue entry: its columns, kinds and the checks on every row.

Column names follow Open Referral HSDS where it has one (organization, description,
location_type, address_1, postal_code, phones, url, schedule, fees_description, service_area:
the gemeenten an entry is for, see areas.py); `schedule_note` is what is known of the opening
hours in words (HSDS schedule.description), next to `schedule`, the hours as data (in the
grammar of hours.py);
`last_verified` / `verified_by` are HSDS `assured_date` / `assurer_email`: someone checked the
entry with the provider. `last_edited` is separate: the day an import last changed the row.
Validation, import, export, the API and the templates all use this module.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from ..i18n import N_
from . import hours, spreadsheet

COLUMNS = [
    "id", "name", "kind", "status", "organization", "description",
    "audience", "audience_groups", "fees_description", "free", "referral_needed",
    "scope", "zorgkantoorregio", "service_area", "location_type",
    "address_1", "postal_code", "city", "gemeente", "latitude", "longitude",
    "phones", "email", "url", "schedule", "schedule_note", "general_walk_in",
    "source_url", "source_seen", "last_verified", "verified_by", "last_edited", "notes",
]
REQUIRED = ["id", "name", "kind", "scope", "source_url"]

# kind -> (label, group). The label is Dutch and translated like every other text (translations/).
# Walk-ins are the physical places we measure distance to; regional entries belong to one
# zorgkantoorregio; national ones to everyone.
KINDS = {
    "steunpunt": (N_("Steunpunt (inloop)"), "walk_in"),
    "jongeren": (N_("Inloop voor jongeren"), "walk_in"),
    "herstelacademie": (N_("Herstelacademie"), "walk_in"),
    "mgn": (N_("Mentaal gezondheidsnetwerk"), "regional"),
    "wachtverzachter": (N_("Steun tijdens het wachten"), "regional"),
    "informatie": (N_("Informatie en netwerk"), "regional"),
    "crisis": (N_("Crisis"), "national"),
    "telefoon": (N_("Telefoon en chat"), "national"),
    "online": (N_("Online hulp"), "national"),
    "zelfhulp": (N_("Zelfhulp"), "national"),
    "lotgenoten": (N_("Lotgenoten"), "national"),
    "verzekeraar": (N_("Zorgverzekeraar"), "national"),
    "clientondersteuning": (N_("Cliëntondersteuning"), "national"),
}
WALK_IN_KINDS = [kind for kind, (_, group) in KINDS.items() if group == "walk_in"]
FROM_HOME_KINDS = ["telefoon", "online", "zelfhulp", "lotgenoten"]  # help you can reach from home

STATUSES = {"active": N_("Actief"), "planned": N_("Gepland, nog niet open"), "pilot": N_("Proef (pilot)"),
            "inactive": N_("Gestopt")}
# An entry a visitor can go to now; a planned or stopped one is never offered as a walk-in, on the
# map or on the checklist.
OPEN_STATUSES = ("", "active", "pilot")
SCOPES = ("landelijk", "regionaal", "lokaal")
AUDIENCE_GROUPS = {"volwassenen": N_("Volwassenen"), "jongeren": N_("Jongeren"),
                   "naasten": N_("Naasten (familie, vrienden)")}  # group -> its label
YES_NO = ("ja", "nee", "")
LOCATION_TYPES = ("physical", "virtual")

NATIONAL = "landelijk"  # the region code of the national file

# The longest value each field may have (characters); DEFAULT_MAX_LENGTH for the rest. Long
# enough for every real entry, short enough that one cell cannot bloat pages, PDFs or exports.
MAX_LENGTH = {"id": 100, "name": 200, "organization": 200, "description": 3000, "audience": 500,
              "fees_description": 500, "address_1": 200, "city": 100, "gemeente": 100, "phones": 300,
              "email": 254, "verified_by": 254, "url": 2000, "source_url": 2000, "schedule": 1000, "schedule_note": 1000,
              "notes": 3000,
              "service_area": 3000}
DEFAULT_MAX_LENGTH = 500
LONGEST = max(DEFAULT_MAX_LENGTH, *MAX_LENGTH.values())
MULTILINE = ("description", "schedule", "schedule_note", "notes")  # the only fields that may hold line breaks
# Fields checked by a strict pattern of their own (enumerations, codes, numbers, addresses of
# the web and mail, dates). Every other field is free text: it may not start like a
# spreadsheet formula, except with @ (see spreadsheet.py).
PATTERNED = {"id", "kind", "status", "scope", "zorgkantoorregio", "location_type", "free", "referral_needed",
             "general_walk_in", "audience_groups", "postal_code", "latitude", "longitude", "phones", "email",
             "url", "source_url", "verified_by", "source_seen", "last_verified", "last_edited",
             "schedule"}  # schedule: the hours' own grammar (hours.py), which no formula start fits

ENTRY_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")  # an entry's id; its place page's address
_POSTCODE = re.compile(r"^[1-9]\d{3} ?[A-Z]{2}$")
# One phone entry: a number (digits, spaces, dashes; +31 in front allowed), then perhaps a label
# in brackets: '088-5054334 (Depressielijn)'.
_PHONE_ENTRY = re.compile(r"^\+?[0-9][0-9 -]*[0-9]( \([\w .,'/&:-]{1,60}\))?$")
# Dutch numbers as people write them: 10 digits from 0, the 0800/0900 lines, or a short number;
# +31 and 9 digits is the international form of the first.
_PHONE = re.compile(r"^(0\d{9}|0[89]00\d{3,7}|1\d{2,5}|\+31[1-9]\d{8})$")
_EMAIL = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._%+-]*@([A-Za-z0-9-]+\.)+[A-Za-z]{2,63}$")
# http(s), a host name with dots, a port perhaps, and a path without spaces, quotes, angle brackets
# or other characters a browser would encode.
_URL = re.compile(r"^https?://([A-Za-z0-9-]+\.)+[A-Za-z]{2,63}(:[0-9]{1,5})?([/?#][^\s\"'<>\\^`{|}]*)?$")
_NUMBER = re.compile(r"^-?\d{1,3}([.,]\d{1,15})?$")
_REGION = re.compile(r"^(ZK\d{2}|landelijk)$")
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
# Characters nobody can see or type in a cell: control characters (NUL, tab, escape...), the
# Unicode line and paragraph separators and the bidirectional overrides that can disguise text.
_INVISIBLE = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_LINE_BREAK = re.compile("[\n\r]")
_UNSEEN = re.compile(f"{_INVISIBLE.pattern}|{_LINE_BREAK.pattern}")
# The Netherlands with a margin for the islands and border places (WGS84).
NL_BOUNDS = (3.2, 50.7, 7.3, 53.7)


@dataclass(frozen=True)
class Problem:
    row: int  # 1-based data row, as a spreadsheet user counts (header is row 1, so +1)
    column: str
    message: str

    def __str__(self) -> str:
        return f"rij {self.row}, kolom {self.column}: {self.message}"


def phone_digits(phone: str) -> str:
    """'088 0767 000 (Depressielijn)' -> '0880767000': the number without its label (for tel:
    links and checks); an international '+31 30 ...' keeps its plus."""
    number = re.sub(r"\(.*?\)", "", phone).strip()
    return ("+" if number.startswith("+") else "") + re.sub(r"\D", "", number)


def shown(value: str, limit: int = 60) -> str:
    """A value as a message may quote it: invisible characters made visible, long ones cut."""
    visible = _UNSEEN.sub(lambda m: m.group().encode("unicode_escape").decode(), value)
    return visible if len(visible) <= limit else visible[:limit] + "…"


def split_list(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def empty_frame() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=str) for column in COLUMNS})


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column present, every cell a stripped string ('' for empty), columns in order."""
    frame = frame.copy()
    for column in COLUMNS:
        if column not in frame:
            frame[column] = ""
    frame = frame[COLUMNS].fillna("").astype(str)
    return frame.apply(lambda column: column.str.strip())


def _valid_date(value: str) -> bool:
    if not _PARTIAL_DATE.match(value):
        return False
    parts = [int(p) for p in value.split("-")] + [1, 1]
    try:
        return date(parts[0], parts[1], parts[2]) <= date.today()
    except ValueError:
        return False


def same_place_key(frame: pd.DataFrame) -> pd.Series:
    """Name, address and city, loosely (case, spaces and punctuation ignored): two rows with the
    same key are probably the same place. NaN for rows without an address."""
    loose = lambda column: frame[column].str.lower().str.replace(r"[^a-z0-9]", "", regex=True)  # noqa: E731
    return (loose("name") + "|" + loose("address_1") + "|" + loose("city")).where(frame["address_1"] != "")


def _text_problems(frame: pd.DataFrame) -> list[Problem]:
    """What every cell must be: not too long, nothing invisible, no line break in a one-line field,
    no formula start in free text. All cells at once, as one long series."""
    cells = frame[COLUMNS].stack()
    column = cells.index.get_level_values(1)
    limit = column.map(lambda name: MAX_LENGTH.get(name, DEFAULT_MAX_LENGTH)).to_numpy()
    findings = [
        (cells.str.len().to_numpy() > limit,
         lambda v, name: f"is te lang ({len(v)} tekens); hooguit {MAX_LENGTH.get(name, DEFAULT_MAX_LENGTH)}"),
        (cells.str.contains(_INVISIBLE).to_numpy(),
         lambda v, _: f"'{shown(v)}' bevat een onzichtbaar teken (zoals een tab of NUL); haal het weg"),
        (cells.str.contains(_LINE_BREAK).to_numpy() & ~column.isin(MULTILINE),
         lambda v, _: f"'{shown(v)}' mag geen regeleinde bevatten"),
        (spreadsheet.formula_like(cells, allowed="@").to_numpy() & ~column.isin(PATTERNED),
         lambda v, _: f"'{shown(v)}' begint met {v[:2] if v[:1] == chr(39) else v[:1]}: een spreadsheet ziet dat "
                      "als formule. Begin de tekst anders"),
    ]
    return [Problem(int(row) + 2, name, message(cells[(row, name)], name))
            for flagged, message in findings for row, name in cells.index[flagged]]


def validate(frame: pd.DataFrame, region: str | None = None) -> list[Problem]:
    """Every problem in the frame at once, so a coordinator can fix a file in one go."""
    frame = normalise(frame)
    problems: list[Problem] = []

    def check(mask: pd.Series, column: str, message) -> None:
        for index in frame.index[mask]:
            text = message(shown(frame.at[index, column])) if callable(message) else message
            problems.append(Problem(int(index) + 2, column, text))

    problems += _text_problems(frame)
    if problems:  # the checks below then never run a pattern over a huge value
        frame = frame.apply(lambda column: column.str.slice(0, LONGEST + 1))

    for column in REQUIRED:
        check(frame[column] == "", column, "is verplicht maar leeg")

    filled = lambda column: frame[column] != ""  # noqa: E731
    check(filled("id") & ~frame["id"].str.match(ENTRY_ID), "id",
          lambda v: f"'{v}' mag alleen kleine letters, cijfers en streepjes bevatten")
    check(filled("id") & frame["id"].duplicated(keep=False), "id", lambda v: f"'{v}' komt vaker voor")
    check(filled("kind") & ~frame["kind"].isin(list(KINDS)), "kind",
          lambda v: f"onbekende soort '{v}'; kies uit {', '.join(KINDS)}")
    check(filled("status") & ~frame["status"].isin(list(STATUSES)), "status",
          lambda v: f"onbekende status '{v}'; kies uit {', '.join(STATUSES)}")
    check(filled("scope") & ~frame["scope"].isin(SCOPES), "scope",
          lambda v: f"'{v}' moet landelijk, regionaal of lokaal zijn")
    check(filled("zorgkantoorregio") & ~frame["zorgkantoorregio"].str.match(_REGION), "zorgkantoorregio",
          lambda v: f"'{v}' is geen regiocode zoals ZK10")
    for column in ("free", "referral_needed", "general_walk_in"):
        check(~frame[column].isin(YES_NO), column, lambda v: f"'{v}' moet ja, nee of leeg zijn")
    check(filled("location_type") & ~frame["location_type"].isin(LOCATION_TYPES), "location_type",
          lambda v: f"'{v}' moet physical of virtual zijn")
    groups = frame["audience_groups"].map(split_list)
    check(groups.map(lambda gs: any(g not in AUDIENCE_GROUPS for g in gs)).astype(bool), "audience_groups",
          lambda v: f"'{v}': gebruik {', '.join(AUDIENCE_GROUPS)}, gescheiden door ;")
    check(filled("postal_code") & ~frame["postal_code"].str.upper().str.match(_POSTCODE), "postal_code",
          lambda v: f"'{v}' is geen geldige postcode (zoals 3511 AB)")
    bad_phone = frame["phones"].map(lambda v: any(not (_PHONE_ENTRY.match(p) and _PHONE.match(phone_digits(p)))
                                                  for p in split_list(v))).astype(bool)
    check(bad_phone, "phones", lambda v: f"'{v}' is geen Nederlands telefoonnummer")
    check(filled("email") & ~frame["email"].str.match(_EMAIL), "email", lambda v: f"'{v}' is geen e-mailadres")
    for column in ("url", "source_url"):
        check(filled(column) & ~frame[column].str.match(_URL), column,
              lambda v: f"'{v}' is geen webadres (begin met https://, zonder spaties, aanhalingstekens of < >)")
    check(filled("verified_by") & ~frame["verified_by"].str.match(_EMAIL), "verified_by",
          lambda v: f"'{v}' is geen e-mailadres")
    wrong_hours = frame["schedule"].where(filled("schedule")).dropna().map(hours.problem).dropna()
    problems += [Problem(int(index) + 2, "schedule", message) for index, message in wrong_hours.items()]
    for column in ("source_seen", "last_verified", "last_edited"):
        check(filled(column) & ~frame[column].map(_valid_date).astype(bool), column,
              lambda v: f"'{v}' is geen datum (JJJJ-MM-DD) of ligt in de toekomst")

    number = lambda column: pd.to_numeric(frame[column].where(frame[column].str.match(_NUMBER)).str.replace(",", "."),  # noqa: E731
                                          errors="coerce")
    lat, lon = number("latitude"), number("longitude")
    one_only = filled("latitude") != filled("longitude")
    check(one_only, "latitude", "vul breedte- en lengtegraad allebei in, of allebei niet")
    for column, values in (("latitude", lat), ("longitude", lon)):
        check(filled(column) & values.isna(), column, lambda v: f"'{v}' is geen getal")
    west, south, east, north = NL_BOUNDS
    outside = lat.notna() & lon.notna() & ~(lat.between(south, north) & lon.between(west, east))
    check(outside, "latitude", "deze coördinaten liggen niet in Nederland")

    keys = same_place_key(frame)
    twins = keys.notna() & keys.duplicated(keep=False)
    rows_of_key = (frame.index[twins].to_series() + 2).groupby(keys[twins].values).agg(list)
    problems += [Problem(int(i) + 2, "name", "lijkt hetzelfde item als rij " + ", ".join(
                     str(r) for r in rows_of_key[keys[i]] if r != int(i) + 2) + " (zelfde naam en adres)")
                 for i in frame.index[twins]]

    if region is not None:
        check(filled("zorgkantoorregio") & (frame["zorgkantoorregio"] != region), "zorgkantoorregio",
              lambda v: f"'{v}' hoort niet in het bestand van {region}")
    return sorted(problems, key=lambda p: (p.row, COLUMNS.index(p.column)))
