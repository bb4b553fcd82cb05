"""`routekaart import`, `data stale|verify|history|rollback` and `export`, through the CLI, on both
backends. Fixture rows are fictitious (testpunt-..., voorbeeld.invalid)."""
import hashlib
import json
from datetime import date

import pandas as pd
import pytest
from openpyxl import Workbook

from routekaart import state
from routekaart.catalogue.schema import COLUMNS

TODAY = date.today().isoformat()
NEW = {"id": "testpunt-utrecht-nieuw", "name": "Testpunt Utrecht Nieuw", "kind": "steunpunt", "status": "active",
       "scope": "lokaal", "location_type": "physical", "address_1": "Voorbeeldstraat 1", "postal_code": "3511 AB",
       "city": "Utrecht", "gemeente": "Utrecht", "latitude": "52.0800", "longitude": "5.1000",
       "phones": "030-0000000", "source_url": "https://voorbeeld.invalid/testpunt"}


def snapshot(store) -> str:
    """A checksum of everything stored plus the store's version: equal means nothing was written."""
    return hashlib.sha256(store.read_all().to_csv().encode()).hexdigest() + repr(store.version())


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=[str(a) for a in args], input=input)


def region_file(store, tmp_path, change=None, name="zk23.csv"):
    """ZK23 as a coordinator would export it, optionally changed by `change(frame)`."""
    frame = store.read_region("ZK23").drop(columns=["zorgkantoorregio", "last_edited"])
    frame = change(frame) if change else frame
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path, frame


def edited(frame):
    frame = frame.copy()
    frame.loc[frame.index[0], "schedule_note"] = "ma-vr 10-16 uur (test)"
    return pd.concat([frame.iloc[:-1], pd.DataFrame([NEW])], ignore_index=True).fillna("")


def test_import_shows_the_change_and_stamps_last_edited(store_app, store, tmp_path):
    before = store.read_region("ZK23")
    path, frame = region_file(store, tmp_path, edited)
    changed_id, removed_id = before["id"].iloc[0], before["id"].iloc[-1]
    result = run(store_app, "import", path, "--region", "ZK23", "--yes")
    assert result.exit_code == 0, result.output
    assert f"nieuw: 1 ({NEW['id']})" in result.output
    assert f"gewijzigd: 1 ({changed_id})" in result.output
    assert f"verwijderd: 1 ({removed_id})" in result.output
    after = store.read_region("ZK23").set_index("id")
    assert after.at[NEW["id"], "last_edited"] == TODAY
    assert after.at[changed_id, "last_edited"] == TODAY
    kept = after.drop([NEW["id"], changed_id]).index
    assert after.loc[kept, "last_edited"].equals(before.set_index("id").loc[kept, "last_edited"]), \
        "unchanged rows keep theirs"
    assert removed_id not in after.index
    assert after.at[changed_id, "last_verified"] == before.set_index("id").at[changed_id, "last_verified"]
    # Never geocoded: the row keeps its own coordinates, and the map uses them.
    assert (after.at[NEW["id"], "latitude"], after.at[NEW["id"], "longitude"]) == ("52.0800", "5.1000")
    with store_app.app_context():
        entries = state.get().catalogue.entries.set_index("id")
    assert entries.at[NEW["id"], "geo_precision"] == "source" and entries.at[NEW["id"], "lat"] == 52.08


def test_the_same_file_twice_changes_nothing(store_app, store, tmp_path):
    path, _ = region_file(store, tmp_path)
    before = snapshot(store)
    result = run(store_app, "import", path, "--region", "ZK23", "--yes")
    assert result.exit_code == 0 and "Geen wijzigingen" in result.output
    assert snapshot(store) == before


def test_import_asks_before_replacing(store_app, store, tmp_path):
    path, _ = region_file(store, tmp_path, edited)
    before = snapshot(store)
    for answer in ("nee\n", "\n", "misschien\nn\n"):
        result = run(store_app, "import", path, "--region", "ZK23", input=answer)
        assert result.exit_code != 0 and "vervangen?" in result.output and "niets veranderd" in result.output
        assert snapshot(store) == before
    assert run(store_app, "import", path, "--region", "ZK23", input="ja\n").exit_code == 0
    assert snapshot(store) != before


def _xlsx(frame, path, merge=None):
    book = Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append(list(row))
    if merge:
        sheet.merge_cells(merge)
    book.save(path)


def _geojson(frame, path):
    features = [{"type": "Feature", "properties": row, "geometry": None} for row in frame.to_dict("records")]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")


WRITERS = {"xlsx": _xlsx, "geojson": _geojson,
           "csv": lambda frame, path: path.write_bytes(frame.to_csv(index=False, sep=";").encode("utf-8-sig"))}


@pytest.mark.parametrize("suffix", WRITERS)
def test_xlsx_geojson_and_dutch_excel_csv_give_the_same_result(store_app, store, tmp_path, suffix):
    """Dutch Excel saves CSV with ; and a byte-order mark."""
    _, frame = region_file(store, tmp_path, edited)
    path = tmp_path / f"zk23-andere-vorm.{suffix}"
    WRITERS[suffix](frame, path)
    result = run(store_app, "import", path, "--region", "ZK23", "--yes")
    assert result.exit_code == 0, result.output
    assert "nieuw: 1" in result.output and "gewijzigd: 1" in result.output and "verwijderd: 1" in result.output


def test_a_geojson_point_gives_the_coordinates_when_the_file_has_none(store_app, store, tmp_path):
    row = {k: v for k, v in NEW.items() if k not in ("latitude", "longitude")}
    frame = pd.concat([store.read_region("ZK23").drop(columns=["zorgkantoorregio", "last_edited",
                                                                "latitude", "longitude"]),
                       pd.DataFrame([row])]).fillna("")
    features = [{"type": "Feature", "properties": r,
                 "geometry": {"type": "Point", "coordinates": [5.1, 52.08]} if r["id"] == NEW["id"] else None}
                for r in frame.to_dict("records")]
    path = tmp_path / "zk23.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    assert run(store_app, "import", path, "--region", "ZK23", "--yes").exit_code == 0
    after = store.read_region("ZK23").set_index("id")
    assert (after.at[NEW["id"], "latitude"], after.at[NEW["id"], "longitude"]) == ("52.08", "5.1")


def _thousand_rows_one_bad():
    rows = pd.DataFrame({column: "" for column in COLUMNS if column not in ("zorgkantoorregio", "last_edited")},
                        index=range(1000))
    numbers = pd.Series(range(1000)).map("{:04d}".format)
    rows = rows.assign(id="testpunt-" + numbers, name="Testpunt " + numbers, kind="informatie", scope="regionaal",
                       location_type="virtual", source_url="https://voorbeeld.invalid/" + numbers)
    rows.loc[617, "phones"] = "020-12"
    return rows


def _write_bad(kind, store, tmp_path):
    path = tmp_path / "bad.csv"
    current = store.read_region("ZK23").drop(columns=["zorgkantoorregio", "last_edited"])
    if kind == "encoding":
        path.write_bytes(current.assign(name="Café Testpunt").to_csv(index=False).encode("cp1252"))
    elif kind == "missing columns":
        current.drop(columns=["phones", "source_url"]).to_csv(path, index=False)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "header only":
        current.iloc[:0].to_csv(path, index=False)
    elif kind == "merged cells":
        path = tmp_path / "bad.xlsx"
        _xlsx(current, path, merge="B3:C3")
    elif kind == "not excel":
        path = tmp_path / "bad.xlsx"
        path.write_text("dit is geen excel")
    elif kind == "one bad row in 1000":
        _thousand_rows_one_bad().to_csv(path, index=False)
    return path


@pytest.mark.parametrize("kind, message", [
    ("encoding", "UTF-8"),
    ("missing columns", "kolommen ontbreken: phones, source_url"),
    ("empty", "Het bestand is leeg"),
    ("header only", "geen rijen"),
    ("merged cells", "samengevoegde cellen (B3:C3)"),
    ("not excel", "geen leesbaar Excel-bestand"),
    ("one bad row in 1000", "rij 619, kolom phones: '020-12' is geen Nederlands telefoonnummer"),
])
def test_a_bad_file_changes_nothing(store_app, store, tmp_path, kind, message):
    path = _write_bad(kind, store, tmp_path)
    before = snapshot(store)
    result = run(store_app, "import", path, "--region", "ZK23", "--yes")
    assert result.exit_code != 0
    assert message in result.output
    assert "niets veranderd" in result.output
    assert snapshot(store) == before


def test_every_problem_is_reported_at_once(store_app, store, tmp_path):
    everything = store.read_all()
    elsewhere = everything[everything["zorgkantoorregio"] != "ZK23"].iloc[0]  # an id another region holds

    def break_rows(frame):
        frame = pd.concat([frame, pd.DataFrame([NEW, {**NEW, "id": "testpunt-twee"}])], ignore_index=True).fillna("")
        frame.loc[0, "postal_code"] = "1234"
        frame.loc[1, "email"] = "geen-adres"
        frame.loc[2, ["latitude", "longitude"]] = ["48.85", "2.35"]
        frame.loc[3, "id"] = elsewhere["id"]
        frame.loc[4, "kind"] = "kroeg"
        return frame
    path, frame = region_file(store, tmp_path, break_rows)
    before = snapshot(store)
    result = run(store_app, "import", path, "--region", "ZK23", "--yes")
    assert result.exit_code != 0 and snapshot(store) == before
    n = len(frame)
    for expected in ["rij 2, kolom postal_code: '1234' is geen geldige postcode",
                     "rij 3, kolom email: 'geen-adres' is geen e-mailadres",
                     "rij 4, kolom latitude: deze coördinaten liggen niet in Nederland",
                     f"rij 5, kolom id: '{elsewhere['id']}' bestaat al in {elsewhere['zorgkantoorregio']}",
                     "rij 6, kolom kind: onbekende soort 'kroeg'",
                     f"rij {n}, kolom name: lijkt hetzelfde item als rij {n + 1} (zelfde naam en adres)",
                     f"rij {n + 1}, kolom name: lijkt hetzelfde item als rij {n} (zelfde naam en adres)"]:
        assert expected in result.output


def test_skip_invalid_writes_the_good_rows_and_a_rejects_file(store_app, store, tmp_path):
    path = tmp_path / "veel.csv"
    _thousand_rows_one_bad().to_csv(path, index=False)
    result = run(store_app, "import", path, "--region", "ZK23", "--yes", "--skip-invalid")
    assert result.exit_code == 0, result.output
    stored = store.read_region("ZK23")
    assert len(stored) == 999 and "testpunt-0617" not in set(stored["id"])
    rejects = pd.read_csv(tmp_path / "veel-afgewezen.csv", dtype=str, keep_default_na=False)
    assert list(rejects["id"]) == ["testpunt-0617"]
    assert "geen Nederlands telefoonnummer" in rejects.at[0, "problemen"]


def test_skip_invalid_with_no_good_row_changes_nothing(store_app, store, tmp_path):
    path, _ = region_file(store, tmp_path, lambda frame: frame.assign(kind="kroeg"))
    before = snapshot(store)
    result = run(store_app, "import", path, "--region", "ZK23", "--yes", "--skip-invalid")
    assert result.exit_code != 0 and "Geen enkele rij is goed" in result.output
    assert snapshot(store) == before


def test_unknown_region_is_refused(store_app, store, tmp_path):
    path, _ = region_file(store, tmp_path)
    assert "Onbekende regio" in run(store_app, "import", path, "--region", "ZK99").output
    assert run(store_app, "import", path).exit_code != 0


def test_history_and_rollback_through_the_cli(store_app, store, tmp_path):
    before = store.read_region("ZK23")
    assert "Geen eerdere versies" in run(store_app, "data", "history", "--region", "ZK23").output
    path, _ = region_file(store, tmp_path, edited)
    run(store_app, "import", path, "--region", "ZK23", "--yes")
    history = run(store_app, "data", "history", "--region", "ZK23").output
    assert f"{len(before)} items" in history
    result = run(store_app, "data", "rollback", "--region", "ZK23")
    assert result.exit_code == 0 and "teruggezet" in result.output
    assert store.read_region("ZK23").equals(before)
    assert run(store_app, "data", "rollback", "--region", "ZK10").exit_code != 0


def test_stale_and_verify(store_app, store):
    entry, edited_on = store.read_region("ZK23")[["id", "last_edited"]].iloc[0]
    stale = run(store_app, "data", "stale", "--months", "12").output
    assert "ZK23:" in stale and entry in stale
    result = run(store_app, "data", "verify", entry, "--by", "coordinator@voorbeeld.invalid")
    assert result.exit_code == 0, result.output
    row = store.read_region("ZK23").set_index("id").loc[entry]
    assert (row["last_verified"], row["verified_by"], row["last_edited"]) == (TODAY, "coordinator@voorbeeld.invalid",
                                                                               edited_on), "a check is no edit"
    assert f"  {entry} " not in run(store_app, "data", "stale", "--months", "12").output
    assert run(store_app, "data", "verify", entry, "--by", "geen-adres").exit_code != 0
    assert run(store_app, "data", "verify", "testpunt-bestaat-niet", "--by", "a@voorbeeld.invalid").exit_code != 0
