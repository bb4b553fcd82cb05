"""Export the catalogue as CSV, GeoJSON, or an Open Referral HSDS 3.0 tabular data package
(one CSV per HSDS table plus datapackage.json), so other service finders can reuse it.

The HSDS package follows the official HSDS 3.0 descriptor shipped in hsds-3.0/ (see its
PROVENANCE.md): every CSV has all fields of its table in the official order, and the package's
datapackage.json carries the official table schemas, so it is HSDS 3.0 by Open Referral's own
definitions, not by a loosened copy of ours. A required field is filled only from what we know;
an address that is not complete goes into its location's description instead of an address row.

HSDS wants UUIDs: ours are derived from our ids (uuid5), so an export is the same every time.
Only coordinates from the source go into HSDS locations; our approximate placement (postcode
or place centre) is shown as such in the GeoJSON (`geo_precision`) and nowhere else.
"""
from __future__ import annotations

import copy
import functools
import json
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

from ..geodata.dataset import GeoData
from . import files, hours, with_areas
from .schema import NATIONAL, normalise, split_list
from .verification import verified_on

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://routekaart.invalid/catalogue")
# Our statuses in HSDS service.status terms: a pilot is running, a plan is not (yet).
HSDS_STATUS = {"active": "active", "": "active", "pilot": "active", "planned": "inactive", "inactive": "defunct"}


def write_csv(entries: pd.DataFrame, out: Path) -> None:
    files.write_csv(out, normalise(entries).sort_values(["zorgkantoorregio", "id"]))


def geojson(entries: pd.DataFrame) -> dict:
    """Every entry as a Feature; its point where it is placed (see placement), else no geometry."""
    frame = normalise(entries).assign(geo_precision=entries["geo_precision"].values)
    points = [None if pd.isna(lat) else {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}
              for lat, lon in zip(entries["lat"], entries["lon"])]
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": row["id"], "geometry": point, "properties": row}
        for row, point in zip(frame.to_dict("records"), points)]}


def write_geojson(entries: pd.DataFrame, out: Path) -> None:
    document = geojson(entries)
    files.replace_atomic(out, lambda handle: json.dump(document, handle, ensure_ascii=False))


HSDS_DESCRIPTOR = Path(__file__).with_name("hsds-3.0") / "datapackage.json"
CATALOGUE = "de Routekaart wachttijdondersteuning ggz"


@functools.cache
def _descriptor(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def official_resources(names: list[str], descriptor: Path = HSDS_DESCRIPTOR) -> list[dict]:
    """The official HSDS 3.0 resources of the tables `names`, unchanged but for their foreign keys
    to tables not among them (a package cannot refer to a table it does not hold)."""
    by_name = {resource["name"]: resource for resource in _descriptor(descriptor)["resources"]}
    resources = [copy.deepcopy(by_name[name]) for name in names]
    for resource in resources:
        schema = resource["schema"]
        schema["foreignKeys"] = [key for key in schema.get("foreignKeys", []) if key["reference"]["resource"] in names]
    return resources


def _uuid(kind: str, values: pd.Series) -> pd.Series:
    return values.map(lambda value: str(uuid.uuid5(NAMESPACE, f"{kind}:{value}")))


def _prepared(entries: pd.DataFrame, geo: GeoData) -> pd.DataFrame:
    """The entries with what several tables share: HSDS ids, the organization, the province of
    the gemeente (from the geodata; a dataset built without provinces gives none), the address,
    the service area."""
    e = with_areas(normalise(entries).sort_values("id").reset_index(drop=True), geo)
    e["organization_name"] = e["organization"].where(e["organization"] != "", e["name"])
    e["organization_id"] = _uuid("organization", e["organization_name"])
    e["service_id"], e["location_id"] = _uuid("service", e["id"]), _uuid("location", e["id"])
    e["physical"] = e["location_type"] == "physical"
    provinces = geo.gemeenten["province"] if "province" in geo.gemeenten else pd.Series(dtype=object)
    e["state_province"] = geo.gemeente_codes(e["gemeente"]).map(provinces).astype(object).fillna("")
    e["postal_code"] = e["postal_code"].str.upper().str.replace(r"^(\d{4}) ?([A-Z]{2})$", r"\1 \2", regex=True)
    e["complete_address"] = e["physical"] & (e[["address_1", "postal_code", "city", "state_province"]] != "").all(axis=1)
    place = (e["postal_code"] + " " + e["city"]).str.strip()
    e["address_text"] = np.select([e["address_1"] != "", place != ""],
                                  ["Adres: " + (e["address_1"] + ", " + place).str.strip(", "), "Plaats: " + place], "")
    region = e["zorgkantoorregio"].map(geo.regions["name"]).fillna(e["zorgkantoorregio"])
    e["region_name"] = region
    e["where"] = np.select([e["zorgkantoorregio"] == NATIONAL, e["city"] != "", e["gemeente"] != ""],
                           [" (landelijk)", " in " + e["city"], " in " + e["gemeente"]], " in zorgkantoorregio " + region)
    return e


# One function per HSDS table: the prepared entries in, the table's rows out (official field
# names; fields we cannot fill are left out here and written empty).

def organization_table(e: pd.DataFrame) -> pd.DataFrame:
    """The description lists what we hold of the organization, where: facts, not a profile."""
    offer = e["name"] + e["where"]
    description = "Aanbod in " + CATALOGUE + ": " + offer.groupby(e["organization_id"]).agg("; ".join) + "."
    organization = e[["organization_id", "organization_name"]].drop_duplicates("organization_id")
    return pd.DataFrame({"id": organization["organization_id"], "name": organization["organization_name"],
                         "description": organization["organization_id"].map(description)})


def service_table(e: pd.DataFrame) -> pd.DataFrame:
    """assured_date/assurer_email: someone checked the entry with the provider (last_verified,
    verified_by); last_modified: the day an import last changed it (midnight UTC: we know the day)."""
    return pd.DataFrame({
        "id": e["service_id"], "organization_id": e["organization_id"], "name": e["name"],
        "description": e["description"], "url": e["url"], "email": e["email"],
        "status": e["status"].map(HSDS_STATUS), "fees_description": e["fees_description"],
        "eligibility_description": e["audience"],
        "assured_date": verified_on(e["last_verified"]).dt.strftime("%Y-%m-%d").fillna(""),
        "assurer_email": e["verified_by"],
        "last_modified": verified_on(e["last_edited"]).dt.strftime("%Y-%m-%dT00:00:00Z").fillna(""),
    })


def location_table(e: pd.DataFrame) -> pd.DataFrame:
    """Physical entries only; what we know of an address that is not complete is told here."""
    physical = e[e["physical"]]
    told = (physical["address_text"] != "") & ~physical["complete_address"]
    return pd.DataFrame({
        "id": physical["location_id"], "location_type": "physical", "organization_id": physical["organization_id"],
        "name": physical["name"], "description": physical["address_text"].where(told, ""),
        "latitude": physical["latitude"].str.replace(",", "."), "longitude": physical["longitude"].str.replace(",", "."),
    })


def address_table(e: pd.DataFrame) -> pd.DataFrame:
    """Only complete addresses: HSDS requires street, city, province, postcode and country."""
    complete = e[e["complete_address"]]
    return pd.DataFrame({
        "id": _uuid("address", complete["id"]), "location_id": complete["location_id"],
        "address_1": complete["address_1"], "city": complete["city"], "region": complete["gemeente"],
        "state_province": complete["state_province"], "postal_code": complete["postal_code"], "country": "NL",
        "address_type": "physical",
    })


def phone_table(e: pd.DataFrame) -> pd.DataFrame:
    numbers = pd.DataFrame({"entry": e["id"], "service_id": e["service_id"], "phone": e["phones"].map(split_list)})
    numbers = numbers.explode("phone").dropna(subset=["phone"]).reset_index(drop=True)
    numbers["n"] = numbers.groupby("entry").cumcount()
    return pd.DataFrame({
        "id": _uuid("phone", numbers["entry"] + ":" + numbers["n"].astype(str)), "service_id": numbers["service_id"],
        "number": numbers["phone"].str.replace(r"\s*\(.*\)\s*", "", regex=True),
        "description": numbers["phone"].str.extract(r"\((.*)\)", expand=False).fillna("")})


HOURS_NOTE = "tijden in Nederlandse tijd (Europe/Amsterdam); "
ON_HOLIDAYS = {"open": "ook open op feestdagen", "closed": "op feestdagen gesloten",
               None: "of het op feestdagen open is, is niet bekend"}


def schedule_table(e: pd.DataFrame) -> pd.DataFrame:
    """The hours as data (hours.as_json): a row per rule, with the hours in words (or, without
    them, the hours as written) as its description; a service with only hours in words gets one
    row with just that description."""
    timed = e[e["schedule"] != ""]
    described = pd.DataFrame(timed["schedule"].map(hours.as_json).tolist(), index=timed.index,
                             columns=["valid_from", "valid_to", "holidays", "rules"])
    rows = described.explode("rules")
    of = lambda column: timed[column].loc[rows.index]  # noqa: E731 - the row's entry's value
    words = of("schedule_note").where(of("schedule_note") != "", of("schedule"))
    structured = pd.DataFrame(rows["rules"].tolist(), index=rows.index).fillna("").assign(
        id=_uuid("schedule", of("id") + ":" + rows.groupby(level=0).cumcount().astype(str)),
        service_id=of("service_id"), valid_from=rows["valid_from"].fillna(""), valid_to=rows["valid_to"].fillna(""),
        description=words, notes=HOURS_NOTE + rows["holidays"].map(ON_HOLIDAYS).fillna(ON_HOLIDAYS[None]))
    worded = e[(e["schedule"] == "") & (e["schedule_note"] != "")]
    return pd.concat([structured, pd.DataFrame({"id": _uuid("schedule", worded["id"]), "service_id": worded["service_id"],
                                                "description": worded["schedule_note"]})], ignore_index=True).fillna("")


AREA_BASIS = {"given": "werkgebied volgens de bron", "gemeente": "standaard: de eigen gemeente van het item",
              "region": "standaard: elke gemeente van zorgkantoorregio "}


def service_area_table(e: pd.DataFrame) -> pd.DataFrame:
    """One row per service and gemeente it serves (catalogue.with_areas), the gemeente's CBS code
    as its extent; a national service serves the whole country."""
    local = e[e["area_basis"] != ""]
    codes, names = local["area_codes"].str.split(";").explode(), local["area_names"].str.split(";").explode()
    rows = local.loc[codes.index]
    how = rows["area_basis"].map(AREA_BASIS)
    gemeenten = pd.DataFrame({
        "id": _uuid("service_area", rows["id"] + ":" + codes), "service_id": rows["service_id"],
        "name": "Gemeente " + names, "description": how.where(rows["area_basis"] != "region", how + rows["region_name"]),
        "extent": codes, "extent_type": "text"})
    national = e[e["area_basis"] == ""]
    country = pd.DataFrame({"id": _uuid("service_area", national["id"]), "service_id": national["service_id"],
                            "name": "Nederland", "description": "landelijk: voor iedereen in Nederland",
                            "extent": "NL", "extent_type": "text"})
    return pd.concat([gemeenten, country], ignore_index=True)


def service_at_location_table(e: pd.DataFrame) -> pd.DataFrame:
    physical = e[e["physical"]]
    return pd.DataFrame({"id": _uuid("service_at_location", physical["id"]), "service_id": physical["service_id"],
                         "location_id": physical["location_id"]})


# The HSDS tables we write, in this order; a new table is one function and one line here.
TABLES = {"organization": organization_table, "service": service_table, "location": location_table,
          "address": address_table, "phone": phone_table, "schedule": schedule_table,
          "service_area": service_area_table, "service_at_location": service_at_location_table}


EMPTY_VALUE = "(leeg)"


def metadata_table(changes: pd.DataFrame) -> pd.DataFrame:
    """HSDS metadata: one row per changed field of a service, from the coordinator portal's history
    (portal/edits.py: id, at, who, entry_id, field, old, new). HSDS requires both values, so an
    empty one is written as EMPTY_VALUE."""
    empty = lambda values: values.mask(values == "", EMPTY_VALUE)  # noqa: E731
    return pd.DataFrame({
        "id": _uuid("metadata", changes["id"].astype(str)), "resource_id": _uuid("service", changes["entry_id"]),
        "resource_type": "service",
        "last_action_date": pd.to_datetime(changes["at"], unit="s", utc=True).dt.strftime("%Y-%m-%d"),
        "last_action_type": np.where(changes["old"] == "", "create", "update"), "field_name": changes["field"],
        "previous_value": empty(changes["old"]), "replacement_value": empty(changes["new"]),
        "updated_by": changes["who"],
    })


def hsds_tables(entries: pd.DataFrame, geo: GeoData, history: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Each HSDS table with all its official fields, in the official order ('' where unknown);
    with the portal's `history`, also its metadata table."""
    e = _prepared(entries, geo)
    builds = {**TABLES, **({"metadata": lambda _e: metadata_table(history)} if history is not None else {})}
    tables = {}
    for (name, build), resource in zip(builds.items(), official_resources(list(builds))):
        frame = build(e)
        fields = [field["name"] for field in resource["schema"]["fields"]]
        unknown = set(frame.columns) - set(fields)
        if unknown:  # a misspelt field would otherwise be dropped without a word
            raise ValueError(f"HSDS 3.0 has no field {sorted(unknown)} in table {name}")
        tables[name] = frame.reset_index(drop=True).reindex(columns=fields, fill_value="")
    return tables


def write_hsds(entries: pd.DataFrame, folder: Path, geo: GeoData, history: pd.DataFrame | None = None) -> list[Path]:
    """The package in `folder`: one CSV per HSDS table (TABLES, and metadata with a history) and
    datapackage.json."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = hsds_tables(entries, geo, history)
    resources = [{**resource, "encoding": "utf-8"} for resource in official_resources(list(tables))]
    written = []
    for resource, frame in zip(resources, tables.values()):
        path = folder / resource["path"]
        files.write_csv(path, frame)
        written.append(path)
    package = {"name": "routekaart-hsds", "title": "Routekaart wachttijdondersteuning ggz (Open Referral HSDS 3.0)",
               "description": "Table schemas: Human Services Data Specification 3.0.0, an Open Referral resource "
                              "(https://openreferral.org/), CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/).",
               "profile": "tabular-data-package", "resources": resources}
    descriptor = folder / "datapackage.json"
    files.replace_atomic(descriptor, lambda handle: json.dump(package, handle, ensure_ascii=False, indent=2))
    return [*written, descriptor]
