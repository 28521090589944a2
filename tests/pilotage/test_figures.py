"""The daily figures the dashboards read (``civic.pilotage.figures``): after every kind of
action, through the services that the pages call, the table holds exactly what a
rebuild from the acts gives, and the dashboard's counts move at once; on PostgreSQL, two
transactions writing the same day at once both count."""

from __future__ import annotations

import os
import threading
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, delete, func, select
from sqlalchemy.orm import Session

from civic.accounts import services as account_services
from civic.accounts.models import User
from civic.budget.models import Participation
from civic.core.db import Base
from civic.events import services as event_services
from civic.ideas import services as idea_services
from civic.ideas.models import Idea
from civic.map import services as map_services
from civic.pilotage import figures, indicators
from civic.pilotage.models import ParticipationDay
from civic.pilotage.scope import for_year
from tests import factories

NOW = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


def stored(db: Any) -> Counter[tuple[Any, ...]]:
    """The table as it is."""
    return Counter({(r.day, r.quartier_id, r.orientation_id, r.channel, r.part, r.user_id):
                    r.acts for r in db.scalars(select(ParticipationDay))})


def from_acts(db: Any) -> Counter[tuple[Any, ...]]:
    """What a rebuild from every act gives."""
    return Counter({key: n for key, n in figures.from_acts(db).items() if n})


def settled(db: Any) -> Counter[tuple[Any, ...]]:
    db.flush()
    figures.settle(db)
    return stored(db)


def participants(db: Any, year: int = 2026) -> dict[str, int]:
    with indicators.one_page():
        row = indicators.participants(db, for_year(year)).rows[0]
    return {k: row[k] for k in ("accounts", "without_account")}


def test_every_action_leaves_the_figures_as_a_rebuild_would(app: Flask, db: Any) -> None:
    contract = factories.make_contract(db)
    quartier = factories.make_quartier(db, contract)
    orientation = factories.make_orientation(db, contract)
    amina, bruno = factories.make_user(db), factories.make_user(db)
    assert settled(db) == from_acts(db) == Counter()
    assert participants(db) == {"accounts": 0, "without_account": 0}

    idea = factories.make_idea(db, quartier, amina, orientation_id=orientation.id,
                               created_at=NOW - timedelta(days=3))
    assert settled(db) == from_acts(db)
    assert participants(db) == {"accounts": 1, "without_account": 0}

    # A support, then withdrawn: a DELETE statement, not a flush.
    assert idea_services.support(db, idea, bruno, now=NOW)
    assert settled(db) == from_acts(db)
    assert participants(db) == {"accounts": 2, "without_account": 0}
    assert idea_services.withdraw_support(db, idea, bruno)
    assert settled(db) == from_acts(db)
    assert participants(db) == {"accounts": 1, "without_account": 0}

    # A map point and its « moi aussi », withdrawn too.
    point = factories.make_point(db, quartier, amina, created_at=NOW - timedelta(days=40))
    assert map_services.support(db, point, bruno, now=NOW)
    assert settled(db) == from_acts(db)
    assert map_services.withdraw_support(db, point, bruno)
    assert settled(db) == from_acts(db)

    # An idea typed in at a permanence counts a person without an account.
    factories.make_idea(db, quartier, None, created_at=NOW - timedelta(days=1))
    assert settled(db) == from_acts(db)
    assert participants(db) == {"accounts": 1, "without_account": 1}

    # An event held yesterday: Bruno signed up and ticked, two walk-ins.
    event = factories.make_event(db, quartier, starts_at=NOW - timedelta(days=1))
    signup = factories.make_signup(db, event, bruno, now=NOW - timedelta(days=5))
    event_services.take_attendance(db, event, event_services.Attendance(
        present_ids=frozenset({signup.id}), walk_ins=2, walk_in_names=(), figures={}),
        actor=None, now=NOW)
    assert settled(db) == from_acts(db)
    assert participants(db) == {"accounts": 2, "without_account": 3}

    # Bruno deletes his account: his signup loses him (an UPDATE statement), so he is
    # now one of the people present without an account.
    account_services.delete_account(db, bruno, factories.PASSWORD, now=NOW)
    assert settled(db) == from_acts(db)
    assert participants(db) == {"accounts": 1, "without_account": 4}

    # The event is moved a year back: both days change.
    event.starts_at = NOW - timedelta(days=366)
    event.ends_at = event.starts_at + timedelta(hours=2)
    assert settled(db) == from_acts(db)
    assert participants(db) == {"accounts": 1, "without_account": 1}
    assert participants(db, 2025) == {"accounts": 0, "without_account": 3}


def test_a_vote_counts_on_its_day_and_in_its_channel(app: Flask, db: Any) -> None:
    quartier = factories.make_quartier(db, factories.make_contract(db))
    round_ = factories.make_round(db, factories.make_fund(db, quartier))
    voter = factories.make_user(db)
    for user, channel in ((voter, "online"), (None, "kiosk"), (None, "paper")):
        db.add(Participation(id=uuid.uuid4().hex, round_id=round_.id,
                             fingerprint=uuid.uuid4().hex * 2, channel=channel,
                             user_id=user.id if user else None, voted_on=date(2026, 3, 14)))
    assert settled(db) == from_acts(db)
    by_channel = {(r.channel, r.user_id): r.acts for r in db.scalars(select(ParticipationDay))}
    assert by_channel == {("online", voter.id): 1, ("permanence", None): 1, ("paper", None): 1}


def test_the_figures_are_built_on_their_first_read_and_by_the_nightly_job(
        app: Flask, db: Any) -> None:
    from civic.core import jobs
    from civic.pilotage import services

    quartier = factories.make_quartier(db, factories.make_contract(db))
    factories.make_idea(db, quartier, factories.make_user(db))
    db.flush()
    db.execute(delete(ParticipationDay))  # as after the migration that adds the table
    db.info.pop("civic.pilotage.stale_days", None)
    assert participants(db) == {"accounts": 1, "without_account": 0}
    assert stored(db) == from_acts(db) != Counter()

    # What a change made past the session left wrong, the night mends.
    db.execute(delete(ParticipationDay))
    db.add(ParticipationDay(day=date(2026, 1, 2), month=date(2026, 1, 1), channel="online",
                            part="idea", acts=5))
    db.flush()
    assert jobs.registered()["pilotage.refresh_figures"].cron == "10 2 * * *"
    with app.app_context():
        services.refresh_figures()
    assert stored(db) == from_acts(db)
    result = app.test_cli_runner().invoke(args=["pilotage", "figures"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("daily figures: 1 rows")


@pytest.mark.skipif(not os.environ.get("CIVIC_TEST_DATABASE_URL"),
                    reason="SQLite runs one writer at a time: no two transactions meet")
def test_two_transactions_on_the_same_day_both_count(app: Flask, database_url: str) -> None:
    """Two residents support ideas at the same moment on PostgreSQL: each transaction
    computes the day again, the second after the first committed, so neither support is
    lost from the figures."""
    engine = create_engine(database_url)
    try:
        with Session(engine) as setup:
            quartier = factories.make_quartier(setup, factories.make_contract(setup))
            ideas = [factories.make_idea(setup, quartier, factories.make_user(setup))
                     for _ in range(2)]
            people = [factories.make_user(setup) for _ in range(2)]
            setup.commit()
            pairs = [(i.id, p.id) for i, p in zip(ideas, people, strict=True)]
            quartier_id = quartier.id
        ready = threading.Barrier(2)
        errors: list[BaseException] = []

        def support(idea_id: int, user_id: int) -> None:
            try:
                with Session(engine) as session:
                    idea = session.get_one(Idea, idea_id)
                    user = session.get_one(User, user_id)
                    idea_services.support(session, idea, user, now=NOW)
                    session.flush()
                    ready.wait(timeout=10)
                    session.commit()
            except BaseException as error:  # reported below, in the test's thread
                errors.append(error)

        threads = [threading.Thread(target=support, args=pair) for pair in pairs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not errors
        with Session(engine) as check:
            supports = check.scalar(
                select(func.sum(ParticipationDay.acts)).where(
                    ParticipationDay.part == "support",
                    ParticipationDay.quartier_id == quartier_id))
            assert supports == 2
            assert stored(check) == from_acts(check)
    finally:
        with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
        engine.dispose()
