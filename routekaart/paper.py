"""The GP's paper checklist: what of a checklist goes on paper, the address its QR code points
to, the QR code, and HTML -> PDF.

Pure functions: the web edge passes in the checklist, the rendered HTML, the site's paths (from
url_for) and addresses, and the static folder. The PDF renderer fetches nothing from the network:
a printed sheet must not depend on, or reveal anything to, another host.
"""
from __future__ import annotations

import mimetypes
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import segno
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .checklist import Checklist

# Steps whose text says it all on paper: the POH-GGZ entry repeats the huisarts step, and the
# insurers' own entries name a few insurers only, where the sheet's one step fits every insurer.
TEXT_ONLY_STEPS = ("huisarts", "verzekeraar")


@dataclass(frozen=True)
class Sheet:
    """A checklist as printed, and what the sheet says about its own listings."""

    checklist: Checklist  # its steps without the entries of TEXT_ONLY_STEPS
    checked: tuple[str, str] | None  # the oldest and newest check among the printed entries
    unchecked: int  # printed entries nobody has checked with the provider yet
    printed: int  # entries on the sheet


def sheet(made: Checklist) -> Sheet:
    """What the GP's sheet prints of a checklist, and how far its listings have been checked."""
    steps = [replace(s, entries=[], fallback=[]) if s.key in TEXT_ONLY_STEPS else s for s in made.steps]
    printed = {e["id"]: e["last_verified"] for s in steps for e in s.entries + s.fallback}
    dates = sorted(d for d in printed.values() if d)
    return Sheet(replace(made, steps=steps), (dates[0], dates[-1]) if dates else None,
                 sum(not d for d in printed.values()), len(printed))


def site_url(path: str, public_url: str | None, host_url: str) -> str:
    """A page of the live site: on PUBLIC_URL when set (a PDF is read long after the request,
    which may have come through a proxy), else on the host that served the request."""
    return (public_url or host_url).rstrip("/") + path


def qr_svg(url: str, label: str) -> str:
    """A QR code as inline SVG (no image request), sized for a phone camera at reading distance."""
    return segno.make(url, error="m").svg_inline(scale=2.4, title=label, svgclass="qr-code", lineclass=None)


class StaticOnly(URLFetcher):
    """Serves `<base_url>static/...` from the static folder; refuses everything else."""

    def __init__(self, base_url: str, static_dir: Path):
        super().__init__(allowed_protocols=("http", "https"))
        self.prefix = base_url.rstrip("/") + "/static/"
        self.static_dir = static_dir.resolve()

    def fetch(self, url, headers=None):
        path = (self.static_dir / url.removeprefix(self.prefix).split("?")[0]).resolve()
        if not url.startswith(self.prefix) or not path.is_relative_to(self.static_dir) or not path.is_file():
            raise ValueError(f"not fetched: {urlsplit(url).path} is not one of the app's static files")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mimetypes.guess_type(path.name)[0]})


def pdf(html: str, base_url: str, static_dir: Path) -> bytes:
    """The print rendering (`@media print`) of a page as PDF, its fonts embedded."""
    return HTML(string=html, base_url=base_url, url_fetcher=StaticOnly(base_url, static_dir)).write_pdf()
