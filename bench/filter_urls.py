"""Hostile filters: gunicorn's workers' memory before and after thousands of distinct filter URLs.

Usage: python bench/filter_urls.py [--urls 6000] [--source ../shared/data/geo]
Starts the production set-up (gunicorn.conf.py), then asks for route pages whose filters are all
different selections (sets of kinds, audiences, free, no referral), some with a kind repeated
hundreds of times (the same filter), from 4 clients at once. Prints each worker's RSS before and
after, and the growth (issue 11: every cache keyed by request input is bounded).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from load import free_port, gunicorn, worker_rss

ROOT = Path(__file__).resolve().parent.parent
KINDS = ["steunpunt", "jongeren", "herstelacademie", "mgn", "wachtverzachter", "informatie", "crisis", "telefoon",
         "online", "zelfhulp", "lotgenoten", "verzekeraar", "clientondersteuning"]


def addresses(n: int, postcodes: list[str]) -> list[str]:
    """n route-page addresses, each a different filter selection (or a kind repeated)."""
    rng, seen, out = np.random.default_rng(11), set(), []
    while len(out) < n:
        if len(out) % 10 == 0:  # `soort=mgn&soort=mgn&...`: one filter however often repeated (up to the
            query = "&".join(["soort=mgn"] * (1 + len(out) // 10 % 180))  # 2,048-byte request line gunicorn takes)
        else:
            kinds = tuple(sorted(rng.choice(KINDS, rng.integers(1, len(KINDS)), replace=False)))
            extra = (str(rng.choice(["", "volwassenen", "jongeren", "naasten"])), int(rng.integers(2)),
                     int(rng.integers(2)))
            if (kinds, extra) in seen:
                continue
            seen.add((kinds, extra))
            query = "&".join([f"soort={k}" for k in kinds] + [f"voor={extra[0]}", f"gratis={extra[1] or ''}",
                                                               f"zonder_verwijzing={extra[2] or ''}"])
        out.append(f"/route/{postcodes[len(out) % len(postcodes)]}?{query}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--urls", type=int, default=6000)
    parser.add_argument("--source", default=str(ROOT.parent / "shared" / "data" / "geo"))
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from routekaart.geodata.build import build
    from routekaart.geodata.dataset import load

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "geodata"
        build(Path(args.source), data_dir)
        postcodes = list(load(data_dir).pc4.index[::40])
        port = free_port()
        env = {**os.environ, "ROUTEKAART_ENV": "production", "ROUTEKAART_SECRET_KEY": os.urandom(24).hex(),
               "ROUTEKAART_DATA_DIR": str(data_dir), "ROUTEKAART_BIND": f"127.0.0.1:{port}",
               "ROUTEKAART_PUBLIC_URL": "http://127.0.0.1", "ROUTEKAART_TILES_URL": ""}
        server, base = gunicorn(env, port), f"http://127.0.0.1:{port}"
        try:
            for postcode in postcodes[:50]:  # every worker has served plain pages first
                urllib.request.urlopen(f"{base}/route/{postcode}", timeout=30).read()
            before = worker_rss(server.pid)

            def get(path: str) -> int:
                with urllib.request.urlopen(base + path, timeout=60) as response:
                    response.read()
                    return response.status

            started = time.perf_counter()
            with ThreadPoolExecutor(4) as pool:
                statuses = list(pool.map(get, addresses(args.urls, postcodes)))
            seconds = time.perf_counter() - started
            after = worker_rss(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"{len(statuses)} distinct filter URLs on the route page in {seconds:.0f} s "
          f"({sum(s == 200 for s in statuses)} answered 200), gunicorn with {len(before)} workers")
    for pid, mb in sorted(before.items()):
        grown = after.get(pid)
        print(f"worker {pid}: RSS {mb:.0f} MB before, " +
              ("restarted" if grown is None else f"{grown:.0f} MB after ({grown - mb:+.0f} MB)"))
    print(f"all workers: {sum(before.values()):.0f} MB before, {sum(after.values()):.0f} MB after")


if __name__ == "__main__":
    main()
