"""No postcode, query or client address in any log line, from any logger: ours (a tripped rate limit too),
gunicorn (its worker's lines on refused, failed and timed-out requests) and the dev server.
Real servers, requests from 127.0.0.2 (tests/servers.py)."""
from __future__ import annotations

import json
import logging
import re
import sys

import pytest

from routekaart import ROOT

from . import servers
from .servers import CLIENT

# Each visit carries a postcode or filter that must not reach the log.
VISITS = ["/api/v1/lookup?postcode=3582KL&audience=naasten", "/api/v1/lookup?postcode=9711%20AB",
          "/api/v1/lookup?postcode=0123XY", "/api/v1/lookup?postcode=7777ZZ",
          "/api/v1/lookup?postcode=1014&q=Zoekwoordje", "/?postcode=6211AB",
          "/api/v1/regions/ZK31", "/route/2511CV", "/nergens/4811AB", "/route/1011?soort=jongeren&voor=naasten&km=10",
          "/route/1012?zoek=Zoekwoordje+Testplaats", "/route/1013?zoek=" + "x" * 61]
REFUSED = {  # what the server itself refuses, before the app sees it
    400: b"GET /route/3511AB x HTTP/1.1\r\nHost: x\r\n\r\n",
    414: b"GET /route/3512AB?q=" + b"x" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    431: b"GET /route/3513AB HTTP/1.1\r\n" + b"".join(b"X-%d: 3514AB\r\n" % i for i in range(120)) + b"\r\n",
}
SECRETS = ["3582", "9711", "0123", "7777", "6211", "2511", "4811", "1011", "1012", "1013", "1014", "3511", "3512", "3513",
           "3514", "3515", "naasten", "jongeren", "postcode=", "Zoekwoordje", "Testplaats", "zoek=", "xxxxx", "traag",
           "?", CLIENT]

# The production config with a worker timeout of 2 s and one request this test makes slower
# than that, so gunicorn's time-out path runs for real.
SLOW_CONFIG = """
import time
exec(open({config!r}).read())
timeout = 2


def pre_request(worker, req):
    if "traag=1" in (req.query or ""):
        time.sleep(30)
"""


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0


# gunicorn names its processes: "Listening at: http://127.0.0.1:50059 (1014)", "Booting worker with
# pid: 1020", "WORKER TIMEOUT (pid:1020)". On a fresh machine a pid is often four digits.
PIDS = ((re.compile(r"(Listening at: \S+ )\(\d+\)"), r"\1(pid)"), (re.compile(r"pid: ?\d+"), "pid"))


def assert_private(text: str) -> None:
    """A numeric secret counts only as a number of its own: the server's random port (46211) or a
    request's duration ("ms": 1011.4) may hold the same four digits without being a postcode, and
    a process id that gunicorn names may even be the same number."""
    for pid, said in PIDS:
        text = pid.sub(said, text)
    for secret in SECRETS:
        pattern = re.compile(rf"(?<![\d.]){secret}(?!\.?\d)" if secret.isdigit() else re.escape(secret))
        lines = [line for line in text.splitlines() if pattern.search(line)]
        assert not lines, (secret, lines[:3])


def test_gunicorn_logs_hold_no_postcode_query_or_address(geodata_dir, tmp_path):
    port = servers.free_port()
    config = tmp_path / "slow.conf.py"
    config.write_text(SLOW_CONFIG.format(config=str(ROOT / "gunicorn.conf.py")))
    env = servers.production_env(geodata_dir, port, ROUTEKAART_API_RATE_LIMIT="9 per minute",
                                 ROUTEKAART_RATELIMIT_STORAGE_URI=f"routekaart-sqlite://{tmp_path}/limits.sqlite3")
    log = tmp_path / "gunicorn.log"
    server = servers.gunicorn(env, log, port, config)
    try:
        for path in VISITS:
            servers.get(port, path)
        # 6 API calls above, 3 more allowed: the count is one for both workers and every API address.
        statuses = [servers.get(port, "/api/v1/lookup?postcode=3515AB")[0] for _ in range(4)]
        refused = {status: status_of(servers.raw(port, request)) for status, request in REFUSED.items()}
        timed_out = servers.get(port, "/?postcode=3511AB&traag=1", timeout=40)[0]
    finally:
        servers.stop(server)
    text = log.read_text()
    assert statuses == [200, 200, 200, 429], statuses
    assert refused == {400: 400, 414: 414, 431: 431}, refused
    assert timed_out == 500
    assert "WORKER TIMEOUT" in text and "Error handling request" in text and "Invalid request" in text, text[-3000:]
    assert '"status": 429' in text and '"route": "/api/v1/lookup"' in text
    assert all(json.loads(line) for line in text.splitlines()), "every line is JSON"
    assert_private(text)


def test_dev_server_logs_hold_no_postcode_or_address(geodata_dir, tmp_path):
    port = servers.free_port()
    env = {**servers.production_env(geodata_dir, port), "ROUTEKAART_ENV": "development"}
    log = tmp_path / "serve.log"
    server = servers.start([sys.executable, "-c", "from routekaart.cli import main; main()", "serve",
                            "--port", str(port)], env, log, port)
    try:
        for path in VISITS:
            servers.get(port, path)
        refused = {status: status_of(servers.raw(port, request)) for status, request in REFUSED.items()}
    finally:
        servers.stop(server)
    text = log.read_text()
    assert refused == {400: 400, 414: 414, 431: 431}, refused
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert {line.get("status") for line in lines if line["message"] == "refused by the server"} == {400, 414, 431}
    assert_private(text)


@pytest.mark.parametrize("name, message, args, kept", [
    ("gunicorn.error", "Invalid request from ip=127.0.0.2: Invalid HTTP request line: 'GET /route/3511AB'", (),
     "Invalid request"),
    ("gunicorn.error", "Error handling request %s %s", ("GET", "/?postcode=3511AB"), "Error handling request"),
    ("werkzeug", "Error on request:\n%s", ("Traceback: GET /route/3511AB from 127.0.0.2",), "Error on request"),
])
def test_private_filter_keeps_the_leading_words_of_foreign_lines(name, message, args, kept):
    from routekaart.logs import FOREIGN, Private

    every, foreign = Private(), Private(FOREIGN)
    record = logging.LogRecord(name, logging.WARNING, __file__, 1, message, args, None)
    assert (every if name.startswith("gunicorn") else foreign).filter(record) and record.getMessage() == kept
    own = logging.LogRecord("routekaart.state", logging.INFO, __file__, 1, "built %s", ("maps",), None)
    assert foreign.filter(own) and own.getMessage() == "built maps", "our own lines are left as they are"
