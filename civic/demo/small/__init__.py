"""The small demo: a believable contract on real Toulouse perimeters.

The perimeters are the real 2015 QPV geography of four Toulouse quartiers (ANCT,
« Quartiers prioritaires de la politique de la ville », Licence Ouverte, through the
Toulouse DataViz association's Hackaviz 2021 repository); see the credits page. The
people and addresses are invented and use the reserved domain example.org.

Each part of the site has its module here; ``seed`` runs them in order.
"""

from __future__ import annotations

import click

from civic.core import clock
from civic.core.db import session as scoped
from civic.demo.small import (
    budget,
    evaluation,
    events,
    ideas,
    people,
    permanence,
    survey,
    territory,
)
from civic.demo.small import map as demo_map
from civic.pilotage import figures


def seed(*, echo: bool = True) -> dict[str, str]:
    """Create the demo contract and one account per role; returns {email: role}."""
    now = clock.now()
    signatories = territory.seed(now)
    mirail, empalot = territory.quartiers("QP031007", "QP031010")
    password, app, created, users = people.seed(mirail, empalot, signatories, now)
    shares = budget.seed(mirail, empalot, users, now)
    territory.commitments(mirail.contract.orientations, signatories, now)
    midterm = evaluation.seed(signatories, mirail, users, now)
    ideas.seed(mirail, users, signatories, now)
    demo_map.seed(mirail, users, now)
    events.seed(mirail, empalot, users, signatories, now)
    animator = users[people.ANIMATOR]
    permanence.weekly_hours(mirail, animator, now)
    permanence.open_today(mirail, animator, now)
    evaluation.workshop(midterm, mirail, users, now)
    survey.seed(midterm, mirail, empalot, users, now)
    figures.rebuild(scoped())
    if echo:
        _echo(password, app, created, shares)
    return created


def _echo(password: str, app: str, created: dict[str, str], shares: list[str]) -> None:
    click.echo("Demo data created. Demo accounts (shown once), all with the password "
               f"{password}:")
    for email, roles in created.items():
        click.echo(f"  {roles:<10} {email}")
    click.echo("After the password, accounts with a role ask for the code of an "
               f"authenticator app: add the key {app} to one (FreeOTP, Aegis...), or run")
    click.echo(f"  .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{app}').now())\"")
    click.echo("Shares of the open FPH vote's trustees, to count it (a real server never "
               "shows a share again):")
    for share in shares:
        click.echo(f"  {share}")
