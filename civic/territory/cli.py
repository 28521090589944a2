"""``flask --app wsgi territory import-qpv FILE``: create or update quartiers from a QPV file."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from civic.core import clock
from civic.core.db import session as db
from civic.territory import queries, services
from civic.territory.geo import NotAFeatureCollection, read_qpv_features

territory_cli = AppGroup("territory", help="The contract's territory.")


@territory_cli.command("import-qpv")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_qpv(path: Path) -> None:
    """Import QPV perimeters from a GeoJSON FeatureCollection (2015 or 2024 edition)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
        features, skipped = read_qpv_features(document)
    except (ValueError, NotAFeatureCollection) as error:
        raise click.ClickException(f"{path}: {error}") from error
    with db.begin():
        contract = queries.current_contract(db())
        if contract is None:
            raise click.ClickException("No contract yet: create it first (page /admin/contrat).")
        report = services.import_qpv(db(), contract, features, skipped, actor=None,
                                     now=clock.now())
    click.echo(f"{len(report.created)} created, {len(report.updated)} updated, "
               f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped.")
    for code in report.created:
        click.echo(f"  created   {code}")
    for code in report.updated:
        click.echo(f"  updated   {code}")
    for item in report.skipped:
        click.echo(f"  skipped   feature {item.position} ({item.code or 'no code'}): {item.reason}")
    for code, found, home in report.elsewhere:
        click.echo(f"  warning   {code} is in département {found}, the contract's quartiers "
                   f"in {home}: check it belongs to this contract")
