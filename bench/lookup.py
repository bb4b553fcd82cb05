"""Lookup latency over every PC4 (in process), start-up time and RSS after start-up.

Usage: python bench/lookup.py [--source ../shared/data/geo]
Targets (issue 2): p99 < 5 ms, start-up < 3 s, RSS < 250 MB.
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def startup(data_dir: Path) -> None:
    """Run in a fresh interpreter: import, create the app, load the data."""
    started = time.perf_counter()
    from routekaart import create_app, state

    app = create_app({"DATA_DIR": str(data_dir)})
    with app.app_context():
        state.get()
    print(f"start-up: {time.perf_counter() - started:.2f} s (import + load dataset + place catalogue)")
    print(f"RSS after start-up: {rss_mb():.0f} MB")


def latency(data_dir: Path) -> None:
    import numpy as np

    from routekaart import create_app, state
    from routekaart.postcodes import parse
    from routekaart.routing import Filters

    app = create_app({"DATA_DIR": str(data_dir)})
    with app.app_context():
        data = state.get()
    codes = list(data.geo.pc4.index)
    timings = []
    for code in codes:
        started = time.perf_counter()
        data.router.lookup(parse(code), Filters())
        timings.append(time.perf_counter() - started)
    ms = np.array(timings) * 1000
    print(f"lookup over {len(codes)} PC4s (in process, routing only): "
          f"p50 {np.percentile(ms, 50):.2f} ms, p99 {np.percentile(ms, 99):.2f} ms, max {ms.max():.2f} ms")
    client = app.test_client()
    timings = []
    for code in codes:
        started = time.perf_counter()
        client.get(f"/api/v1/lookup?postcode={code}")
        timings.append(time.perf_counter() - started)
    ms = np.array(timings) * 1000
    print(f"GET /api/v1/lookup over {len(codes)} PC4s (Flask test client, JSON included): "
          f"p50 {np.percentile(ms, 50):.2f} ms, p99 {np.percentile(ms, 99):.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", default=str(ROOT.parent / "shared" / "data" / "geo"))
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--part", choices=["startup"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part == "startup":
        return startup(Path(args.data_dir))
    from routekaart.geodata.build import build

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "geodata"
        started = time.perf_counter()
        build(Path(args.source), data_dir)
        print(f"dataset build: {time.perf_counter() - started:.2f} s")
        subprocess.run([sys.executable, __file__, "--part", "startup", "--data-dir", str(data_dir)], check=True)
        latency(data_dir)


if __name__ == "__main__":
    main()
