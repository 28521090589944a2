"""``flask --app wsgi db upgrade|check|revision``: Alembic, driven from the app's settings."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import current_app
from flask.cli import AppGroup

ROOT = Path(__file__).resolve().parents[2]

db_cli = AppGroup("db", help="Database schema migrations (Alembic).")


def civic_owns(name: str | None, type_: str, _parents: object) -> bool:
    """Whether Alembic compares this object with the models: procrastinate's job tables
    belong to procrastinate's schema (applied by a migration), not to civic's models."""
    return not (type_ == "table" and (name or "").startswith("procrastinate_"))


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["url"] = url or current_app.config["DATABASE_URL"]
    return config


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Bring the database schema up to REVISION (head by default)."""
    command.upgrade(alembic_config(), revision)


@db_cli.command("check")
def check() -> None:
    """Fail when the models hold changes that no migration describes."""
    command.check(alembic_config())


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    command.revision(alembic_config(), message=message, autogenerate=True)
