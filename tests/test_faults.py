"""Fault injection: an import killed with SIGKILL at a random moment leaves the old data or the
new, exactly, never a mix (files: atomic replace; PostGIS: one transaction)."""
import os
import random
import signal
import subprocess
import sys
import time

from routekaart.catalogue.store import rollback

from .test_import import _thousand_rows_one_bad

KILLS = 20


def _data(store) -> str:
    return store.read_all().to_csv()


def test_a_killed_import_leaves_old_or_new(store_config, store, geodata_dir, tmp_path):
    path = tmp_path / "groot.csv"
    rows = _thousand_rows_one_bad()
    rows.loc[617, "phones"] = ""
    rows.to_csv(path, index=False)
    env = {**os.environ, "ROUTEKAART_CATALOGUE_DIR": store_config["CATALOGUE_DIR"],
           "ROUTEKAART_DATA_DIR": str(geodata_dir), "DATABASE_URL": store_config["DATABASE_URL"]}
    command = [sys.executable, "-c", "from routekaart.cli import main; main()",
               "import", str(path), "--region", "ZK23", "--yes"]

    old = _data(store)
    started = time.monotonic()
    subprocess.run(command, env=env, check=True, capture_output=True)
    duration = time.monotonic() - started
    new = _data(store)
    assert new != old
    rollback(store, "ZK23")
    assert _data(store) == old

    rng = random.Random(6)
    outcomes = []
    for _ in range(KILLS):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Mostly late in the run, where the writing happens; sometimes after it ended.
        time.sleep(rng.uniform(0.4, 1.1) * duration)
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = _data(store)
        assert now in (old, new)
        outcomes.append("new" if now == new else "old")
        if now == new:
            rollback(store, "ZK23")
            assert _data(store) == old
    print(f"after {KILLS} kills: {outcomes.count('old')} old, {outcomes.count('new')} new")
