"""Files we write keep the mode of the file they replace, and a new file follows the umask (a
temporary file from mkstemp would make every one 0600, unreadable for an app running as another user)."""
import os
import stat

import pandas as pd
import pytest

from routekaart.catalogue import export, files, schema
from routekaart.catalogue.store import FileStore, rollback

ROW = {"id": "testpunt-voorbeeld", "name": "Testpunt Voorbeeld", "kind": "steunpunt", "scope": "lokaal",
       "source_url": "https://voorbeeld.invalid/bron", "zorgkantoorregio": "ZK23"}


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture()
def umask():
    previous = os.umask(0o027)  # new files 0640: neither mkstemp's 0600 nor the usual 0644
    yield 0o640
    os.umask(previous)


def test_import_and_rollback_keep_the_region_file_mode(tmp_path, umask):
    store = FileStore(tmp_path)
    frame = schema.normalise(pd.DataFrame([ROW]))
    store.replace_region("ZK23", frame)
    path = files.region_files(tmp_path)["ZK23"]
    assert mode(path) == umask
    path.chmod(0o644)
    store.replace_region("ZK23", frame.assign(name="Testpunt Anders"))
    assert mode(path) == 0o644
    assert [mode(kept) for kept in (tmp_path / ".history" / "ZK23").glob("*.csv")] == [umask]
    rollback(store, "ZK23")
    assert mode(path) == 0o644 and store.read_region("ZK23")["name"].tolist() == ["Testpunt Voorbeeld"]


def test_exports_follow_the_umask_and_keep_a_replaced_file_mode(tmp_path, data, umask):
    entries = schema.normalise(pd.DataFrame([ROW]))
    out = tmp_path / "alles.csv"
    export.write_csv(entries, out)
    assert mode(out) == umask
    out.chmod(0o604)
    export.write_csv(entries, out)
    assert mode(out) == 0o604
    written = export.write_hsds(entries, tmp_path / "hsds", data.geo)
    assert {mode(path) for path in written} == {umask}


def test_a_stricter_umask_is_followed_too(tmp_path):
    previous = os.umask(0o077)
    try:
        export.write_csv(schema.normalise(pd.DataFrame([ROW])), tmp_path / "alles.csv")
    finally:
        os.umask(previous)
    assert mode(tmp_path / "alles.csv") == 0o600
