"""Signups, cancellations and reminders at the same instant, on real concurrent
connections: the capacity holds, and nobody is promoted or reminded twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.models import User
from civic.core.db import Base
from civic.events import services
from civic.events.cli import send_reminders
from civic.events.models import Event, Signup
from civic.events.services import EventError
from tests import factories
from tests.factories import NOW


@pytest.fixture
def engine(app: Any) -> Any:
    # On SQLite the writers queue (BEGIN IMMEDIATE) and the outcomes must be the same;
    # on PostgreSQL they truly overlap.
    engine = app.extensions["civic.engine"]
    yield engine
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


def committed_event(engine: Any, signups: list[int], **values: Any) -> tuple[int, list[int]]:
    """An event with these parties signed up, committed so that other connections see it."""
    with Session(engine) as setup:
        quartier = factories.make_quartier(setup, factories.make_contract(setup))
        event = factories.make_event(setup, quartier, **values)
        made = [factories.make_signup(setup, event, name=f"Avant {i}", party_size=party,
                                      email=f"before{i}@example.org",
                                      now=NOW + timedelta(minutes=i))
                for i, party in enumerate(signups)]
        setup.commit()
        return event.id, [s.id for s in made]


def at_once(engine: Any, acts: list[Callable[[Session], str]]) -> list[str]:
    """Run each act in its own connection, all released at the same instant."""
    barrier = threading.Barrier(len(acts))
    outcomes: list[str] = []

    def run(act: Callable[[Session], str]) -> None:
        with Session(engine) as session:
            barrier.wait(timeout=30)
            try:
                outcome = act(session)
                session.commit()
                outcomes.append(outcome)
            except EventError as error:
                session.rollback()
                outcomes.append(error.code)
            except Exception as error:  # reported by the assertion, not lost
                session.rollback()
                outcomes.append(repr(error))

    threads = [threading.Thread(target=run, args=(act,)) for act in acts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def by_status(engine: Any, event_id: int) -> tuple[dict[str, int], int]:
    """People by status, and the seats the event counts as taken."""
    with Session(engine) as check:
        rows = check.execute(select(Signup.status, func.sum(Signup.party_size))
                             .where(Signup.event_id == event_id).group_by(Signup.status))
        return {status: int(n) for status, n in rows}, check.get(Event, event_id).seats_taken


def test_the_last_places_go_to_as_many_as_fit_and_the_others_wait(engine: Any) -> None:
    event_id, _ = committed_event(engine, [1, 1, 1], capacity=5)

    def sign_up(n: int) -> Callable[[Session], str]:
        def act(session: Session) -> str:
            signup = factories.make_signup(session, session.get(Event, event_id),
                                           name=f"Voisin {n}", email=f"n{n}@example.org",
                                           now=NOW + timedelta(hours=1))
            return signup.status
        return act

    outcomes = at_once(engine, [sign_up(n) for n in range(8)])
    assert sorted(outcomes) == ["confirmed"] * 2 + ["waiting"] * 6
    people, seats = by_status(engine, event_id)
    assert people == {"confirmed": 5, "waiting": 6}
    assert seats == 5


def test_one_account_in_four_tabs_at_once_takes_its_seats_once(engine: Any) -> None:
    event_id, _ = committed_event(engine, [], capacity=10)
    with Session(engine) as setup:
        user_id = factories.make_user(setup).id
        setup.commit()

    def sign_up(session: Session) -> str:
        return factories.make_signup(session, session.get(Event, event_id),
                                     session.get(User, user_id), party_size=3,
                                     now=NOW).status

    outcomes = at_once(engine, [sign_up] * 4)
    assert sorted(outcomes) == ["already"] * 3 + ["confirmed"]
    assert by_status(engine, event_id) == ({"confirmed": 3}, 3)


def test_simultaneous_cancellations_promote_each_waiting_person_once(engine: Any) -> None:
    event_id, made = committed_event(engine, [1] * 8, capacity=4)
    confirmed, waiting = made[:4], made[4:]

    def cancel(signup_id: int) -> Callable[[Session], str]:
        def act(session: Session) -> str:
            promoted = services.cancel_signup(session, session.get(Signup, signup_id),
                                              now=NOW + timedelta(hours=1))
            return ",".join(str(s.id) for s in promoted)
        return act

    outcomes = at_once(engine, [cancel(i) for i in confirmed])
    promoted = [int(i) for outcome in outcomes for i in outcome.split(",") if i]
    assert sorted(promoted) == waiting, outcomes
    assert by_status(engine, event_id) == ({"cancelled": 4, "confirmed": 4}, 4)


def test_two_reminder_runs_at_once_mail_each_person_once(app: Any, engine: Any,
                                                         outbox: Any) -> None:
    event_id, _ = committed_event(engine, [1, 1, 1], capacity=5,
                                  starts_at=NOW + timedelta(hours=6))

    def remind(_session: Session) -> str:
        with app.app_context():
            return str(send_reminders(NOW))

    outcomes = at_once(engine, [remind, remind])
    assert sum(map(int, outcomes)) == 3, outcomes
    assert sorted(str(m["To"]) for m in outbox.messages) == [
        "before0@example.org", "before1@example.org", "before2@example.org"]
    with Session(engine) as check:
        assert check.scalar(select(func.count()).select_from(Signup).where(
            Signup.event_id == event_id, Signup.reminded_at.is_(None))) == 0


def test_a_place_freed_while_someone_joins_the_waiting_list_goes_to_them(engine: Any) -> None:
    """Whichever of the two commits first, the freed seat does not stay empty while a
    person who fits is waiting."""
    event_id, made = committed_event(engine, [1, 1], capacity=2)
    joined, go = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def join_waiting_list() -> None:
        with Session(engine) as session:
            try:
                signup = factories.make_signup(session, session.get(Event, event_id),
                                               name="Nadia", email="nadia@example.org",
                                               now=NOW + timedelta(hours=1))
                outcomes["join"] = signup.status
                joined.set()
                go.wait(timeout=30)  # still on the form's thank-you page: not committed yet
                session.commit()
            except Exception as error:  # reported by the assertion, not lost
                outcomes["join"] = repr(error)
                joined.set()

    def cancel_a_place() -> None:
        with Session(engine) as session:
            try:
                promoted = services.cancel_signup(session, session.get(Signup, made[0]),
                                                  now=NOW + timedelta(hours=1))
                session.commit()
                outcomes["cancel"] = ",".join(s.name for s in promoted)
            except Exception as error:  # reported by the assertion, not lost
                outcomes["cancel"] = repr(error)

    joining = threading.Thread(target=join_waiting_list)
    joining.start()
    assert joined.wait(timeout=30)
    cancelling = threading.Thread(target=cancel_a_place)
    cancelling.start()
    cancelling.join(timeout=2)  # it may finish, or wait for the signup to commit
    go.set()
    joining.join(timeout=30)
    cancelling.join(timeout=30)
    assert outcomes["join"] in ("waiting", "confirmed"), outcomes
    assert "Error" not in outcomes["cancel"], outcomes
    people, seats = by_status(engine, event_id)
    assert (people, seats) == ({"cancelled": 1, "confirmed": 2}, 2), outcomes
