"""Real servers for tests: gunicorn with the production config (or a test config built on it),
and raw HTTP from a client address of our choosing (127.0.0.2, so a log line that names the
client cannot be mistaken for the server's own listening address)."""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from routekaart import ROOT

CLIENT = "127.0.0.2"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(geodata_dir: Path, port: int, **settings: str) -> dict:
    return {**os.environ, "ROUTEKAART_ENV": "production", "ROUTEKAART_SECRET_KEY": "s" * 40,
            "ROUTEKAART_DATA_DIR": str(geodata_dir), "ROUTEKAART_BIND": f"127.0.0.1:{port}",
            "ROUTEKAART_WORKERS": "2", "ROUTEKAART_TILES_URL": "",
            "ROUTEKAART_PUBLIC_URL": "https://routekaart.example", **settings}


def start(command: list[str], env: dict, log: Path, port: int) -> subprocess.Popen:
    """Start a server and wait until /healthz answers; stdout and stderr go to `log`."""
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180  # loading the data takes a while on a busy machine
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if get(port, "/healthz")[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise RuntimeError(log.read_text()[-3000:])


def gunicorn(env: dict, log: Path, port: int, config: Path = ROOT / "gunicorn.conf.py") -> subprocess.Popen:
    return start([sys.executable, "-m", "gunicorn", "-c", str(config), "app:app"], env, log, port)


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=30)


def get(port: int, path: str, timeout: float = 10, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """GET from CLIENT: status, headers (lower-case names), body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(CLIENT, 0))
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def raw(port: int, request: bytes, timeout: float = 10) -> bytes:
    """Send bytes as they are (a malformed request line, too many headers) and read the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(CLIENT, 0)) as s:
        s.sendall(request)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    return answer
