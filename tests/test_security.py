"""Security headers, the production guard, rate limiting, and logs that keep no visitor data."""
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from routekaart import ROOT, create_app, state
from routekaart.security import ConfigError


@pytest.mark.parametrize("path", ["/", "/api/v1/lookup?postcode=3511AB", "/api/v1/lookup?postcode=x",
                                  "/static/site.css", "/bestaat-niet", "/api/v1/openapi.json",
                                  "/route/3511AB?km=5", "/route/35x1", "/wat-helpt"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "http" not in csp, "tiles are off in tests, so no host but our own"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in response.headers


def test_csp_allows_the_configured_tile_host_and_nothing_else(geodata_dir):
    app = create_app({"DATA_DIR": str(geodata_dir), "TILES_URL": "https://tiles.example.invalid/{z}/{x}/{y}.png"})
    csp = app.test_client().get("/").headers["Content-Security-Policy"]
    hosts = {word for word in csp.replace(";", " ").split() if "://" in word}
    assert hosts == {"https://tiles.example.invalid"}
    assert "img-src 'self' data: https://tiles.example.invalid" in csp


def test_bad_tiles_url_stops_start_up(geodata_dir):
    with pytest.raises(ConfigError):
        create_app({"DATA_DIR": str(geodata_dir), "TILES_URL": "javascript:alert(1)"})


def test_production_refuses_to_start_without_a_secret(geodata_dir):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"DATA_DIR": str(geodata_dir), "ENV": "production"})
    with pytest.raises(ConfigError, match="Debug"):
        create_app({"DATA_DIR": str(geodata_dir), "ENV": "production", "DEBUG": True, "SECRET_KEY": "x" * 40})
    app = create_app({"DATA_DIR": str(geodata_dir), "ENV": "production", "SECRET_KEY": "x" * 40})
    assert not app.debug


def test_api_rate_limit_answers_json_429(geodata_dir):
    app = create_app({"DATA_DIR": str(geodata_dir), "API_RATE_LIMIT": "3 per minute", "TILES_URL": ""})
    state.reload(app)
    client = app.test_client()
    time.sleep(0.05)  # the storage's first and only clean-up timer (10 ms) has run out
    threads = threading.active_count()
    statuses = [client.get("/api/v1/lookup?postcode=3511AB").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert threading.active_count() == threads, "counting starts no threads (QuietMemoryStorage)"
    body = client.get("/api/v1/lookup?postcode=3511AB").get_json()
    assert body["error"]["code"] == "rate_limited"
    assert client.get("/").status_code == 200, "pages are not rate limited"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_production_logs_hold_no_postcode_query_or_address(geodata_dir, tmp_path):
    port = _free_port()
    env = {**os.environ, "ROUTEKAART_ENV": "production", "ROUTEKAART_SECRET_KEY": "s" * 40,
           "ROUTEKAART_DATA_DIR": str(geodata_dir), "ROUTEKAART_BIND": f"127.0.0.1:{port}",
           "ROUTEKAART_WORKERS": "2", "ROUTEKAART_TILES_URL": ""}
    log = (tmp_path / "server.log").open("w+")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:app"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        visits = ["/api/v1/lookup?postcode=3582KL&audience=naasten", "/api/v1/lookup?postcode=9711%20AB",
                  "/api/v1/lookup?postcode=0123XY", "/api/v1/lookup?postcode=7777ZZ", "/?postcode=6211AB",
                  "/api/v1/regions/ZK31", "/route/2511CV", "/nergens/4811AB",
                  "/route/1011?soort=jongeren&voor=naasten&km=10"]
        for path in visits:
            try:
                urllib.request.urlopen(base + path, timeout=5)
            except urllib.error.HTTPError:
                pass
    finally:
        server.terminate()
        server.wait(timeout=20)
    log.seek(0)
    text = log.read()
    assert '"route": "/api/v1/lookup"' in text, text[-2000:]
    for secret in ["3582", "9711", "0123", "7777", "6211", "2511", "4811", "1011", "naasten", "jongeren", "postcode=", "127.0.0.1:"
                   + str(port) + "/", "?"]:
        assert secret not in text, secret
    requests = [line for line in text.splitlines() if '"route"' in line]
    assert len(requests) >= len(visits)
    assert all("127.0.0.1" not in line for line in requests)
