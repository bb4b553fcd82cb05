"""Helpers for tests in real headless Chromium (Debian's package, installed by .ci/install-system.sh)."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium calls Google's hosts at start-up.
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = Path(os.environ.get("AXE_CORE_JS", "/var/cache/routekaart-ci/axe-core-4.14.1/axe.min.js"))


def hosts(page) -> set[str]:
    """Every host the page asked something of (the `page` fixture records the requests)."""
    return {urlsplit(url).netloc for url in page.requests if not url.startswith(("data:", "about:"))}


def serious_axe_violations(page) -> list[tuple]:
    """axe-core's WCAG 2.1 A/AA findings of impact serious or critical, short enough to read in a failure."""
    if not AXE.is_file():
        pytest.fail(f"axe-core not found at {AXE}; run .ci/install-system.sh or set AXE_CORE_JS")
    page.evaluate(AXE.read_text())  # evaluated by the browser tooling, not as a page script
    result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
            if v["impact"] in ("serious", "critical")]
