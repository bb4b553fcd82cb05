"""The GP's print: a dated checklist for a zorgkantoorregio or a postcode, as a print page and a PDF.

Stable addresses a practice can bookmark: /regio/ZK10/checklist, /checklist/3511AB (and .pdf).
The PDF is the print page rendered by WeasyPrint, so the two never differ. Each render costs
about a second of CPU, so PDFs are rate limited per client (PDF_RATE_LIMIT, one count for both
kinds), at most PDF_RENDERS are rendered at once on the machine (beyond that a quick 503), and a
region's sheet, which holds nothing personal, is made once per dataset, language and day.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from urllib.parse import urljoin

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from markupsafe import Markup

from .. import checklist, paper, slots, state
from ..i18n import DEFAULT, language
from ..i18n import gettext as _
from ..postcodes import parse
from .pages import report_url

bp = Blueprint("regio", __name__)
pdf_bp = Blueprint("regio_pdf", __name__)



def _language() -> dict:
    """`lang=en` for addresses made for an English page, nothing for the default language."""
    chosen = language()
    return {} if chosen == DEFAULT else {"lang": chosen}


def _site_url(path: str) -> str:
    return paper.site_url(path, current_app.config["PUBLIC_URL"], request.host_url)


def _region(code: str) -> tuple[checklist.Checklist, str]:
    code = state.get().geo.region_code(code)
    return checklist.build(state.get().router, code), _site_url(url_for("regio.region_sheet", code=code,
                                                                        **_language()))


def _postcode(text: str) -> tuple[checklist.Checklist, str]:
    """A postcode's sheet; its QR code opens the client's live route map for that postcode."""
    router = state.get().router
    place = router.resolve(parse(text))
    live = _site_url(url_for("pages.route", postcode=str(place.postcode), **_language()))
    return checklist.build(router, place.region_code, place), live


def _page(made: checklist.Checklist, live_url: str, pdf_url: str | None) -> str:
    qr = Markup(paper.qr_svg(live_url, _("QR-code naar de actuele versie van deze checklist")))
    return render_template("checklist_print.html", sheet=paper.sheet(made), live_url=live_url, qr=qr, pdf_url=pdf_url,
                           report_address=urljoin(_site_url("/"), report_url()), site_address=_site_url("/"))


def _pdf(sheet: Callable[[], tuple[checklist.Checklist, str]], name: str, keep_as: str | None = None) -> Response:
    """The PDF of a sheet, made (checklist, page, PDF) in one of the machine's PDF slots, so a 503
    costs next to nothing. `keep_as` names a sheet with nothing personal in it, kept for the day
    when the site knows its public address (without PUBLIC_URL the sheet's address comes from each
    request, so it is made anew)."""
    def render() -> bytes:
        with slots.slot(Path(current_app.instance_path) / "pdf-slots", int(current_app.config["PDF_RENDERS"])):
            return paper.pdf(_page(*sheet(), None), _site_url("/"), Path(current_app.static_folder))

    if keep_as and current_app.config["PUBLIC_URL"]:
        body = state.get().derived.whole(keep_as, render, day=date.today())
    else:
        body = render()
    return Response(body, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})


@bp.get("/regio")
def regions():
    # Sorted as in a Dutch index: 't Gooi under G.
    names = state.get().geo.regions["name"].sort_values(key=lambda n: n.str.removeprefix("'t ").str.casefold())
    return render_template("regio.html", regions=names.items())


@bp.get("/regio/<code>/checklist")
def region_sheet(code: str):
    made, live = _region(code)
    return _page(made, live, url_for("regio_pdf.region_pdf", code=made.region_code, **_language()))


@pdf_bp.get("/regio/<code>/checklist.pdf")
def region_pdf(code: str):
    code = state.get().geo.region_code(code)  # 400 or 404 before anything else
    return _pdf(lambda: _region(code), f"checklist-{code}.pdf", keep_as=f"region-pdf/{code}/{language()}")


@bp.get("/checklist")
def postcode_form():
    """The postcode form on /regio, without JavaScript: on to the sheet's own address."""
    postcode = parse(request.args.get("postcode"))
    return redirect(url_for("regio.postcode_sheet", postcode=str(postcode), **_language()))


@bp.get("/checklist/<postcode>")
def postcode_sheet(postcode: str):
    made, live = _postcode(postcode)
    if str(made.place.postcode) != postcode:
        return redirect(url_for("regio.postcode_sheet", postcode=str(made.place.postcode), **_language()), 301)
    return _page(made, live, url_for("regio_pdf.postcode_pdf", postcode=postcode, **_language()))


@pdf_bp.get("/checklist/<postcode>.pdf")
def postcode_pdf(postcode: str):
    place = state.get().router.resolve(parse(postcode))  # 400 or 404 before anything else
    return _pdf(lambda: _postcode(postcode), f"checklist-{place.postcode}.pdf")
