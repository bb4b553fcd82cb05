"""Route-map page: server time over 200 real postcodes, and page weight (HTML plus the app's own
CSS/JS, Leaflet included; no map tiles). Requests offer compression as Chromium does, so the time
includes compressing the page; the weight is given unpacked and as the app sends it.

Usage: python bench/route_page.py [--source ../shared/data/geo]
Targets (issue 3): p50 < 30 ms, page weight < 300 KB.
"""
from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
N_POSTCODES = 200
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}  # what Chromium offers


def assets(html: str) -> list[str]:
    """The app's own stylesheets and scripts a page loads (every one is on our host)."""
    return re.findall(r'<(?:link rel="stylesheet" href|script(?: defer)? src)="(/[^"]+)"', html)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", default=str(ROOT.parent / "shared" / "data" / "geo"))
    args = parser.parse_args()
    from routekaart import create_app, state
    from routekaart.geodata.build import build

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "geodata"
        build(Path(args.source), data_dir)
        app = create_app({"DATA_DIR": str(data_dir), "TILES_URL": "", "RATELIMIT_ENABLED": False})
        data = state.reload(app)
        codes = np.random.default_rng(3).choice(data.geo.pc4.index.to_numpy(), N_POSTCODES, replace=False)
        client = app.test_client()
        client.get(f"/route/{codes[0]}")  # warm up: templates compiled, region outline cached once
        timings, sizes = [], []
        for code in codes:
            started = time.perf_counter()
            response = client.get(f"/route/{code}", headers=BROWSER)
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200 and response.headers.get("Content-Encoding"), (code, response.status_code)
            sizes.append(len(client.get(f"/route/{code}").data))
        ms = np.array(timings) * 1000
        print(f"GET /route/<pc4> over {len(codes)} real PC4s (Flask test client, in process): "
              f"p50 {np.percentile(ms, 50):.1f} ms, p99 {np.percentile(ms, 99):.1f} ms, max {ms.max():.1f} ms")
        html = client.get(f"/route/{codes[int(np.argmax(sizes))]}").get_data(as_text=True)
        own = {path: client.get(path).data for path in assets(html)}
        heaviest = max(sizes)
        total = heaviest + sum(len(body) for body in own.values())
        sent = sum(len(client.get(path, headers=BROWSER).data)
                   for path in [f"/route/{codes[int(np.argmax(sizes))]}", *own])
        print(f"HTML: median {np.median(sizes) / 1024:.0f} KB, largest {heaviest / 1024:.0f} KB")
        for path, body in own.items():
            print(f"  {path}: {len(body) / 1024:.0f} KB")
        print(f"page weight (largest HTML + own CSS/JS, no tiles): {total / 1024:.0f} KB, "
              f"{sent / 1024:.0f} KB as sent (compressed)")


if __name__ == "__main__":
    main()
