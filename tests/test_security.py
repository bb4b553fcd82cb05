"""Security headers, the production guard, rate limiting, and logs that keep no visitor data."""
import logging
import threading
import time

import pytest

from routekaart import create_app, state
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


def test_production_refuses_to_start_without_a_secret_or_a_public_address(geodata_dir):
    production = {"DATA_DIR": str(geodata_dir), "ENV": "production", "PUBLIC_URL": "https://routekaart.example"}
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(production)
    with pytest.raises(ConfigError, match="Debug"):
        create_app({**production, "DEBUG": True, "SECRET_KEY": "x" * 40})
    for public_url in ["", "routekaart.example", "javascript:alert(1)", "https://routekaart.example/?x=1"]:
        with pytest.raises(ConfigError, match="PUBLIC_URL"):
            create_app({**production, "SECRET_KEY": "x" * 40, "PUBLIC_URL": public_url})
    app = create_app({**production, "SECRET_KEY": "x" * 40})
    assert not app.debug


def test_a_spoofed_host_header_is_printed_nowhere(geodata_dir):
    """In production the sheets, their QR codes and the PDF's links use PUBLIC_URL, never the Host."""
    import io
    import re

    from pypdf import PdfReader

    app = create_app({"DATA_DIR": str(geodata_dir), "TILES_URL": "", "RATELIMIT_ENABLED": False,
                      "ENV": "production", "SECRET_KEY": "x" * 40, "PUBLIC_URL": "https://routekaart.example"})
    state.reload(app)
    client = app.test_client()
    for path in ["/checklist/3511AB", "/regio/ZK10/checklist", "/", "/route/3511AB", "/bestaat-niet"]:
        html = client.get(path, headers={"Host": "evil.example"}).get_data(as_text=True)
        assert "evil.example" not in html, path
    assert "routekaart.example/route/3511AB" in client.get("/checklist/3511AB").get_data(as_text=True)
    pdf = client.get("/checklist/3511AB.pdf", headers={"Host": "evil.example"})
    assert pdf.status_code == 200 and b"evil.example" not in pdf.data
    reader = PdfReader(io.BytesIO(pdf.data))
    text = "".join(page.extract_text() for page in reader.pages)
    links = {annotation.get_object()["/A"].get("/URI") for page in reader.pages
             for annotation in page.get("/Annots") or [] if "/A" in annotation.get_object()}
    assert "evil.example" not in text and not any("evil.example" in str(link) for link in links)
    assert re.search(r"routekaart\.example", text), "the sheet names the site by its public address"


def test_api_rate_limit_is_one_count_for_every_api_address(geodata_dir, tmp_path):
    app = create_app({"DATA_DIR": str(geodata_dir), "API_RATE_LIMIT": "3 per minute", "TILES_URL": "",
                      "RATELIMIT_STORAGE_URI": f"routekaart-sqlite://{tmp_path}/limits.sqlite3"})
    state.reload(app)
    client = app.test_client()
    threads = threading.active_count()
    paths = ["/api/v1/lookup?postcode=3511AB", "/api/v1/regions/ZK10", "/api/v1/coverage/ZK10", "/api/v1/regions"]
    answers = [client.get(path) for path in paths]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert [answer.headers["X-RateLimit-Remaining"] for answer in answers] == ["2", "1", "0", "0"]
    assert {answer.headers["X-RateLimit-Limit"] for answer in answers} == {"3"}
    assert 0 < float(answers[0].headers["X-RateLimit-Reset"]) - time.time() <= 61
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 60
    assert threading.active_count() == threads, "counting starts no threads"
    body = client.get("/api/v1/lookup?postcode=3511AB").get_json()
    assert body["error"]["code"] == "rate_limited"
    assert client.get("/").status_code == 200, "pages are not rate limited"


def test_a_failing_count_store_lets_requests_through_and_says_so_without_the_client(geodata_dir, tmp_path, caplog):
    (tmp_path / "a-folder").mkdir()  # SQLite cannot open a folder as its file
    app = create_app({"DATA_DIR": str(geodata_dir), "API_RATE_LIMIT": "1 per minute", "TILES_URL": "",
                      "RATELIMIT_STORAGE_URI": f"routekaart-sqlite://{tmp_path}/a-folder"})
    state.reload(app)
    client = app.test_client()
    with caplog.at_level(logging.WARNING):
        answers = [client.get("/api/v1/regions/ZK10", environ_base={"REMOTE_ADDR": "192.0.2.7"}) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert "X-RateLimit-Remaining" not in answers[0].headers, "no count, so no count is claimed"
    warned = [record.getMessage() for record in caplog.records if record.name == "routekaart.security"]
    assert warned and not any("192.0.2.7" in line for line in warned)


@pytest.mark.parametrize("setting", ["API_RATE_LIMIT", "PDF_RATE_LIMIT", "LOGIN_RATE_LIMIT"])
def test_a_limit_that_does_not_read_stops_the_start(geodata_dir, setting):
    with pytest.raises(ConfigError, match=setting):
        create_app({"DATA_DIR": str(geodata_dir), "TILES_URL": "", setting: "veel per minuut"})


@pytest.mark.parametrize("value, counted", [("false", False), ("0", False), ("off", False), ("true", True),
                                             ("1", True), (" On ", True)])
def test_rate_limits_switch_off_only_when_the_environment_says_so(geodata_dir, tmp_path, monkeypatch, value, counted):
    monkeypatch.setenv("ROUTEKAART_RATELIMIT_ENABLED", value)
    app = create_app({"DATA_DIR": str(geodata_dir), "TILES_URL": "", "API_RATE_LIMIT": "1 per minute",
                      "RATELIMIT_STORAGE_URI": f"routekaart-sqlite://{tmp_path}/limits.sqlite3"})
    state.reload(app)
    client = app.test_client()
    answers = [client.get("/api/v1/regions/ZK10") for _ in range(2)]
    assert [answer.status_code for answer in answers] == ([200, 429] if counted else [200, 200])
    assert ("X-RateLimit-Limit" in answers[0].headers) is counted


def test_a_rate_limit_switch_that_does_not_read_stops_the_start(geodata_dir, monkeypatch):
    monkeypatch.setenv("ROUTEKAART_RATELIMIT_ENABLED", "misschien")
    with pytest.raises(ConfigError, match="RATELIMIT_ENABLED"):
        create_app({"DATA_DIR": str(geodata_dir), "TILES_URL": ""})


def test_behind_the_tls_proxy_each_visitor_has_their_own_count(geodata_dir, tmp_path):
    app = create_app({"DATA_DIR": str(geodata_dir), "API_RATE_LIMIT": "2 per minute", "TILES_URL": "",
                      "PROXY_HOPS": "1", "RATELIMIT_STORAGE_URI": f"routekaart-sqlite://{tmp_path}/limits.sqlite3"})
    state.reload(app)
    client = app.test_client()

    def status(visitor: str) -> int:
        return client.get("/api/v1/regions/ZK10", headers={"X-Forwarded-For": visitor}).status_code

    assert [status("192.0.2.1") for _ in range(3)] == [200, 200, 429]
    assert [status("192.0.2.2") for _ in range(2)] == [200, 200], "another visitor behind the same proxy"
    assert status("192.0.2.66, 192.0.2.1") == 429, "only the proxy's own entry is trusted"


def test_sqlite_storage_counts_per_key_and_restarts_an_expired_window(tmp_path):
    from limits.storage import storage_from_string

    storage = storage_from_string(f"routekaart-sqlite://{tmp_path}/sub/limits.sqlite3")
    assert [storage.incr("a", 1) for _ in range(3)] == [1, 2, 3]
    assert storage.incr("b", 60, amount=2) == 2 and storage.get("a") == 3
    assert time.time() < storage.get_expiry("a") <= time.time() + 1
    time.sleep(1.1)
    assert storage.get("a") == 0 and storage.incr("a", 60) == 1, "a new window after the old one expired"
    storage.clear("b")
    assert storage.get("b") == 0 and storage.check()


def test_sqlite_storage_answers_a_request_s_own_count_without_asking_the_file_again(tmp_path):
    """A counted request asks for its count and expiry for its headers: one statement in all;
    another key, or another worker's count, is read from the file."""
    from limits.storage import storage_from_string

    uri = f"routekaart-sqlite://{tmp_path}/limits.sqlite3"
    storage, other_worker = storage_from_string(uri), storage_from_string(uri)
    storage.incr("x", 60)  # the once-a-minute sweep of expired counts comes first
    statements = []
    storage._db().set_trace_callback(statements.append)
    assert storage.incr("a", 60) == 1 and storage.get("a") == 1 and time.time() < storage.get_expiry("a")
    assert len(statements) == 1, statements
    assert other_worker.incr("b", 60) == 1 and other_worker.incr("b", 60) == 2
    assert storage.get("b") == 2, "a key this thread did not just count comes from the file"
    assert other_worker.incr("a", 60) == 2 and storage.incr("a", 60) == 3, "counts add up over workers"
    storage.clear("a")
    assert storage.get("a") == 0, "a cleared count is not answered from memory"
