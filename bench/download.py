"""The download path through the mirror setting, against the local stand-in for the publishers
(tests/publishers.py) made from the open-data folder: time of the download and of the build, the
number of requests, and how the PC4 answers compare with the dataset built from the folder itself.

Usage: python bench/download.py [--source ../shared/data/geo]
The stand-in runs on this machine, so the times show our own cost, not the publishers' speed.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", default=str(ROOT.parent / "shared" / "data" / "geo"))
    args = parser.parse_args()
    os.environ["ROUTEKAART_TEST_GEO_SOURCE"] = args.source
    sys.path.insert(0, str(ROOT))

    from routekaart.geodata import build, dataset, download
    from tests import publishers, test_download

    pages = test_download._folder_pages()
    address, stop = publishers.serve(pages)
    quiet = lambda line: None  # noqa: E731
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            started = time.perf_counter()
            download.download(tmp / "source", download.Client(address, quiet))
            fetched = time.perf_counter() - started
            started = time.perf_counter()
            build.build(tmp / "source", tmp / "downloaded")
            built = time.perf_counter() - started
            build.build(Path(args.source), tmp / "folder")
            ours, theirs = dataset.load(tmp / "downloaded"), dataset.load(tmp / "folder")
    finally:
        stop()
    common = ours.pc4.index.intersection(theirs.pc4.index)
    checks = ours.meta["sources"]["pc4.csv"]["checks"]
    print(f"download through the mirror: {fetched:.1f} s, {len(pages.requests)} requests")
    print(f"build from the download:     {built:.1f} s")
    print(f"PC4s: {len(common)} in both, {len(theirs.pc4.index.difference(ours.pc4.index))} only in the folder, "
          f"{len(ours.pc4.index.difference(theirs.pc4.index))} only in the download")
    print(f"region answers that differ:   {int((ours.pc4.loc[common, 'region_code'] != theirs.pc4.loc[common, 'region_code']).sum())}")
    print(f"gemeente answers that differ: {int((ours.pc4.loc[common, 'gemeente_code'] != theirs.pc4.loc[common, 'gemeente_code']).sum())}")
    print(f"GeoNames checks: {checks}")
    print(f"population: year {ours.meta['population_year']}, {int(ours.pc4['inhabitants'].sum())} inhabitants "
          f"(folder: {int(theirs.pc4['inhabitants'].sum())})")


if __name__ == "__main__":
    main()
