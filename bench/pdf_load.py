"""A visitor's route page while 16 clients fetch postcode PDFs, on gunicorn in production mode.

Usage: python bench/pdf_load.py [--pdf-clients 16] [--visits 40] [--renders N] [--data-dir DIR | --source DIR]
Prints the route page's p50/p90/max alone and under the PDF load, and what the PDF clients got
(200s, quick 503s, their times); a client told 503 waits the 5 s of Retry-After. --renders sets PDF_RENDERS (default: the app's, half the CPUs);
a large value shows the server without the bound. Rate limits are raised for the run: every
client here comes from one address.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from load import free_port, gunicorn

ROOT = Path(__file__).resolve().parent.parent


def fetch(url: str) -> tuple[int, float]:
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:  # timed out (120 s) or refused: counted as status 0
        status = 0
    return status, time.perf_counter() - start


def figures(label: str, seconds: list[float]) -> str:
    seconds = sorted(seconds)
    p90 = seconds[int(len(seconds) * 0.9) - 1] if seconds else 0
    return (f"{label}: n={len(seconds)}  p50 {statistics.median(seconds) * 1000:.0f} ms  p90 {p90 * 1000:.0f} ms  "
            f"max {seconds[-1] * 1000:.0f} ms" if seconds else f"{label}: none")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf-clients", type=int, default=16)
    parser.add_argument("--visits", type=int, default=40)
    parser.add_argument("--renders", type=int, help="PDF_RENDERS for the run")
    parser.add_argument("--data-dir", type=Path, help="a built runtime dataset")
    parser.add_argument("--source", type=Path, default=ROOT.parent / "shared" / "data" / "geo")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from routekaart.geodata.build import build
    from routekaart.geodata.dataset import load

    tmp = Path(tempfile.mkdtemp())
    data_dir = args.data_dir
    if data_dir is None:
        data_dir = tmp / "geodata"
        build(args.source, data_dir)
    postcodes = list(load(data_dir).pc4.index)
    port = free_port()
    env = {**os.environ, "ROUTEKAART_ENV": "production", "ROUTEKAART_SECRET_KEY": os.urandom(24).hex(),
           "ROUTEKAART_DATA_DIR": str(data_dir), "ROUTEKAART_BIND": f"127.0.0.1:{port}",
           "ROUTEKAART_PUBLIC_URL": "https://routekaart.example", "ROUTEKAART_PDF_RATE_LIMIT": "1000000 per minute",
           "ROUTEKAART_RATELIMIT_STORAGE_URI": f"routekaart-sqlite://{tmp}/limits.sqlite3"}
    if args.renders:
        env["ROUTEKAART_PDF_RENDERS"] = str(args.renders)
    server = gunicorn(env, port)
    base = f"http://127.0.0.1:{port}"
    pdfs: list[tuple[int, float]] = []
    try:
        fetch(f"{base}/checklist/{postcodes[0]}.pdf")  # WeasyPrint's fonts, in one worker at least
        visits = [f"{base}/route/{pc}" for pc in postcodes[:: max(1, len(postcodes) // args.visits)][: args.visits]]
        for url in visits:  # each worker makes its kept page parts
            fetch(url)
        alone = [fetch(url)[1] for url in visits]

        stop = threading.Event()

        def pdf_client(number: int) -> None:
            n = number
            while not stop.is_set():
                pdfs.append(fetch(f"{base}/checklist/{postcodes[n % len(postcodes)]}.pdf"))
                n += args.pdf_clients
                if pdfs[-1][0] == 503:
                    stop.wait(5)  # as Retry-After asks

        clients = [threading.Thread(target=pdf_client, args=(i,)) for i in range(args.pdf_clients)]
        for client in clients:
            client.start()
        time.sleep(2)  # every PDF client has a request in
        loaded = [fetch(url) for url in visits]
        stop.set()
        for client in clients:
            client.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)

    renders = env.get("ROUTEKAART_PDF_RENDERS", "the app's default")
    print(f"gunicorn production, default workers; PDF_RENDERS={renders}; {args.pdf_clients} PDF clients")
    print(figures("route page alone       ", alone))
    print(figures("route page under PDFs  ", [seconds for status, seconds in loaded if status == 200])
          + f"  (non-200: {sum(status != 200 for status, _ in loaded)})")
    print(figures("postcode PDF 200       ", [seconds for status, seconds in pdfs if status == 200]))
    print(figures("postcode PDF 503 (busy)", [seconds for status, seconds in pdfs if status == 503])
          + f"  (other statuses: {sorted({status for status, _ in pdfs} - {200, 503})})")


if __name__ == "__main__":
    main()
