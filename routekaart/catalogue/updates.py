"""Apply a folder of sourced updates (`shared/data/support/updates-*/`) to the catalogue.

Such a folder holds facts about existing entries, one row per fact (`enrichment_*.csv`: id,
field, value, source_url, source_seen, quote), and new entries in the seed header
(`mgn_*.csv` and the like, see seed.py), with NOTES that judge them. Every fact applied, already
true or held back is written to `provenance/updates.csv` with its source, so each value in
regions/ can be traced to the page it came from. The whole batch is checked as an import is
(schema and service areas) and written all at once, or not at all.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from ..geodata.dataset import GeoData
from . import areas, files, importing, seed, spreadsheet
from .schema import normalise, validate

FACTS = "enrichment_*.csv"
FACT_COLUMNS = ["id", "field", "value", "source_url", "source_seen", "quote"]
# A fact's field -> the catalogue column it sets; status notes are for the editors (notes).
FIELDS = {"service_area_gemeenten": "service_area", "status_note": "notes", "address_1": "address_1",
          "email": "email", "phones": "phones", "referral_needed": "referral_needed",
          "general_walk_in": "general_walk_in", "schedule": "schedule_note"}
PROVENANCE = ["batch", "id", "field", "value", "previous", "decision", "reason", "source_url", "source_seen", "quote"]
APPLIED, ALREADY, HELD = "toegepast", "stond er al", "achtergehouden"
NEW_ENTRY = "(nieuw item)"


@dataclass(frozen=True)
class Judgements:
    """What a batch's NOTES decide about its rows (the NOTES go to provenance/ with the batch)."""

    hold: dict[str, str] = field(default_factory=dict)  # new entry id -> why it stays off the public pages
    planned: frozenset[str] = frozenset()  # new entries that are plans, not running services
    areas: dict[str, tuple[str, str]] = field(default_factory=dict)  # new entry id -> (service area, why)
    phone_labels: dict[str, str] = field(default_factory=dict)  # a number -> the number with what it is


JUDGEMENTS = {"updates-2026-12": Judgements(
    hold={"mgn-flevoland": "tweedehands en niet geverifieerd (de NOTES: pas publiceren na controle van de bron); "
                           "de genoemde mandaatgemeente Almere ligt bovendien in ZK21"},
    planned=frozenset({"mgn-zwolle-gezondveluwe"}),
    areas={"mgn-zwolle-wachtkracht": ("Zwolle", "de bron noemt alleen Zwolle (inwoners van Zwolle op een "
                                                "ggz-wachtlijst)"),
           "mgn-zwolle-gezondveluwe": ("Elburg; Ermelo; Harderwijk; Nunspeet; Oldebroek; Putten; Zeewolde",
                                       "de bron noemt 'Noord-Veluwe en Zeewolde' zonder lijst; de gemeenten komen "
                                       "uit de NOTES (afgeleid, controleren)")},
    # The NOTES: WachtVerzachter's number is the organisation's, not one place's.
    phone_labels={"088-7878857": "088-7878857 (landelijk nummer WachtVerzachter)"})}


class UpdateError(Exception):
    """The batch cannot be read or applied; nothing was written."""


@dataclass
class Result:
    catalogue: pd.DataFrame  # every entry after the batch
    log: pd.DataFrame  # provenance rows (PROVENANCE columns) of this batch
    changed: dict[str, pd.DataFrame]  # region code -> its rows after the batch, for the regions it changed
    problems: list[str] = field(default_factory=list)  # 'id, column: message'; any problem: write nothing


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8").apply(lambda c: c.str.strip())


def read_facts(folder: Path) -> pd.DataFrame:
    paths = sorted(Path(folder).glob(FACTS))
    if not paths:
        raise UpdateError(f"Geen feitenbestand ({FACTS}) in {folder}.")
    facts = pd.concat([_read(path) for path in paths], ignore_index=True)
    missing = [column for column in FACT_COLUMNS if column not in facts]
    if missing:
        raise UpdateError(f"Kolommen ontbreken in {FACTS}: {', '.join(missing)}.")
    unknown = sorted(set(facts["field"]) - set(FIELDS))
    if unknown:
        raise UpdateError(f"Onbekende velden in {FACTS}: {', '.join(unknown)}. Bekend: {', '.join(FIELDS)}.")
    facts["source_seen"] = facts["source_seen"].replace("unknown", "")
    return facts


def read_new_entries(folder: Path, geo: GeoData) -> pd.DataFrame:
    """The batch's new entries (every other CSV, in the seed header) as catalogue rows. A region
    may be given by code (ZK32) as well as by name."""
    paths = [path for path in sorted(Path(folder).glob("*.csv")) if not path.match(FACTS)]
    if not paths:
        return normalise(pd.DataFrame())
    rows = pd.concat([_read(path) for path in paths], ignore_index=True)
    rows["zk_region"] = rows["zk_region"].replace(geo.regions["name"].to_dict())
    try:
        return seed.convert(rows, geo)
    except (KeyError, seed.SeedError) as error:
        raise UpdateError(f"De nieuwe items passen niet in het seedformaat: {error}") from None


def _value(fact: dict, judged: Judgements) -> str:
    value = fact["value"]
    if fact["field"] == "phones":
        return judged.phone_labels.get(value, value)
    if fact["field"] == "status_note":
        return f"Status ({fact['source_seen'] or 'datum onbekend'}, {fact['source_url']}): {value}"
    return value


def _log_row(batch: str, fact: dict, value: str, previous: str, decision: str, reason: str = "") -> dict:
    return {"batch": batch, "id": fact["id"], "field": fact["field"], "value": value, "previous": previous,
            "decision": decision, "reason": reason, "source_url": fact["source_url"],
            "source_seen": fact.get("source_seen", ""), "quote": fact.get("quote", "")}


def apply(catalogue: pd.DataFrame, facts: pd.DataFrame, new: pd.DataFrame, geo: GeoData, batch: str,
          today: date, judged: Judgements | None = None) -> Result:
    """The catalogue with the batch applied. A fact that sets a field replaces its value (the
    newest source last, so it wins); a status note is added to the notes. New entries follow the
    batch's Judgements (JUDGEMENTS, by the batch's folder name)."""
    judged = judged if judged is not None else JUDGEMENTS.get(batch, Judgements())
    before = normalise(catalogue).reset_index(drop=True)
    after = before.copy()
    log = []
    known = pd.Series(after.index, index=after["id"])
    unknown = sorted(set(facts["id"]) - set(known.index))
    if unknown:
        raise UpdateError(f"Deze ids staan niet in de catalogus: {', '.join(unknown)}.")

    for fact in facts.sort_values("source_seen", kind="stable").to_dict("records"):
        row, column, value = known[fact["id"]], FIELDS[fact["field"]], _value(fact, judged)
        current = after.at[row, column]
        if column == "notes":
            if value in current:
                log.append(_log_row(batch, fact, value, "", ALREADY))
                continue
            after.at[row, column] = f"{current} {value}".strip()
            log.append(_log_row(batch, fact, value, "", APPLIED))
        elif current == value:
            log.append(_log_row(batch, fact, value, current, ALREADY))
        else:
            after.at[row, column] = value
            log.append(_log_row(batch, fact, value, before.at[row, column], APPLIED))

    for entry in new.to_dict("records"):
        source = {"id": entry["id"], "field": NEW_ENTRY, "source_url": entry["source_url"],
                  "source_seen": entry["source_seen"]}
        if entry["id"] in judged.hold:
            log.append(_log_row(batch, source, entry["name"], "", HELD, judged.hold[entry["id"]]))
            continue
        if entry["id"] in known.index:  # added by an earlier run, perhaps corrected since: left as it is
            log.append(_log_row(batch, source, entry["name"], "", ALREADY))
            continue
        if entry["id"] in judged.planned:
            entry["status"] = "planned"
        if entry["id"] in judged.areas:
            entry["service_area"], reason = judged.areas[entry["id"]]
            log.append(_log_row(batch, {**source, "field": "service_area_gemeenten"}, entry["service_area"], "",
                                APPLIED, reason))
        after = pd.concat([after, normalise(pd.DataFrame([entry]))], ignore_index=True)
        log.append(_log_row(batch, source, entry["name"], "", APPLIED))

    problems = [f"{after.at[p.row - 2, 'id']}, {p.column}: {p.message}"
                for p in validate(after) + areas.problems(after, geo)]
    change = importing.compare(before, after)
    stamped = importing.stamp(after, before, change, today)
    touched = sorted(set(stamped.loc[stamped["id"].isin(change.added + change.changed), "zorgkantoorregio"]))
    changed = {code: stamped[stamped["zorgkantoorregio"] == code] for code in touched}
    return Result(stamped, pd.DataFrame(log, columns=PROVENANCE), changed, problems)


def write_log(path: Path, new: pd.DataFrame) -> pd.DataFrame:
    """Add this run's rows to the provenance log at `path`; a fact logged before keeps its first
    row (which says what the value was before), so running a batch again adds nothing."""
    old = spreadsheet.unprotect(_read(path)) if path.is_file() else pd.DataFrame(columns=PROVENANCE)
    both = pd.concat([old.reindex(columns=PROVENANCE).fillna(""), new], ignore_index=True)
    both = both.drop_duplicates(["batch", "id", "field", "value"], keep="first")
    path.parent.mkdir(parents=True, exist_ok=True)
    files.write_csv(path, both)
    return both


def counts(catalogue: pd.DataFrame) -> pd.DataFrame:
    """Per region (the national file as 'landelijk'): entries, and how many have a service area,
    opening hours as data, opening hours in words, an address and a phone number."""
    e = normalise(catalogue)
    has = pd.DataFrame({"items": 1, "werkgebied": e["service_area"] != "", "openingstijden": e["schedule"] != "",
                        "tijden_in_tekst": e["schedule_note"] != "", "adres": e["address_1"] != "",
                        "telefoon": e["phones"] != ""})
    table = has.groupby(e["zorgkantoorregio"]).sum().astype(int)
    table.loc["samen"] = table.sum()
    return table


def before_after(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """counts() of both, as 'before→after' per cell (only the regions where anything differs, and the total)."""
    old, new = counts(before), counts(after)
    old = old.reindex(new.index.union(old.index), fill_value=0)
    new = new.reindex(old.index, fill_value=0)
    differs = (old != new).any(axis=1) | (old.index == "samen")
    return (old.astype(str) + "→" + new.astype(str))[differs]


def copy_notes(folder: Path, provenance: Path) -> list[Path]:
    """The batch's NOTES next to the catalogue's provenance, as the seed's are."""
    provenance.mkdir(parents=True, exist_ok=True)
    copied = []
    for notes in sorted(Path(folder).glob("NOTES*.md")):
        shutil.copyfile(notes, provenance / notes.name)
        copied.append(provenance / notes.name)
    return copied
