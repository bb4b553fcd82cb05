"""`routekaart users add|list|disable|reset`: accounts from the command line.

There is no mail server: `add` and `reset` print the one-time invitation address, which the
administrator passes on (it works once, for a week).
"""
from __future__ import annotations

import functools

import click
from flask import Flask, current_app, url_for
from flask.cli import with_appcontext

from ..cli import database_errors
from ..paper import site_url
from . import accounts, database

users_cli = click.Group("users", help="Accounts voor het beheer (/beheer).")


def invitation_url(token: str) -> str:
    """On PUBLIC_URL; without it, where `routekaart serve` runs by default."""
    with current_app.test_request_context():
        path = url_for("login.invitation", token=token)
    return site_url(path, current_app.config["PUBLIC_URL"], "http://127.0.0.1:5000")


def _account_errors(command):
    """Account and database problems as a message, not a stack trace."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except accounts.AccountError as error:
            raise click.ClickException(str(error)) from None
    return database_errors(run)


@users_cli.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(accounts.ROLES), required=True,
              help="admin (alles), coordinator (eigen regio's bewerken) of reviewer (alles lezen).")
@click.option("--region", "regions", multiple=True, help="Regiocode, zoals ZK23 (vaker te geven).")
@with_appcontext
@_account_errors
def users_add(email: str, role: str, regions: tuple[str, ...]) -> None:
    """Make an account and print its one-time invitation address."""
    token = accounts.add(database(), email, role, list(regions))
    click.echo(f"Account gemaakt. Geef deze uitnodiging door (één keer te gebruiken, 7 dagen geldig):\n"
               f"{invitation_url(token)}")


@users_cli.command("list")
@with_appcontext
@_account_errors
def users_list() -> None:
    """Every account: address, role, regions, state."""
    people = accounts.everyone(database())
    for person in people:
        click.echo(f"{person['email']}  {person['role']}  {person['regions'] or '-'}  {person['state']}")
    if not people:
        click.echo("Nog geen accounts. Maak er een met `routekaart users add`.")


@users_cli.command("disable")
@click.argument("email")
@with_appcontext
@_account_errors
def users_disable(email: str) -> None:
    """Switch an account off; its sessions end at once."""
    accounts.disable(database(), email)
    click.echo(f"{accounts.normal_email(email)} kan niet meer inloggen.")


@users_cli.command("reset")
@click.argument("email")
@with_appcontext
@_account_errors
def users_reset(email: str) -> None:
    """Clear password and second factor (a lost phone) and print a new invitation address."""
    token = accounts.reset(database(), email)
    click.echo(f"Wachtwoord en tweede stap gewist. Nieuwe uitnodiging:\n{invitation_url(token)}")


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
