"""``flask --app wsgi accounts create-pilot EMAIL``: the first pilot of a new site."""

from __future__ import annotations

import secrets

import click
from flask.cli import AppGroup

from civic.accounts import passwords, services
from civic.accounts.models import Role
from civic.core import clock
from civic.core.db import session as db

accounts_cli = AppGroup("accounts", help="Accounts and roles.")


@accounts_cli.command("create-pilot")
@click.argument("email")
@click.option("--name", default="Pilote", help="Display name of the account.")
def create_pilot(email: str, name: str) -> None:
    """Create a confirmed account with the pilot role and print its first password."""
    password = secrets.token_urlsafe(12)
    while passwords.problem(password, [name, email]):  # by chance, the name inside
        password = secrets.token_urlsafe(12)
    now = clock.now()
    with db.begin():
        result = services.sign_up(db(), email=email, password=password, display_name=name,
                                  language="fr", quartier_id=None, now=now)
        user = result.user
        if result.created:
            user.email_confirmed_at = now
        if not user.holds_grant(Role.PILOT):
            services.grant_role(db(), user, Role.PILOT, quartier_id=None, signatory_id=None,
                                actor=None, now=now)
    if result.created:
        click.echo(f"Pilot account {user.email} created; password: {password}")
    else:
        click.echo(f"{user.email} already had an account; it now has the pilot role.")
    if user.second_factor_at is None:
        click.echo("The role takes effect once the account has a second step at login: the "
                   "first login asks to set one up (an app of codes or a security key).")
