"""The clock of the outreach tests, and what their posters and previews announce: a
café in ``quartier``, a round of its fund in its vote, a survey of the evaluation."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from civic.evaluation import services, surveys
from tests import factories
from tests.factories import NOW

LANGUAGES = ("fr", "en", "ar")


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


@pytest.fixture
def event(db: Any, quartier: Any) -> Any:
    """« Repas de printemps », Saturday 21 March 2026 from 11:00 to 13:00 (Paris)."""
    return factories.make_event(db, quartier, title="Repas de printemps", kind="meal",
                                place="Maison de quartier", address="2 place Abbal")


@pytest.fixture
def fph_round(db: Any, quartier: Any) -> Any:
    """A round of ``quartier``'s fund, in its vote (from 13 to 18 March 2026)."""
    return factories.make_round(db, factories.make_fund(db, quartier),
                                title="Appel à projets 2026")


@pytest.fixture
def survey(db: Any, contract: Any) -> Any:
    """A survey of the mid-term evaluation, open from 13 to 23 March 2026."""
    orientation = factories.make_orientation(db, contract)
    evaluation = services.open_evaluation(db, contract, {
        "kind": "midterm", "title": "Mi-parcours", "purpose": "",
        "starts_on": date(2026, 3, 1), "ends_on": date(2026, 10, 31)}, actor=None, now=NOW)
    question = services.add_question(db, evaluation, "Trouve-t-on un stage ?",
                                      [orientation.id], actor=None, now=NOW)
    found = surveys.create_survey(db, evaluation, {
        "texts": {lang: {"title": f"Les stages ({lang})", "intro": ""} for lang in LANGUAGES},
        "opens_at": NOW - timedelta(days=1), "closes_at": NOW + timedelta(days=9),
        "once": False}, actor=None, now=NOW)
    surveys.add_item(db, found, {
        "question_id": question.id, "kind": "number", "required": True,
        "texts": {lang: {"label": "Combien de stages ?"} for lang in LANGUAGES}},
        actor=None, now=NOW)
    return found
