"""The matrix of the evaluation: every role × every rule × its targets (own or other
signatory's indicator, own or other quartier, the phase of the proposals, a survey open
or not, one's own proposal or someone else's)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from civic.accounts.models import Role, RoleGrant
from civic.core.permissions import can
from civic.evaluation import services
from civic.evaluation.models import Evaluation, QuestionProposal, Survey, Workshop
from tests import factories
from tests.evaluation.conftest import INDICATOR, NOW

ROLES = ["anonymous", "resident", "moderator", "animator", "signatory", "evaluator", "pilot",
         "unenrolled"]
#: Any account: the unenrolled one acts as a resident, which may propose and support.
LOGGED_IN = set(ROLES) - {"anonymous"}
#: action → target → the roles allowed. "own"/"other": an indicator of the signatory the
#: signatory account refers for, or another's; then a proposal of the account itself or of
#: someone else. "A": the quartier where the moderator and animator act, "B" another.
MATRIX: dict[str, dict[str, set[str]]] = {
    "evaluation.manage": {"-": {"pilot"}},
    "evaluation.read_commitments": {"-": {"signatory", "pilot"}},
    "evaluation.define_indicator": {"own": {"pilot"}, "other": {"pilot"}},
    "evaluation.enter_value": {"own": {"signatory", "pilot"}, "other": {"pilot"}},
    "evaluation.committee": {"-": {"evaluator", "pilot"}},
    "evaluation.propose_question": {"open": LOGGED_IN, "closed": set(), "none": set()},
    "evaluation.support_proposal": {"other": LOGGED_IN, "own": set(), "unpublished": set(),
                                    "decided": set(), "closed": set()},
    "evaluation.answer_survey": {"open": set(ROLES), "closed": set(), "results": set()},
    "evaluation.survey_kiosk": {"A": {"animator"}, "B": set()},
    "evaluation.survey_paper": {"A": {"animator", "evaluator", "pilot"},
                                "B": {"evaluator", "pilot"}},
    "evaluation.survey_codes": {"A": {"animator", "pilot"}, "B": {"pilot"}},
    "evaluation.record_workshop": {"A": {"animator", "evaluator", "pilot"},
                                   "B": {"evaluator", "pilot"}},
}
ACTIONS = sorted(MATRIX)
CELLS = [(action, target, role, role in allowed)
         for action, targets in MATRIX.items() for target, allowed in targets.items()
         for role in ROLES]
DAY = timedelta(days=1)


def _values() -> dict[str, Any]:
    return {**INDICATOR, "baseline": Decimal(INDICATOR["baseline"]),
            "target": Decimal(INDICATOR["target"])}


def _evaluation(db: Any, proposals_until: date | None, contract: Any = None) -> Evaluation:
    """Started on 1 March; on NOW (14 March) it takes proposals if ``proposals_until``
    comes after. Of a contract of its own unless told."""
    return services.open_evaluation(db, contract or factories.make_contract(db), {
        "kind": "midterm", "title": "Mi-parcours", "purpose": "",
        "starts_on": date(2026, 3, 1), "ends_on": date(2026, 10, 31),
        "proposals_until": proposals_until}, actor=None, now=NOW)


def _proposal(db: Any, author: Any, quartier: Any, *, until: date = date(2026, 3, 31),
              **values: Any) -> QuestionProposal:
    proposal = QuestionProposal(**{
        "evaluation_id": _evaluation(db, until).id, "quartier_id": quartier.id,
        "author_id": author.id, "text": "Les halls sont-ils plus sûrs ?",
        "moderation": "published", "created_at": NOW, **values})
    db.add(proposal)
    db.flush()
    return proposal


def _survey(db: Any, **values: Any) -> Survey:
    survey = Survey(**{"evaluation_id": _evaluation(db, None).id, "texts": {},
                       "opens_at": NOW - DAY, "closes_at": NOW + DAY, "created_at": NOW,
                       **values})
    db.add(survey)
    db.flush()
    return survey


def _workshop(db: Any, quartier: Any, orientation: Any) -> Workshop:
    question = services.add_question(db, _evaluation(db, None, orientation.contract),
                                     "Une question ?",
                                     [orientation.id], actor=None, now=NOW)
    event = factories.make_event(db, quartier, kind="atelier")
    workshop = Workshop(event_id=event.id, question_id=question.id)
    db.add(workshop)
    db.flush()
    return workshop


@pytest.fixture
def everyone(db: Any, people: dict[str, Any], unenrolled: Any) -> dict[str, Any]:
    """The shared accounts, an evaluator, and the unenrolled account granted the
    evaluator's role too (waiting, like its others, for a second step)."""
    db.add(RoleGrant(user=unenrolled, role=Role.EVALUATOR.value, granted_at=NOW))
    db.flush()
    return {**people, "unenrolled": unenrolled, "evaluator": factories.make_user(
        db, display_name="Élise", roles=[(Role.EVALUATOR, None)])}


@pytest.mark.parametrize(("action", "target", "role", "allowed"), CELLS,
                         ids=[f"{a}-{t}-{r}" for a, t, r, _ in CELLS])
def test_evaluation_permission_cell(db: Any, everyone: dict[str, Any], commitment: Any,
                                    other_commitment: Any, quartier: Any,
                                    other_quartier: Any, orientation: Any, action: str,
                                    target: str, role: str, allowed: bool) -> None:
    user = None if role == "anonymous" else everyone[role]
    author = factories.make_user(db, display_name="Autrice")
    own = user or author
    place = {"A": quartier, "B": other_quartier}.get(target)
    builders: dict[str, Callable[[], Any]] = {
        "evaluation.define_indicator": lambda: {"own": commitment,
                                                "other": other_commitment}[target],
        "evaluation.enter_value": lambda: services.add_indicator(
            db, {"own": commitment, "other": other_commitment}[target], _values(),
            actor=None, now=NOW),
        "evaluation.propose_question": lambda: _evaluation(db, {
            "open": date(2026, 3, 31), "closed": date(2026, 3, 13), "none": None}[target]),
        "evaluation.support_proposal": lambda: {
            "other": lambda: _proposal(db, author, quartier),
            "own": lambda: _proposal(db, own, quartier),
            "unpublished": lambda: _proposal(db, author, quartier, moderation="pending"),
            "decided": lambda: _proposal(db, author, quartier, decision="set_aside",
                                         decision_reason="Hors sujet."),
            "closed": lambda: _proposal(db, author, quartier, until=date(2026, 3, 13)),
        }[target](),
        "evaluation.answer_survey": lambda: _survey(db, **{
            "open": {}, "closed": {"closes_at": NOW - DAY / 2},
            "results": {"results_at": NOW - DAY / 2}}[target]),
        "evaluation.survey_kiosk": lambda: factories.make_permanence(db, place),
        "evaluation.survey_paper": lambda: place,
        "evaluation.survey_codes": lambda: place,
        "evaluation.record_workshop": lambda: _workshop(db, place, orientation),
    }
    subject = builders[action]() if action in builders else None
    assert can(user, action, subject) is allowed


def test_without_a_target_the_rules_that_need_one_say_no(everyone: dict[str, Any]) -> None:
    for action in ("evaluation.propose_question", "evaluation.support_proposal",
                   "evaluation.answer_survey", "evaluation.survey_kiosk",
                   "evaluation.survey_paper", "evaluation.survey_codes",
                   "evaluation.record_workshop", "evaluation.enter_value"):
        assert can(everyone["pilot"], action, None) is False, action


def test_the_matrix_names_every_evaluation_rule() -> None:
    from civic.core import permissions

    assert [a for a in permissions.actions() if a.startswith("evaluation.")] == ACTIONS
