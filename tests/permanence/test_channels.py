"""One person, one vote, across online, kiosk, paper and vote codes, in every order."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from civic.budget import counting, services
from civic.budget.models import Ballot, Channel, Participation
from civic.budget.services import BudgetError, Declaration
from civic.permanence import services as permanence_services
from tests import factories
from tests.factories import NOW

TODAY = date(2026, 3, 14)


@pytest.fixture
def setting(db: Any, quartier: Any, people: dict) -> dict:
    round_ = factories.make_round(db, factories.make_fund(db, quartier), "vote")
    projects = [factories.make_project(db, round_, amount_cents=n).id for n in (40_000, 60_000)]
    permanence = factories.make_permanence(db, quartier, people["animator"])
    _, made = permanence_services.generate_codes(db, round_, 3, actor=people["pilot"], now=NOW)
    return {"round": round_, "projects": projects, "permanence": permanence, "codes": made,
            "people": people}


def online(s: dict, who: Declaration, n: int) -> None:
    services.cast(s["db"], s["round"], who, {s["projects"][0]: 1},
                  channel=Channel.ONLINE, user=s["people"][["resident", "moderator"][n]],
                  now=NOW, today=TODAY)


def kiosk(s: dict, who: Declaration, n: int) -> None:
    db, round_, permanence = s["db"], s["round"], s["permanence"]
    ticket = permanence_services.issue_ticket(db, round_, permanence, who, now=NOW,
                                              today=TODAY)
    voter = permanence_services.voter_of_ticket(db, round_, permanence, ticket, now=NOW)
    permanence_services.kiosk_cast(db, round_, permanence, ticket, voter,
                                   {s["projects"][1]: 1}, now=NOW, today=TODAY)


def paper(s: dict, who: Declaration, n: int) -> None:
    services.register_paper_voter(s["db"], s["round"], who,
                                  permanence_id=s["permanence"].id, now=NOW, today=TODAY)


def code(s: dict, who: Declaration, n: int) -> None:
    permanence_services.code_cast(s["db"], s["round"], s["codes"][n], who,
                                  {s["projects"][0]: 1}, now=NOW, today=TODAY)


CHANNELS: dict[str, Callable[[dict, Declaration, int], None]] = {
    "online": online, "kiosk": kiosk, "paper": paper, "code": code}
ORDERS = list(itertools.permutations(CHANNELS, 2))


@pytest.mark.parametrize(("first", "second"), ORDERS, ids=[f"{a}-then-{b}" for a, b in ORDERS])
def test_a_second_vote_by_another_channel_is_refused(db: Any, setting: dict, first: str,
                                                     second: str) -> None:
    s = {**setting, "db": db}
    CHANNELS[first](s, Declaration("Aïssata Koné", date(1977, 7, 7), True), 0)
    with pytest.raises(BudgetError) as refused:
        CHANNELS[second](s, Declaration("AISSATA KONE", date(1977, 7, 7), True), 1)
    assert refused.value.code == "already_voted"
    assert db.scalar(select(func.count()).select_from(Participation)) == 1
    unused = permanence_services.check_code(db, s["round"], s["codes"][1])  # not spent
    assert unused


def test_kiosk_refuses_before_the_ballot_is_handed_over(db: Any, setting: dict) -> None:
    s = {**setting, "db": db}
    online(s, Declaration("Li Wei", date(1990, 2, 2), True), 0)
    with pytest.raises(BudgetError) as refused:
        services.can_vote(db, s["round"], Declaration("li wei", date(1990, 2, 2), True),
                          now=NOW, today=TODAY)
    assert refused.value.code == "already_voted"
    services.can_vote(db, s["round"], Declaration("Li Wei", date(1990, 2, 3), True), now=NOW,
                      today=TODAY)


def test_a_code_is_spent_once_and_a_typo_is_told_apart(db: Any, setting: dict) -> None:
    s = {**setting, "db": db}
    first = s["codes"][0]
    code(s, Declaration("Una", date(1980, 1, 1), True), 0)
    with pytest.raises(BudgetError) as used:
        code(s, Declaration("Otra", date(1981, 1, 1), True), 0)
    assert used.value.code == "code_used"
    typo = first[:3] + ("B" if first[3] != "B" else "C") + first[4:]
    with pytest.raises(BudgetError) as mistyped:
        permanence_services.check_code(db, s["round"], typo)
    assert mistyped.value.code == "code_mistyped"
    batches = permanence_services.code_batches(db, s["round"])
    assert [(b.printed, b.used, b.void) for b in batches] == [(3, 1, 0)]
    permanence_services.void_batch(db, s["round"], 1, actor=None, now=NOW)
    with pytest.raises(BudgetError):
        code(s, Declaration("Tres", date(1982, 1, 1), True), 1)
    assert [(b.printed, b.used, b.void) for b in
            permanence_services.code_batches(db, s["round"])] == [(3, 1, 2)]


def test_a_failed_cast_does_not_spend_the_code(db: Any, setting: dict) -> None:
    s = {**setting, "db": db}
    online(s, Declaration("Déjà", date(1980, 1, 1), True), 0)
    with pytest.raises(BudgetError):
        code(s, Declaration("deja", date(1980, 1, 1), True), 2)
    assert permanence_services.check_code(db, s["round"], s["codes"][2])


def test_paper_ballots_must_match_paper_voters_before_the_count(db: Any, setting: dict,
                                                                people: dict) -> None:
    s = {**setting, "db": db}
    for n in range(2):
        paper(s, Declaration(f"Papier {n}", date(1950, 1, 1 + n), True), 0)
    services.enter_paper_ballot(db, s["round"], {s["projects"][0]: 1},
                                permanence_id=s["permanence"].id, now=NOW)
    (count,) = permanence_services.paper_counts(db, s["round"])
    assert (count.voters, count.ballots, count.consistent) == (2, 1, False)
    s["round"].vote_ends_at = NOW - factories.DAY / 4
    shares = factories.SHARES[s["round"].id][:2]
    with pytest.raises(BudgetError) as refused:
        counting.count(db, s["round"], shares, actor=people["pilot"], now=NOW, small=11)
    assert refused.value.code == "paper_mismatch"
    services.enter_paper_ballot(db, s["round"], {s["projects"][1]: 1},
                                permanence_id=s["permanence"].id, now=NOW)
    assert services.seal_intact(db, s["round"])
    counting.count(db, s["round"], shares, actor=people["pilot"], now=NOW, small=2)
    assert db.scalar(select(func.count()).select_from(Ballot)
                     .where(Ballot.channel == "paper")) == 2
    with pytest.raises(BudgetError) as closed:
        services.enter_paper_ballot(db, s["round"], {s["projects"][1]: 1},
                                    permanence_id=s["permanence"].id, now=NOW)
    assert closed.value.code == "paper_closed"


def test_turnout_is_counted_by_channel(db: Any, setting: dict, people: dict) -> None:
    s = {**setting, "db": db}
    online(s, Declaration("A", date(1980, 1, 1), True), 0)
    kiosk(s, Declaration("B", date(1980, 1, 2), True), 0)
    code(s, Declaration("C", date(1980, 1, 3), True), 0)
    paper(s, Declaration("D", date(1980, 1, 4), True), 0)
    services.enter_paper_ballot(db, s["round"], {s["projects"][0]: 1},
                                permanence_id=s["permanence"].id, now=NOW)
    s["round"].vote_ends_at = NOW - factories.DAY / 4
    results = counting.count(db, s["round"], factories.SHARES[s["round"].id][1:],
                             actor=people["pilot"], now=NOW, small=11)
    assert results["turnout"] == {"online": 1, "kiosk": 1, "code": 1, "paper": 1}
    # Each channel has one ballot, under the secrecy threshold: no ballot names its channel.
    assert set(db.scalars(select(Ballot.channel))) == {None}
