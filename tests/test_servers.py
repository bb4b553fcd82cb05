"""Two gunicorn servers on one PostGIS database: an import through the CLI shows on both, without
a restart (each worker notices the new catalogue version within a second or so)."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pandas as pd
import pytest

from routekaart import ROOT
from routekaart.catalogue.store import open_store, replace_all

from .conftest import fresh_database
from .test_import import NEW

LOOKUP = "/api/v1/lookup?postcode=3511AB&k=25"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        return json.load(response)


def _nearby(port: int) -> set[str]:
    return {entry["id"] for entry in _get(port, LOOKUP)["nearby"]}


@pytest.fixture()
def servers(data, geodata_dir, tmp_path):
    url = fresh_database()
    replace_all(open_store({"DATABASE_URL": url}), data.catalogue.entries)
    env = {**os.environ, "DATABASE_URL": url, "ROUTEKAART_DATA_DIR": str(geodata_dir), "ROUTEKAART_ENV": "production",
           "ROUTEKAART_SECRET_KEY": "test-" + "x" * 40, "ROUTEKAART_WORKERS": "2", "ROUTEKAART_TILES_URL": "",
           "ROUTEKAART_PUBLIC_URL": "https://routekaart.example"}
    ports, processes = [_free_port(), _free_port()], []
    try:
        for port in ports:
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:app"], cwd=ROOT,
                env={**env, "ROUTEKAART_BIND": f"127.0.0.1:{port}"}, stdout=subprocess.DEVNULL,
                stderr=open(tmp_path / f"gunicorn-{port}.log", "w")))
        for port in ports:
            for _ in range(120):
                try:
                    if _get(port, "/healthz")["status"] == "ok":
                        break
                except OSError:
                    time.sleep(0.5)
            else:
                pytest.fail((tmp_path / f"gunicorn-{port}.log").read_text())
        yield url, ports
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def test_an_import_shows_on_both_servers_without_restart(servers, geodata_dir, tmp_path):
    url, ports = servers
    assert all(NEW["id"] not in _nearby(port) for port in ports)
    store = open_store({"DATABASE_URL": url})
    path = tmp_path / "zk23.csv"
    pd.concat([store.read_region("ZK23").drop(columns=["zorgkantoorregio", "last_edited"]),
               pd.DataFrame([NEW])]).fillna("").to_csv(path, index=False)
    subprocess.run([sys.executable, "-c", "from routekaart.cli import main; main()", "import", str(path),
                    "--region", "ZK23", "--yes"], env={**os.environ, "DATABASE_URL": url,
                                                       "ROUTEKAART_DATA_DIR": str(geodata_dir)},
                   check=True, capture_output=True)
    deadline = time.monotonic() + 15
    waiting = set(ports)
    while waiting and time.monotonic() < deadline:
        waiting = {port for port in waiting if NEW["id"] not in _nearby(port)}
        time.sleep(0.2)
    assert not waiting, f"not seen on {waiting}"
    time.sleep(1.5)  # every worker has checked by now
    for port in ports:
        assert all(NEW["id"] in _nearby(port) for _ in range(6))
