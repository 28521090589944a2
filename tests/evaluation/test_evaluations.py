"""The contract's evaluations and their questions: a pilot opens one (one of each kind),
writes its questions tied to orientations, and the public page puts each question next
to what the signatories promised on those orientations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from civic.core.audit import AuditEntry
from civic.evaluation import services
from civic.evaluation.models import Evaluation, EvaluationQuestion
from tests import factories
from tests.evaluation.conftest import INDICATOR, NOW

MIDTERM = {"kind": "midterm", "title": "Évaluation à mi-parcours 2026",
           "purpose": "Savoir ce qui a changé.", "starts_on": "2026-03-01",
           "ends_on": "2026-10-31"}


def test_a_pilot_opens_an_evaluation_once_per_kind_with_dates_in_order(
        login_as: Any, db: Any, people: dict, contract: Any) -> None:
    client = login_as(people["pilot"])
    backwards = client.post("/evaluation/nouvelle", data={**MIDTERM, "ends_on": "2026-01-01"})
    assert backwards.status_code == 400
    assert "La fin doit venir après le début." in backwards.get_data(as_text=True)
    assert 'value="Évaluation à mi-parcours 2026"' in backwards.get_data(as_text=True)
    opened = client.post("/evaluation/nouvelle", data=MIDTERM)
    assert opened.status_code == 302
    evaluation = db.scalars(select(Evaluation)).one()
    assert (evaluation.kind, evaluation.starts_on) == ("midterm", date(2026, 3, 1))
    twice = client.post("/evaluation/nouvelle", data=MIDTERM)
    assert twice.status_code == 400
    assert "Cette évaluation existe déjà pour ce contrat." in twice.get_data(as_text=True)
    for bad in ({"kind": "annual"}, {"starts_on": "demain"}, {"title": ""},
                {"title": "x" * 161}, {"purpose": "a\x00b"}):
        answer = client.post("/evaluation/nouvelle", data={**MIDTERM, "kind": "final", **bad})
        assert answer.status_code == 400, bad
    assert db.scalar(select(AuditEntry.action).where(
        AuditEntry.target_type == "evaluation")) == "evaluation.opened"


def test_questions_are_tied_to_orientations_and_shown_with_the_commitments(
        app: Any, login_as: Any, db: Any, people: dict, contract: Any, commitment: Any,
        orientation: Any) -> None:
    evaluation = services.open_evaluation(db, contract, {
        **MIDTERM, "starts_on": date(2026, 3, 1), "ends_on": date(2026, 10, 31)},
        actor=None, now=NOW)
    other_contract = factories.make_contract(db, name="Ailleurs")
    elsewhere = factories.make_orientation(db, other_contract, name="Ailleurs")
    indicator = services.add_indicator(db, commitment, {
        **INDICATOR, "baseline": Decimal(120), "target": Decimal(300)}, actor=None, now=NOW)
    services.record_value(db, indicator, 2025, Decimal("210.5"), "Bilan", actor=None,
                          now=NOW)
    pilot = login_as(people["pilot"])
    url = f"/evaluation/{evaluation.id}/questions/nouvelle"
    text = "Les jeunes du quartier trouvent-ils plus facilement un stage ?"
    for bad in ({"text": text}, {"text": text, "orientations": str(elsewhere.id)},
                {"text": text, "orientations": "abc"}, {"text": "", "orientations":
                                                         str(orientation.id)}):
        answer = pilot.post(url, data=bad)
        assert answer.status_code == 400, bad
    assert "Cochez au moins une orientation du contrat." in pilot.post(
        url, data={"text": text}).get_data(as_text=True)
    assert pilot.post(url, data={"text": text, "orientations": str(orientation.id)}
                      ).status_code == 302
    question = db.scalars(select(EvaluationQuestion)).one()
    assert [o.id for o in question.orientations] == [orientation.id]

    visitor = app.test_client()
    page = visitor.get(f"/evaluation/{evaluation.id}")
    assert page.status_code == 200
    body = " ".join(page.get_data(as_text=True).replace("\u202f", " ").split())
    assert text in body
    assert "Dernière valeur : 210,5 en 2025." in body
    assert "50 % du chemin vers l’objectif." in body
    assert "Modifier la question" not in body  # a visitor reads, a pilot writes
    listing = visitor.get("/evaluation").get_data(as_text=True)
    assert "Évaluation à mi-parcours 2026" in listing
    assert "en cours" in listing


def test_a_pilot_changes_then_removes_a_question_with_a_confirmation(
        login_as: Any, db: Any, people: dict, contract: Any, orientation: Any) -> None:
    evaluation = services.open_evaluation(db, contract, {
        **MIDTERM, "starts_on": date(2026, 3, 1), "ends_on": date(2026, 10, 31)},
        actor=None, now=NOW)
    question = services.add_question(db, evaluation, "Première version ?", [orientation.id],
                                     actor=None, now=NOW)
    pilot = login_as(people["pilot"])
    assert pilot.post(f"/evaluation/questions/{question.id}", data={
        "text": "Deuxième version ?", "orientations": str(orientation.id)}).status_code == 302
    assert db.get(EvaluationQuestion, question.id).text == "Deuxième version ?"
    refused = pilot.post(f"/evaluation/questions/{question.id}/supprimer")
    assert refused.status_code == 400
    assert "Cochez la case pour confirmer." in refused.get_data(as_text=True)
    assert pilot.post(f"/evaluation/questions/{question.id}/supprimer",
                      data={"remove-confirm": "y"}).status_code == 302
    assert db.scalars(select(EvaluationQuestion)).all() == []


@pytest.mark.parametrize("role", ["resident", "signatory", "moderator", "animator"])
def test_outside_the_committee_no_one_opens_or_writes_evaluations(
        login_as: Any, db: Any, people: dict, contract: Any, orientation: Any,
        role: str) -> None:
    evaluation = services.open_evaluation(db, contract, {
        **MIDTERM, "starts_on": date(2026, 3, 1), "ends_on": date(2026, 10, 31)},
        actor=None, now=NOW)
    question = services.add_question(db, evaluation, "Une question ?", [orientation.id],
                                     actor=None, now=NOW)
    client = login_as(people[role])
    for url in ("/evaluation/nouvelle", f"/evaluation/{evaluation.id}/modifier",
                f"/evaluation/{evaluation.id}/questions/nouvelle",
                f"/evaluation/questions/{question.id}"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/evaluation/questions/{question.id}/supprimer",
                       data={"remove-confirm": "y"}).status_code == 403
    assert client.get(f"/evaluation/{evaluation.id}").status_code == 200
    for url in ("/evaluation/999999", "/evaluation/questions/999999",
                "/evaluation/99999999999999999999"):
        assert client.get(url).status_code in (403, 404), url


def test_a_question_a_survey_asks_about_cannot_be_removed(
        login_as: Any, db: Any, people: dict, contract: Any, orientation: Any) -> None:
    from datetime import timedelta

    from civic.evaluation import surveys

    evaluation = services.open_evaluation(db, contract, {
        **MIDTERM, "starts_on": date(2026, 3, 1), "ends_on": date(2026, 10, 31)},
        actor=None, now=NOW)
    question = services.add_question(db, evaluation, "Une question ?", [orientation.id],
                                     actor=None, now=NOW)
    survey = surveys.create_survey(db, evaluation, {
        "texts": {lang: {"title": "Enquête", "intro": ""} for lang in ("fr", "en", "ar")},
        "opens_at": NOW, "closes_at": NOW + timedelta(days=5), "once": False},
        actor=None, now=NOW)
    surveys.add_item(db, survey, {"question_id": question.id, "kind": "text", "texts": {
        lang: {"label": "Qu’en pensez-vous ?"} for lang in ("fr", "en", "ar")}},
        actor=None, now=NOW)
    pilot = login_as(people["pilot"])
    answer = pilot.post(f"/evaluation/questions/{question.id}/supprimer",
                        data={"remove-confirm": "y"}, follow_redirects=True)
    assert "Une enquête ou un atelier porte sur cette question" in answer.get_data(
        as_text=True)
    assert db.get(EvaluationQuestion, question.id) is not None
