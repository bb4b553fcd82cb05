"""A small, obviously fictitious catalogue around Utrecht, Amersfoort and the Veluwe, on the real
geodata: for tests of service areas, status, distances, audiences and hours."""
from __future__ import annotations

import pandas as pd

from routekaart import create_app, state
from routekaart.catalogue import files
from routekaart.catalogue.schema import normalise

SOURCE = "https://voorbeeld.invalid/bron"


def row(id: str, kind: str, region: str, **values) -> dict:
    walk_in = kind in ("steunpunt", "jongeren", "herstelacademie")
    return {"id": id, "name": id.replace("-", " ").title(), "kind": kind, "status": "active",
            "scope": "landelijk" if region == "landelijk" else "lokaal" if walk_in else "regionaal",
            "zorgkantoorregio": region, "location_type": "physical" if walk_in else "virtual",
            "audience_groups": "volwassenen", "source_url": SOURCE, **values}


ROWS = [
    # Networks: one for two gemeenten of Eemland, one planned for the city of Utrecht, one across a
    # region border (a ZK32 file entry that also serves Zeewolde in ZK07).
    row("testnetwerk-eemland", "mgn", "ZK23", service_area="Amersfoort; GM0327"),
    row("testnetwerk-utrecht-gepland", "mgn", "ZK23", status="planned", service_area="Utrecht"),
    row("testnetwerk-veluwe", "mgn", "ZK32", service_area="Harderwijk; Zeewolde"),
    # Waiting support for one gemeente, by default (local, with a gemeente) and given.
    row("testwacht-utrecht", "wachtverzachter", "ZK23", scope="lokaal", gemeente="Utrecht"),
    row("testwacht-nieuwegein", "wachtverzachter", "ZK23", service_area="Nieuwegein"),
    # Walk-ins in Utrecht: open, planned, stopped.
    row("testpunt-utrecht-open", "steunpunt", "ZK23", city="Utrecht", gemeente="Utrecht", postal_code="3511 ZZ"),
    row("testpunt-utrecht-gepland", "steunpunt", "ZK23", status="planned", city="Utrecht", gemeente="Utrecht",
        postal_code="3511 ZZ"),
    row("testpunt-utrecht-gestopt", "steunpunt", "ZK23", status="inactive", city="Utrecht", gemeente="Utrecht",
        postal_code="3511 ZZ"),
    # What the checklist's national steps and gaps use (by these ids).
    row("nl-mentale-gezondheidsnetwerken-programma", "informatie", "landelijk", name="Testprogramma Netwerken"),
    row("nl-wegvandewachtlijst", "informatie", "landelijk", name="Testsite Wachtlijst"),
    row("nl-poh-ggz-huisarts", "informatie", "landelijk", name="Testhuisarts"),
    row("nl-testlijn", "telefoon", "landelijk", name="Testlijn Voorbeeld", phones="0800-0113"),
]


def write(folder, rows: list[dict]) -> None:
    frame = normalise(pd.DataFrame(rows))
    for code, part in frame.groupby("zorgkantoorregio"):
        files.write_atomic(files.file_for(folder, code), part)


def app_with(tmp_path, geodata_dir, rows: list[dict] = ROWS):
    folder = tmp_path / "regions"
    folder.mkdir(parents=True)
    write(folder, rows)
    app = create_app({"TESTING": True, "DATA_DIR": str(geodata_dir), "CATALOGUE_DIR": str(folder), "TILES_URL": "",
                      "RATELIMIT_ENABLED": False, "PORTAL_DATABASE": str(tmp_path / "portal.sqlite3")})
    state.reload(app)
    return app
