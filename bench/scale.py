"""A national catalogue: the app with 2,000 / 10,000 / 50,000 extra, obviously fictitious walk-ins.

Usage: python bench/scale.py [--sizes 0,2000,10000,50000] [--gunicorn 50000] [--load-seconds 12]
       [--source ../shared/data/geo]
Each extra entry is a "Testplek" (fictitious, example.org) at a real PC4 point, written into a
temporary copy of regions/ that the app reads through ROUTEKAART_CATALOGUE_DIR. Prints, per size:
start-up (load + place) and the page-part warm-up in a fresh process with its RSS, the nearest
walk-ins over every PC4, the route page, the ZK23 sheet (HTML and PDF pages) and the size of the
region coverage page and API; then, for the --gunicorn size, production start-up under gunicorn
until /healthz answers with each worker's RSS, and bench/load.py's throughput ratios; with
DATABASE_URL (a throwaway database), PostGIS at the --postgis size: `db load`, the nearest
query's plan, and a worker's reload after an import.
Targets (issue 18, at 50,000): start-up until /healthz < 15 s, worker RSS < 400 MB, lookup and
route page p50 at most twice today's, the ZK23 sheet at most 2 pages in < 5 s, /dekking/ZK23 < 500 KB.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGION = "ZK23"
KINDS = ["steunpunt"] * 6 + ["herstelacademie"] * 2 + ["jongeren"] * 2  # walk-in kinds, roughly as in regions/


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_catalogue(folder: Path, extra: int, data_dir: Path) -> None:
    """A copy of regions/ with `extra` fictitious walk-ins added, each at a real PC4 (random, fixed seed)."""
    import numpy as np
    import pandas as pd

    from routekaart.catalogue import files
    from routekaart.geodata.dataset import load

    shutil.copytree(ROOT / "regions", folder, ignore=shutil.ignore_patterns(".history"))
    if not extra:
        return
    pc4 = load(data_dir).pc4
    rng = np.random.default_rng(18)
    at = pc4.iloc[rng.integers(0, len(pc4), extra)]
    number = pd.Series(range(1, extra + 1)).map("{:05d}".format).to_numpy()
    rows = pd.DataFrame({
        "id": "testplek-" + number, "name": "Testplek " + number + " (fictief)",
        "kind": rng.choice(KINDS, extra), "status": "active", "organization": "Stichting Testplek Voorbeeld",
        "description": "Fictief item voor een meting met een grote catalogus. Deze plek bestaat niet.",
        "audience_groups": "volwassenen", "free": "ja", "referral_needed": "nee", "scope": "lokaal",
        "zorgkantoorregio": at["region_code"].to_numpy(), "location_type": "physical",
        "address_1": "Teststraat " + pd.Series(rng.integers(1, 200, extra)).astype(str).to_numpy(),
        "postal_code": at.index.to_numpy() + " ZZ", "city": at["place"].to_numpy(),
        "gemeente": at["gemeente"].to_numpy(), "source_url": "https://example.org/testplek",
    })
    for code, group in rows.groupby("zorgkantoorregio"):
        path = files.file_for(folder, code)
        existing = files.read_file(path) if path.exists() else None
        files.write_atomic(path, group if existing is None else pd.concat([existing, group], ignore_index=True))


def in_process(data_dir: Path, catalogue: Path) -> dict:
    """Run in a fresh interpreter (so the RSS is this size's own): the in-process figures."""
    import numpy as np
    from pypdf import PdfReader

    started = time.perf_counter()
    from routekaart import create_app, state
    from routekaart.postcodes import parse
    from routekaart.routing import Filters
    from routekaart.web import warm

    app = create_app({"DATA_DIR": str(data_dir), "CATALOGUE_DIR": str(catalogue), "DATABASE_URL": "",
                      "TILES_URL": "", "RATELIMIT_ENABLED": False})  # the files, whatever the environment says
    with app.app_context():
        data = state.get()
    out = {"startup_s": time.perf_counter() - started, "rss_start": rss_mb(),
           "entries": len(data.catalogue.entries)}
    started = time.perf_counter()
    warm(app)
    out.update(warm_s=time.perf_counter() - started, rss_warm=rss_mb())

    router, codes = data.router, list(data.geo.pc4.index)
    timings = []
    for code in codes:
        place = router.resolve(parse(code))
        began = time.perf_counter()
        router.nearest(place, Filters())
        timings.append(time.perf_counter() - began)
    ms = np.array(timings) * 1000
    out.update(nearest_p50=np.percentile(ms, 50), nearest_p99=np.percentile(ms, 99))

    client = app.test_client()
    sample = np.random.default_rng(3).choice(codes, 200, replace=False)
    for label, path in [("route", "/route/{}"), ("lookup", "/api/v1/lookup?postcode={}")]:
        client.get(path.format(sample[0]))
        for visit in ("", "_again"):  # a first visit makes the entries shown; again, they are kept
            timings = []
            for code in sample:
                began = time.perf_counter()
                assert client.get(path.format(code)).status_code == 200
                timings.append(time.perf_counter() - began)
            out[f"{label}{visit}_p50"] = float(np.percentile(np.array(timings) * 1000, 50))

    began = time.perf_counter()
    sheet = client.get(f"/regio/{REGION}/checklist")
    out.update(sheet_s=time.perf_counter() - began, sheet_kb=len(sheet.data) / 1024)
    began = time.perf_counter()
    pdf = client.get(f"/regio/{REGION}/checklist.pdf")
    out.update(pdf_s=time.perf_counter() - began, pdf_pages=len(PdfReader(io.BytesIO(pdf.data)).pages))
    for label, path in [("dekking_kb", f"/dekking/{REGION}"), ("coverage_kb", f"/api/v1/coverage/{REGION}")]:
        response = client.get(path)
        assert response.status_code == 200, path
        out[label] = len(response.data) / 1024
    out["rss_end"] = rss_mb()
    return out


def under_gunicorn(data_dir: Path, catalogue: Path, workers: int) -> dict:
    """Production start-up: gunicorn.conf.py from the command until /healthz answers, then each worker's RSS."""
    from load import free_port, gunicorn, worker_rss

    port = free_port()
    env = {**os.environ, "DATABASE_URL": "", "ROUTEKAART_ENV": "production",
           "ROUTEKAART_SECRET_KEY": os.urandom(24).hex(),
           "ROUTEKAART_DATA_DIR": str(data_dir), "ROUTEKAART_CATALOGUE_DIR": str(catalogue),
           "ROUTEKAART_BIND": f"127.0.0.1:{port}", "ROUTEKAART_WORKERS": str(workers),
           "ROUTEKAART_PUBLIC_URL": "http://127.0.0.1"}
    started = time.perf_counter()
    server = gunicorn(env, port)
    ready = time.perf_counter() - started
    try:
        time.sleep(2)
        return {"ready_s": ready, "workers_rss": list(worker_rss(server.pid).values())}
    finally:
        server.terminate()
        server.wait(timeout=60)


def postgis(data_dir: Path, catalogue: Path, url: str) -> dict:
    """At this size in PostGIS (a throwaway database: its tables are dropped): `db load`, the
    nearest query's plan, and a worker's reload after an import (the store's version changed)."""
    import numpy as np
    import psycopg

    from routekaart import create_app, state
    from routekaart.catalogue.postgis import _NEAREST, PostgisStore, drop_tables, migrate

    drop_tables(url)
    migrate(url)
    app = create_app({"DATA_DIR": str(data_dir), "CATALOGUE_DIR": str(catalogue), "DATABASE_URL": url,
                      "TILES_URL": "", "RATELIMIT_ENABLED": False})
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["db", "load"])
    assert result.exit_code == 0, result.output
    out = {"db_load_s": time.perf_counter() - started}
    store = PostgisStore(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE entries")
        plan = "\n".join(row[0] for row in conn.execute(
            "EXPLAIN ANALYZE " + _NEAREST, {"x": 136000, "y": 455000, "limit": 20, "max_m": None}))
    out["index_scan"] = "Index Scan using entries_geom" in plan and "Seq Scan" not in plan
    with app.app_context():
        data = state.get()
        points = data.geo.pc4.sample(200, random_state=1)
        timings = []
        for x, y in zip(points["x"], points["y"]):
            began = time.perf_counter()
            store.nearest(x, y, 20, None)
            timings.append(time.perf_counter() - began)
        out["nearest_db_p50"] = float(np.percentile(np.array(timings) * 1000, 50))
        store.replace_region(REGION, store.read_region(REGION))  # an import: the version changes
        time.sleep(state.CHECK_SECONDS + 0.1)
        began = time.perf_counter()
        assert state.get() is not data
        out["reload_s"] = time.perf_counter() - began
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="0,2000,10000,50000")
    parser.add_argument("--gunicorn", type=int, default=50000, help="size for the gunicorn figures; 0: none")
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--load-seconds", type=int, default=12, help="bench/load.py --seconds; 0: skip it")
    parser.add_argument("--source", default=str(ROOT.parent / "shared" / "data" / "geo"))
    parser.add_argument("--postgis", type=int, default=50000,
                        help="size for the PostGIS figures, in the database of DATABASE_URL (its tables are "
                             "dropped: use a throwaway one, see .ci/postgres.sh); 0 or no DATABASE_URL: none")
    parser.add_argument("--part", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--postgis-part", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.part:
        print(json.dumps(in_process(Path(args.part[0]), Path(args.part[1]))))
        return
    if args.postgis_part:
        print(json.dumps(postgis(Path(args.postgis_part[0]), Path(args.postgis_part[1]), args.postgis_part[2])))
        return
    url = os.environ.get("DATABASE_URL", "") if args.postgis else ""
    from routekaart.geodata.build import build

    sizes = [int(size) for size in args.sizes.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="routekaart-scale-"))
    try:
        data_dir = tmp / "geodata"
        build(Path(args.source), data_dir)
        results = {}
        for size in sorted(set(sizes + [size for size in (args.gunicorn, url and args.postgis) if size])):
            make_catalogue(tmp / f"regions-{size}", size, data_dir)
        for size in sizes:
            done = subprocess.run([sys.executable, __file__, "--part", str(data_dir), str(tmp / f"regions-{size}")],
                                  capture_output=True, text=True, check=True)
            results[size] = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{size:,} extra done", file=sys.stderr)
        print_table(sizes, results)
        if args.gunicorn:
            catalogue = tmp / f"regions-{args.gunicorn}"
            server = under_gunicorn(data_dir, catalogue, args.workers)
            print(f"\ngunicorn (production, {args.workers} workers, {args.gunicorn:,} extra): /healthz after "
                  f"{server['ready_s']:.1f} s; worker RSS " + ", ".join(f"{mb:.0f}" for mb in server["workers_rss"])
                  + " MB")
            if args.load_seconds:
                load = subprocess.run([sys.executable, str(ROOT / "bench" / "load.py"), "--seconds",
                                       str(args.load_seconds), "--rounds", "2", "--source", args.source],
                                      env={**os.environ, "ROUTEKAART_CATALOGUE_DIR": str(catalogue)},
                                      capture_output=True, text=True, check=True)
                print(f"bench/load.py at {args.gunicorn:,} extra ({args.load_seconds} s per target):")
                print(re.sub(r"(?m)^", "  ", load.stdout.rstrip()))
        if url:
            env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
            done = subprocess.run([sys.executable, __file__, "--postgis-part", str(data_dir),
                                   str(tmp / f"regions-{args.postgis}"), url],
                                  capture_output=True, text=True, check=True, env=env)
            db = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"\nPostGIS at {args.postgis:,} extra: db load {db['db_load_s']:.1f} s; nearest query "
                  f"{'on the GiST index' if db['index_scan'] else 'NOT on the index'} (EXPLAIN ANALYZE), "
                  f"p50 {db['nearest_db_p50']:.2f} ms; a worker's reload after an import {db['reload_s']:.2f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def print_table(sizes: list[int], results: dict) -> None:
    rows = [
        ("entries in the catalogue", lambda r: f"{r['entries']:,}"),
        ("start-up (load + place)", lambda r: f"{r['startup_s']:.1f} s"),
        ("warm() (page parts before the fork)", lambda r: f"{r['warm_s']:.1f} s"),
        ("RSS after start-up / after warm / at the end",
         lambda r: f"{r['rss_start']:.0f} / {r['rss_warm']:.0f} / {r['rss_end']:.0f} MB"),
        ("nearest walk-ins, in process, p50 / p99", lambda r: f"{r['nearest_p50']:.3f} / {r['nearest_p99']:.3f} ms"),
        ("route page, in process, p50: first visit / again", lambda r: f"{r['route_p50']:.1f} / {r['route_again_p50']:.1f} ms"),
        ("lookup API, in process, p50: first visit / again", lambda r: f"{r['lookup_p50']:.1f} / {r['lookup_again_p50']:.1f} ms"),
        (f"/regio/{REGION}/checklist first request, size", lambda r: f"{r['sheet_s'] * 1000:.0f} ms, {r['sheet_kb']:.0f} KB"),
        (f"/regio/{REGION}/checklist.pdf time, pages", lambda r: f"{r['pdf_s']:.1f} s, {r['pdf_pages']}"),
        (f"/dekking/{REGION}, /api/v1/coverage/{REGION}", lambda r: f"{r['dekking_kb']:.0f} KB, {r['coverage_kb']:.0f} KB"),
    ]
    print("| extra entries | " + " | ".join(f"{size:,}" for size in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for label, show in rows:
        print(f"| {label} | " + " | ".join(show(results[size]) for size in sizes) + " |")


if __name__ == "__main__":
    main()
