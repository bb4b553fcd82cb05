"""Export the catalogue as CSV, GeoJSON, or an Open Referral HSDS 3 tabular data package
(one CSV per object plus datapackage.json), so other service finders can reuse it.

HSDS wants UUIDs: ours are derived from our ids (uuid5), so an export is the same every time.
Only coordinates from the source go into HSDS locations; our approximate placement (postcode
or place centre) is shown as such in the GeoJSON (`geo_precision`) and nowhere else.
"""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pandas as pd

from . import files
from .schema import normalise, split_list
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


def _uuid(kind: str, values: pd.Series) -> pd.Series:
    return values.map(lambda value: str(uuid.uuid5(NAMESPACE, f"{kind}:{value}")))


def hsds_tables(entries: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The HSDS 3 objects we can fill, as frames named after the object."""
    e = normalise(entries).sort_values("id").reset_index(drop=True)
    organization_name = e["organization"].where(e["organization"] != "", e["name"])
    service_id, location_id = _uuid("service", e["id"]), _uuid("location", e["id"])
    organization = pd.DataFrame({"id": _uuid("organization", organization_name), "name": organization_name,
                                 "description": ""}).drop_duplicates("id")
    assured = verified_on(e["last_verified"]).dt.strftime("%Y-%m-%d").fillna("")
    service = pd.DataFrame({
        "id": service_id, "organization_id": _uuid("organization", organization_name), "name": e["name"],
        "description": e["description"], "url": e["url"], "email": e["email"],
        "status": e["status"].map(HSDS_STATUS), "fees_description": e["fees_description"],
        "eligibility_description": e["audience"], "assured_date": assured, "assurer_email": e["verified_by"],
        "last_modified": e["last_edited"].where(e["last_edited"] == "", e["last_edited"] + "T00:00:00Z"),
    })
    physical = e["location_type"] == "physical"
    location = pd.DataFrame({"id": location_id, "location_type": "physical", "name": e["name"],
                             "organization_id": service["organization_id"],
                             "latitude": e["latitude"].str.replace(",", "."),
                             "longitude": e["longitude"].str.replace(",", ".")})[physical]
    has_address = physical & (e["address_1"] != "") & (e["city"] != "")
    address = pd.DataFrame({"id": _uuid("address", e["id"]), "location_id": location_id,
                            "address_1": e["address_1"], "city": e["city"], "region": e["gemeente"],
                            "state_province": "", "postal_code": e["postal_code"], "country": "NL",
                            "address_type": "physical"})[has_address]
    numbers = pd.DataFrame({"entry": e["id"], "service_id": service_id, "phone": e["phones"].map(split_list)})
    numbers = numbers.explode("phone").dropna(subset=["phone"]).reset_index(drop=True)
    numbers["n"] = numbers.groupby("entry").cumcount()
    phone = pd.DataFrame({
        "id": _uuid("phone", numbers["entry"] + ":" + numbers["n"].astype(str)), "service_id": numbers["service_id"],
        "number": numbers["phone"].str.replace(r"\s*\(.*\)\s*", "", regex=True),
        "description": numbers["phone"].str.extract(r"\((.*)\)", expand=False).fillna("")})
    has_schedule = e["schedule"] != ""
    schedule = pd.DataFrame({"id": _uuid("schedule", e["id"]), "service_id": service_id,
                             "description": e["schedule"]})[has_schedule]
    service_at_location = pd.DataFrame({"id": _uuid("service_at_location", e["id"]), "service_id": service_id,
                                        "location_id": location_id})[physical]
    return {"organization": organization, "service": service, "location": location, "address": address,
            "phone": phone, "schedule": schedule, "service_at_location": service_at_location}


# File names as in the HSDS 3 tabular schema (schema/compiled/tabular.json).
PATHS = {"organization": "organizations.csv", "service": "services.csv", "location": "locations.csv",
         "address": "addresses.csv", "phone": "phones.csv", "schedule": "schedules.csv",
         "service_at_location": "service_at_location.csv"}
_TYPES = {"latitude": "number", "longitude": "number", "assured_date": "date", "last_modified": "datetime"}
_FORMATS = {"email": "email", "assurer_email": "email", "url": "uri"}
_REFERENCES = {"organization_id": "organization", "service_id": "service", "location_id": "location"}


def _schema(name: str, frame: pd.DataFrame) -> dict:
    fields = []
    for column in frame.columns:
        field = {"name": column, "type": _TYPES.get(column, "string")}
        if column == "id" or column in _REFERENCES:
            field["format"] = "uuid"
        elif column in _FORMATS:
            field["format"] = _FORMATS[column]
        if column in ("id", "name", "status", "number"):
            field["constraints"] = {"required": True, **({"unique": True} if column == "id" else {})}
        fields.append(field)
    keys = [{"fields": column, "reference": {"resource": target, "fields": "id"}}
            for column, target in _REFERENCES.items() if column in frame.columns]
    return {"fields": fields, "primaryKey": ["id"], **({"foreignKeys": keys} if keys else {})}


def write_hsds(entries: pd.DataFrame, folder: Path) -> list[Path]:
    """The package in `folder`: one CSV per HSDS object (PATHS) and datapackage.json."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    resources, written = [], []
    for name, frame in hsds_tables(entries).items():
        path = folder / PATHS[name]
        files.write_csv(path, frame)
        resources.append({"name": name, "path": path.name, "profile": "tabular-data-resource", "format": "csv",
                          "mediatype": "text/csv", "encoding": "utf-8", "schema": _schema(name, frame)})
        written.append(path)
    package = {"name": "routekaart-hsds", "title": "Routekaart wachttijdondersteuning ggz (Open Referral HSDS 3)",
               "profile": "tabular-data-package", "resources": resources}
    descriptor = folder / "datapackage.json"
    files.replace_atomic(descriptor, lambda handle: json.dump(package, handle, ensure_ascii=False, indent=2))
    return [*written, descriptor]

