"""`routekaart export`: CSV and GeoJSON that import back unchanged, and an HSDS 3 package that
validates with frictionless."""
import json

import frictionless
import pandas as pd

from routekaart.catalogue.export import HSDS_STATUS, hsds_tables

from .test_import import run, snapshot


def test_csv_export_imports_back_without_changes(store_app, store, tmp_path):
    out = tmp_path / "alles.csv"
    assert run(store_app, "export", "--format", "csv", "--out", out).exit_code == 0
    exported = pd.read_csv(out, dtype=str, keep_default_na=False)
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


def test_hsds_package_validates_with_frictionless(store_app, store, tmp_path):
    out = tmp_path / "hsds"
    assert run(store_app, "export", "--format", "hsds", "--out", out).exit_code == 0
    report = frictionless.validate(out / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = json.loads((out / "datapackage.json").read_text())
    names = [resource["name"] for resource in package["resources"]]
    assert names == ["organization", "service", "location", "address", "phone", "schedule", "service_at_location"]
    service = pd.read_csv(out / "services.csv", dtype=str, keep_default_na=False)
    entries = store.read_all()
    assert len(service) == len(entries)
    assert set(service["status"]) <= set(HSDS_STATUS.values())
    locations = pd.read_csv(out / "locations.csv", dtype=str, keep_default_na=False)
    assert len(locations) == (entries["location_type"] == "physical").sum()


def test_hsds_keeps_verification_and_phone_labels(store):
    entries = store.read_all()
    entries.loc[0, ["last_verified", "verified_by", "phones"]] = ["2025-03", "a@voorbeeld.invalid",
                                                                  "0800-0000 (Testlijn); 030-0000000"]
    tables = hsds_tables(entries)
    first = tables["service"].set_index("name").loc[entries.at[0, "name"]]
    assert (first["assured_date"], first["assurer_email"]) == ("2025-03-01", "a@voorbeeld.invalid")
    phones = tables["phone"][tables["phone"]["service_id"] == first["id"]]
    assert list(phones["number"]) == ["0800-0000", "030-0000000"]
    assert list(phones["description"]) == ["Testlijn", ""]
