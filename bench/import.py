"""Import time for 10,000 fictitious rows (files and PostGIS), and nearest-entry latency on PostGIS
(GiST KNN in the database) against the default in-memory backend.

Usage: python bench/import.py [--source ../shared/data/geo] [--rows 10000]
PostGIS parts run when DATABASE_URL is set (eval "$(bash .ci/postgres.sh start)"); they drop and
recreate the catalogue tables in that database.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def fictitious(n: int) -> pd.DataFrame:
    """n obviously made-up walk-ins around Utrecht, with their own coordinates."""
    from routekaart.catalogue.importing import OPTIONAL
    from routekaart.catalogue.schema import COLUMNS

    rng = np.random.default_rng(6)
    numbers = pd.Series(range(n)).map("{:05d}".format)
    frame = pd.DataFrame({column: "" for column in COLUMNS if column not in OPTIONAL}, index=range(n))
    return frame.assign(id="testpunt-" + numbers, name="Testpunt " + numbers, kind="steunpunt", status="active",
                        scope="lokaal", location_type="physical", city="Utrecht", gemeente="Utrecht",
                        audience_groups="volwassenen", source_url="https://voorbeeld.invalid/" + numbers,
                        latitude=(52.09 + rng.uniform(-0.08, 0.08, n)).round(5).astype(str),
                        longitude=(5.12 + rng.uniform(-0.12, 0.12, n)).round(5).astype(str))


def timed(label: str, work):
    started = time.perf_counter()
    result = work()
    print(f"  {label}: {time.perf_counter() - started:.2f} s")
    return result


def import_in_process(store, path: Path, geo) -> None:
    """The steps of `routekaart import --yes`, timed one by one."""
    from routekaart.catalogue import importing, placement

    frame = timed("read CSV", lambda: importing.read(path))
    catalogue = store.read_all()
    problems = timed("check every row", lambda: importing.check(frame, "ZK23", catalogue[catalogue["zorgkantoorregio"] != "ZK23"]))
    assert not problems, problems[:3]
    old = store.read_region("ZK23")
    new = importing.prepare(frame, "ZK23")
    change = timed("compare with the current region", lambda: importing.compare(old, new))
    placed = timed("place on the map", lambda: placement.place(importing.stamp(new, old, change, date.today()), geo)[0])
    timed("replace the region (atomic, old version kept)", lambda: store.replace_region("ZK23", placed))


def nearest_latency(app, codes: list[str]) -> np.ndarray:
    from routekaart import state
    from routekaart.postcodes import parse
    from routekaart.routing import Filters

    with app.app_context():
        router = state.get().router
    places = [router.resolve(parse(code)) for code in codes]
    timings = []
    for place in places:
        started = time.perf_counter()
        router.nearest(place, Filters())
        timings.append(time.perf_counter() - started)
    return np.array(timings) * 1000


def plan(url: str) -> str:
    """The first line of the nearest query's plan: it should be an index scan on entries_geom."""
    import psycopg

    from routekaart.catalogue.postgis import _NEAREST

    with psycopg.connect(url) as conn:
        rows = conn.execute("EXPLAIN " + _NEAREST, {"x": 136000, "y": 455000, "limit": 20, "max_m": None}).fetchall()
    return " / ".join(row[0].strip() for row in rows[:3])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", default=str(ROOT.parent / "shared" / "data" / "geo"))
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    url = os.environ.pop("DATABASE_URL", "")

    from routekaart import create_app
    from routekaart.catalogue.store import FileStore, open_store, replace_all
    from routekaart.geodata import dataset
    from routekaart.geodata.build import build

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        build(Path(args.source), tmp / "geodata")
        geo = dataset.load(tmp / "geodata")
        path = tmp / "groot.csv"
        fictitious(args.rows).to_csv(path, index=False)
        folder = tmp / "regions"
        shutil.copytree(ROOT / "regions", folder, ignore=shutil.ignore_patterns(".history"))
        codes = list(geo.pc4.index)

        backends = {"files": {"CATALOGUE_DIR": str(folder), "DATABASE_URL": ""}}
        if url:
            from routekaart.catalogue.postgis import drop_tables, migrate

            drop_tables(url)
            migrate(url)
            from routekaart.catalogue import placement

            replace_all(open_store({"DATABASE_URL": url}),
                        placement.place(FileStore(folder).read_all(), geo)[0])
            backends["postgis"] = {"CATALOGUE_DIR": str(folder), "DATABASE_URL": url}
        else:
            print("DATABASE_URL not set: PostGIS figures skipped.")

        for name, config in backends.items():
            app = create_app({"DATA_DIR": str(tmp / "geodata"), **config})
            ms = nearest_latency(app, codes)
            print(f"{name}, committed catalogue: nearest over {len(codes)} PC4s: "
                  f"p50 {np.percentile(ms, 50):.3f} ms, p99 {np.percentile(ms, 99):.3f} ms")

        for name, config in backends.items():
            print(f"{name}: import of {args.rows} rows into ZK23, in process")
            store = open_store(config)
            started = time.perf_counter()
            import_in_process(store, path, geo)
            print(f"  total: {time.perf_counter() - started:.2f} s")
            from routekaart.catalogue.store import rollback

            rollback(store, "ZK23")
            env = {**os.environ, "ROUTEKAART_DATA_DIR": str(tmp / "geodata"), "ROUTEKAART_CATALOGUE_DIR": str(folder),
                   "DATABASE_URL": config["DATABASE_URL"]}
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", "from routekaart.cli import main; main()", "import", str(path),
                            "--region", "ZK23", "--yes"], env=env, check=True, capture_output=True)
            print(f"  `routekaart import --yes` wall time (new process, dataset load included): "
                  f"{time.perf_counter() - started:.2f} s")
            app = create_app({"DATA_DIR": str(tmp / "geodata"), **config})
            ms = nearest_latency(app, codes)
            print(f"{name}, with {args.rows} extra walk-ins: nearest over {len(codes)} PC4s: "
                  f"p50 {np.percentile(ms, 50):.3f} ms, p99 {np.percentile(ms, 99):.3f} ms")
            if name == "postgis":
                print("  query plan: " + plan(url))


if __name__ == "__main__":
    main()
