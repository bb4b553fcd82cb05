"""Maintenance commands: `routekaart data build|update|stale|verify|history|rollback`, `import`, `export`,
`db migrate|load`, `catalogue seed|apply-updates`, `serve`.

`routekaart` is a Flask CLI group, so `flask --app app data build` works the same. Every command
that changes the catalogue goes through its store (catalogue/store.py): files or PostGIS.
"""
from __future__ import annotations

import functools
import sys
from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from . import checklist, logs, state
from .catalogue import export as exporting
from .catalogue import files, importing, placement, updates, verification
from .catalogue import seed as seeding
from .catalogue.schema import NATIONAL
from .catalogue.store import NoHistory, open_store, replace_all, rollback
from .errors import RequestError
from .geodata import build as building
from .geodata import dataset, download, sources

data_cli = click.Group("data", help="De gegevens: geodata bouwen, catalogus controleren en terugzetten.")
catalogue_cli = click.Group("catalogue", help="De catalogus met steun (regions/).")
db_cli = click.Group("db", help="De PostGIS-database (DATABASE_URL).")


def _geo() -> dataset.GeoData:
    try:
        return dataset.load(state.ensure_dataset(current_app.config))
    except dataset.DatasetMissing as error:
        raise click.ClickException(str(error)) from None


def _region(region: str | None, national: bool, geo: dataset.GeoData) -> str:
    """The region code from --region/--national, checked against the known regions."""
    if national == bool(region):
        raise click.UsageError("Geef --region CODE (zoals ZK10) of --national.")
    if national:
        return NATIONAL
    try:
        return geo.region_code(region)
    except RequestError:
        raise click.UsageError(f"Onbekende regio '{region}'. Kies uit: {', '.join(geo.regions.index)}.") from None


def database_errors(command):
    """A database that is down or not migrated: a clear message instead of a stack trace."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except Exception as error:
            psycopg = sys.modules.get("psycopg")  # only loaded when DATABASE_URL is used
            if psycopg is None or not isinstance(error, psycopg.Error):
                raise
            raise click.ClickException(f"De database gaf een fout: {str(error).strip()} Er is niets veranderd. "
                                       "Klopt DATABASE_URL, en is `routekaart db migrate` gedraaid?") from None
    return run


def _list(label: str, ids: list[str]) -> None:
    shown = ", ".join(ids[:20]) + (f" en {len(ids) - 20} meer" if len(ids) > 20 else "")
    click.echo(f"  {label}: {len(ids)}" + (f" ({shown})" if ids else ""))


def _say(line: str) -> None:
    click.echo(line, err=True)


def _build(source: Path) -> None:
    """Build from `source`, then report the dataset and the catalogue entries that cannot be placed."""
    out = Path(current_app.config["DATA_DIR"])
    try:
        meta = building.build(source, out, say=_say)
    except sources.SourceError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Dataset gebouwd in {out}: " + ", ".join(f"{n} {k}" for k, n in meta["counts"].items()))
    for warning in meta["warnings"]:
        click.echo(f"Let op: {warning}", err=True)
    data = state.reload(current_app)
    entries = data.catalogue.entries
    click.echo(f"Catalogus: {len(entries)} items, waarvan {int(entries['lat'].notna().sum())} op de kaart "
               f"({entries['geo_precision'].value_counts().to_dict()}).")
    for problem in data.catalogue.unplaced:
        click.echo(f"  niet geplaatst of twijfel: {problem.id}: {problem.reason}")
    for step, ids in checklist.missing(data.router).items():
        click.echo(f"Let op: de stap '{step}' van de checklist noemt items die de catalogus niet (open) heeft: "
                   f"{', '.join(ids)}.", err=True)


def _source(refresh: bool) -> Path:
    try:
        return download.source_folder(current_app.config, refresh=refresh, say=_say)
    except sources.SourceError as error:
        raise click.ClickException(f"{error} Er is niets veranderd.") from None


@data_cli.command("build")
@click.option("--source", type=click.Path(file_okay=False, path_type=Path),
              help="Map met de open geodata. Zonder: ROUTEKAART_GEO_SOURCE, ../shared/data/geo of de "
                   "eerder opgehaalde officiële data (die wordt anders eenmalig opgehaald).")
@with_appcontext
def data_build(source: Path | None) -> None:
    """Build the runtime dataset and report catalogue entries that cannot be placed."""
    _build(source or _source(refresh=False))


@data_cli.command("update")
@with_appcontext
def data_update() -> None:
    """Fetch the official open data anew (CBS via PDOK, GeoNames, CBS StatLine) and build from it."""
    _build(_source(refresh=True))


@catalogue_cli.command("seed")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def catalogue_seed(source: Path) -> None:
    """Rewrite regions/ from the team's seed catalogue folder (CSV files plus NOTES)."""
    geo = _geo()
    try:
        counts = seeding.run(source, geo, Path(current_app.config["CATALOGUE_DIR"]))
    except seeding.SeedError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{sum(counts.values())} items geschreven in {len(counts)} bestanden.")


@catalogue_cli.command("apply-updates")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
@database_errors
def catalogue_apply_updates(folder: Path) -> None:
    """Apply a folder of sourced updates (facts per entry, new entries, NOTES) with its provenance."""
    geo = _geo()
    store = open_store(current_app.config)
    before = store.read_all()
    try:
        result = updates.apply(before, updates.read_facts(folder), updates.read_new_entries(folder, geo), geo,
                               folder.name, date.today())
    except updates.UpdateError as error:
        raise click.ClickException(f"{error} Er is niets veranderd.") from None
    if result.problems:
        for problem in result.problems:
            click.echo(f"  {problem}", err=True)
        raise click.ClickException(f"{len(result.problems)} problemen; er is niets veranderd.")
    for code, rows in result.changed.items():
        store.replace_region(code, placement.place(rows, geo)[0])
    provenance = Path(current_app.config["CATALOGUE_DIR"]) / "provenance"
    updates.write_log(provenance / "updates.csv", result.log)
    updates.copy_notes(folder, provenance)
    decisions = result.log["decision"].value_counts()
    click.echo(f"{folder.name}: " + ", ".join(f"{n} {decision}" for decision, n in decisions.items())
               + f"; {len(result.changed)} regio's bijgewerkt. Herkomst: {provenance / 'updates.csv'}.")
    for row in result.log[result.log["decision"] == updates.HELD].itertuples():
        click.echo(f"  {updates.HELD}: {row.id}: {row.reason}")
    click.echo("Per regio, voor→na:")
    click.echo(updates.before_after(before, result.catalogue).to_string())


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--region", help="Regiocode, zoals ZK10: de gegevens van deze regio worden vervangen.")
@click.option("--national", is_flag=True, help="Vervang de landelijke gegevens.")
@click.option("--skip-invalid", is_flag=True, help="Schrijf de goede rijen; de foute gaan naar een apart bestand.")
@click.option("--yes", is_flag=True, help="Niet om bevestiging vragen.")
@with_appcontext
@database_errors
def import_file(path: Path, region: str | None, national: bool, skip_invalid: bool, yes: bool) -> None:
    """Replace a region's entries with a CSV, XLSX or GeoJSON file, after checking every row."""
    geo = _geo()
    code = _region(region, national, geo)
    store = open_store(current_app.config)
    try:
        frame = importing.read(path)
    except importing.FileProblem as problem:
        raise click.ClickException(f"{path.name}: {problem} Er is niets veranderd.") from None
    catalogue = store.read_all()
    problems = importing.check(frame, code, catalogue[catalogue["zorgkantoorregio"] != code], geo)
    if problems:
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        rows = len({problem.row for problem in problems})
        if not skip_invalid:
            raise click.ClickException(f"{len(problems)} problemen in {rows} van de {len(frame)} rijen. "
                                       "Er is niets veranderd. Verbeter het bestand en probeer opnieuw.")
        frame, rejects = importing.split(frame, problems)
        if frame.empty:
            raise click.ClickException("Geen enkele rij is goed. Er is niets veranderd.")
        rejected = path.with_name(f"{path.stem}-afgewezen.csv")
        files.write_csv(rejected, rejects)
        click.echo(f"{rows} rijen overgeslagen; die staan met hun problemen in {rejected}.")
    old = store.read_region(code)
    new = importing.prepare(frame, code)
    change = importing.compare(old, new)
    click.echo(f"{code}: nu {len(old)} items, straks {len(new)}.")
    _list("nieuw", change.added)
    _list("gewijzigd", change.changed)
    _list("verwijderd", change.removed)
    if not change:
        click.echo("Geen wijzigingen; er is niets geschreven.")
        return
    if not yes:
        answer = click.prompt(f"De gegevens van {code} vervangen? De huidige versie wordt bewaard. (ja/nee)",
                              type=click.Choice(["ja", "nee", "j", "n"], case_sensitive=False), default="nee",
                              show_choices=False, show_default=False)
        if not answer.lower().startswith("j"):
            raise click.ClickException("Er is niets veranderd.")
    placed, unplaced = placement.place(importing.stamp(new, old, change, date.today()), geo)
    store.replace_region(code, placed)
    click.echo(f"Klaar: {code} vervangen. Terugzetten kan met `routekaart data rollback --region {code}`.")
    for problem in unplaced:
        click.echo(f"  let op, {problem.id}: {problem.reason}")


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "geojson", "hsds"]), required=True)
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Bestand (csv, geojson) of map (hsds).")
@with_appcontext
@database_errors
def export_file(fmt: str, out: Path) -> None:
    """Export the whole catalogue: CSV, GeoJSON, or an Open Referral HSDS 3 data package."""
    entries = open_store(current_app.config).read_all()
    if fmt == "csv":
        exporting.write_csv(entries, out)
    elif fmt == "geojson":
        exporting.write_geojson(placement.place(entries, _geo())[0], out)
    else:
        geo = _geo()
        if "province" not in geo.gemeenten:
            click.echo("Let op: deze dataset kent geen provincies, dus komen adressen alleen in de beschrijving "
                       "van de locatie. Bouw de dataset opnieuw met `routekaart data build`.")
        from .portal import database, edits

        exporting.write_hsds(entries, out, geo, edits.everything(database()))
    click.echo(f"{len(entries)} items geschreven naar {out}.")


@data_cli.command("stale")
@click.option("--months", default=12, show_default=True, help="Niet gecontroleerd in zoveel maanden.")
@with_appcontext
@database_errors
def data_stale(months: int) -> None:
    """List, per region, the entries due for a check."""
    due = verification.due(open_store(current_app.config).read_all(), date.today(), months)
    for code, rows in due.groupby("zorgkantoorregio", sort=True):
        click.echo(f"{code}: {len(rows)} te controleren")
        for row in rows.itertuples():
            click.echo(f"  {row.id}  {row.name}  (gecontroleerd: {row.last_verified or 'nooit'})")
    click.echo(f"Samen {len(due)} items niet gecontroleerd in {months} maanden.")


@data_cli.command("verify")
@click.argument("entry_id")
@click.option("--by", "by", required=True, help="Uw e-mailadres (wordt verified_by).")
@with_appcontext
@database_errors
def data_verify(entry_id: str, by: str) -> None:
    """Record that an entry was checked with its provider today."""
    store = open_store(current_app.config)
    catalogue = store.read_all()
    found = catalogue.loc[catalogue["id"] == entry_id, "zorgkantoorregio"]
    if found.empty:
        raise click.ClickException(f"Geen item met id '{entry_id}'.")
    code = found.iloc[0]
    checked, problems = verification.record_check(store.read_region(code), entry_id, by, date.today())
    if problems:
        raise click.ClickException("; ".join(problem.message for problem in problems))
    store.replace_region(code, placement.place(checked, _geo())[0])
    click.echo(f"{entry_id} ({code}) gecontroleerd op {date.today().isoformat()} door {by}.")


@data_cli.command("history")
@click.option("--region", help="Regiocode, zoals ZK10.")
@click.option("--national", is_flag=True)
@with_appcontext
@database_errors
def data_history(region: str | None, national: bool) -> None:
    """List the kept earlier versions of a region, newest first."""
    code = _region(region, national, _geo())
    versions = open_store(current_app.config).history(code)
    for version in versions:
        click.echo(f"{version.id}  {version.saved:%Y-%m-%d %H:%M:%S}  {version.rows} items")
    if not versions:
        click.echo(f"Geen eerdere versies van {code}.")


@data_cli.command("rollback")
@click.option("--region", help="Regiocode, zoals ZK10.")
@click.option("--national", is_flag=True)
@click.option("--version", "version_id", help="Een versie uit `data history` (standaard: de nieuwste).")
@with_appcontext
@database_errors
def data_rollback(region: str | None, national: bool, version_id: str | None) -> None:
    """Put back an earlier version of a region; the current one is kept, so this can be undone."""
    code = _region(region, national, _geo())
    store = open_store(current_app.config)
    try:
        version = rollback(store, code, version_id)
    except NoHistory as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{code} teruggezet naar de versie van {version.saved:%Y-%m-%d %H:%M:%S} ({version.rows} items).")


@db_cli.command("migrate")
@with_appcontext
@database_errors
def db_migrate() -> None:
    """Apply the schema migrations in migrations/ that the database does not have yet."""
    from .catalogue import postgis

    applied = postgis.migrate(_database_url())
    click.echo(f"Toegepast: {', '.join(applied)}." if applied else "De database is al bij.")


@db_cli.command("load")
@with_appcontext
@database_errors
def db_load() -> None:
    """Copy the catalogue files (CATALOGUE_DIR) into the database, region by region."""
    from .catalogue.postgis import PostgisStore

    entries = placement.place(files.read_all(Path(current_app.config["CATALOGUE_DIR"])), _geo())[0]
    counts = replace_all(PostgisStore(_database_url()), entries)
    click.echo(f"{sum(counts.values())} items in {len(counts)} regio's geladen.")


def _database_url() -> str:
    url = current_app.config["DATABASE_URL"]
    if not url:
        raise click.UsageError("Zet DATABASE_URL=postgresql://gebruiker@host:poort/database.")
    return url


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@with_appcontext
def serve(host: str, port: int) -> None:
    """Run the site on the embedded set-up (development server, privacy-safe logging)."""
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()
    try:
        state.get()  # build or load the dataset before the first visitor
    except dataset.DatasetMissing as error:
        raise click.ClickException(str(error)) from None
    logs.configure()
    click.echo(f"Routekaart draait op http://{host}:{port}/")
    run_simple(host, port, app, request_handler=logs.QuietRequestHandler, threaded=True)


def init_app(app: Flask) -> None:
    app.cli.add_command(data_cli)
    app.cli.add_command(catalogue_cli)
    app.cli.add_command(db_cli)
    app.cli.add_command(import_file)
    app.cli.add_command(export_file)
    app.cli.add_command(serve)


def _create_app():
    from . import create_app

    return create_app()


main = FlaskGroup(create_app=_create_app, help="Routekaart wachttijdondersteuning: beheer en starten.")
