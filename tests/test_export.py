"""`routekaart export`: CSV and GeoJSON that import back unchanged, and an HSDS 3.0 package that
validates with frictionless under Open Referral's own descriptor, not only under ours."""
import hashlib
import json
import re
import shutil

import frictionless
import geopandas as gpd
import pandas as pd

from routekaart import create_app
from routekaart.catalogue import spreadsheet
from routekaart.catalogue.export import HSDS_DESCRIPTOR, HSDS_STATUS, hsds_tables, official_resources, write_hsds
from routekaart.catalogue.schema import normalise

from .conftest import GEO_SOURCE
from .test_import import run, snapshot

# The official descriptor as Open Referral publishes it (../shared/standards), when it is at hand.
SHARED_DESCRIPTOR = GEO_SOURCE.parent.parent / "standards" / "hsds-3.0" / "datapackage.json"


def official_report(folder) -> frictionless.Report:
    """The package in `folder` validated under the official HSDS 3.0 definitions of the tables it
    holds (Open Referral's descriptor, not the one we wrote), header order included."""
    ours = [resource["name"] for resource in json.loads((folder / "datapackage.json").read_text())["resources"]]
    official = official_resources(ours, SHARED_DESCRIPTOR if SHARED_DESCRIPTOR.is_file() else HSDS_DESCRIPTOR)
    package = frictionless.Package({"profile": "tabular-data-package", "resources": official}, basepath=str(folder))
    return package.validate()


def test_csv_export_imports_back_without_changes(store_app, store, tmp_path):
    out = tmp_path / "alles.csv"
    assert run(store_app, "export", "--format", "csv", "--out", out).exit_code == 0
    exported = spreadsheet.unprotect(pd.read_csv(out, dtype=str, keep_default_na=False))  # '@ease -> @ease
    assert exported.equals(store.read_all())
    region = tmp_path / "zk23.csv"
    exported[exported["zorgkantoorregio"] == "ZK23"].to_csv(region, index=False)
    before = snapshot(store)
    result = run(store_app, "import", region, "--region", "ZK23", "--yes")
    assert "Geen wijzigingen" in result.output and snapshot(store) == before


def test_geojson_export_has_every_entry_and_imports_back_without_changes(store_app, store, tmp_path):
    out = tmp_path / "alles.geojson"
    assert run(store_app, "export", "--format", "geojson", "--out", out).exit_code == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    features = document["features"]
    assert len(features) == len(store.read_all())
    placed = [f for f in features if f["geometry"]]
    assert placed and all(3.2 < f["geometry"]["coordinates"][0] < 7.3 for f in placed)
    assert {f["properties"]["geo_precision"] for f in placed} <= {"source", "pc4", "place"}
    document["features"] = [f for f in features if f["properties"]["zorgkantoorregio"] == "ZK23"]
    region = tmp_path / "zk23.geojson"
    region.write_text(json.dumps(document), encoding="utf-8")
    before = snapshot(store)
    result = run(store_app, "import", region, "--region", "ZK23", "--yes")
    assert "Geen wijzigingen" in result.output, "our approximate points are not taken as the entry's own"
    assert snapshot(store) == before


def test_shipped_hsds_descriptor_is_the_official_one():
    shipped = HSDS_DESCRIPTOR.read_bytes()
    provenance = (HSDS_DESCRIPTOR.parent / "PROVENANCE.md").read_text()
    assert hashlib.sha256(shipped).hexdigest() in re.findall(r"[0-9a-f]{64}", provenance)
    if SHARED_DESCRIPTOR.is_file():
        assert shipped == SHARED_DESCRIPTOR.read_bytes()
    assert json.loads(shipped)["version"] == "3.0.0"


def test_hsds_package_validates_under_the_official_descriptor(store_app, store, tmp_path):
    out = tmp_path / "hsds"
    assert run(store_app, "export", "--format", "hsds", "--out", out).exit_code == 0
    report = official_report(out)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    own = frictionless.validate(out / "datapackage.json")
    assert own.valid, own.flatten(["rowNumber", "fieldName", "type", "note"])

    package = json.loads((out / "datapackage.json").read_text())
    official = {resource["name"]: resource for resource in json.loads(HSDS_DESCRIPTOR.read_text())["resources"]}
    for resource in package["resources"]:
        ours, theirs = resource["schema"], official[resource["name"]]["schema"]
        assert ours["fields"] == theirs["fields"], f"{resource['name']}: the official fields and constraints"
        assert ours["primaryKey"] == theirs["primaryKey"] and resource["path"] == official[resource["name"]]["path"]
    names = [resource["name"] for resource in package["resources"]]
    assert {"organization", "service", "location", "address", "phone", "service_area", "service_at_location"} <= set(names)

    entries = store.read_all()
    service = pd.read_csv(out / "services.csv", dtype=str, keep_default_na=False)
    assert len(service) == len(entries)
    assert set(service["status"]) <= set(HSDS_STATUS.values())
    locations = pd.read_csv(out / "locations.csv", dtype=str, keep_default_na=False)
    assert len(locations) == (entries["location_type"] == "physical").sum()
    organizations = pd.read_csv(out / "organizations.csv", dtype=str, keep_default_na=False)
    assert (organizations["description"] != "").all()
    addresses = pd.read_csv(out / "addresses.csv", dtype=str, keep_default_na=False)
    assert len(addresses) > 0, "the catalogue has complete addresses"
    told = locations["description"].str.match(r"(Adres|Plaats): ")
    assert not set(locations.loc[told, "id"]) & set(addresses["location_id"]), "an address is told once"


def _fictitious(rows: list[dict]) -> pd.DataFrame:
    base = {"kind": "steunpunt", "scope": "lokaal", "zorgkantoorregio": "ZK23", "location_type": "physical",
            "source_url": "https://voorbeeld.invalid/"}
    return normalise(pd.DataFrame([{**base, **row} for row in rows]))


def test_hsds_fills_required_fields_from_what_we_know(data, tmp_path):
    entries = _fictitious([
        {"id": "testpunt-voorbeeld", "name": "Testpunt Voorbeeld", "organization": "Stichting Voorbeeld",
         "address_1": "Voorbeeldstraat 1", "postal_code": "3511ab", "city": "Utrecht", "gemeente": "Utrecht",
         "last_verified": "2025-03", "last_edited": "2025-04-02"},
        {"id": "testpunt-zonder-postcode", "name": "Testpunt Zonder Postcode", "organization": "Stichting Voorbeeld",
         "address_1": "Proefweg 2", "city": "Middelburg", "gemeente": "Middelburg", "zorgkantoorregio": "ZK27"},
        {"id": "testpunt-nergensdorp", "name": "Testpunt Nergensdorp", "address_1": "Proefweg 3",
         "postal_code": "1234 AB", "city": "Nergensdorp", "gemeente": "Nergensdorp"},
        {"id": "testpunt-alleen-plaats", "name": "Testpunt Alleen Plaats", "city": "Utrecht", "gemeente": "Utrecht"},
        {"id": "testlijn-voorbeeld", "name": "Testlijn Voorbeeld", "kind": "telefoon", "scope": "landelijk",
         "zorgkantoorregio": "landelijk", "location_type": "virtual"},
        {"id": "testnetwerk-voorbeeld", "name": "Testnetwerk Voorbeeld", "kind": "mgn", "scope": "regionaal",
         "location_type": "virtual", "service_area": "Leusden; GM0307"},
    ])
    tables = hsds_tables(entries, data.geo)
    areas = tables["service_area"].merge(tables["service"][["id", "name"]].rename(columns={"id": "service_id",
                                                                                          "name": "service"}))
    assert areas.loc[areas["service"] == "Testnetwerk Voorbeeld", ["name", "extent"]].values.tolist() == [
        ["Gemeente Amersfoort", "GM0307"], ["Gemeente Leusden", "GM0327"]]
    assert areas.loc[areas["service"] == "Testlijn Voorbeeld", "name"].tolist() == ["Nederland"]
    assert areas.loc[areas["service"] == "Testpunt Voorbeeld", "description"].tolist() == [
        "standaard: de eigen gemeente van het item"]
    address = tables["address"]
    assert len(address) == 1, "only the complete address (the province of Nergensdorp is unknown)"
    assert address.iloc[0][["address_1", "postal_code", "city", "state_province", "country"]].tolist() == [
        "Voorbeeldstraat 1", "3511 AB", "Utrecht", "Utrecht", "NL"]
    location = tables["location"].set_index("name")
    assert sorted(location.index) == ["Testpunt Alleen Plaats", "Testpunt Nergensdorp", "Testpunt Voorbeeld",
                                      "Testpunt Zonder Postcode"]
    assert location.at["Testpunt Voorbeeld", "id"] == address.iloc[0]["location_id"]
    assert location.at["Testpunt Voorbeeld", "description"] == ""
    assert location.at["Testpunt Zonder Postcode", "description"] == "Adres: Proefweg 2, Middelburg"
    assert location.at["Testpunt Nergensdorp", "description"] == "Adres: Proefweg 3, 1234 AB Nergensdorp"
    assert location.at["Testpunt Alleen Plaats", "description"] == "Plaats: Utrecht"

    organization = tables["organization"].set_index("name")["description"]
    assert organization["Stichting Voorbeeld"] == ("Aanbod in de Routekaart wachttijdondersteuning ggz: "
                                                   "Testpunt Voorbeeld in Utrecht; Testpunt Zonder Postcode in Middelburg.")
    assert organization["Testlijn Voorbeeld"].endswith(": Testlijn Voorbeeld (landelijk).")
    service = tables["service"].set_index("name")
    assert service.at["Testpunt Voorbeeld", "assured_date"] == "2025-03-01"
    assert service.at["Testpunt Voorbeeld", "last_modified"] == "2025-04-02T00:00:00Z"
    assert service.at["Testlijn Voorbeeld", "last_modified"] == ""

    write_hsds(entries, tmp_path, data.geo)
    report = official_report(tmp_path)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_hsds_from_a_dataset_without_provinces_says_so_and_stays_valid(geodata_dir, store_config, tmp_path):
    old = tmp_path / "geodata"
    shutil.copytree(geodata_dir, old)
    gemeenten = gpd.read_parquet(old / "gemeenten.parquet")
    gemeenten.drop(columns="province").to_parquet(old / "gemeenten.parquet")
    app = create_app({"TESTING": True, "DATA_DIR": str(old), "TILES_URL": "", **store_config})
    result = run(app, "export", "--format", "hsds", "--out", tmp_path / "hsds")
    assert result.exit_code == 0 and "routekaart data build" in result.output
    assert pd.read_csv(tmp_path / "hsds" / "addresses.csv").empty
    report = official_report(tmp_path / "hsds")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_hsds_keeps_verification_and_phone_labels(store, data):
    entries = store.read_all()
    entries.loc[0, ["last_verified", "verified_by", "phones"]] = ["2025-03", "a@voorbeeld.invalid",
                                                                  "0800-0000 (Testlijn); 030-0000000"]
    tables = hsds_tables(entries, data.geo)
    first = tables["service"].set_index("name").loc[entries.at[0, "name"]]
    assert (first["assured_date"], first["assurer_email"]) == ("2025-03-01", "a@voorbeeld.invalid")
    phones = tables["phone"][tables["phone"]["service_id"] == first["id"]]
    assert list(phones["number"]) == ["0800-0000", "030-0000000"]
    assert list(phones["description"]) == ["Testlijn", ""]
