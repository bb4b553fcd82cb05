"""PDF generation time of the GP's checklist: every region, and a sample of postcodes.

Usage: python bench/pdf.py [--data-dir DIR | --source ../shared/data/geo] [--postcodes 31] [--lang nl]
Target (issue 4): < 1.5 s per region sheet. Times the whole request (checklist, HTML, PDF)
through the app, after one warm-up sheet (WeasyPrint loads fonts on first use).
"""
from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent


def timed(client, path: str) -> tuple[float, float, int]:
    """Wall-clock and CPU seconds (CPU time hardly moves when other processes load the machine)."""
    wall, cpu = time.perf_counter(), time.process_time()
    response = client.get(path)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert response.status_code == 200, (path, response.status_code)
    return wall, cpu, len(PdfReader(io.BytesIO(response.data)).pages)


def report(label: str, results: list[tuple[float, float, int]]) -> None:
    wall, cpu, pages = (sorted(column) for column in zip(*results))
    print(f"{label}: n={len(wall)}  wall p50 {statistics.median(wall):.2f} s, max {wall[-1]:.2f} s  "
          f"CPU p50 {statistics.median(cpu):.2f} s, max {cpu[-1]:.2f} s  "
          f"pages max {pages[-1]} (on 2 pages: {pages.count(2)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="a built runtime dataset")
    parser.add_argument("--source", type=Path, default=ROOT.parent / "shared" / "data" / "geo")
    parser.add_argument("--postcodes", type=int, default=31, help="how many PC4s (spread over the country)")
    parser.add_argument("--lang", default="nl")
    args = parser.parse_args()

    from routekaart import create_app, state
    from routekaart.geodata.build import build

    data_dir = args.data_dir
    if data_dir is None:
        data_dir = Path(tempfile.mkdtemp()) / "geodata"
        build(args.source, data_dir)
    app = create_app({"DATA_DIR": str(data_dir), "TILES_URL": "", "RATELIMIT_ENABLED": False})
    data = state.reload(app)
    client = app.test_client()
    query = f"?lang={args.lang}"
    codes = list(data.geo.regions.index)
    timed(client, f"/regio/{codes[0]}/checklist.pdf{query}")  # warm-up
    report("region sheets", [timed(client, f"/regio/{code}/checklist.pdf{query}") for code in codes])
    pc4 = data.geo.pc4.index
    sample = pc4[:: max(1, len(pc4) // args.postcodes)][: args.postcodes]
    report("postcode sheets", [timed(client, f"/checklist/{postcode}.pdf{query}") for postcode in sample])


if __name__ == "__main__":
    main()
