"""HSDS conformance of the export: errors under Open Referral's official 3.0 descriptor, and what
the export holds (issue 11 target: 0 errors).

Usage: python bench/hsds.py [--source ../shared/data/geo] [--descriptor ../shared/standards/hsds-3.0/datapackage.json]
Exports the committed catalogue (regions/) as `routekaart export --format hsds` does, then
validates the CSVs with frictionless under the official definitions of the tables it writes.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", default=str(ROOT.parent / "shared" / "data" / "geo"))
    parser.add_argument("--descriptor", default=str(ROOT.parent / "shared" / "standards" / "hsds-3.0" / "datapackage.json"))
    args = parser.parse_args()

    import frictionless

    from routekaart.catalogue.export import TABLES, official_resources, write_hsds
    from routekaart.catalogue.store import open_store
    from routekaart.geodata import dataset
    from routekaart.geodata.build import build

    with tempfile.TemporaryDirectory() as tmp:
        build(Path(args.source), Path(tmp) / "geodata")
        geo = dataset.load(Path(tmp) / "geodata")
        entries = open_store({"CATALOGUE_DIR": str(ROOT / "regions"), "DATABASE_URL": ""}).read_all()
        out = Path(tmp) / "hsds"
        started = time.perf_counter()
        write_hsds(entries, out, geo)
        print(f"export: {len(entries)} entries in {time.perf_counter() - started:.2f} s")
        for resource in official_resources(list(TABLES)):
            print(f"  {resource['path']}: {len(pd.read_csv(out / resource['path'], dtype=str))} rows")

        resources = official_resources(list(TABLES), Path(args.descriptor))
        report = frictionless.Package({"profile": "tabular-data-package", "resources": resources},
                                      basepath=str(out)).validate()
        errors = report.flatten(["fieldName", "type"])
        print(f"errors under the official HSDS 3.0 descriptor ({args.descriptor}): {len(errors)}")
        for (field, kind), count in Counter(map(tuple, errors)).most_common():
            print(f"  {count:5d}  {kind}  {field or ''}")


if __name__ == "__main__":
    main()
