"""Maintenance commands: `routekaart data build`, `routekaart catalogue seed`, `routekaart serve`.

`routekaart` is a Flask CLI group, so `flask --app app data build` works the same.
"""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from werkzeug.serving import WSGIRequestHandler

from . import logs, state
from .catalogue import seed as seeding
from .geodata import build as building
from .geodata import dataset, sources

data_cli = click.Group("data", help="De open geodata: bouwen en controleren.")
catalogue_cli = click.Group("catalogue", help="De catalogus met steun (regions/).")


@data_cli.command("build")
@click.option("--source", type=click.Path(file_okay=False, path_type=Path),
              help="Map met de open geodata (zoals ../shared/data/geo). Zonder: ROUTEKAART_GEO_SOURCE.")
@click.option("--download", is_flag=True, help="Haal de officiële open data op (CBS/PDOK, GeoNames).")
@with_appcontext
def data_build(source: Path | None, download: bool) -> None:
    """Build the runtime dataset and report catalogue entries that cannot be placed."""
    out = Path(current_app.config["DATA_DIR"])
    if download:
        source = sources.download(out.with_name(out.name + "-source"))
    source = source or current_app.config["GEO_SOURCE"]
    if not source:
        raise click.UsageError("Geef --source MAP of --download, of zet ROUTEKAART_GEO_SOURCE.")
    try:
        meta = building.build(Path(source), out)
    except sources.SourceError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Dataset gebouwd in {out}: " + ", ".join(f"{n} {k}" for k, n in meta["counts"].items()))
    data = state.reload(current_app)
    entries = data.catalogue.entries
    click.echo(f"Catalogus: {len(entries)} items, waarvan {int(entries['lat'].notna().sum())} op de kaart "
               f"({entries['geo_precision'].value_counts().to_dict()}).")
    for problem in data.catalogue.unplaced:
        click.echo(f"  niet geplaatst of twijfel: {problem.id}: {problem.reason}")


@catalogue_cli.command("seed")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def catalogue_seed(source: Path) -> None:
    """Rewrite regions/ from the team's seed catalogue folder (CSV files plus NOTES)."""
    geo = dataset.load(state.ensure_dataset(current_app.config))
    try:
        counts = seeding.run(source, geo, Path(current_app.config["CATALOGUE_DIR"]))
    except seeding.SeedError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{sum(counts.values())} items geschreven in {len(counts)} bestanden.")


class QuietRequestHandler(WSGIRequestHandler):
    """The app logs each request itself (routekaart.logs); Werkzeug's line has the full URL and IP."""

    def log_request(self, code="-", size="-") -> None:
        pass


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@with_appcontext
def serve(host: str, port: int) -> None:
    """Run the site on the embedded set-up (development server, privacy-safe logging)."""
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()
    state.get()  # build or load the dataset before the first visitor
    logs.configure()
    click.echo(f"Routekaart draait op http://{host}:{port}/")
    run_simple(host, port, app, request_handler=QuietRequestHandler, threaded=True)


def init_app(app: Flask) -> None:
    app.cli.add_command(data_cli)
    app.cli.add_command(catalogue_cli)
    app.cli.add_command(serve)


def _create_app():
    from . import create_app

    return create_app()


main = FlaskGroup(create_app=_create_app, help="Routekaart wachttijdondersteuning: beheer en starten.")
