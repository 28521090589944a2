"""``flask --app wsgi seed-demo``: a believable contract on real Toulouse perimeters.

``civic.demo.small`` makes the contract, one account per role and something to show on
every page; ``civic.demo.large`` (``--size large``) adds three years of a ten-quartier
contract on top of it, for scale tests and benchmarks. Both are split by part of the
site, and the large one builds on the small one, never the other way round.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from civic.core.db import session as db
from civic.demo.large import seed_large
from civic.demo.small import seed
from civic.territory import queries

__all__ = ["seed", "seed_demo_command", "seed_large"]


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when a contract already exists.")
@click.option("--size", type=click.Choice(["small", "large"]), default="small",
              show_default=True,
              help="large: three years of a ten-quartier contract, for scale tests.")
@with_appcontext
def seed_demo_command(if_empty: bool, size: str) -> None:
    """Fill the database with the demo contract on real Toulouse perimeters."""
    with db.begin():
        if queries.current_contract(db()) is not None:
            if if_empty:
                return
            raise click.ClickException("The database already holds a contract.")
        if size == "large":
            seed_large()
        else:
            seed()
