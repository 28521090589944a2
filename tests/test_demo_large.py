"""The large demo (``seed-demo --size large``) at a small scale: volumes in proportion,
every state and channel present, the rules the services keep, and pages that render."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from civic.accounts.models import AGE_BRACKETS, GENDERS, Role, RoleGrant, User
from civic.budget import counting
from civic.budget import services as budget
from civic.budget.models import Ballot, Channel, Participation, Round, SealedBallot
from civic.core import clock
from civic.demo.large import TARGETS, seed_large
from civic.evaluation.models import SurveyParticipation, SurveyText
from civic.events.models import KINDS, AttendanceFigure, Event, Signup, SignupStatus
from civic.ideas.models import Comment, Forwarding, Idea, Support
from civic.map.models import CATEGORIES, MapPoint, PointSupport
from civic.moderation.models import State
from civic.territory.models import Quartier

SCALE = 0.01


@pytest.fixture
def large(app: Flask, db: Any) -> dict[str, int]:
    """The large demo at 1 % of its size, inside the test's transaction."""
    with app.app_context():
        return seed_large(echo=False, seed=7, scale=SCALE)


def _count(db: Any, model: Any) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _volumes_are_in_proportion(db: Any, large: dict[str, int]) -> None:
    assert large["quartiers"] == 10
    assert {q.code for q in db.scalars(select(Quartier))} >= {
        "QP031007", "QP031010", "QP031014", "QP031019", *(f"QP03190{n}" for n in range(1, 7))}
    for table, target in TARGETS.items():
        if table == "event_signups":  # the names of past events are purged
            continue
        expected = max(1, round(target * SCALE))
        # The small demo's own rows come on top.
        assert 0.6 * expected <= large[table] <= 1.6 * expected + 20, table
    assert large["users"] == _count(db, User)
    assert large["funds"] >= 30  # one per quartier and year, and the demo's


def _every_state_channel_kind_and_category_appears(db: Any, large: dict[str, int]) -> None:
    states = {s.value for s in State}
    for model in (Idea, Comment, MapPoint):
        assert set(db.scalars(select(model.moderation).distinct())) == states, model
    channels = {c.value for c in Channel}
    assert set(db.scalars(select(Participation.channel).distinct())) == channels
    assert set(db.scalars(select(SealedBallot.channel).distinct())) == channels
    assert set(db.scalars(select(Event.kind).distinct())) == set(KINDS)
    assert set(db.scalars(select(MapPoint.category).distinct())) == set(CATEGORIES)
    assert set(db.scalars(select(MapPoint.polarity).distinct())) == {"positive", "negative"}
    assert db.scalar(select(func.count()).where(Event.quartier_id.is_(None))) > 0
    assert db.scalar(select(func.count()).where(MapPoint.walk_id.is_not(None))) > 0


def _counters_equal_their_rows(db: Any, large: dict[str, int]) -> None:
    supports = dict(db.execute(select(Support.idea_id, func.count())
                               .group_by(Support.idea_id)).all())
    for idea_id, count in db.execute(select(Idea.id, Idea.support_count)):
        assert count == supports.get(idea_id, 0)
    points = dict(db.execute(select(PointSupport.point_id, func.count())
                             .group_by(PointSupport.point_id)).all())
    for point_id, count in db.execute(select(MapPoint.id, MapPoint.support_count)):
        assert count == points.get(point_id, 0)
    confirmed = dict(db.execute(select(Signup.event_id, func.sum(Signup.party_size)).where(
        Signup.status == SignupStatus.CONFIRMED).group_by(Signup.event_id)).all())
    for event in db.scalars(select(Event)):
        assert event.capacity is None or event.seats_taken <= event.capacity
        if event.purged_at is None:
            assert event.seats_taken == (confirmed.get(event.id) or 0), event.id
        assert event.attendance >= event.walk_ins


def _nothing_comes_before_what_it_depends_on(db: Any, large: dict[str, int]) -> None:
    now = clock.now()
    author = aliased(User)
    assert not db.scalar(select(func.count()).select_from(Idea).join(
        author, author.id == Idea.author_id).where(author.created_at > Idea.created_at))
    assert not db.scalar(select(func.count()).select_from(Support).join(
        Idea, Idea.id == Support.idea_id).where(
        (Support.created_at < Idea.created_at) | (Support.user_id == Idea.author_id)))
    assert not db.scalar(select(func.count()).select_from(Support).join(
        User, User.id == Support.user_id).where(User.created_at > Support.created_at))
    parent = aliased(Comment)
    assert not db.scalar(select(func.count()).select_from(Comment).join(
        parent, parent.id == Comment.parent_id).where(
        (parent.created_at > Comment.created_at) | parent.parent_id.is_not(None)
        | (parent.idea_id != Comment.idea_id)))
    for model in (Idea, Comment, MapPoint, Event, User, Signup):
        assert db.scalar(select(func.max(model.created_at))) <= now
    for forwarding in db.scalars(select(Forwarding)):
        assert forwarding.due_on >= forwarding.forwarded_at.date()
        assert forwarding.answered_at is None or (
            forwarding.answered_at > forwarding.forwarded_at and forwarding.answer)
    # Every decision in a quartier is taken by one of its moderators.
    moderators = set(db.execute(select(RoleGrant.user_id, RoleGrant.quartier_id).where(
        RoleGrant.role == Role.MODERATOR)).all())
    for model in (Idea, Comment, MapPoint):
        quartier = model.quartier_id if model is not Comment else Idea.quartier_id
        query = select(model.moderated_by_id, quartier, model.moderation).where(
            model.moderated_by_id.is_not(None))
        if model is Comment:
            query = query.join(Idea, Idea.id == Comment.idea_id)
        for moderator, quartier_id, _state in db.execute(query):
            assert (moderator, quartier_id) in moderators
        assert not db.scalar(select(func.count()).select_from(model).where(
            model.moderation == State.PENDING, model.moderated_at.is_not(None)))


def _events_keep_counts_and_drop_names(db: Any, large: dict[str, int]) -> None:
    purged = list(db.scalars(select(Event.id).where(Event.purged_at.is_not(None))))
    assert purged
    assert not db.scalar(select(func.count()).select_from(Signup).where(
        Signup.event_id.in_(purged)))
    figures: Counter[tuple[int, str]] = Counter()
    for figure in db.scalars(select(AttendanceFigure)):
        assert figure.value in (GENDERS if figure.dimension == "gender" else AGE_BRACKETS)
        figures[figure.event_id, figure.dimension] += figure.count
    attendance = dict(db.execute(select(Event.id, Event.attendance)).all())
    assert figures
    for (event_id, _dimension), total in figures.items():
        assert total <= attendance[event_id]
    live = Counter(db.execute(select(Signup.event_id, Signup.user_id).where(
        Signup.user_id.is_not(None), Signup.status != SignupStatus.CANCELLED)).all())
    assert all(n == 1 for n in live.values())


def _every_round_is_sealed_and_its_results_recountable(db: Any,
                                                       large: dict[str, int]) -> None:
    published = 0
    for round_ in db.scalars(select(Round)):
        assert budget.seal_intact(db, round_), round_.id
        register = dict(db.execute(select(Participation.channel, func.count()).where(
            Participation.round_id == round_.id).group_by(Participation.channel)).all())
        box = dict(db.execute(select(SealedBallot.channel, func.count()).where(
            SealedBallot.round_id == round_.id).group_by(SealedBallot.channel)).all())
        if not register:  # the imported 2022 round has ballots and no register
            continue
        assert register == box
        if round_.count_confirmed_at is not None:  # counted: the same ballots, in clear
            counted = dict(db.execute(select(Ballot.channel, func.count()).where(
                Ballot.round_id == round_.id).group_by(Ballot.channel)).all())
            assert sum(counted.values()) == sum(box.values())
            assert round_.results["turnout"] == box
            assert all(n >= 11 for channel, n in counted.items() if channel is not None)
        online = db.scalars(select(Participation.user_id).where(
            Participation.round_id == round_.id, Participation.channel == "online"))
        assert all(user_id is not None for user_id in online)
        if round_.results_published_at is not None:
            published += 1
            text = counting.export_pb(db, round_)
            assert round_.results_hash == hashlib.sha256(text.encode()).hexdigest()
            assert None is not round_.count_confirmed_by_id != round_.count_started_by_id
    assert published >= 20


def _free_texts_are_dated_by_their_mix(db: Any) -> None:
    """A survey's free texts carry the day of their mix, which came once eleven answers
    waited: never a day of fewer answers than that, and few days in all."""
    answered = sorted(db.scalars(select(SurveyParticipation.answered_on)))
    days = set(db.scalars(select(func.date(SurveyText.created_at)).distinct()))
    assert answered
    assert days
    for day in days:
        assert sum(a.isoformat() <= str(day) for a in answered) >= 11, day
    assert len(days) <= -(-len(answered) // 11)


def test_volumes_states_and_the_services_rules(db: Any, large: dict[str, int]) -> None:
    """One seeding, every check on the data (each seeding takes seconds)."""
    _volumes_are_in_proportion(db, large)
    _every_state_channel_kind_and_category_appears(db, large)
    _counters_equal_their_rows(db, large)
    _nothing_comes_before_what_it_depends_on(db, large)
    _events_keep_counts_and_drop_names(db, large)
    _every_round_is_sealed_and_its_results_recountable(db, large)
    _free_texts_are_dated_by_their_mix(db)


def test_pages_still_render(client: FlaskClient, login_as: Any, db: Any,
                            large: dict[str, int]) -> None:
    for code in ("QP031007", "QP031904"):
        for path in (f"/quartiers/{code}", f"/quartiers/{code}/idees",
                     f"/quartiers/{code}/carte/liste"):
            assert client.get(path).status_code == 200, path
    assert client.get("/evenements").status_code == 200
    round_ = db.scalar(select(Round).where(Round.results_published_at.is_not(None))
                       .order_by(Round.id.desc()).limit(1))
    assert client.get(f"/fph/{round_.id}").status_code == 200
    assert client.get(f"/fph/{round_.id}/resultats").status_code == 200
    moderator = db.scalar(select(User).where(User.email == "moderateur@example.org"))
    assert login_as(moderator).get("/moderation").status_code == 200


def test_the_command_offers_both_sizes(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["seed-demo", "--help"])
    assert result.exit_code == 0
    assert "[small|large]" in result.output
    refused = app.test_cli_runner().invoke(args=["seed-demo", "--size", "huge"])
    assert refused.exit_code == 2
