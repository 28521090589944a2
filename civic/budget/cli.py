"""FPH commands: `pb tally|import|export` for pabulib files, `fph destroy-secrets` (also a
nightly job)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from civic.budget import pabulib, tally
from civic.core.jobs import job

pb_cli = AppGroup("pb", help="Participatory-budgeting files (pabulib .pb format).")


@pb_cli.command("tally")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rule", type=click.Choice(sorted(tally.RULES)), required=True,
              help="equal-shares: Method of Equal Shares with the Add1 completion; "
              "greedy: most voted first.")
def tally_command(path: Path, rule: str) -> None:
    """Print the ids of the projects FILE's ballots fund, one a line, in order of selection.

    Scores are approvals (approval, choose-1) or points (cumulative); META
    min_project_score_threshold is the minimum score of the greedy rule.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{path}: cannot read the file ({error})") from error
    try:
        election = pabulib.read(text).election()
    except ValueError as error:  # PabulibError, or ballots the rules cannot count
        raise click.ClickException(f"{path}: {error}") from error
    for project in tally.RULES[rule](election):
        click.echo(project)


@pb_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--quartier", "code", required=True, help="Official code of the quartier.")
@click.option("--title", default=None, help="Title of the round (default: the file's).")
def import_command(path: Path, code: str, title: str | None) -> None:
    """Create a closed, counted and published round from FILE's projects and ballots."""
    from civic.budget import imports
    from civic.budget.services import BudgetError
    from civic.core import clock
    from civic.core.db import session as db
    from civic.territory import queries

    try:
        instance = pabulib.read(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise click.ClickException(f"{path}: {error}") from error
    with db.begin():
        quartier = queries.quartier_by_code(db(), code)
        if quartier is None:
            raise click.ClickException(f"No quartier with the code {code}.")
        try:
            round_ = imports.import_instance(db(), quartier, instance, now=clock.now(),
                                             title=title)
        except BudgetError as error:
            raise click.ClickException(f"{path}: cannot import ({error.code}).") from error
    results = round_.results or {}
    click.echo(f"Round {round_.id} created: {results.get('ballots')} ballots, "
               f"{len(results.get('selected', []))} projects funded.")


@pb_cli.command("export")
@click.argument("round_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of the standard output.")
def export_command(round_id: int, output: Path | None) -> None:
    """Write a round's anonymous ballots as a pabulib file."""
    from civic.budget import counting
    from civic.budget.models import Round
    from civic.core.db import session as db

    round_ = db().get(Round, round_id)
    if round_ is None:
        raise click.ClickException(f"No round {round_id}.")
    text = counting.export_pb(db(), round_)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"{output}: {len(text.splitlines())} lines.")


fph_cli = AppGroup("fph", help="The neighbourhood fund (FPH).")


def destroy_secrets() -> int:
    """Destroy the secrets of rounds published more than FPH_SECRET_MONTHS ago.

    It forgets the register's key, deletes the sealed ballots' ciphertexts and the
    trustees' pieces of the count key. Afterwards nobody, not even the database's
    administrator with every trustee's share, can tell whose fingerprint a line of the
    register holds, nor open a sealed ballot.
    """
    from datetime import timedelta

    from flask import current_app

    from civic.budget import services
    from civic.core import clock
    from civic.core.db import checkpoint_wal, commit
    from civic.core.db import session as db

    now = clock.now()
    months = int(current_app.config["FPH_SECRET_MONTHS"])
    done = services.destroy_secrets(db(), published_before=now - timedelta(days=30 * months),
                                    now=now)
    commit(db)
    checkpoint_wal(db.get_bind())
    return len(done)


@job("fph.destroy_secrets", cron="45 2 * * *")
def destroy_secrets_job() -> str:
    return f"{destroy_secrets()} round(s) forgot their secrets"


@fph_cli.command("destroy-secrets")
def destroy_secrets_command() -> None:
    """Destroy the secrets of rounds published more than FPH_SECRET_MONTHS ago (the
    worker runs it every night)."""
    click.echo(f"{destroy_secrets()} round(s) forgot their register key and their "
               "sealed ballots.")
