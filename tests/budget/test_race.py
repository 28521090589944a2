"""Two casts at the same instant by the same person, on real concurrent connections."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.budget import services
from civic.budget.models import Channel, Participation, Round, SealedBallot
from civic.budget.services import BudgetError, Declaration
from civic.core.db import Base
from tests import factories
from tests.factories import NOW


@pytest.fixture
def committed_round(app: Any) -> Any:
    """A round in its vote phase, committed so that other connections see it."""
    engine = app.extensions["civic.engine"]
    with Session(engine) as setup:
        contract = factories.make_contract(setup)
        quartier = factories.make_quartier(setup, contract)
        round_ = factories.make_round(setup, factories.make_fund(setup, quartier), "vote")
        project = factories.make_project(setup, round_)
        setup.commit()
        ids = round_.id, project.id
    yield engine, *ids
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


def cast_in_own_connection(engine: Any, round_id: int, project_id: int, name: str,
                           barrier: threading.Barrier, outcomes: list[str]) -> None:
    with Session(engine) as session:
        barrier.wait(timeout=30)  # all start together, before any of them touches the database
        try:
            round_ = session.get(Round, round_id)
            services.cast(session, round_, Declaration(name, date(1975, 6, 1), True),
                          {project_id: 1}, channel=Channel.KIOSK, user=None, now=NOW,
                          today=date(2026, 3, 14))
            session.commit()
            outcomes.append("cast")
        except BudgetError as error:
            session.rollback()
            outcomes.append(error.code)
        except Exception as error:  # reported by the assertion, not lost
            outcomes.append(repr(error))


@pytest.mark.parametrize("names", [
    ("Fatou Sow", "FATOU  SOW", "fatou-sow", "Fatou Sow"),  # the same person four times
    ("Amel", "Bruno", "Chen", "Dalia"),  # four people
])
def test_simultaneous_casts_leave_one_ballot_per_person(committed_round: Any,
                                                        names: tuple[str, ...]) -> None:
    engine, round_id, project_id = committed_round
    barrier = threading.Barrier(len(names))
    outcomes: list[str] = []
    threads = [threading.Thread(target=cast_in_own_connection,
                                args=(engine, round_id, project_id, name, barrier, outcomes))
               for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    people = len({services.identity.normalise_name(n) for n in names})
    assert sorted(outcomes) == sorted(["cast"] * people + ["already_voted"] * (4 - people))
    with Session(engine) as check:
        assert check.scalar(select(func.count()).select_from(SealedBallot)) == people
        assert check.scalar(select(func.count()).select_from(Participation)) == people
        assert services.seal_intact(check, check.get(Round, round_id))


def test_the_same_person_on_four_channels_at_once_votes_once(app: Any,
                                                              committed_round: Any) -> None:
    """Kiosk, printed code, paper register and kiosk again, at the same instant."""
    from civic.permanence import services as permanence_services
    from civic.permanence.models import Permanence

    engine, round_id, project_id = committed_round
    with Session(engine) as setup:
        round_ = setup.get(Round, round_id)
        permanence = Permanence(quartier_id=round_.fund.quartier_id, place="Salle", created_at=NOW,
                                starts_at=NOW, ends_at=NOW)
        setup.add(permanence)
        _, made = permanence_services.generate_codes(setup, round_, 1, actor=None, now=NOW)
        setup.flush()
        who = Declaration("Moussa Diop", date(1966, 6, 6), True)
        today = date(2026, 3, 14)
        tickets = [permanence_services.issue_ticket(setup, round_, permanence, who, now=NOW,
                                                    today=today) for _ in range(2)]
        setup.commit()
        permanence_id = permanence.id

    def by(channel: str, tablet: int = 0) -> Callable[[Session, Round], object]:
        def act(session: Session, round_: Round) -> object:
            permanence = session.get(Permanence, permanence_id)
            if channel == "code":
                return permanence_services.code_cast(session, round_, made[0], who,
                                                     {project_id: 1}, now=NOW, today=today)
            if channel == "paper":
                return services.register_paper_voter(session, round_, who,
                                                     permanence_id=permanence_id, now=NOW,
                                                     today=today)
            voter = permanence_services.voter_of_ticket(session, round_, permanence,
                                                        tickets[tablet], now=NOW)
            assert voter is not None
            return permanence_services.kiosk_cast(session, round_, permanence, tickets[tablet],
                                                  voter, {project_id: 1}, now=NOW, today=today)
        return act

    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def run(act: Callable[[Session, Round], object]) -> None:
        with Session(engine) as session:
            barrier.wait(timeout=30)
            try:
                act(session, session.get(Round, round_id))
                session.commit()
                outcomes.append("ok")
            except BudgetError as error:
                session.rollback()
                outcomes.append(error.code)
            except Exception as error:  # reported by the assertion
                outcomes.append(repr(error))

    threads = [threading.Thread(target=run, args=(act,))
               for act in (by("kiosk", 0), by("code"), by("paper"), by("kiosk", 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["already_voted"] * 3 + ["ok"]
    with Session(engine) as check:
        assert check.scalar(select(func.count()).select_from(Participation)) == 1
        assert services.seal_intact(check, check.get(Round, round_id))
