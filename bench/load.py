"""Load: gunicorn (production config) driven by wrk on /healthz, the lookup API and the route page.

Usage: python bench/load.py [--seconds 60] [--rounds 6] [--connections 64] [--source ../shared/data/geo]
Prints requests/s, p50 and p99 per endpoint (and the home page, the cheapest HTML page, to compare
pages with), the ratios to /healthz, the workers' CPU per request, errors, and the RSS of
each worker at start-up and after the load, and its private part (issue 7: lookup >= 50% and route page >= 20% of
/healthz throughput, 0 errors, RSS growth < 10% after 10,000 requests).
The API rate limit is raised for the run: wrk comes from one address. Every request offers
compression as Chromium does, so the pages go compressed, as to a browser.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BROWSER_ENCODINGS = "gzip, deflate, br, zstd"  # what Chromium offers

LUA = """
local paths = {}
for line in io.lines("%(list)s") do paths[#paths + 1] = line end
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn(env: dict, port: int, limit_s: float = 600) -> subprocess.Popen:
    """gunicorn with the production config, returned once /healthz answers (a national catalogue
    takes a while to load: up to `limit_s`)."""
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:app"], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            if server.poll() is not None or time.perf_counter() - started > limit_s:
                server.kill()
                raise RuntimeError("gunicorn did not answer /healthz") from None
            time.sleep(0.1)


def worker_rss(master: int, fields: tuple[str, ...] = ("Rss",)) -> dict[int, float]:
    """Each worker's memory in MB: its RSS, or with ("Private_Clean", "Private_Dirty") what it
    holds that no other process shares (the rest it shares with the master, copy-on-write)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    rss = {}
    for pid in children:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]
        kb = {name: int(value.split()[0]) for name, value in (line.split(":", 1) for line in lines)}
        rss[int(pid)] = sum(kb[field] for field in fields) / 1024
    return rss


PRIVATE = ("Private_Clean", "Private_Dirty")


def workers_cpu(master: int) -> float:
    """CPU seconds (user and system) the master's workers have used so far: per request, what a
    request costs the server itself, apart from wrk and the kernel's share."""
    tick = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return sum(sum(map(int, Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[11:13]))
               for pid in children) / tick


def wrk(url: str, seconds: int, connections: int, script: Path | None) -> dict:
    command = ["wrk", "--latency", "-t", "2", "-c", str(connections), "-d", f"{seconds}s",
               "-H", f"Accept-Encoding: {BROWSER_ENCODINGS}", url]
    if script:
        command[1:1] = ["-s", str(script)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def latency(label: str) -> float:
        value, suffix = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * unit[suffix]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": latency("50"),
            "p99": latency("99"), "requests": requests,
            "non_2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": sum(map(int, socket_errors.groups())) if socket_errors else 0}


def combine(parts: list[dict]) -> dict:
    """One figure from several slices: requests/s over all of them, the median p50, the worst p99."""
    requests = sum(part["requests"] for part in parts)
    seconds = sum(part["requests"] / part["rps"] for part in parts if part["rps"])
    return {"rps": requests / seconds, "p50": sorted(part["p50"] for part in parts)[len(parts) // 2],
            "p99": max(part["p99"] for part in parts), "requests": requests,
            "cpu_ms": 1000 * sum(part["cpu_s"] for part in parts) / max(requests, 1),
            "non_2xx": sum(part["non_2xx"] for part in parts),
            "socket_errors": sum(part["socket_errors"] for part in parts)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=6, help="slices per target, taken in turn")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--source", default=str(ROOT.parent / "shared" / "data" / "geo"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk")
    sys.path.insert(0, str(ROOT))
    from routekaart.geodata.build import build
    from routekaart.geodata.dataset import load

    tmp = Path(tempfile.mkdtemp())
    build(Path(args.source), tmp / "geodata")
    postcodes = list(load(tmp / "geodata").pc4.index)
    port = free_port()
    env = {**os.environ, "ROUTEKAART_ENV": "production", "ROUTEKAART_SECRET_KEY": os.urandom(24).hex(),
           "ROUTEKAART_DATA_DIR": str(tmp / "geodata"), "ROUTEKAART_BIND": f"127.0.0.1:{port}",
           "ROUTEKAART_API_RATE_LIMIT": "10000000 per minute", "ROUTEKAART_PUBLIC_URL": "https://routekaart.example"}
    server = gunicorn(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        time.sleep(1)
        start_rss, start_private = worker_rss(server.pid), worker_rss(server.pid, PRIVATE)
        targets = {"/healthz": None,
                   "home page": ["/"],  # the floor of any page: a heading, a form, the crisis lines
                   "lookup API": [f"/api/v1/lookup?postcode={pc}" for pc in postcodes],
                   "route page": [f"/route/{pc}" for pc in postcodes]}
        scripts = {}
        for name, paths in targets.items():
            if paths:
                listing = tmp / f"{len(scripts)}.txt"
                listing.write_text("\n".join(paths) + "\n")
                scripts[name] = tmp / f"{len(scripts)}.lua"
                scripts[name].write_text(LUA % {"list": listing})
        # Interleaved slices, so that other work on the machine weighs on every target alike.
        slices = {name: [] for name in targets}
        for _ in range(args.rounds):
            for name, paths in targets.items():
                url = base + ("/healthz" if paths is None else "/")
                used = workers_cpu(server.pid)
                part = wrk(url, args.seconds // args.rounds, args.connections, scripts.get(name))
                slices[name].append({**part, "cpu_s": workers_cpu(server.pid) - used})
        results = {name: combine(parts) for name, parts in slices.items()}
        end_rss, end_private = worker_rss(server.pid), worker_rss(server.pid, PRIVATE)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)

    base_rps = results["/healthz"]["rps"]
    print(f"gunicorn, {len(start_rss)} workers; wrk 2 threads, {args.connections} connections, {args.seconds} s each "
          f"in {args.rounds} interleaved slices")
    for name, r in results.items():
        print(f"{name:12s} {r['rps']:8.0f} req/s  p50 {r['p50']:7.2f} ms  p99 {r['p99']:7.2f} ms  "
              f"ratio {r['rps'] / base_rps:5.2f}  server CPU {r['cpu_ms']:.2f} ms/req  requests {r['requests']}  "
              f"errors {r['non_2xx'] + r['socket_errors']} (non-2xx {r['non_2xx']}, socket {r['socket_errors']})")
    total = sum(r["requests"] for r in results.values())
    print(f"requests served in all: {total}, about {total // max(len(start_rss), 1)} per worker")
    for pid, before in sorted(start_rss.items()):
        after = end_rss.get(pid)
        growth = "worker restarted" if after is None else (
            f"{after:.0f} MB ({(after - before) / before:+.1%}); "
            f"private {start_private[pid]:.0f} -> {end_private[pid]:.0f} MB")
        print(f"worker {pid}: RSS after start {before:.0f} MB, after load {growth}")


if __name__ == "__main__":
    main()
