"""The ballot box and the register: one person one vote, secrecy, the seal."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select, text

from civic.budget import box, identity, services
from civic.budget.models import Ballot, Channel, Participation, Round, SealedBallot
from civic.budget.services import BudgetError, Declaration
from tests import factories
from tests.factories import NOW

TODAY = date(2026, 3, 14)
ADULT = Declaration("Anne-Marie N’Diaye", date(1980, 5, 17), True)


@pytest.fixture
def voting(db: Any, quartier: Any) -> Round:
    round_ = factories.make_round(db, factories.make_fund(db, quartier), "vote")
    for amount in (40_000, 60_000, 150_000):
        factories.make_project(db, round_, amount_cents=amount)
    return round_


def project_ids(round_: Round) -> list[int]:
    return [p.id for p in round_.projects]


def cast(db: Any, round_: Round, declaration: Declaration = ADULT,
         choices: dict[int, int] | None = None, **kwargs: Any) -> str:
    kwargs = {"channel": Channel.ONLINE, "user": None, "now": NOW, "today": TODAY, **kwargs}
    return services.cast(db, round_, declaration,
                         choices or {project_ids(round_)[0]: 1}, **kwargs)


@pytest.mark.parametrize(("a", "b"), [
    ("Anne-Marie N’Diaye", "anne marie ndiaye"),
    ("Éloïse  Dupré", "ELOISE DUPRE"),
    ("Zoë O'Neil", "zoe oneil"),
    ("Fatima Benali", "BENALI fatima"),
    ("Anne-Marie N’Diaye", "NDIAYE Marie Anne"),
    ("Jean   Pierre-Louis Martin", "martin, jean pierre louis"),
])
def test_names_are_folded_before_fingerprinting(a: str, b: str) -> None:
    assert identity.normalise_name(a) == identity.normalise_name(b)
    assert identity.fingerprint(b"s", a, TODAY) == identity.fingerprint(b"s", b, TODAY)
    assert identity.fingerprint(b"s", a, TODAY) != identity.fingerprint(b"t", a, TODAY)


@pytest.mark.parametrize(("a", "b"), [
    ("Léa Martin", "Léo Martin"),
    ("Anne Marie", "Anne Maria"),
    ("Ali Ben", "Ben Alia"),
])
def test_different_names_stay_different(a: str, b: str) -> None:
    assert identity.normalise_name(a) != identity.normalise_name(b)


def test_swapped_names_vote_once_on_every_channel(db: Any, voting: Round) -> None:
    """« BENALI fatima » with Fatima Benali's birth date is Fatima Benali: after she
    voted online, neither the declaration nor a paper registration takes her again."""
    cast(db, voting, Declaration("Fatima Benali", date(1980, 5, 6), True))
    swapped = Declaration("BENALI fatima", date(1980, 5, 6), True)
    with pytest.raises(services.BudgetError) as refused:
        cast(db, voting, swapped)
    assert refused.value.code == "already_voted"
    with pytest.raises(services.BudgetError):
        services.can_vote(db, voting, swapped, now=NOW, today=TODAY)
    with pytest.raises(services.BudgetError):
        services.register_paper_voter(db, voting, swapped, permanence_id=None,  # type: ignore[arg-type]
                                      now=NOW, today=TODAY)


def test_a_line_written_the_old_way_still_counts(db: Any, voting: Round) -> None:
    """Registers of rounds opened before word order stopped mattering hold fingerprints
    of the name as typed: that person, typing it again, still cannot vote twice."""
    assert voting.secret is not None
    old = identity.legacy_fingerprint(voting.secret, "Fatima Benali", date(1980, 5, 6))
    assert old != identity.fingerprint(voting.secret, "Fatima Benali", date(1980, 5, 6))
    db.add(Participation(id="f" * 32, round_id=voting.id, fingerprint=old, channel="online",
                         voted_on=TODAY))
    db.flush()
    with pytest.raises(services.BudgetError) as refused:
        cast(db, voting, Declaration("fatima BENALI", date(1980, 5, 6), True))
    assert refused.value.code == "already_voted"


def test_a_vote_puts_one_ballot_in_the_box_and_one_line_in_the_register(
        db: Any, voting: Round, people: dict) -> None:
    receipt = cast(db, voting, user=people["resident"])
    (ballot,) = db.scalars(select(SealedBallot))
    (line,) = db.scalars(select(Participation))
    assert ballot.channel == "online"
    assert ballot.tracker.upper().startswith(
        receipt.replace("-", ""))
    assert set(vars(ballot)) & {"user_id", "participation_id", "cast_at", "choices"} == set()
    assert db.scalar(select(func.count()).select_from(Ballot)) == 0  # nothing in clear
    assert line.user_id == people["resident"].id
    assert line.voted_on == TODAY
    assert ADULT.name not in line.fingerprint
    assert services.receipt_in_box(db, receipt.lower()).round_id == voting.id
    assert services.receipt_in_box(db, "0000-0000-0000-0000") is None
    assert services.seal_intact(db, voting)
    assert voting.seal != "0" * 64


def test_the_same_person_cannot_vote_twice_by_any_channel(db: Any, voting: Round,
                                                          people: dict) -> None:
    cast(db, voting, user=people["resident"])
    twin = Declaration("ANNE MARIE NDIAYE", ADULT.birth_date, True)
    with pytest.raises(BudgetError) as refused:
        cast(db, voting, twin, user=people["moderator"])  # another account
    assert refused.value.code == "already_voted"
    with pytest.raises(BudgetError):
        cast(db, voting, twin, channel=Channel.KIOSK)  # at a permanence, without account
    assert db.scalar(select(func.count()).select_from(SealedBallot)) == 1
    assert db.scalar(select(func.count()).select_from(Participation)) == 1
    assert services.seal_intact(db, voting)


def test_one_account_votes_once_even_with_another_identity(db: Any, voting: Round,
                                                           people: dict) -> None:
    cast(db, voting, user=people["resident"])
    with pytest.raises(BudgetError):
        cast(db, voting, Declaration("Quelqu’un d’autre", date(1990, 1, 1), True),
             user=people["resident"])


@pytest.mark.parametrize(("declaration", "code"), [
    (Declaration("Jeune", date(2012, 1, 1), True), "too_young"),
    (Declaration("Ailleurs", date(1980, 1, 1), False), "must_live_here"),
    (Declaration("Futur", date(2030, 1, 1), True), "birth_date"),
    (Declaration("  ", date(1980, 1, 1), True), "name_required"),
])
def test_declarations_are_checked(db: Any, voting: Round, declaration: Declaration,
                                  code: str) -> None:
    with pytest.raises(BudgetError) as refused:
        cast(db, voting, declaration)
    assert refused.value.code == code


def test_the_day_of_the_sixteenth_birthday_is_old_enough(db: Any, voting: Round) -> None:
    cast(db, voting, Declaration("Seize", date(2010, 3, 14), True))


@pytest.mark.parametrize(("method", "choose", "code"), [
    ("approval", [], "too_few"),
    ("approval", [0, 1, 2, 3], "unknown_project"),
    ("knapsack", [0, 1, 2], "over_envelope"),
])
def test_ballots_follow_the_fund_s_method(db: Any, quartier: Any, method: str,
                                          choose: list[int], code: str) -> None:
    fund = factories.make_fund(db, quartier, vote_method=method, envelope_cents=200_000,
                               cap_cents=150_000)
    round_ = factories.make_round(db, fund, "vote")
    ids = [factories.make_project(db, round_, amount_cents=a).id
           for a in (40_000, 60_000, 150_000)]
    choices = {(ids[i] if i < 3 else 999_999): 1 for i in choose}
    with pytest.raises(BudgetError) as refused:
        services.cast(db, round_, ADULT, choices, channel=Channel.ONLINE, user=None,
                      now=NOW, today=TODAY)
    assert refused.value.code == code


def test_cumulative_points_are_bounded(db: Any, quartier: Any) -> None:
    fund = factories.make_fund(db, quartier, vote_method="cumulative", points_total=10,
                               points_max=5)
    round_ = factories.make_round(db, fund, "vote")
    a, b, c = (factories.make_project(db, round_).id for _ in range(3))
    for choices, code in (({a: 6}, "too_many_on_one"), ({a: 5, b: 5, c: 1}, "too_many_points")):
        with pytest.raises(BudgetError) as refused:
            services.cast(db, round_, ADULT, choices, channel=Channel.ONLINE, user=None,
                          now=NOW, today=TODAY)
        assert refused.value.code == code
    services.cast(db, round_, ADULT, {a: 5, b: 3, c: 2}, channel=Channel.ONLINE, user=None,
                  now=NOW, today=TODAY)


def test_nobody_votes_outside_the_vote_phase(db: Any, quartier: Any) -> None:
    round_ = factories.make_round(db, factories.make_fund(db, quartier), "review")
    project = factories.make_project(db, round_)
    with pytest.raises(BudgetError) as refused:
        services.cast(db, round_, ADULT, {project.id: 1}, channel=Channel.ONLINE, user=None,
                      now=NOW, today=TODAY)
    assert refused.value.code == "not_vote"


def test_the_seal_detects_a_removed_or_altered_ballot(db: Any, voting: Round) -> None:
    ids = project_ids(voting)
    for n in range(3):
        cast(db, voting, Declaration(f"Votant {n}", date(1970, 1, 1 + n), True), {ids[n]: 1})
    assert services.seal_intact(db, voting)
    some = db.scalars(select(SealedBallot)).first()
    original = some.ciphertext
    some.ciphertext = box.encrypt(voting.box_key, {ids[0]: 1}, len(original) - 48)
    db.flush()  # somebody seals another vote in its place
    assert not services.seal_intact(db, voting)
    some.ciphertext = original
    db.flush()
    assert services.seal_intact(db, voting)
    tracker = some.tracker
    db.expunge_all()
    db.execute(text("DELETE FROM sealed_ballots WHERE tracker = :t"), {"t": tracker})
    assert not services.seal_intact(db, db.get(Round, voting.id))


def test_every_ballot_of_a_round_has_the_same_size(db: Any, voting: Round) -> None:
    """A ciphertext's length would tell one project from three: all are padded alike."""
    ids = project_ids(voting)
    for n, choice in enumerate(({ids[0]: 1}, {ids[0]: 1, ids[1]: 1},
                                {ids[0]: 1, ids[1]: 1, ids[2]: 1})):
        cast(db, voting, Declaration(f"Votant {n}", date(1970, 1, 1 + n), True), choice)
    assert len({len(c) for c in db.scalars(select(SealedBallot.ciphertext))}) == 1


def test_box_and_register_cannot_be_lined_up(db: Any, voting: Round) -> None:
    """Ids and trackers are random: sorting either gives no order of casting."""
    ids = project_ids(voting)
    names = [f"Votant {n:02d}" for n in range(30)]
    receipts = [cast(db, voting, Declaration(name, date(1970, 1, 1 + n % 28), True),
                     {ids[n % 2]: 1}) for n, name in enumerate(names)]
    sealed = list(db.scalars(select(SealedBallot).order_by(SealedBallot.tracker)))
    register = list(db.scalars(select(Participation).order_by(Participation.id)))
    assert {p.voted_on for p in register} == {TODAY}
    in_order = [r.replace("-", "").lower() for r in receipts]
    by_tracker = [b.tracker[:16] for b in sealed]
    assert sorted(in_order) == by_tracker
    assert in_order != by_tracker
    assert all(len(p.id) == 32 for p in register)
