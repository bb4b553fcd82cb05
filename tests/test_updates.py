"""`routekaart catalogue apply-updates`: sourced facts and new entries go into the catalogue with
their provenance, all or nothing, once; a held-back row stays off the public pages."""
from datetime import date

import pandas as pd
import pytest

from routekaart import state
from routekaart.catalogue import files, updates

from .fictitious_catalogue import ROWS, app_with

FACT_HEADER = ",".join(updates.FACT_COLUMNS)
SEED_HEADER = ("id,name,kind,organisation,summary_nl,street,housenumber,postcode,city,gemeente,lat,lon,phone,email,"
               "website,opening_hours,audience,cost,referral_needed,scope,zk_region,source_url,source_seen,notes")
FACTS = f"""{FACT_HEADER}
testwacht-nieuwegein,service_area_gemeenten,Nieuwegein; Houten,https://voorbeeld.invalid/wacht,2026-01,werkt in Nieuwegein en Houten
testwacht-nieuwegein,phones,030-1234567,https://voorbeeld.invalid/wacht,unknown,bel 030-1234567
testpunt-utrecht-open,address_1,Proefstraat 1,https://voorbeeld.invalid/punt,2020-05,aan de Proefstraat 1
testpunt-utrecht-open,address_1,Proefstraat 2,https://voorbeeld.invalid/punt-nieuw,2024-05,verhuisd naar Proefstraat 2
testpunt-utrecht-open,status_note,In 2024 nog open.,https://voorbeeld.invalid/punt-nieuw,2024-05,nog open
testpunt-utrecht-open,schedule,elke dinsdagmiddag (stand 2024),https://voorbeeld.invalid/punt-nieuw,2024-05,dinsdagmiddag
"""
NEW = f"""{SEED_HEADER}
testnetwerk-houten,Testnetwerk Houten,mgn,Gemeente Voorbeeld,Een verzonnen netwerk.,,,,Houten,Houten,,,,,,,inwoners,,,regionaal,ZK23,https://voorbeeld.invalid/houten,2026-02,Verzonnen.
testnetwerk-twijfel,Testnetwerk Twijfel,mgn,onbekend,Niet bevestigd.,,,,,,,,,,,,inwoners,,,regionaal,ZK23,https://voorbeeld.invalid/twijfel,,Niet gecontroleerd.
"""
JUDGED = updates.Judgements(hold={"testnetwerk-twijfel": "niet gecontroleerd"}, planned=frozenset({"testnetwerk-houten"}),
                            phone_labels={"030-1234567": "030-1234567 (testcentrale)"})


@pytest.fixture()
def batch(tmp_path):
    folder = tmp_path / "updates-test"
    folder.mkdir()
    (folder / "enrichment_test.csv").write_text(FACTS, encoding="utf-8")
    (folder / "mgn_test.csv").write_text(NEW, encoding="utf-8")
    (folder / "NOTES_test.md").write_text("# Verzonnen notities\n", encoding="utf-8")
    return folder


@pytest.fixture()
def made(tmp_path, geodata_dir, monkeypatch):
    monkeypatch.setitem(updates.JUDGEMENTS, "updates-test", JUDGED)
    return app_with(tmp_path / "catalogue", geodata_dir)


def _entry(app, entry_id: str) -> dict:
    folder = app.config["CATALOGUE_DIR"]
    entries = files.read_all(folder)
    return entries[entries["id"] == entry_id].iloc[0].to_dict()


def test_facts_and_new_entries_are_applied_with_their_sources_once(made, batch):
    runner = made.test_cli_runner()
    result = runner.invoke(args=["catalogue", "apply-updates", str(batch)])
    assert result.exit_code == 0, result.output
    wacht = _entry(made, "testwacht-nieuwegein")
    assert wacht["service_area"] == "Nieuwegein; Houten" and wacht["phones"] == "030-1234567 (testcentrale)"
    assert wacht["last_edited"] == date.today().isoformat()
    punt = _entry(made, "testpunt-utrecht-open")
    assert punt["address_1"] == "Proefstraat 2", "the newest source wins"
    assert "Status (2024-05, https://voorbeeld.invalid/punt-nieuw): In 2024 nog open." in punt["notes"]
    assert punt["schedule_note"] == "elke dinsdagmiddag (stand 2024)"
    houten = _entry(made, "testnetwerk-houten")
    assert houten["status"] == "planned" and houten["zorgkantoorregio"] == "ZK23"
    assert "testnetwerk-twijfel" not in set(files.read_all(made.config["CATALOGUE_DIR"])["id"])

    provenance = made.config["CATALOGUE_DIR"] + "/provenance"
    log = pd.read_csv(f"{provenance}/updates.csv", dtype=str, keep_default_na=False)
    assert len(log) == 8 and set(log["batch"]) == {"updates-test"}
    held = log[log["decision"] == updates.HELD]
    assert held["id"].tolist() == ["testnetwerk-twijfel"] and held["reason"].tolist() == ["niet gecontroleerd"]
    first = log[(log["id"] == "testpunt-utrecht-open") & (log["value"] == "Proefstraat 1")].iloc[0]
    assert first["source_url"] == "https://voorbeeld.invalid/punt" and first["quote"] == "aan de Proefstraat 1"
    assert (batch / "NOTES_test.md").read_text() == open(f"{provenance}/NOTES_test.md").read()
    assert "werkgebied" in result.output and "ZK23" in result.output  # the before→after table

    with made.app_context():  # the site serves it: Houten is served by the wait support now
        state.reload(made)
        router = state.get().router
        from routekaart.postcodes import parse

        assert "testwacht-nieuwegein" in [e["id"] for e in router.records(router.lookup(parse("3991")).regional)]

    again = runner.invoke(args=["catalogue", "apply-updates", str(batch)])
    assert again.exit_code == 0 and "0 regio's bijgewerkt" in again.output
    assert len(pd.read_csv(f"{provenance}/updates.csv", dtype=str)) == 8, "a second run logs nothing twice"


@pytest.mark.parametrize("line, message", [
    ("testwacht-utrecht,service_area_gemeenten,Nergenshuizen,https://voorbeeld.invalid/x,,x", "Nergenshuizen"),
    ("testpunt-bestaat-niet,phones,030-1234567,https://voorbeeld.invalid/x,,x", "testpunt-bestaat-niet"),
    ("testwacht-nieuwegein,kleur,blauw,https://voorbeeld.invalid/x,,x", "kleur"),
    ("testwacht-utrecht,phones,12,https://voorbeeld.invalid/x,,x", "telefoonnummer"),
])
def test_a_bad_fact_changes_nothing(made, batch, line, message):
    (batch / "enrichment_test.csv").write_text(FACTS + line + "\n", encoding="utf-8")
    before = files.read_all(made.config["CATALOGUE_DIR"])
    result = made.test_cli_runner().invoke(args=["catalogue", "apply-updates", str(batch)])
    assert result.exit_code != 0 and message in result.output and "niets veranderd" in result.output
    pd.testing.assert_frame_equal(files.read_all(made.config["CATALOGUE_DIR"]), before)
    assert not (batch.parent / "catalogue" / "regions" / "provenance" / "updates.csv").exists()


def test_counts_say_per_region_what_has_an_area_hours_address_and_phone():
    from routekaart.catalogue.schema import normalise

    frame = normalise(pd.DataFrame(ROWS))
    table = updates.counts(frame)
    assert table.loc["ZK23", "items"] == 7 and table.loc["ZK23", "werkgebied"] == 3
    assert table.loc["samen", "items"] == len(ROWS) and table.loc["landelijk", "telefoon"] == 1
    changed = updates.before_after(frame, frame.assign(phones="113"))
    assert changed.loc["ZK23", "telefoon"] == "0→7" and changed.loc["ZK23", "werkgebied"] == "3→3"
