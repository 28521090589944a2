"""``flask pilotage``: build the open-data release of a year, audit it, and compute the
daily figures of participation again."""

from __future__ import annotations

import time
from collections.abc import Hashable
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from civic.core import clock
from civic.core.db import commit, session
from civic.pilotage import figures, release, services
from civic.territory import queries as territory_queries

pilotage_cli = AppGroup("pilotage", help="Steering data: open-data releases, daily figures.")


def _year(year: int | None) -> int:
    return year or clock.local_day(clock.now(), current_app.config["TIMEZONE"]).year


def _describe(cell: Hashable) -> str:
    if not (isinstance(cell, tuple) and len(cell) == 5):
        return repr(cell)
    key, place, quarter, row, column = cell
    where = "contract" if place is None else f"quartier {place}"
    when = "year" if quarter is None else f"Q{quarter}"
    return f"{key} · {where} · {when} · {row} · {column}"


@pilotage_cli.command("release")
@click.option("--year", type=int, help="Calendar year (default: this year), once ended.")
@click.option("--again", is_flag=True,
              help="Publish a year already published a second time (whoever kept both "
                   "versions can difference them).")
def release_command(year: int | None, again: bool) -> None:
    """Build a year's release and keep it: what open data serves from then on."""
    db = session()
    year = _year(year)
    today = clock.local_day(clock.now(), current_app.config["TIMEZONE"])
    if year not in services.public_years(db, today, services.settle_days()):
        day = services.publication_day(year, services.settle_days())
        raise click.ClickException(
            f"{year} is not published before {day.isoformat()}, once it has ended and its "
            "late entries are in (OPEN_DATA_SETTLE_DAYS); `flask pilotage audit --year "
            f"{year}` shows what it would publish")
    if services.stored(db, year) and not again:
        raise click.ClickException(
            f"the release of {year} is already published and stays as it is; --again "
            "publishes it a second time, and whoever kept both versions can difference them")
    started = time.perf_counter()
    built = services.build_release(db, year, timezone=current_app.config["TIMEZONE"],
                                   threshold=int(current_app.config["SMALL_CELL_THRESHOLD"]))
    services.store(db, built.published, now=clock.now())
    commit(db)
    hidden = sum(v is None for v in built.published.shown.values())
    click.echo(f"release {year}: {len(built.published.shown)} counts, {hidden} hidden, "
               f"built in {time.perf_counter() - started:.1f} s")


@pilotage_cli.command("figures")
def figures_command() -> None:
    """Compute the daily figures of participation again from every act (the nightly
    job does it too)."""
    db = session()
    started = time.perf_counter()
    rows = figures.rebuild(db)
    commit(db)
    click.echo(f"daily figures: {rows} rows, built in {time.perf_counter() - started:.1f} s")


@pilotage_cli.command("audit")
@click.option("--year", type=int, help="Calendar year (default: this year).")
@click.option("--all-years", is_flag=True,
              help="Every year of the contract up to this one, published or not yet.")
@click.option("--show", type=int, default=10, show_default=True,
              help="How many of the narrowest intervals to print.")
def audit_command(year: int | None, all_years: bool, show: int) -> None:
    """Audit a year's release as a whole: for every hidden count, the interval the
    published figures leave it (linear programming). Exits with 1 if one is unsafe."""
    db = session()
    contract = territory_queries.current_contract(db)
    years = (list(range(contract.start_year, min(contract.end_year, _year(None)) + 1))
             if all_years and contract else [_year(year)])
    failed = [y for y in years if not _audit(db, y, show)]
    if failed:
        raise SystemExit(1)


def _audit(db: Any, year: int, show: int) -> bool:
    """Print the audit of one year; whether it passes."""
    threshold = int(current_app.config["SMALL_CELL_THRESHOLD"])
    started = time.perf_counter()
    built = services.build_release(db, year, timezone=current_app.config["TIMEZONE"],
                                   threshold=threshold)
    findings = built.audit()
    elapsed = time.perf_counter() - started
    published = built.published.shown
    cells = [f for f in findings if f.cell in published]
    primary = sum(1 for f in cells if 0 < f.value < threshold)
    unsafe = [f for f in findings if not f.safe]
    click.echo(f"Open-data release {year}: threshold k = {threshold}, "
               f"{len(release.slots(services.quartier_ids(db)))} tables of the grid")
    click.echo(f"  {len(published)} counts of people, {len(cells)} hidden "
               f"({primary} small, {len(cells) - primary} to protect them), "
               f"{len(built.lines)} lines, and {len(findings) - len(cells)} counts that no "
               f"table publishes (what a line leaves out, such as events without a quartier)")
    click.echo(f"  audited in {elapsed:.1f} s: {len(findings) - len(unsafe)} safe, "
               f"{len(unsafe)} unsafe (safe: lower bound 0, or an interval of at least "
               f"{threshold})")
    # Closest to unsafe first: those that cannot be 0, by the width left to them.
    narrow = sorted(cells, key=lambda f: (f.low < 1e-6, f.high - f.low, repr(f.cell)))[:show]
    if narrow:
        click.echo("  narrowest intervals (those that cannot be 0 first):")
    for finding in narrow:
        click.echo(f"    {_describe(finding.cell)}: {finding.value} hidden in "
                   f"[{finding.low:g}, {finding.high:g}]")
    for finding in unsafe:
        click.echo(f"  UNSAFE {finding.cell!r}: {finding.value} in "
                   f"[{finding.low:g}, {finding.high:g}]", err=True)
    click.echo("PASS" if not unsafe else "FAIL")
    return not unsafe
