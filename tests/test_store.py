"""Both catalogue backends (files and PostGIS) behind one interface: the same tests for each."""
import numpy as np
import pytest

from routekaart import ROOT, state
from routekaart.catalogue import files
from routekaart.catalogue.schema import COLUMNS
from routekaart.catalogue.store import NoHistory, rollback
from routekaart.postcodes import parse
from routekaart.routing import Filters, Router


def test_reads_the_committed_catalogue(store):
    assert store.read_all().equals(files.read_all(ROOT / "regions"))
    assert list(store.read_region("ZK23").columns) == COLUMNS
    assert (store.read_region("ZK23")["zorgkantoorregio"] == "ZK23").all()


def test_replace_keeps_the_old_version_and_rollback_restores_it(store):
    others = lambda: store.read_all().query("zorgkantoorregio != 'ZK23'").reset_index(drop=True)  # noqa: E731
    before, others_before = store.read_region("ZK23"), others()
    version = store.version()
    assert store.history("ZK23") == []
    changed = before.assign(name=before["name"] + " (gewijzigd)").iloc[1:]
    store.replace_region("ZK23", changed)
    assert store.version() != version
    assert store.read_region("ZK23").equals(changed.reset_index(drop=True))
    assert others().equals(others_before), "other regions untouched"
    [kept] = store.history("ZK23")
    assert kept.rows == len(before)

    restored = rollback(store, "ZK23")
    assert restored == kept
    assert store.read_region("ZK23").equals(before)
    # The rolled-back version was kept too: a rollback can be undone.
    assert [v.rows for v in store.history("ZK23")] == [len(changed), len(before)]
    rollback(store, "ZK23")
    assert store.read_region("ZK23").equals(changed.reset_index(drop=True))


def test_rollback_without_history_says_so(store):
    with pytest.raises(NoHistory):
        rollback(store, "ZK10")
    with pytest.raises(NoHistory):
        rollback(store, "ZK23", "12345")


def test_nearest_matches_the_in_memory_router(store, data):
    """With PostGIS the database answers (GiST KNN); the answer is the in-memory one."""
    entries = data.catalogue.entries
    router, memory = Router(data.geo, entries, store.nearest), Router(data.geo, entries)
    town = entries.loc[entries["kind"] == "steunpunt", "city"].dropna().mode()[0]  # a search few places pass
    filters = [Filters(), Filters(k=25), Filters(kinds=("jongeren",), k=3), Filters(max_km=15),
               Filters(audience="naasten", free=True), Filters(text=town.upper(), k=10)]
    for code in list(data.geo.pc4.index)[::97]:
        place = router.resolve(parse(code))
        for f in filters:
            ours, theirs = router.nearest(place, f), memory.nearest(place, f)
            assert np.allclose(ours.km, theirs.km, atol=1e-6), (code, f)
            gaps = np.abs(theirs.km[:, None] - theirs.km[None, :]) + np.eye(len(theirs.km))
            # Entries at the same distance may come in either order, or either be the k-th.
            unique = (gaps > 1e-6).all(axis=1) & (theirs.km < theirs.km.max(initial=0) - 1e-6)
            assert list(ours.rows[unique]) == list(theirs.rows[unique])


def test_the_app_notices_a_new_catalogue_version(store_app, store, monkeypatch):
    monkeypatch.setattr(state, "CHECK_SECONDS", 0.0)
    with store_app.app_context():
        first = state.get()
        assert state.get() is first, "no change, no reload"
        region = store.read_region("ZK23")
        store.replace_region("ZK23", region.assign(name=region["name"].where(region.index != 0, "Testpunt Nieuw")))
        second = state.get()
        assert second is not first and second.geo is first.geo
        assert "Testpunt Nieuw" in set(second.catalogue.entries["name"])


def test_a_reload_reads_only_the_changed_region_and_equals_a_full_read(store_app, store, monkeypatch):
    monkeypatch.setattr(state, "CHECK_SECONDS", 0.0)
    with store_app.app_context():
        first = state.get()
        region = store.read_region("ZK23")
        store.replace_region("ZK23", region.iloc[1:].assign(name=region["name"].iloc[1:] + " (Testwijziging)"))
        reads = []
        monkeypatch.setattr(first.store, "read_all", lambda: reads.append("all"))
        real_region = first.store.read_region
        monkeypatch.setattr(first.store, "read_region", lambda code: reads.append(code) or real_region(code))
        second = state.get()
        assert reads == ["ZK23"]
        monkeypatch.undo()
        assert second.catalogue.entries[COLUMNS].equals(store.read_all())
        fresh = state.load(store_app.config, first.geo).catalogue.entries
        worked_out = ["lat", "lon", "x", "y", "geo_precision", "area_codes", "area_names", "area_basis"]
        assert second.catalogue.entries[worked_out].equals(fresh[worked_out]), "as a fresh load works it out"
        assert len(second.catalogue.entries) == len(first.catalogue.entries) - 1
        kept = second.catalogue.entries.query("zorgkantoorregio != 'ZK23'")
        assert kept[["x", "y"]].equals(first.catalogue.entries.query("zorgkantoorregio != 'ZK23'")[["x", "y"]]
                                       .set_axis(kept.index)), "unchanged entries keep their place"
