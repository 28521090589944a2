"""Simultaneous supports on real concurrent connections: one per account, count exact."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.core.db import Base
from civic.ideas import services
from civic.ideas.models import Idea, Support
from tests import factories
from tests.factories import NOW


@pytest.fixture
def committed_idea(app: Any) -> Any:
    engine = app.extensions["civic.engine"]
    with Session(engine) as setup:
        contract = factories.make_contract(setup)
        quartier = factories.make_quartier(setup, contract)
        idea = factories.make_idea(setup, quartier, factories.make_user(setup))
        people = [factories.make_user(setup) for _ in range(4)]
        setup.commit()
        ids = idea.id, [p.id for p in people]
    yield engine, *ids
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


def support_in_own_connection(engine: Any, idea_id: int, user_id: int,
                              barrier: threading.Barrier, outcomes: list[str]) -> None:
    from civic.accounts.models import User

    with Session(engine) as session:
        barrier.wait(timeout=30)
        try:
            idea, user = session.get(Idea, idea_id), session.get(User, user_id)
            added = services.support(session, idea, user, now=NOW)
            session.commit()
            outcomes.append("added" if added else "already")
        except Exception as error:  # reported by the assertion, not lost
            session.rollback()
            outcomes.append(repr(error))


def test_every_account_clicking_twice_at_once_counts_once(committed_idea: Any) -> None:
    engine, idea_id, people = committed_idea
    clicks = [person for person in people for _ in range(2)]
    barrier = threading.Barrier(len(clicks))
    outcomes: list[str] = []
    threads = [threading.Thread(target=support_in_own_connection,
                                args=(engine, idea_id, person, barrier, outcomes))
               for person in clicks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["added"] * 4 + ["already"] * 4
    with Session(engine) as check:
        assert check.scalar(select(func.count()).select_from(Support)) == 4
        assert check.get(Idea, idea_id).support_count == 4
