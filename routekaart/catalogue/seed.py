"""Turn the team's seed catalogue (`shared/data/support/*.csv`) into `regions/`.

The seed files share one header (id, name, kind, organisation, summary_nl, street, ...). This
maps them onto the catalogue schema, assigns every local entry to the zorgkantoorregio of its
gemeente, and keeps the source of every row. The judgements below come from the NOTES files
that travel with the seed (copied to `regions/provenance/`).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from ..geodata.dataset import GeoData
from . import files
from .schema import COLUMNS, KINDS, NATIONAL, WALK_IN_KINDS, normalise, validate

# From the NOTES: rows that describe a plan, or a pilot, rather than a running service.
PLANNED = {"ha-almere-herstelacademie", "sp-alphenaandenrijn-lumen-herstelwerkplaats",
           "sp-derondevenen-huiskamer-wachtverzachter", "mgn-midden-holland-gedeelde-zorg"}
PILOT = {"sp-kampen-zelfregiecentrum", "jg-amersfoort-ease", "reg-voorzorggroep-stadskanaal",
         "sp-gooisemeren-respijt-mauritzhof", "sp-emmen-herstelruimte",
         "reg-velsen-ggz-expertise-wijkteams-ijmuiden"}
# A regional row without a gemeente: the source names the region it works in.
REGION_FROM_SOURCE = {"sp-nhn-de-hoofdzaak": "Noord-Holland Noord"}
GENERAL_WALK_IN_MARK = "ALGEMENE INLOOP"


class SeedError(Exception):
    pass


def _audience_groups(kind: pd.Series, audience: pd.Series) -> pd.Series:
    """A first guess at the filter groups from the free-text audience; coordinators correct it."""
    text = audience.str.lower()
    young = (kind == "jongeren") | text.str.contains(r"jong|kinder|\b1[0-7]\s*-\s*[12]\d", regex=True)
    adult = text.str.contains(r"volwassen|18\+|16\+|iedere|inwoner|mensen", regex=True) | (~young & (kind != "jongeren"))
    carers = text.str.contains("naaste", regex=False)
    parts = pd.DataFrame({"volwassenen": adult, "jongeren": young, "naasten": carers})
    return parts.apply(lambda row: ";".join(name for name, flag in row.items() if flag), axis=1)


def _referral(value: pd.Series) -> pd.Series:
    lowered = value.str.lower()
    return pd.Series(
        [("nee" if v.startswith("nee") else "ja" if v.startswith(("ja", "via")) else "") for v in lowered],
        index=value.index,
    )


def convert(seed: pd.DataFrame, geo: GeoData) -> pd.DataFrame:
    """Seed rows in the seed header -> catalogue rows with a region code."""
    seed = seed.fillna("").astype(str).apply(lambda c: c.str.strip())
    out = pd.DataFrame(index=seed.index)
    out["id"] = seed["id"]
    out["name"] = seed["name"]
    out["kind"] = seed["kind"]
    out["status"] = seed["id"].map(lambda i: "planned" if i in PLANNED else "pilot" if i in PILOT else "active")
    out["organization"] = seed["organisation"]
    out["description"] = seed["summary_nl"]
    out["audience"] = seed["audience"]
    out["audience_groups"] = _audience_groups(seed["kind"], seed["audience"])
    out["fees_description"] = seed["cost"]
    out["free"] = seed["cost"].str.lower().str.startswith("gratis").map({True: "ja", False: ""})
    out["referral_needed"] = _referral(seed["referral_needed"])
    out["scope"] = seed["scope"]
    out["address_1"] = (seed["street"] + " " + seed["housenumber"]).str.strip()
    out["postal_code"] = seed["postcode"].str.upper()
    out["city"] = seed["city"]
    out["gemeente"] = seed["gemeente"]
    out["latitude"], out["longitude"] = seed["lat"], seed["lon"]
    has_place = (out["address_1"] + out["postal_code"] + out["city"] + out["gemeente"] + out["latitude"]) != ""
    walk_in = seed["kind"].isin(WALK_IN_KINDS)  # a walk-in is a place, even when the seed lacks its address
    out["location_type"] = (has_place | walk_in).map({True: "physical", False: "virtual"})
    out["phones"] = seed["phone"]
    out["email"], out["url"] = seed["email"], seed["website"]
    out["schedule_note"] = seed["opening_hours"]
    out["general_walk_in"] = seed["notes"].str.startswith(GENERAL_WALK_IN_MARK).map({True: "ja", False: ""})
    out["source_url"], out["source_seen"] = seed["source_url"], seed["source_seen"]
    out["last_verified"], out["verified_by"] = "", ""
    # Where the referral wording said more than yes/no, keep it for the editors.
    detail = seed["referral_needed"].where(~seed["referral_needed"].isin(["ja", "nee", ""]), "")
    out["notes"] = seed["notes"] + detail.map(lambda d: f" Verwijzing (bron): {d}." if d else "")
    out["zorgkantoorregio"] = _region_codes(seed, geo)
    return normalise(out)[COLUMNS]


def _region_codes(seed: pd.DataFrame, geo: GeoData) -> pd.Series:
    by_region_name = {name: code for code, name in geo.regions["name"].items()}
    # The gemeente decides where it is known (CBS assigns every gemeente to one region);
    # otherwise the region the seed author named.
    named = seed["zk_region"].where(seed["zk_region"] != "", seed["id"].map(REGION_FROM_SOURCE).fillna(""))
    codes = geo.gemeente_codes(seed["gemeente"]).map(geo.gemeenten["region_code"]).fillna(named.map(by_region_name))
    codes = codes.where(seed["scope"] != "landelijk", NATIONAL)
    unknown = codes.isna()
    if unknown.any():
        rows = seed.loc[unknown, ["id", "zk_region", "gemeente"]].to_dict("records")
        raise SeedError(f"Geen zorgkantoorregio te vinden voor: {rows}")
    return codes


def run(source: Path, geo: GeoData, target: Path) -> dict[str, int]:
    """Write regions/: one file per region (all 31, even empty) plus landelijk.csv."""
    source, target = Path(source), Path(target)
    seed = pd.concat([pd.read_csv(path, dtype=str, keep_default_na=False) for path in sorted(source.glob("*.csv"))],
                     ignore_index=True)
    unknown_kinds = set(seed["kind"]) - set(KINDS)
    if unknown_kinds:
        raise SeedError(f"Onbekende soorten in de seed: {sorted(unknown_kinds)}")
    catalogue = convert(seed, geo)
    problems = validate(catalogue)
    if problems:
        raise SeedError("De seed past niet in het schema:\n" + "\n".join(map(str, problems)))
    target.mkdir(parents=True, exist_ok=True)
    counts = {}
    for code in [NATIONAL, *geo.regions.index]:
        rows = catalogue[catalogue["zorgkantoorregio"] == code]
        files.write_atomic(files.file_for(target, code, None if code == NATIONAL else geo.region_name(code)), rows)
        counts[code] = len(rows)
    provenance = target / "provenance"
    provenance.mkdir(exist_ok=True)
    for notes in sorted(source.glob("NOTES_*.md")):
        shutil.copyfile(notes, provenance / notes.name)
    return counts

