"""The portal's pages: /beheer for people with an account, /melden/<id> and /aanmelden for visitors.

Flask only at the edge: accounts.py, reports.py and edits.py do the work. Every page of /beheer
says who may see it (`_reader`, `_editor`, `_admin`); tests/test_portal_access.py walks every
route with every role. Portal pages are never cached and set no language cookie of their own.
"""
from __future__ import annotations

import json
import logging
import secrets
import tempfile
import time
from datetime import date, datetime, timezone
from functools import wraps
from pathlib import Path

import pandas as pd
import segno
from flask import (Blueprint, abort, current_app, g, redirect, render_template, request, session,
                   url_for)
from flask_babel import format_datetime

from .. import coverage, state
from ..catalogue import importing
from ..catalogue.schema import COLUMNS, KINDS, LOCATION_TYPES, NATIONAL, SCOPES, STATUSES, YES_NO
from ..catalogue.verification import is_stale, record_check
from ..i18n import N_
from ..i18n import gettext as _
from ..paper import site_url
from ..security import limit
from ..errors import PostcodeError, UnknownPostcode
from ..postcodes import parse
from ..web.errors import translated
from . import accounts, database, edits, reports

log = logging.getLogger("routekaart.portal")

login_bp = Blueprint("login", __name__, url_prefix="/beheer")
bp = Blueprint("beheer", __name__, url_prefix="/beheer")
public_bp = Blueprint("meldingen", __name__)

PUBLIC_FORM_BYTES = 16 * 1024
UPLOAD_BYTES = 5 * 1024 * 1024
FORM_BYTES = 256 * 1024
STALE_MONTHS = 12
UPLOAD_SECONDS = 3600
# Fields the portal sets itself: the id is fixed, the region is the page's, the dates and the
# checker come from "gecontroleerd" and from saving.
NOT_IN_FORM = ("id", "zorgkantoorregio", "last_verified", "verified_by", "last_edited")
LABELS = {
    "name": N_("Naam"), "kind": N_("Soort"), "status": N_("Status"), "organization": N_("Organisatie"),
    "description": N_("Beschrijving"), "audience": N_("Voor wie"),
    "audience_groups": N_("Doelgroepen (volwassenen, jongeren, naasten; scheid met ;)"),
    "fees_description": N_("Kosten"), "free": N_("Gratis"), "referral_needed": N_("Verwijzing nodig"),
    "scope": N_("Bereik"),
    "service_area": N_("Werkgebied: de gemeenten waarvoor het is (namen of CBS-codes, scheid met ;). Leeg: de eigen "
                       "gemeente bij lokaal, anders de hele regio"),
    "location_type": N_("Soort plek"), "address_1": N_("Adres"),
    "postal_code": N_("Postcode"), "city": N_("Plaats"), "gemeente": N_("Gemeente"),
    "latitude": N_("Breedtegraad (bijvoorbeeld 52,09)"), "longitude": N_("Lengtegraad (bijvoorbeeld 5,12)"),
    "phones": N_("Telefoon (meer nummers: scheid met ;)"), "email": N_("E-mail"), "url": N_("Website"),
    "schedule": N_("Openingstijden"), "schedule_note": N_("Openingstijden: toelichting in woorden"), "general_walk_in": N_("Algemene inloop, niet alleen voor psychische klachten"),
    "source_url": N_("Bron (webadres waar de gegevens staan)"), "source_seen": N_("Bron gezien op (JJJJ-MM-DD)"),
    "notes": N_("Notities voor beheerders (niet op de site)"),
}
CHOICES = {
    "kind": [(kind, label) for kind, (label, _group) in KINDS.items()],
    "status": list(STATUSES.items()),
    "scope": [(scope, scope) for scope in SCOPES],
    "location_type": list(zip(LOCATION_TYPES, (N_("Op een adres"), N_("Online of telefoon")))),
    **{column: list(zip(YES_NO, (N_("ja"), N_("nee"), N_("onbekend"))))
       for column in ("free", "referral_needed", "general_walk_in")},
}
LONG = ("description", "notes", "schedule", "schedule_note", "service_area")
ROLE_LABELS = {"admin": N_("beheerder"), "coordinator": N_("coördinator"), "reviewer": N_("meelezer")}


# --- who is signed in --------------------------------------------------------------------------

def _user() -> accounts.User | None:
    if "user" not in g:
        token = session.get("sid")
        g.user = accounts.session_user(database(), token) if token else None
    return g.user


def _signed_in(view):
    @wraps(view)
    def run(*args, **kwargs):
        if _user() is None:
            return redirect(url_for("login.sign_in"))
        return view(*args, **kwargs)
    return run


def _reader(code: str) -> accounts.User:
    if not _user().may_read(code):
        abort(403)
    return g.user


def _editor(code: str) -> accounts.User:
    if not _user().may_edit(code):
        abort(403)
    return g.user


def _admin() -> accounts.User:
    if _user().role != "admin":
        abort(403)
    return g.user


def _data() -> state.AppData:
    return state.get()


def _entry_name(entry_id: str) -> str:
    """An entry's name, for a report about it (its id if the entry is gone)."""
    router = _data().router
    found = router.with_ids([entry_id])
    return router.records(found)[0]["name"] if len(found) else entry_id


def _region_codes() -> list[str]:
    return [NATIONAL, *_data().geo.regions.index]


def _known_region(code: str) -> str:
    if code not in _region_codes():
        abort(404)
    return code


def _region_name(code: str) -> str:
    return _("Landelijk") if code == NATIONAL else _data().router.region_name(code)


def _entry(entry_id: str) -> tuple[str, dict]:
    """(region, entry as stored now) of an entry id; 404 if there is none."""
    entries = _data().catalogue.entries
    region = entries.loc[entries["id"] == entry_id, "zorgkantoorregio"]
    if region.empty:  # perhaps added a moment ago, before this process reloaded: ask the store
        entries = _data().store.read_all()
        region = entries.loc[entries["id"] == entry_id, "zorgkantoorregio"]
    if region.empty:
        abort(404)
    rows = _data().store.read_region(region.iloc[0])
    found = rows[rows["id"] == entry_id]
    if found.empty:
        abort(404)
    return region.iloc[0], found.iloc[0].to_dict()


# --- log-in and invitations --------------------------------------------------------------------

@login_bp.route("/inloggen", methods=["GET", "POST"])
def sign_in():
    if request.method == "GET":
        return render_template("beheer/login.html")
    user = accounts.authenticate(database(), request.form.get("email", ""), request.form.get("password", ""),
                                 request.form.get("code", ""))
    if user is None:
        log.info("login failed", extra={"fields": {"event": "login_failed"}})  # no address: it may be anyone's
        return render_template("beheer/login.html", failed=True), 401
    log.info("login", extra={"fields": {"event": "login", "user_id": user.id, "role": user.role}})
    session.clear()  # a new session and a new CSRF token: nothing from before the log-in carries over
    session["sid"] = accounts.start_session(database(), user)
    return redirect(url_for("beheer.overview"), 303)


@login_bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
def invitation(token: str):
    user = accounts.invited(database(), token)
    if user is None:
        return render_template("beheer/invitation.html", expired=True), 404
    secret = session.get("totp_setup") if request.method == "POST" else None
    if user.needs_second_factor and not secret:
        secret = session["totp_setup"] = accounts.new_totp_secret()
    problem = None
    if request.method == "POST":
        password = request.form.get("password", "")
        problem = accounts.password_problem(password, request.form.get("password_again", ""), user.email)
        if problem is None:
            try:
                accounts.accept(database(), token, password, secret or "", request.form.get("code", ""))
            except accounts.AccountError as error:
                problem = str(error)
            else:
                session.pop("totp_setup", None)
                log.info("invitation accepted", extra={"fields": {"event": "invitation_accepted", "user_id": user.id}})
                return render_template("beheer/invitation.html", done=True)
    qr = None
    if secret:
        qr = segno.make(accounts.totp_uri(secret, user.email), error="m").svg_inline(
            scale=5, title=_("QR-code voor uw app"), svgclass="qr-code", lineclass=None)
    return render_template("beheer/invitation.html", user=user, secret=secret, qr=qr,
                           problem=problem), 400 if problem else 200


@bp.post("/uitloggen")
def sign_out():
    token = session.get("sid")
    if token:
        accounts.end_session(database(), token)
    session.clear()
    return redirect(url_for("login.sign_in"), 303)


# --- overview and a region's to-do list ---------------------------------------------------------

@bp.get("/")
@_signed_in
def overview():
    user = _user()
    codes = [code for code in _region_codes() if user.may_read(code)]
    waiting = reports.waiting(database(), codes) if user.role != "reviewer" else []
    counts = pd.Series([report["region"] for report in waiting], dtype=str).value_counts()
    return render_template("beheer/overview.html", regions=[(code, _region_name(code), int(counts.get(code, 0)))
                                                            for code in codes])


def attention(entries: pd.DataFrame, today: date) -> dict[str, pd.DataFrame]:
    """What needs a coordinator in a region's entries (archived ones left out), by reason."""
    live = entries[entries["status"] != "inactive"]
    never = live["last_verified"] == ""
    physical = live["location_type"] != "virtual"
    return {
        "never": live[never],
        "stale": live[~never & is_stale(live["last_verified"], today, STALE_MONTHS)],
        "no_phone": live[live["phones"] == ""],
        "no_hours": live[physical & (live["schedule"] == "") & (live["schedule_note"] == "")],
        # a regional or local entry offered to its whole region, or its own gemeente, by default only
        "no_service_area": live[(live["zorgkantoorregio"] != NATIONAL) & (live["service_area"] == "")],
    }


ATTENTION_LABELS = {
    "never": N_("Nog nooit gecontroleerd"),
    "stale": N_("Langer dan 12 maanden niet gecontroleerd"),
    "no_phone": N_("Zonder telefoonnummer"),
    "no_hours": N_("Zonder openingstijden"),
    "no_service_area": N_("Zonder werkgebied: voor welke gemeenten is dit?"),
}
KNOWN_GAPS = {"mgn_known": N_("Geen mentaal gezondheidsnetwerk bekend"),
              "waiting_support_known": N_("Geen steun tijdens het wachten bekend"),
              "youth_walk_in_known": N_("Geen inloop voor jongeren bekend")}


def _gaps(code: str) -> tuple[list[str], pd.DataFrame]:
    """The insurer view's gaps for a region: what kind of support is not known, and the areas
    farthest from a walk-in."""
    if code == NATIONAL:
        return [], pd.DataFrame()
    from ..web.dekking import coverage_of

    figures = coverage_of(_data())
    row = figures.table.loc[code]
    return [label for column, label in KNOWN_GAPS.items() if not row[column]], coverage.farthest(figures, code, 5)


@bp.get("/regio/<code>")
@_signed_in
def region(code: str):
    user = _reader(_known_region(code))
    entries = _data().store.read_region(code).sort_values("name")
    missing, farthest = _gaps(code)
    waiting = reports.waiting(database(), [code]) if user.role != "reviewer" else []
    return render_template("beheer/region.html", code=code, name=_region_name(code), entries=entries,
                           attention=attention(entries, date.today()), labels=ATTENTION_LABELS,
                           missing=missing, farthest=farthest, waiting=waiting, may_edit=user.may_edit(code))


@bp.get("/regio/<code>/geschiedenis")
@_signed_in
def region_history(code: str):
    _reader(_known_region(code))
    return render_template("beheer/history.html", code=code, name=_region_name(code),
                           changes=edits.history(database(), region=code))


# --- one entry: edit, verify, archive, undo ----------------------------------------------------

def form_fields() -> list[str]:
    """The columns a coordinator fills in: every schema column but the ones the portal sets."""
    return [column for column in COLUMNS if column not in NOT_IN_FORM]


def _by_field(problems) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for problem in problems:
        found.setdefault(problem.column, []).append(problem.message)
    return found


def _given_reason() -> str:
    """Why, in the coordinator's words (kept in the history, in the language they wrote it)."""
    return request.form.get("reason", "").strip()[:500]


def _reason(report: dict | None) -> str:
    given = _given_reason()
    if report is not None:
        return f"melding {report['id']}" + (f": {given}" if given else "")
    return given


def _report_for(code: str) -> dict | None:
    """The open report of this region a form is answering (?melding=ID), if any."""
    number = request.values.get("melding", "")
    report = reports.get(database(), int(number)) if number.isdigit() and len(number) < 10 else None
    return report if report and report["region"] == code and report["status"] == "open" else None


def _save(code: str, edit, who: str, reason: str, checked: list[str] | None, report: dict | None = None,
          undoes: int | None = None):
    """Apply an edit; on success the report it answers is accepted. Problems by field, or None."""
    try:
        problems = edits.change(database(), _data().store, _data().geo, _data().catalogue.entries, code, edit,
                                who, reason, checked, undoes)
    except edits.Conflict as conflict:
        return {"": [str(conflict)]}
    if problems:
        return _by_field(problems)
    if report is not None:
        reports.handle(database(), report["id"], "accepted", who)
    return None


@bp.route("/item/<entry_id>", methods=["GET", "POST"])
@_signed_in
def entry(entry_id: str):
    code, row = _entry(entry_id)
    user = _reader(code)
    report = _report_for(code)
    problems, values = {}, row
    if request.method == "POST":
        _editor(code)
        values = {field: request.form.get(field, "").strip() for field in form_fields()}
        problems = _save(code, edits.set_fields(entry_id, values, request.form.get("basis")), user.email,
                         _reason(report), [entry_id], report)
        if problems is None:
            return redirect(url_for("beheer.entry", entry_id=entry_id, opgeslagen=1), 303)
        values = {**row, **values}
    return render_template("beheer/entry.html", code=code, name=_region_name(code), row=values,
                           basis=edits.fingerprint(row), problems=problems, report=report,
                           may_edit=user.may_edit(code), changes=edits.history(database(), entry_id=entry_id),
                           saved=request.args.get("opgeslagen")), 400 if problems else 200


@bp.post("/item/<entry_id>/gecontroleerd")
@_signed_in
def verify(entry_id: str):
    code, row = _entry(entry_id)
    user = _editor(code)
    edit = lambda rows: record_check(rows, entry_id, user.email, date.today())[0]  # noqa: E731
    problems = _save(code, edit, user.email, _given_reason() or "nagebeld", [entry_id])
    return _after_action(entry_id, problems, "gecontroleerd")


@bp.post("/item/<entry_id>/archiveren")
@_signed_in
def archive(entry_id: str):
    code, row = _entry(entry_id)
    user = _editor(code)
    problems = _save(code, edits.set_fields(entry_id, {"status": "inactive"}), user.email,
                     _given_reason() or "gearchiveerd", [entry_id])
    return _after_action(entry_id, problems, "gearchiveerd")


def _after_action(entry_id: str, problems, done: str):
    if problems:
        return render_template("beheer/problem.html", problems=problems, entry_id=entry_id), 400
    return redirect(url_for("beheer.entry", entry_id=entry_id, opgeslagen=done), 303)


@bp.post("/wijziging/<int(max=2147483647):change_id>/terugdraaien")
@_signed_in
def undo(change_id: int):
    change = edits.get(database(), change_id)
    if change is None:
        abort(404)
    user = _editor(change["region"])
    try:
        edit = edits.undo(change)
    except edits.Conflict as conflict:
        return render_template("beheer/problem.html", problems={"": [str(conflict)]}), 409
    problems = _save(change["region"], edit, user.email, f"teruggedraaid: wijziging {change_id}",
                     [change["entry_id"]], undoes=change_id)
    return _after_action(change["entry_id"], problems, "teruggedraaid")


@bp.route("/regio/<code>/nieuw", methods=["GET", "POST"])
@_signed_in
def add(code: str):
    user = _editor(_known_region(code))
    report = _report_for(code)
    problems = {}
    values = {"scope": "regionaal" if code != NATIONAL else "landelijk", "status": "active",
              "location_type": "physical", "zorgkantoorregio": code, **(report["fields"] if report else {})}
    if request.method == "POST":
        values = {field: request.form.get(field, "").strip() for field in form_fields()}
        entry_id = edits.new_id(values["name"], code, _data().catalogue.entries["id"])
        problems = _save(code, edits.add_entry({**values, "id": entry_id, "zorgkantoorregio": code}),
                         user.email, _reason(report), [entry_id], report)
        if problems is None:
            return redirect(url_for("beheer.entry", entry_id=entry_id, opgeslagen=1), 303)
    return render_template("beheer/entry.html", code=code, name=_region_name(code), row=values, basis=None,
                           problems=problems, report=report, may_edit=True, changes=[], saved=None,
                           new=True), 400 if problems else 200


# --- a spreadsheet: preview, then confirm -------------------------------------------------------

@bp.route("/regio/<code>/bestand", methods=["GET", "POST"])
@_signed_in
def upload(code: str):
    user = _editor(_known_region(code))
    if request.method == "GET":
        return render_template("beheer/upload.html", code=code, name=_region_name(code))
    db = database()
    if request.form.get("upload"):
        kept = db.row("SELECT * FROM portal_uploads WHERE id = :id AND user_id = :user AND region = :code "
                      "AND created_at > :fresh", id=request.form["upload"], user=user.id, code=code,
                      fresh=int(time.time()) - UPLOAD_SECONDS)
        if kept is None:
            return render_template("beheer/upload.html", code=code, name=_region_name(code),
                                   problem=_("Deze voorvertoning is verlopen. Kies het bestand opnieuw.")), 400
        rows = pd.DataFrame(json.loads(kept["rows"]), dtype=str)
        problems = _save(code, edits.merge_file(importing.prepare(rows, code)), user.email,
                         _given_reason() or "bestand ingelezen", None)
        db.rows("DELETE FROM portal_uploads WHERE id = :id", id=kept["id"])
        if problems:
            return render_template("beheer/upload.html", code=code, name=_region_name(code),
                                   problem=_("Het bestand past niet meer bij de gegevens. Kies het opnieuw.")), 409
        return redirect(url_for("beheer.region", code=code), 303)
    file = request.files.get("file")
    if file is None or not file.filename:
        return render_template("beheer/upload.html", code=code, name=_region_name(code),
                               problem=_("Kies een bestand.")), 400
    suffix = Path(file.filename).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        file.save(path)
        try:
            frame = importing.read(path)
        except importing.FileProblem as problem:
            return render_template("beheer/upload.html", code=code, name=_region_name(code), problem=str(problem)), 400
    catalogue = _data().catalogue.entries
    problems = importing.check(frame, code, catalogue[catalogue["zorgkantoorregio"] != code], _data().geo)
    if problems:
        return render_template("beheer/upload.html", code=code, name=_region_name(code), problems=problems), 400
    old = _data().store.read_region(code)
    new = importing.prepare(frame, code)
    change = importing.compare(old[old["id"].isin(new["id"])], new)
    token = secrets.token_urlsafe(16)
    db.rows("DELETE FROM portal_uploads WHERE created_at < :old", old=int(time.time()) - UPLOAD_SECONDS)
    db.rows("INSERT INTO portal_uploads (id, user_id, region, created_at, rows) VALUES (:id, :user, :code, :now, :rows)",
            id=token, user=user.id, code=code, now=int(time.time()), rows=new.to_json(orient="records"))
    return render_template("beheer/upload.html", code=code, name=_region_name(code), change=change, upload_id=token,
                           kept=len(old) - int(old["id"].isin(new["id"]).sum()))


# --- the queue of reports and suggestions -------------------------------------------------------

def _queue_regions(user: accounts.User) -> list[str] | None:
    if user.role == "reviewer":
        abort(403)  # visitors' texts are for the people who handle them
    return None if user.role == "admin" else list(user.regions)


@bp.get("/meldingen")
@_signed_in
def queue():
    waiting = reports.waiting(database(), _queue_regions(_user()))
    return render_template("beheer/queue.html", waiting=waiting, names={code: _region_name(code) for code in
                                                                        {r["region"] for r in waiting}})


@bp.get("/melding/<int(max=2147483647):report_id>")
@_signed_in
def report(report_id: int):
    found = reports.get(database(), report_id)
    if found is None:
        abort(404)
    _queue_regions(_user())
    _editor(found["region"])
    return render_template("beheer/report.html", report=found, name=_region_name(found["region"]))


@bp.post("/melding/<int(max=2147483647):report_id>/afwijzen")
@_signed_in
def reject(report_id: int):
    found = reports.get(database(), report_id)
    if found is None:
        abort(404)
    user = _editor(found["region"])
    reports.handle(database(), report_id, "rejected", user.email)
    return redirect(url_for("beheer.queue"), 303)


# --- accounts (administrators) ------------------------------------------------------------------

@bp.route("/gebruikers", methods=["GET", "POST"])
@_signed_in
def users():
    _admin()
    invitation_url, problem = None, None
    if request.method == "POST":
        try:
            if request.form.get("disable"):
                accounts.disable(database(), request.form["disable"])
                log.info("account disabled", extra={"fields": {"event": "account_disabled", "by": g.user.id}})
            else:
                token = accounts.add(database(), request.form.get("email", ""), request.form.get("role", ""),
                                     request.form.getlist("region"))
                invitation_url = site_url(url_for("login.invitation", token=token), current_app.config["PUBLIC_URL"],
                                          request.host_url)
        except accounts.AccountError as error:
            problem = str(error)
    return render_template("beheer/users.html", users=accounts.everyone(database()), roles=ROLE_LABELS,
                           codes=_region_codes(), invitation_url=invitation_url,
                           problem=problem), 400 if problem else 200


# --- visitors: report a mistake, suggest a place ------------------------------------------------

def _public_problems(fields: dict | None = None, required: tuple = ()) -> tuple[dict, str, str]:
    text, email = request.form.get("text", ""), request.form.get("email", "").strip()
    found = reports.problems(text, email, fields, required)
    return found, text, email


def _is_bot() -> bool:
    """The honeypot: a field people never see, that form-filling robots fill in."""
    return bool(request.form.get("website"))


@public_bp.route("/melden/<entry_id>", methods=["GET", "POST"])
def report_mistake(entry_id: str):
    router = _data().router
    found = router.with_ids([entry_id])
    if not len(found):
        abort(404)
    shown = router.records(found)[0]
    if request.method == "GET":
        return render_template("melden.html", entry=shown)
    problems, text, email = _public_problems()
    if problems:
        return render_template("melden.html", entry=shown, problems=problems, text=text, email=email), 400
    if not _is_bot():
        reports.submit(database(), "fout", shown["zorgkantoorregio"], text, email, entry_id=entry_id)
    return render_template("bedankt.html", entry=shown)


@public_bp.route("/aanmelden", methods=["GET", "POST"])
def suggest():
    if request.method == "GET":
        return render_template("aanmelden.html", values={})
    fields = {name: request.form.get(name, "").strip() for name in reports.SUGGESTION_FIELDS}
    problems, text, email = _public_problems(fields, required=("name", "city"))
    region = NATIONAL
    if fields["postal_code"] and "postal_code" not in problems:
        try:
            region = _data().router.resolve(parse(fields["postal_code"])).region_code
        except (PostcodeError, UnknownPostcode) as error:
            problems["postal_code"] = translated(error)
    if problems:
        return render_template("aanmelden.html", values=fields, problems=problems, text=text, email=email), 400
    if not _is_bot():
        reports.submit(database(), "nieuw", region, text, email, fields=fields)
    return render_template("bedankt.html", entry=None)


# --- set-up ------------------------------------------------------------------------------------

def portal_time(seconds: int) -> str:
    """Unix seconds as people read a moment (UTC, the app's time zone)."""
    return format_datetime(datetime.fromtimestamp(seconds, timezone.utc), "d MMM y HH:mm")


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def limit_body() -> None:
    """Size caps on what the portal's forms accept (413 beyond them). Runs before the CSRF check,
    which is the first to read a form."""
    if request.blueprint in ("login", "meldingen"):
        request.max_content_length = PUBLIC_FORM_BYTES
    elif request.blueprint == "beheer":
        request.max_content_length = UPLOAD_BYTES if request.endpoint == "beheer.upload" else FORM_BYTES


for _blueprint in (login_bp, bp, public_bp):
    _blueprint.after_request(_no_store)


def init_app(app) -> None:
    limit(app, login_bp, "LOGIN_RATE_LIMIT", methods=("POST",))
    limit(app, public_bp, "REPORT_RATE_LIMIT", methods=("POST",))
    for blueprint in (login_bp, bp, public_bp):
        app.register_blueprint(blueprint)
    app.add_template_filter(portal_time)
    app.jinja_env.globals.update(portal_user=_user, field_labels=LABELS, field_choices=CHOICES, long_fields=LONG,
                                 form_fields=form_fields, role_labels=ROLE_LABELS, entry_name=_entry_name)
