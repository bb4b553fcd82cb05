"""The full national coverage computation: time and peak memory (issue 5 target: < 2 s).

Usage: python bench/coverage.py [--source ../shared/data/geo] [--repeat 5]
Loads the dataset and catalogue first (not timed), then times coverage.compute() alone and the
first /dekking page (computation + choropleth + table), and reports tracemalloc's peak.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", default=str(ROOT.parent / "shared" / "data" / "geo"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from routekaart import coverage, create_app, state
    from routekaart.geodata.build import build

    with tempfile.TemporaryDirectory() as tmp:
        build(Path(args.source), Path(tmp) / "geodata")
        app = create_app({"DATA_DIR": str(Path(tmp) / "geodata"), "TILES_URL": "", "RATELIMIT_ENABLED": False})
        with app.app_context():
            data = state.get()
        pc4, regions, entries = data.geo.pc4, data.geo.regions, data.catalogue.entries
        print(f"input: {len(pc4)} PC4 points, {len(regions)} regions, {len(entries)} catalogue entries")

        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            coverage.compute(pc4, regions, entries, date.today())
            timings.append(time.perf_counter() - started)
        print(f"coverage.compute (national, {args.repeat} runs): median {statistics.median(timings) * 1000:.0f} ms, "
              f"max {max(timings) * 1000:.0f} ms (target < 2000 ms)")

        tracemalloc.start()
        coverage.compute(pc4, regions, entries, date.today())
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"coverage.compute peak Python memory (tracemalloc): {peak / 2**20:.1f} MB")

        client = app.test_client()
        started = time.perf_counter()
        client.get("/dekking")
        first = time.perf_counter() - started
        started = time.perf_counter()
        client.get("/dekking")
        cached = time.perf_counter() - started
        print(f"GET /dekking: first {first * 1000:.0f} ms (computes), then {cached * 1000:.0f} ms (cached figures)")


if __name__ == "__main__":
    main()
