"""The committed catalogue in regions/: complete, valid, one file per region, and placed."""
import pandas as pd
import pytest

from routekaart import ROOT
from routekaart.catalogue import files, placement, schema

from .conftest import SUPPORT_SOURCE

REGIONS = ROOT / "regions"


@pytest.fixture(scope="module")
def committed():
    return files.read_all(REGIONS)


def test_one_file_per_region_plus_national(data):
    found = files.region_files(REGIONS)
    assert set(found) == set(data.geo.regions.index) | {"landelijk"}


def test_every_seed_row_is_kept_with_its_source_or_its_removal_recorded(committed):
    """Coordinators may correct and verify entries; what must survive is where each seed row came from."""
    seed = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in SUPPORT_SOURCE.glob("*.csv")])
    removed = files.removed_ids(REGIONS)
    kept = seed[~seed["id"].isin(removed)]
    assert set(kept["id"]) <= set(committed["id"]), "a seed row vanished without a line in regions/provenance/removed.csv"
    merged = kept.merge(committed, on="id", suffixes=("_seed", ""))
    assert (merged["source_url"] == merged["source_url_seed"]).all()
    assert (merged["source_seen"] == merged["source_seen_seed"]).all()


def test_every_file_is_valid_and_holds_only_its_region():
    for code, path in files.region_files(REGIONS).items():
        assert schema.validate(files.read_file(path), region=code) == [], path.name


def test_general_walk_ins_are_marked(committed):
    """As the seed marks them (its notes start with ALGEMENE INLOOP), or as a sourced update says."""
    marked = committed[committed["general_walk_in"] == "ja"]
    updated = pd.read_csv(REGIONS / "provenance" / "updates.csv", dtype=str, keep_default_na=False)
    sourced = set(updated.loc[(updated["field"] == "general_walk_in") & (updated["value"] == "ja"), "id"])
    assert (marked["notes"].str.startswith("ALGEMENE INLOOP") | marked["id"].isin(sourced)).all()
    assert (committed.loc[committed["notes"].str.startswith("ALGEMENE INLOOP"), "general_walk_in"] == "ja").all()


def test_every_sourced_update_names_its_source_and_its_entry(committed):
    updated = pd.read_csv(REGIONS / "provenance" / "updates.csv", dtype=str, keep_default_na=False)
    assert (updated["source_url"].str.match(r"^https?://")).all()
    applied = updated[updated["decision"] != "achtergehouden"]
    assert set(applied["id"]) <= set(committed["id"])
    assert not set(updated.loc[updated["decision"] == "achtergehouden", "id"]) & set(committed["id"]), \
        "a held-back row stays off the public pages"


def test_walk_ins_are_placed_and_say_how(data):
    entries = data.catalogue.entries
    walk_ins = entries[entries["kind"].isin(schema.WALK_IN_KINDS)]
    placed = walk_ins[walk_ins["lat"].notna()]
    assert set(placed["geo_precision"]) <= {"source", "pc4", "place"}
    unplaced_ids = {u.id for u in data.catalogue.unplaced}
    # Nothing silently dropped: every walk-in is either placed or reported.
    assert set(walk_ins["id"]) == set(placed["id"]) | (unplaced_ids & set(walk_ins["id"]))
    unplaced = walk_ins[walk_ins["id"].isin(unplaced_ids)]
    assert unplaced["lat"].isna().all() and all(u.reason for u in data.catalogue.unplaced), "each says why"
    # Entries with a postcode use that PC4's point.
    with_pc4 = placed[placed["postal_code"] != ""]
    assert (with_pc4["geo_precision"] == "pc4").all() and len(with_pc4) > 0
    # Placed entries lie in the region of the file they are in.
    local = placed[placed["scope"] != "landelijk"]
    assert (local["placed_region"] == local["zorgkantoorregio"]).all()


def test_placement_prefers_own_coordinates_then_postcode_then_place(data):
    rows = schema.normalise(pd.DataFrame([
        {"id": "testpunt-a", "location_type": "physical", "latitude": "52.1", "longitude": "5.1",
         "postal_code": "3511 AB", "city": "Utrecht", "scope": "lokaal"},
        {"id": "testpunt-b", "location_type": "physical", "postal_code": "3511 AB", "city": "Utrecht", "scope": "lokaal"},
        {"id": "testpunt-c", "location_type": "physical", "city": "Utrecht", "gemeente": "Utrecht", "scope": "lokaal"},
        {"id": "testpunt-d", "location_type": "physical", "city": "Nergenshuizen", "scope": "lokaal"},
        {"id": "testpunt-e", "location_type": "virtual", "scope": "landelijk"},
    ]))
    placed, unplaced = placement.place(rows, data.geo)
    assert list(placed["geo_precision"]) == ["source", "pc4", "place", "", ""]
    assert placed.at[0, "lat"] == 52.1
    assert placed.at[1, "lat"] == data.geo.pc4.at["3511", "lat"]
    assert [u.id for u in unplaced] == ["testpunt-d"]
    assert "Nergenshuizen" in unplaced[0].reason


def _row(**values):
    base = {"id": "testpunt-voorbeeld", "name": "Testpunt Voorbeeld", "kind": "steunpunt", "scope": "lokaal",
            "source_url": "https://voorbeeld.invalid/bron", "zorgkantoorregio": "ZK23"}
    return {**base, **values}


@pytest.mark.parametrize("values, column", [
    ({"kind": "kroeg"}, "kind"),
    ({"postal_code": "0123 AB"}, "postal_code"),
    ({"phones": "020-12345"}, "phones"),
    ({"email": "geen-adres"}, "email"),
    ({"url": "www.voorbeeld"}, "url"),
    ({"latitude": "48.8", "longitude": "2.3"}, "latitude"),
    ({"latitude": "52.1"}, "latitude"),
    ({"last_verified": "2999-01-01"}, "last_verified"),
    ({"audience_groups": "ouderen"}, "audience_groups"),
    ({"name": ""}, "name"),
    ({"zorgkantoorregio": "ZK10"}, "zorgkantoorregio"),
])
def test_validation_names_row_and_column(values, column):
    frame = pd.DataFrame([_row(), _row(id="testpunt-twee", **values)])
    problems = schema.validate(frame, region="ZK23")
    assert [(p.row, p.column) for p in problems] == [(3, column)]
    assert problems[0].message


def test_validation_reports_duplicate_ids_on_every_row():
    problems = schema.validate(pd.DataFrame([_row(), _row()]))
    assert [(p.row, p.column) for p in problems] == [(2, "id"), (3, "id")]


def test_good_phone_numbers_pass():
    frame = pd.DataFrame([_row(phones="113; 0800-0113; 088 0767 000 (Depressielijn); 0900-1450; 035-6995710")])
    assert schema.validate(frame) == []


def test_validation_flags_likely_duplicates_by_name_and_address():
    frame = pd.DataFrame([_row(address_1="Voorbeeldstraat 1", city="Utrecht"),
                          _row(id="testpunt-twee", name="testpunt  voorbeeld", address_1="Voorbeeldstraat 1",
                               city="UTRECHT"),
                          _row(id="testpunt-drie", address_1="Voorbeeldstraat 2", city="Utrecht")])
    problems = schema.validate(frame)
    assert [str(p) for p in problems] == [
        "rij 2, kolom name: lijkt hetzelfde item als rij 3 (zelfde naam en adres)",
        "rij 3, kolom name: lijkt hetzelfde item als rij 2 (zelfde naam en adres)"]


def test_import_check_knows_the_rest_of_the_catalogue():
    from routekaart.catalogue.importing import check

    others = schema.normalise(pd.DataFrame([_row(id="testpunt-elders", zorgkantoorregio="ZK10",
                                                 address_1="Voorbeeldstraat 9", city="Den Haag")]))
    frame = pd.DataFrame([_row(id="testpunt-elders"),
                          _row(id="testpunt-kopie", address_1="Voorbeeldstraat 9", city="Den Haag")])
    assert [str(p) for p in check(frame, "ZK23", others)] == [
        "rij 2, kolom id: 'testpunt-elders' bestaat al in ZK10; kies een ander id",
        "rij 3, kolom name: lijkt hetzelfde item als 'testpunt-elders' (zelfde naam en adres)"]


def test_a_reload_places_only_what_changed_and_gets_the_same_answer(data):
    from routekaart import catalogue

    stored = data.store.read_all()
    before = catalogue.load(stored, data.geo)
    changed = stored.copy()
    moved = changed.index[changed["postal_code"].str.match(r"^\d{4}")][0]
    changed.loc[moved, ["postal_code", "city", "gemeente"]] = ["9711 AA", "Groningen", "Groningen"]
    changed.loc[changed.index[0], "city"] = "Nergensdorp"  # cannot be placed from its city
    new = changed.iloc[[1]].assign(id="testpunt-voorbeeld-nieuw", name="Testpunt Voorbeeld",
                                   postal_code="3511 AB", city="Utrecht", gemeente="Utrecht")
    changed = pd.concat([changed.drop(changed.index[5]), new], ignore_index=True)
    again = catalogue.load(changed, data.geo, before)
    fresh = catalogue.load(changed, data.geo)
    pd.testing.assert_frame_equal(again.entries, fresh.entries)
    assert sorted(map(str, again.unplaced)) == sorted(map(str, fresh.unplaced))
