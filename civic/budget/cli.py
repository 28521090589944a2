"""``flask --app wsgi pb tally FILE.pb --rule greedy|equal-shares``: recount a pabulib file."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from civic.budget import pabulib, tally

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
