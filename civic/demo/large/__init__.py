"""The large demo: three years of a ten-quartier contract.

Made for scale tests and the steering-dashboard benchmark. It starts from the small demo
(``civic.demo.small``: the contract on four real Toulouse perimeters, its orientations,
signatories and role accounts), dates the setting-up of the contract back to January
2024, adds six invented quartiers (codes QP031901…QP031906, small squares around
Toulouse) and three years of life (2024, 2025 and 2026 up to today): about 20 000
residents, the staff who moderate and animate every quartier, and about 100 000
contributions: ideas with their supports, comments, answers and forwardings, map points
and walks, events with their signups and attendance, one FPH round per quartier and
year with its projects, register, ballot box, count and follow-up, and thousands of
answers to the mid-term evaluation's survey on every channel.

The volume goes in with bulk inserts, not through the services, but every row is one the
services could have written:

- moderation states are reached by the workflow's transitions (pending → published or
  rejected, published → hidden), each decision by a moderator of the quartier, with its
  reason and its audit entry; a quartier moderated afterwards publishes at once;
- counters equal their rows (``support_count``, ``seats_taken``), signups follow the
  capacity rule, the waiting list and its promotions, and the names of events ended more
  than ``EVENT_SIGNUP_RETENTION_DAYS`` ago are deleted as ``events.services.purge`` does;
- nothing is dated before what it depends on (the account, the publication, the event),
  nothing after now; times are aware UTC;
- the FPH goes through its services where they hold the rule: funds and rounds are
  saved by ``budget.services``; each ballot and register line is written as ``cast``
  writes it, the seal summed as ``cast`` sums it; the count is started, confirmed and
  published by ``budget.counting``, which checks the seal and freezes the results.

Residents and the added staff share the password of the demo's accounts (shown once by
the small demo), so that a benchmark can log in as anyone. Everything random comes from
``random.Random(seed)``, except what the services draw from ``secrets`` (ballot and
register ids, receipt codes, signup keys, the rounds' keys).

Each part of the site has its module here; ``build`` runs their steps in order, on one
``run.Run`` that carries what a step plans for the next ones.
"""

from __future__ import annotations

import random
import time as timer

import click
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.core import clock
from civic.core.db import Base
from civic.core.db import session as scoped
from civic.demo.large import (
    budget,
    evaluation,
    events,
    ideas,
    moderation,
    people,
    permanence,
    reactions,
    territory,
)
from civic.demo.large import map as demo_map
from civic.demo.large.run import TARGETS, Run
from civic.demo.small import seed as seed_small
from civic.pilotage import figures

__all__ = ["TARGETS", "build", "seed_large", "table_counts"]


def build(run: Run) -> None:
    """The steps, in order: what is planned first is what later steps react to, and
    rows are written once their counters and links are final."""
    territory.set_up(run)
    people.staff(run)
    permanence.weekly_hours(run)
    people.residents(run)
    demo_map.landmarks(run)
    walks = demo_map.walks(run)
    demo_map.plan_points(run, walks)
    ideas.plan_ideas(run)
    moderation.guarantee_states(run)
    reactions.plan(run)
    ideas.plan_answers(run)
    ideas.write_ideas(run)
    demo_map.write_points(run)
    reactions.write(run)
    ideas.write_answers(run)
    events.events(run, walks)
    budget.fph(run)
    evaluation.survey_answers(run)
    people.departures(run)
    run.write_audit()
    run.db.flush()


def table_counts(db: Session) -> dict[str, int]:
    """Rows in every table of the schema."""
    return {table.name: int(db.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables}


def seed_large(*, echo: bool = True, seed: int = 2026, scale: float = 1.0) -> dict[str, int]:
    """Create the small demo, then three years of a ten-quartier contract; returns the
    number of rows of each table. ``scale`` multiplies the volumes (0.01 for tests)."""
    began = timer.perf_counter()
    db = scoped()
    seed_small(echo=echo)
    run = Run(db, random.Random(seed), scale, clock.now())
    build(run)
    figures.rebuild(db)  # once, rather than day by day at the commit
    counts = table_counts(db)
    if echo:
        click.echo(f"Large demo created in {timer.perf_counter() - began:.1f} s "
                   f"(scale {scale:g}, seed {seed}). Residents and the added staff share "
                   "the password shown above. Rows per table:")
        for name, count in sorted(counts.items()):
            click.echo(f"  {name:<26} {count:>8}")
        click.echo(f"  ({run.signups_made} signups made, those of events ended more "
                   "than the retention period ago deleted as the nightly purge does)")
    return counts
