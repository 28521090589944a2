"""Answering an evaluation survey is taking part: the survey's register feeds the daily
figures on every channel (a permanence's tablet counts as the permanence, a poster's
link as online), the dashboard's counts move at once, the table stays what a rebuild
gives, and a person with an account is counted once across surveys and parts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select

from civic.evaluation import services, surveys
from civic.evaluation.models import SurveyParticipation
from civic.ideas import services as idea_services
from civic.pilotage import figures, indicators
from civic.pilotage.models import ParticipationDay
from civic.pilotage.scope import for_year
from tests import factories
from tests.pilotage.test_figures import NOW, from_acts, participants, settled

TODAY = date(2026, 3, 14)
LANGUAGES = ("fr", "en", "ar")


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


@pytest.fixture(autouse=True)
def context(app: Flask) -> Iterator[None]:
    """Answers are sealed with the site's key until they are mixed: the app's."""
    with app.app_context():
        yield


@pytest.fixture
def place(db: Any) -> dict[str, Any]:
    """A contract with a quartier, its evaluation and one question."""
    contract = factories.make_contract(db)
    quartier = factories.make_quartier(db, contract)
    orientation = factories.make_orientation(db, contract)
    evaluation = services.open_evaluation(db, contract, {
        "kind": "midterm", "title": "Mi-parcours", "purpose": "",
        "starts_on": date(2026, 3, 1), "ends_on": date(2026, 10, 31)}, actor=None, now=NOW)
    question = services.add_question(db, evaluation, "Trouve-t-on un stage ?",
                                      [orientation.id], actor=None, now=NOW)
    return {"quartier": quartier, "evaluation": evaluation, "question": question}


def make_survey(db: Any, place: dict[str, Any], *, once: bool = True) -> Any:
    survey = surveys.create_survey(db, place["evaluation"], {
        "texts": {lang: {"title": "Stages", "intro": ""} for lang in LANGUAGES},
        "opens_at": NOW - timedelta(days=1), "closes_at": NOW + timedelta(days=9),
        "once": once}, actor=None, now=NOW)
    surveys.add_item(db, survey, {
        "question_id": place["question"].id, "kind": "number", "required": True,
        "texts": {lang: {"label": "Combien de stages ?"} for lang in LANGUAGES}},
        actor=None, now=NOW)
    return survey


def answer(db: Any, survey: Any, channel: str, **how: Any) -> None:
    item = survey.items[0]
    surveys.answer(db, survey, {item.id: surveys.Parsed(number=surveys.Decimal(3))},
                   surveys.Profile(), channel=channel, today=how.pop("today", TODAY),
                   now=NOW, **how)


def by_channel(db: Any) -> dict[str, tuple[int, int]]:
    """(accounts, people without an account) per channel, as the dashboard shows them."""
    with indicators.one_page():
        rows = indicators.participants_by_channel(db, for_year(2026)).rows
    return {row["channel"]: (row["accounts"], row["without_account"]) for row in rows}


def test_answers_on_every_channel_move_the_dashboard_as_a_rebuild_would(
        app: Flask, db: Any, place: dict[str, Any]) -> None:
    quartier = place["quartier"]
    survey, open_survey = make_survey(db, place), make_survey(db, place, once=False)
    amina = factories.make_user(db, quartier_id=quartier.id)
    assert settled(db) == from_acts(db) == Counter()
    assert participants(db) == {"accounts": 0, "without_account": 0}

    answer(db, survey, "online", user=amina)
    assert settled(db) == from_acts(db)
    assert participants(db) == {"accounts": 1, "without_account": 0}

    answer(db, survey, "kiosk", permanence=factories.make_permanence(db, quartier))
    batch = surveys.open_batch(db, survey, quartier, "Permanence du 12 mars", 2,
                               actor=None, now=NOW)
    answer(db, survey, "paper", batch=batch)
    answer(db, open_survey, "poster")
    assert settled(db) == from_acts(db)
    assert participants(db) == {"accounts": 1, "without_account": 3}
    assert by_channel(db) == {"online": (1, 1), "permanence": (0, 1), "paper": (0, 1),
                              "event": (0, 0)}
    rows = {(r.channel, r.user_id, r.quartier_id, r.orientation_id): r.acts
            for r in db.scalars(select(ParticipationDay).where(
                ParticipationDay.part == "survey", ParticipationDay.day == TODAY))}
    assert rows == {("online", amina.id, quartier.id, None): 1,
                    ("permanence", None, quartier.id, None): 1,
                    ("paper", None, quartier.id, None): 1,
                    ("online", None, None, None): 1}

    # An answer typed in from paper a day late counts on its own day.
    answer(db, survey, "paper", batch=batch, today=TODAY + timedelta(days=1))
    assert settled(db) == from_acts(db)
    assert participants(db)["without_account"] == 4

    # Register lines removed by a statement (not the session's flush) move the figures.
    db.execute(delete(SurveyParticipation).where(SurveyParticipation.channel == "paper"))
    assert settled(db) == from_acts(db)
    assert participants(db) == {"accounts": 1, "without_account": 2}


def test_a_person_who_answered_two_surveys_and_supported_an_idea_counts_once(
        app: Flask, db: Any, place: dict[str, Any]) -> None:
    quartier = place["quartier"]
    first, second = make_survey(db, place), make_survey(db, place)
    amina, bruno = factories.make_user(db), factories.make_user(db)
    idea = factories.make_idea(db, quartier, bruno, created_at=NOW - timedelta(days=2))
    assert participants(db) == {"accounts": 1, "without_account": 0}

    answer(db, first, "online", user=amina)
    answer(db, second, "online", user=amina, today=TODAY - timedelta(days=1))
    assert idea_services.support(db, idea, amina, now=NOW)
    assert settled(db) == from_acts(db)
    assert participants(db) == {"accounts": 2, "without_account": 0}
    assert by_channel(db)["online"] == (2, 0)
    # Three acts of Amina's in the table, one person on the dashboard.
    acts = sum(r.acts for r in db.scalars(select(ParticipationDay).where(
        ParticipationDay.user_id == amina.id)))
    assert acts == 3


def test_the_figures_are_built_from_answers_alone(app: Flask, db: Any,
                                                  place: dict[str, Any]) -> None:
    """A database whose only acts are survey answers is built on its first read."""
    survey = make_survey(db, place)
    answer(db, survey, "kiosk", permanence=factories.make_permanence(db, place["quartier"]))
    db.flush()
    db.info.pop("civic.pilotage.stale_days", None)  # as if the marks were lost
    db.execute(delete(ParticipationDay))
    assert participants(db) == {"accounts": 0, "without_account": 1}
    assert figures.from_acts(db) == Counter({
        (TODAY, place["quartier"].id, None, "permanence", "survey", None): 1})
