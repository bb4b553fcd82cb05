"""PDFs cannot take the whole server: at most PDF_RENDERS at once on the machine (lock files,
tested across processes and on real gunicorn), a quick 503 beyond that, a region's sheet kept
for the day, one PDF budget per client for both kinds."""
from __future__ import annotations

import signal
import subprocess
import sys
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from routekaart import create_app, slots, state

from . import servers


@contextmanager
def all_slots_taken(app):
    """Hold every PDF slot of this app's machine, as other renders would."""
    with ExitStack() as stack:
        for _ in range(int(app.config["PDF_RENDERS"])):
            stack.enter_context(slots.slot(Path(app.instance_path) / "pdf-slots", int(app.config["PDF_RENDERS"])))
        yield


@pytest.fixture()
def kept_app(geodata_dir):
    app = create_app({"DATA_DIR": str(geodata_dir), "TILES_URL": "", "RATELIMIT_ENABLED": False,
                      "PUBLIC_URL": "https://routekaart.example"})
    state.reload(app)
    return app


def test_slots_bound_threads_and_processes_and_a_killed_holder_frees_its_slot(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from routekaart import slots\n"
        f"with slots.slot(Path({str(tmp_path)!r}), 1):\n    print('held', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(slots.Busy):
            with slots.slot(tmp_path, 1):
                pass
        with slots.slot(tmp_path, 2), pytest.raises(slots.Busy):  # the second slot, then none
            with slots.slot(tmp_path, 2):
                pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    with slots.slot(tmp_path, 1):
        pass  # the kernel freed the killed holder's slot


def test_a_pdf_beyond_the_renders_at_once_gets_a_quick_503_with_retry_after(client, app):
    with all_slots_taken(app):
        busy = client.get("/checklist/3511AB.pdf")
        english = client.get("/checklist/3511AB.pdf?lang=en")
    assert busy.status_code == 503 and busy.headers["Retry-After"].isdigit()
    assert busy.mimetype == "text/html" and "Probeer het over een paar seconden opnieuw" in busy.get_data(as_text=True)
    assert english.status_code == 503 and "try again in a few seconds" in english.get_data(as_text=True)
    assert client.get("/checklist/3511AB.pdf").status_code == 200, "the slot is free again"


def test_a_region_sheet_is_made_once_per_day_and_needs_no_slot_after(kept_app):
    client = kept_app.test_client()
    first = client.get("/regio/ZK10/checklist.pdf")
    assert first.status_code == 200
    with all_slots_taken(kept_app):
        again = client.get("/regio/ZK10/checklist.pdf")
        other_language = client.get("/regio/ZK10/checklist.pdf?lang=en")
        postcode = client.get("/checklist/3511AB.pdf")
    assert again.status_code == 200 and again.data == first.data, "the kept sheet"
    assert other_language.status_code == 503, "each language is its own sheet"
    assert postcode.status_code == 503, "a postcode's sheet is never kept"


def test_without_a_public_address_a_region_sheet_is_made_anew(client, app):
    assert client.get("/regio/ZK10/checklist.pdf").status_code == 200
    with all_slots_taken(app):
        assert client.get("/regio/ZK10/checklist.pdf").status_code == 503


def test_both_pdfs_share_one_budget_per_client(geodata_dir, tmp_path):
    app = create_app({"DATA_DIR": str(geodata_dir), "TILES_URL": "", "PDF_RATE_LIMIT": "2 per minute",
                      "PUBLIC_URL": "https://routekaart.example",
                      "RATELIMIT_STORAGE_URI": f"routekaart-sqlite://{tmp_path}/limits.sqlite3"})
    state.reload(app)
    client = app.test_client()
    statuses = [client.get(path).status_code for path in
                ["/regio/ZK10/checklist.pdf", "/checklist/3511AB.pdf", "/regio/ZK10/checklist.pdf"]]
    assert statuses == [200, 200, 429]
    assert client.get("/regio/ZK10/checklist").status_code == 200, "the print page is not a PDF"


def test_gunicorn_workers_share_the_pdf_slots(app, geodata_dir, tmp_path):
    port = servers.free_port()
    env = servers.production_env(geodata_dir, port, ROUTEKAART_PDF_RENDERS=app.config["PDF_RENDERS"],
                                 ROUTEKAART_PDF_RATE_LIMIT="100 per minute",
                                 ROUTEKAART_RATELIMIT_STORAGE_URI=f"routekaart-sqlite://{tmp_path}/limits.sqlite3")
    server = servers.gunicorn(env, tmp_path / "gunicorn.log", port)
    try:
        with all_slots_taken(app):
            busy = [servers.get(port, path) for path in ["/checklist/3511AB.pdf", "/regio/ZK10/checklist.pdf"] * 2]
        free = servers.get(port, "/checklist/3511AB.pdf", timeout=60)
    finally:
        servers.stop(server)
    assert [status for status, _, _ in busy] == [503] * 4
    assert all(headers["retry-after"].isdigit() for _, headers, _ in busy)
    assert free[0] == 200 and free[1]["content-type"] == "application/pdf"
