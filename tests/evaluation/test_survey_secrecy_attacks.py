"""The secret of survey answers, attacked by whoever reads the database.

Twenty-four residents answer a survey online, each in a transaction of their own as in
production, each giving a different number, so a guess that pairs a register line with
a response is right or wrong, never ambiguous. The attacker joins the register and the
responses by the order of the transactions that wrote them (PostgreSQL's ``xmin``) and
by the order the rows lie on disk. Before answers went through the inbox and its mix,
each attack named all 24 residents' answers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.orm import Session

from civic.core.db import Base, checkpoint_wal
from civic.evaluation import results, services, surveys
from civic.evaluation.jobs import mix_answers
from civic.evaluation.models import Survey
from tests import factories
from tests.evaluation.conftest import NOW

RESIDENTS = 24
THRESHOLD = 11
#: Pairing 24 register lines with 24 shuffled responses gets one right on average; six
#: or more happens in fewer than one run in a thousand… and every time an order leaks.
BY_CHANCE = 6
TODAY = date(2026, 3, 14)
LANGUAGES = ("fr", "en", "ar")


@dataclass
class Answered:
    engine: Any
    survey_id: int
    #: account id → the number it answered.
    truth: dict[int, int] = field(default_factory=dict)


def _cleanup(engine: Any) -> None:
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    checkpoint_wal(engine)


@pytest.fixture
def answered(app: Flask) -> Iterator[Answered]:
    engine = app.extensions["civic.engine"]
    with Session(engine) as setup:
        contract = factories.make_contract(setup)
        factories.make_quartier(setup, contract)
        orientation = factories.make_orientation(setup, contract)
        evaluation = services.open_evaluation(setup, contract, {
            "kind": "midterm", "title": "Mi-parcours", "purpose": "",
            "starts_on": date(2026, 3, 1), "ends_on": date(2026, 10, 31)},
            actor=None, now=NOW)
        question = services.add_question(setup, evaluation, "Trouve-t-on un stage ?",
                                          [orientation.id], actor=None, now=NOW)
        survey = surveys.create_survey(setup, evaluation, {
            "texts": {lang: {"title": "Stages", "intro": ""} for lang in LANGUAGES},
            "opens_at": NOW - timedelta(days=1), "closes_at": NOW + timedelta(days=9),
            "once": True}, actor=None, now=NOW)
        item = surveys.add_item(setup, survey, {
            "question_id": question.id, "kind": "number", "required": True,
            "texts": {lang: {"label": "Combien de stages ?"} for lang in LANGUAGES}},
            actor=None, now=NOW)
        said = surveys.add_item(setup, survey, {
            "question_id": question.id, "kind": "text", "required": False,
            "texts": {lang: {"label": "Un mot sur vos stages ?"} for lang in LANGUAGES}},
            actor=None, now=NOW)
        residents = [factories.make_user(setup) for _ in range(RESIDENTS)]
        setup.commit()
        held = Answered(engine, survey.id)
        item_id, said_id, user_ids = item.id, said.id, [r.id for r in residents]
    try:
        for n, user_id in enumerate(user_ids):
            with app.app_context(), Session(engine) as session:
                survey = session.get(Survey, held.survey_id)
                assert survey is not None
                parsed, profile = surveys.parse(survey, {f"item-{item_id}": str(n),
                                                         f"item-{said_id}": f"Avis {n}"}, ())
                surveys.answer(session, survey, parsed, profile, channel="online",
                               today=TODAY, now=NOW, user=session.get(
                                   type(residents[0]), user_id))
                session.commit()
            held.truth[user_id] = n
        yield held
    finally:
        _cleanup(engine)


def _mix(app: Flask) -> None:
    with app.app_context(), pytest.MonkeyPatch.context() as patch:
        patch.setitem(app.config, "SMALL_CELL_THRESHOLD", THRESHOLD)
        mix_answers()


def _right(held: Answered, guesses: list[tuple[int, Any]]) -> int:
    return sum(held.truth.get(user) == int(number) for user, number in guesses)


def _pair_by_transaction(held: Answered) -> list[tuple[int, Any]]:
    """The register and the responses each sorted by the transaction that wrote them
    (then by place on disk), paired in that order: a register line written in a
    savepoint carries a sub-transaction's id, one more than its parent's, so an exact
    join would miss what this finds."""
    with held.engine.connect() as connection:
        register = list(connection.execute(text(
            "SELECT user_id FROM survey_participations WHERE survey_id = :s "
            "ORDER BY xmin::text::bigint, ctid"), {"s": held.survey_id}).scalars())
        numbers = list(connection.execute(text(
            "SELECT a.number FROM survey_responses r "
            "JOIN survey_answers a ON a.response_id = r.id WHERE r.survey_id = :s "
            "ORDER BY r.xmin::text::bigint, r.ctid"), {"s": held.survey_id}).scalars())
    return list(zip(register, numbers, strict=True))


def _disk_order(held: Answered, table: str, column: str) -> list[Any]:
    """The rows as they lie: by ``ctid`` on PostgreSQL, by storage order on SQLite."""
    postgres = held.engine.dialect.name == "postgresql"
    order = " ORDER BY ctid" if postgres else ""
    with held.engine.connect() as connection:
        return list(connection.execute(text(
            f"SELECT {column} FROM {table} WHERE survey_id = :s{order}"),
            {"s": held.survey_id}).scalars())


def test_answers_wait_sealed_in_the_inbox_until_the_mix(
        answered: Answered, app: Flask) -> None:
    with answered.engine.connect() as connection:
        responses = connection.execute(text(
            "SELECT count(*) FROM survey_responses")).scalar()
        waiting = connection.execute(text("SELECT count(*) FROM survey_inbox")).scalar()
    assert (responses, waiting) == (0, RESIDENTS)
    with answered.engine.connect() as connection:
        dumped = [str(p) for p in connection.execute(text(
            "SELECT payload FROM survey_inbox")).scalars()]
    assert not [p for p in dumped if "answers" in p or "day" in p]
    _mix(app)
    with answered.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM survey_responses")
                                  ).scalar() == RESIDENTS
        assert connection.execute(text("SELECT count(*) FROM survey_inbox")).scalar() == 0


def test_the_order_of_transactions_pairs_no_more_than_chance(
        answered: Answered, app: Flask) -> None:
    if answered.engine.dialect.name != "postgresql":
        pytest.skip("transaction stamps (xmin) are PostgreSQL's")
    _mix(app)
    assert _right(answered, _pair_by_transaction(answered)) < BY_CHANCE


def test_each_transaction_stamp_of_the_responses_hides_at_least_the_threshold(
        answered: Answered, app: Flask) -> None:
    if answered.engine.dialect.name != "postgresql":
        pytest.skip("transaction stamps (xmin) are PostgreSQL's")
    _mix(app)
    with answered.engine.connect() as connection:
        stamps = Counter(connection.execute(text(
            "SELECT xmin::text FROM survey_responses")).scalars())
    assert min(stamps.values()) >= THRESHOLD


def test_the_order_on_disk_pairs_no_more_than_chance(answered: Answered, app: Flask) -> None:
    _mix(app)
    register = _disk_order(answered, "survey_participations", "user_id")
    with answered.engine.connect() as connection:
        number_of = {response: number for response, number in connection.execute(text(
            "SELECT response_id, number FROM survey_answers"))}
    responses = [number_of[r] for r in _disk_order(answered, "survey_responses", "id")]
    assert len(register) == len(responses) == RESIDENTS
    assert _right(answered, list(zip(register, responses, strict=True))) < BY_CHANCE


def test_publishing_mixes_the_last_small_group_with_everyone(
        answered: Answered, app: Flask) -> None:
    """Eleven answers are mixed, then the thirteen others wait; publishing the results
    moves them in, then writes the whole survey again in one transaction, so that no
    response, and no free text, keeps the stamp of a small group."""
    with app.app_context(), Session(answered.engine) as session:
        survey = session.get(Survey, answered.survey_id)
        assert survey is not None
        surveys.mix(session, survey, minimum=0)
        session.commit()
    with app.app_context(), Session(answered.engine) as session:
        survey = session.get(Survey, answered.survey_id)
        assert survey is not None
        results.publish_results(session, survey, actor=None,
                                now=survey.closes_at + timedelta(hours=1))
        session.commit()
    if answered.engine.dialect.name == "postgresql":
        with answered.engine.connect() as connection:
            stamps = set(connection.execute(text(
                "SELECT xmin::text FROM survey_responses")).scalars())
            said = set(connection.execute(text(
                "SELECT xmin::text FROM survey_texts")).scalars())
        assert len(stamps) == 1
        assert said == stamps
        assert _right(answered, _pair_by_transaction(answered)) < BY_CHANCE
    with answered.engine.connect() as connection:
        numbers = sorted(int(n) for n in connection.execute(text(
            "SELECT number FROM survey_answers")).scalars())
    assert numbers == list(range(RESIDENTS))
    with answered.engine.connect() as connection:
        texts = set(connection.execute(text("SELECT body FROM survey_texts")).scalars())
    assert texts == {f"Avis {n}" for n in range(RESIDENTS)}
