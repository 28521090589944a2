"""Questions residents propose for an evaluation: the rules of proposing (lengths, the
phase, the quartier), supports (one per account, even clicked twice at once, never on
one's own), and the committee's decisions, each with a public reason and journaled."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.models import Role
from civic.core.audit import AuditEntry
from civic.core.db import Base
from civic.evaluation import proposals, services
from civic.evaluation.models import (
    Decision,
    Evaluation,
    EvaluationQuestion,
    ProposalSupport,
    QuestionProposal,
)
from civic.evaluation.proposals import ProposalError
from civic.moderation import registry
from civic.moderation import services as moderation
from tests import factories
from tests.evaluation.conftest import NOW

TODAY = date(2026, 3, 14)
QUESTION = "Les jeunes du quartier trouvent-ils plus facilement un stage ?"
#: Open from 1 March to 31 October; residents propose until 31 March.
CALENDAR = {"kind": "midterm", "title": "Évaluation à mi-parcours", "purpose": "",
            "starts_on": date(2026, 3, 1), "ends_on": date(2026, 10, 31),
            "proposals_until": date(2026, 3, 31)}


def open_evaluation(db: Any, contract: Any, **values: Any) -> Evaluation:
    return services.open_evaluation(db, contract, {**CALENDAR, **values}, actor=None,
                                    now=NOW)


def propose(db: Any, evaluation: Evaluation, author: Any, quartier: Any, *,
            today: date = TODAY, **values: Any) -> QuestionProposal:
    return proposals.propose(db, evaluation, {
        "text": QUESTION, "why": "", "quartier_id": quartier.id, "show_name": False,
        **values}, author=author, now=NOW, today=today)


def published(db: Any, evaluation: Evaluation, author: Any, quartier: Any,
              **values: Any) -> QuestionProposal:
    proposal = propose(db, evaluation, author, quartier, **values)
    proposal.moderation = "published"
    db.flush()
    return proposal


@pytest.fixture
def evaluation(db: Any, contract: Any) -> Evaluation:
    return open_evaluation(db, contract)


@pytest.fixture
def author(db: Any, quartier: Any) -> Any:
    return factories.make_user(db, display_name="Nadia", quartier_id=quartier.id)


@pytest.fixture
def evaluator(db: Any) -> Any:
    return factories.make_user(db, display_name="Élise", roles=[(Role.EVALUATOR, None)])


def _actions(db: Any) -> list[str]:
    return list(db.scalars(select(AuditEntry.action).where(
        AuditEntry.target_type == "eval_proposal").order_by(AuditEntry.id)))


# --- Proposing ---------------------------------------------------------------------------


def test_a_proposal_keeps_the_words_on_one_line_and_waits_for_its_moderators(
        db: Any, evaluation: Any, author: Any, quartier: Any) -> None:
    proposal = propose(db, evaluation, author, quartier,
                       text="  Les jeunes   trouvent-ils\nun stage ?  ",
                       why="  Mon fils cherche depuis un an.\nSans réponse.  ",
                       show_name=True)
    assert proposal.text == "Les jeunes trouvent-ils un stage ?"
    assert proposal.why == "Mon fils cherche depuis un an.\nSans réponse."
    assert (proposal.moderation, proposal.quartier_id, proposal.author_id) == (
        "pending", quartier.id, author.id)
    assert proposal.show_name is True
    assert (proposal.decision, proposal.support_count) == ("pending", 0)
    entry = db.scalars(select(AuditEntry).where(
        AuditEntry.action == "evaluation.proposal_made")).one()
    assert (entry.actor_id, entry.target_id) == (author.id, str(proposal.id))


def test_a_post_moderated_quartier_publishes_at_once(db: Any, evaluation: Any, author: Any,
                                                     quartier: Any) -> None:
    quartier.moderation_mode = "post"
    proposal = propose(db, evaluation, author, quartier)
    assert (proposal.moderation, proposal.moderated_at) == ("published", NOW)


@pytest.mark.parametrize(("values", "code", "field"), [
    ({"text": ""}, "proposal_text_required", "text"),
    ({"text": " \n\t "}, "proposal_text_required", "text"),
    ({"text": "Pourquoi?"}, "proposal_text_short", "text"),
    ({"text": "a        b"}, "proposal_text_short", "text"),
    ({"text": "q" * 301}, "proposal_text_long", "text"),
    ({"why": "w" * 1001}, "proposal_why_long", "why"),
    ({"quartier_id": None}, "proposal_quartier", "quartier_id"),
    ({"quartier_id": 2**31 - 1}, "proposal_quartier", "quartier_id"),
    ({"quartier_id": "1"}, "proposal_quartier", "quartier_id"),
])
def test_a_proposal_is_refused_with_the_field_to_fix(db: Any, evaluation: Any, author: Any,
                                                     quartier: Any, values: dict, code: str,
                                                     field: str) -> None:
    with pytest.raises(ProposalError) as refused:
        propose(db, evaluation, author, quartier, **values)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert db.scalars(select(QuestionProposal)).all() == []


def test_the_lengths_allowed_are_10_to_300_and_1000_for_why(db: Any, evaluation: Any,
                                                            author: Any,
                                                            quartier: Any) -> None:
    shortest = propose(db, evaluation, author, quartier, text="Q" * 10)
    longest = propose(db, evaluation, author, quartier, text="Q" * 300, why="w" * 1000)
    assert (len(shortest.text), len(longest.text), len(longest.why)) == (10, 300, 1000)


def test_the_quartier_must_be_one_of_the_contracts(db: Any, evaluation: Any, author: Any,
                                                   other_quartier: Any) -> None:
    elsewhere = factories.make_quartier(db, factories.make_contract(db, name="Ailleurs"))
    with pytest.raises(ProposalError) as refused:
        propose(db, evaluation, author, elsewhere)
    assert refused.value.code == "proposal_quartier"
    assert propose(db, evaluation, author, other_quartier).quartier_id == other_quartier.id


@pytest.mark.parametrize(("calendar", "today", "taken"), [
    ({}, date(2026, 3, 1), True),  # the first day
    ({}, date(2026, 3, 31), True),  # the last day
    ({}, date(2026, 2, 28), False),  # before the evaluation starts
    ({}, date(2026, 4, 1), False),  # the day after
    ({"proposals_until": None}, TODAY, False),  # no proposal phase at all
])
def test_proposals_are_taken_from_the_start_to_the_last_day_only(
        db: Any, contract: Any, author: Any, quartier: Any, calendar: dict, today: date,
        taken: bool) -> None:
    evaluation = open_evaluation(db, contract, **calendar)
    if taken:
        assert propose(db, evaluation, author, quartier, today=today).id is not None
        return
    with pytest.raises(ProposalError) as refused:
        propose(db, evaluation, author, quartier, today=today)
    assert (refused.value.code, refused.value.field) == ("proposals_closed", None)


def test_the_last_day_must_fall_within_the_evaluation(db: Any, contract: Any) -> None:
    for last in (date(2026, 2, 28), date(2026, 11, 1)):
        with pytest.raises(services.EvaluationError) as refused:
            open_evaluation(db, contract, proposals_until=last)
        assert (refused.value.code, refused.value.field) == ("proposals_outside",
                                                             "proposals_until")
    evaluation = open_evaluation(db, contract, proposals_until=date(2026, 10, 31))
    services.update_evaluation(db, evaluation, {**CALENDAR, "proposals_until": None},
                               actor=None, now=NOW)
    assert evaluation.proposals_until is None
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "evaluation.changed")
                       ).one()
    assert entry.details["changed"] == {"proposals_until": ["2026-10-31", "None"]}


def test_a_public_name_only_when_chosen_and_never_for_a_deleted_account(
        db: Any, evaluation: Any, author: Any, quartier: Any) -> None:
    named = propose(db, evaluation, author, quartier, show_name=True)
    hidden = propose(db, evaluation, author, quartier, show_name=False)
    assert (proposals.public_name(named), proposals.public_name(hidden)) == ("Nadia", None)
    author.deleted_at = NOW
    assert proposals.public_name(named) is None


# --- Supports ----------------------------------------------------------------------------


def test_supporting_twice_counts_once_and_withdrawing_twice_removes_once(
        db: Any, evaluation: Any, author: Any, quartier: Any, people: dict) -> None:
    proposal = published(db, evaluation, author, quartier)
    rania = people["resident"]
    assert proposals.support(db, proposal, rania, now=NOW, today=TODAY) is True
    assert proposals.support(db, proposal, rania, now=NOW, today=TODAY) is False
    assert proposal.support_count == 1
    assert proposals.support(db, proposal, people["pilot"], now=NOW, today=TODAY) is True
    assert proposal.support_count == 2
    assert proposals.withdraw_support(db, proposal, rania, now=NOW, today=TODAY) is True
    assert proposals.withdraw_support(db, proposal, rania, now=NOW, today=TODAY) is False
    assert proposal.support_count == 1
    assert db.scalar(select(func.count()).select_from(ProposalSupport)) == 1
    assert _actions(db) == ["evaluation.proposal_made"]


def test_no_support_of_ones_own_an_unpublished_a_decided_or_a_closed_proposal(
        db: Any, evaluation: Any, author: Any, quartier: Any, people: dict,
        evaluator: Any, orientation: Any) -> None:
    rania = people["resident"]
    waiting = propose(db, evaluation, author, quartier)
    own = published(db, evaluation, author, quartier)
    decided = published(db, evaluation, author, quartier)
    proposals.set_aside(db, decided, "Hors du contrat.", actor=evaluator, now=NOW)
    cases = [(waiting, rania, TODAY, "proposal_not_published"),
             (own, author, TODAY, "proposal_own"),
             (decided, rania, TODAY, "proposal_decided"),
             (own, rania, date(2026, 4, 1), "proposals_closed")]
    for proposal, who, today, code in cases:
        with pytest.raises(ProposalError) as refused:
            proposals.support(db, proposal, who, now=NOW, today=today)
        assert refused.value.code == code
    with pytest.raises(ProposalError) as late:
        proposals.withdraw_support(db, own, rania, now=NOW, today=date(2026, 4, 1))
    assert late.value.code == "proposals_closed"
    assert db.scalars(select(ProposalSupport)).all() == []


@pytest.fixture
def committed(app: Any) -> Any:
    """A published proposal and four residents, committed: each click runs on its own
    connection, as two requests would."""
    engine = app.extensions["civic.engine"]
    with Session(engine) as setup:
        contract = factories.make_contract(setup)
        quartier = factories.make_quartier(setup, contract)
        evaluation = open_evaluation(setup, contract)
        proposal = published(setup, evaluation, factories.make_user(setup), quartier)
        people = [factories.make_user(setup) for _ in range(4)]
        setup.commit()
        ids = proposal.id, [p.id for p in people]
    yield engine, *ids
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


def _click(engine: Any, proposal_id: int, user_id: int, barrier: threading.Barrier,
           outcomes: list[str]) -> None:
    from civic.accounts.models import User

    with Session(engine) as session:
        barrier.wait(timeout=30)
        try:
            proposal, user = session.get(QuestionProposal, proposal_id), session.get(User,
                                                                                     user_id)
            added = proposals.support(session, proposal, user, now=NOW, today=TODAY)
            session.commit()
            outcomes.append("added" if added else "already")
        except Exception as error:  # reported by the assertion, not lost
            session.rollback()
            outcomes.append(repr(error))


def test_two_clicks_at_once_of_each_account_make_one_support(committed: Any) -> None:
    engine, proposal_id, people = committed
    clicks = [person for person in people for _ in range(2)]
    barrier = threading.Barrier(len(clicks))
    outcomes: list[str] = []
    threads = [threading.Thread(target=_click,
                                args=(engine, proposal_id, person, barrier, outcomes))
               for person in clicks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["added"] * 4 + ["already"] * 4
    with Session(engine) as check:
        assert check.scalar(select(func.count()).select_from(ProposalSupport)) == 4
        assert check.get(QuestionProposal, proposal_id).support_count == 4


# --- The committee's decisions -----------------------------------------------------------


def test_keeping_makes_a_question_in_the_committees_words_with_a_public_reason(
        db: Any, evaluation: Any, author: Any, quartier: Any, evaluator: Any,
        orientation: Any) -> None:
    proposal = published(db, evaluation, author, quartier, text="les stages ??")
    question = proposals.keep(db, proposal, f"  {QUESTION} ", [orientation.id],
                              " Beaucoup de jeunes en parlent. ", actor=evaluator, now=NOW)
    assert (question.text, question.evaluation_id) == (QUESTION, evaluation.id)
    assert [o.id for o in question.orientations] == [orientation.id]
    assert (proposal.decision, proposal.decision_reason, proposal.question_id) == (
        "kept", "Beaucoup de jeunes en parlent.", question.id)
    assert (proposal.decided_at, proposal.decided_by_id) == (NOW, evaluator.id)
    assert proposal.text == "les stages ??"  # the resident's words stay as written
    entry = db.scalars(select(AuditEntry).where(
        AuditEntry.action == "evaluation.proposal_kept")).one()
    assert entry.actor_id == evaluator.id
    assert entry.details["changed"] == {
        "decision": ["pending", "kept"],
        "decision_reason": ["", "Beaucoup de jeunes en parlent."],
        "question_id": [None, question.id]}


@pytest.mark.parametrize(("reason", "code"), [
    ("", "decision_reason_required"), ("  \n ", "decision_reason_required"),
    ("r" * 1001, "decision_reason_long")])
def test_every_decision_needs_a_reason(db: Any, evaluation: Any, author: Any, quartier: Any,
                                       evaluator: Any, orientation: Any, reason: str,
                                       code: str) -> None:
    proposal = published(db, evaluation, author, quartier)
    question = services.add_question(db, evaluation, QUESTION, [orientation.id], actor=None,
                                     now=NOW)
    attempts = [
        lambda: proposals.keep(db, proposal, QUESTION, [orientation.id], reason,
                               actor=evaluator, now=NOW),
        lambda: proposals.merge(db, proposal, question, reason, actor=evaluator, now=NOW),
        lambda: proposals.set_aside(db, proposal, reason, actor=evaluator, now=NOW)]
    for attempt in attempts:
        with pytest.raises(ProposalError) as refused:
            attempt()
        assert (refused.value.code, refused.value.field) == (code, "reason")
    assert proposal.decision == "pending"
    assert len(db.scalars(select(EvaluationQuestion)).all()) == 1


def test_keeping_needs_words_and_an_orientation_of_the_contract(
        db: Any, evaluation: Any, author: Any, quartier: Any, evaluator: Any,
        orientation: Any) -> None:
    proposal = published(db, evaluation, author, quartier)
    elsewhere = factories.make_orientation(db, factories.make_contract(db, name="Ailleurs"))
    for text, ids, code, field in [
            ("  ", [orientation.id], "kept_text_required", "text"),
            ("q" * 501, [orientation.id], "kept_text_long", "text"),
            (QUESTION, [], "orientation_required", "orientations"),
            (QUESTION, [elsewhere.id], "orientation_required", "orientations")]:
        with pytest.raises(services.EvaluationError) as refused:
            proposals.keep(db, proposal, text, ids, "Oui.", actor=evaluator, now=NOW)
        assert (refused.value.code, refused.value.field) == (code, field)
    assert db.scalars(select(EvaluationQuestion)).all() == []
    assert proposal.decision == "pending"


def test_an_unpublished_proposal_waits_for_its_moderators(db: Any, evaluation: Any,
                                                          author: Any, quartier: Any,
                                                          evaluator: Any) -> None:
    proposal = propose(db, evaluation, author, quartier)
    with pytest.raises(ProposalError) as refused:
        proposals.set_aside(db, proposal, "Non.", actor=evaluator, now=NOW)
    assert refused.value.code == "proposal_not_published"


def test_merging_is_into_a_question_of_the_same_evaluation_only(
        db: Any, contract: Any, evaluation: Any, author: Any, quartier: Any, evaluator: Any,
        orientation: Any) -> None:
    final = open_evaluation(db, contract, kind="final", title="Évaluation finale")
    theirs = services.add_question(db, final, QUESTION, [orientation.id], actor=None, now=NOW)
    ours = services.add_question(db, evaluation, QUESTION, [orientation.id], actor=None,
                                 now=NOW)
    proposal = published(db, evaluation, author, quartier)
    for question in (theirs, None):
        with pytest.raises(ProposalError) as refused:
            proposals.merge(db, proposal, question, "Même question.", actor=evaluator,
                            now=NOW)
        assert (refused.value.code, refused.value.field) == ("merge_question", "question_id")
    proposals.merge(db, proposal, ours, "Même question.", actor=evaluator, now=NOW)
    assert (proposal.decision, proposal.question_id) == ("merged", ours.id)
    assert [p.id for p in ours.proposals] == [proposal.id]


def test_a_decision_changes_later_and_the_journal_keeps_old_and_new(
        db: Any, evaluation: Any, author: Any, quartier: Any, evaluator: Any, people: dict,
        orientation: Any) -> None:
    proposal = published(db, evaluation, author, quartier)
    other = services.add_question(db, evaluation, "Une autre question ?", [orientation.id],
                                  actor=None, now=NOW)
    kept = proposals.keep(db, proposal, QUESTION, [orientation.id], "Utile.",
                          actor=evaluator, now=NOW)
    with pytest.raises(ProposalError) as twice:
        proposals.keep(db, proposal, QUESTION, [orientation.id], "Encore.", actor=evaluator,
                       now=NOW)
    assert twice.value.code == "already_kept"
    with pytest.raises(ProposalError) as into_itself:
        proposals.merge(db, proposal, kept, "Pareil.", actor=evaluator, now=NOW)
    assert into_itself.value.code == "merge_own_question"

    proposals.merge(db, proposal, other, "Elle rejoint l’autre.", actor=people["pilot"],
                    now=NOW)
    assert (proposal.decision, proposal.question_id, proposal.decided_by_id) == (
        "merged", other.id, people["pilot"].id)
    assert db.get(EvaluationQuestion, kept.id) is not None  # the committee removes it
    proposals.set_aside(db, proposal, "Finalement hors sujet.", actor=evaluator, now=NOW)
    assert (proposal.decision, proposal.question_id) == ("set_aside", None)
    proposals.set_aside(db, proposal, "Hors du contrat de ville.", actor=evaluator, now=NOW)
    entries = db.scalars(select(AuditEntry).where(AuditEntry.action.in_([
        "evaluation.proposal_merged", "evaluation.proposal_set_aside"]))
        .order_by(AuditEntry.id)).all()
    assert [e.details["changed"] for e in entries] == [
        {"decision": ["kept", "merged"], "decision_reason": ["Utile.", "Elle rejoint l’autre."],
         "question_id": [kept.id, other.id]},
        {"decision": ["merged", "set_aside"],
         "decision_reason": ["Elle rejoint l’autre.", "Finalement hors sujet."],
         "question_id": [other.id, None]},
        {"decision_reason": ["Finalement hors sujet.", "Hors du contrat de ville."]}]
    assert {e.details["evaluation_id"] for e in entries} == {evaluation.id}


def test_a_proposal_kept_is_kept_again_once_its_question_is_removed(
        db: Any, evaluation: Any, author: Any, quartier: Any, evaluator: Any,
        orientation: Any) -> None:
    proposal = published(db, evaluation, author, quartier)
    first = proposals.keep(db, proposal, QUESTION, [orientation.id], "Oui.", actor=evaluator,
                           now=NOW)
    services.remove_question(db, first, actor=evaluator, now=NOW)
    db.refresh(proposal)
    assert (proposal.decision, proposal.question_id) == ("kept", None)
    again = proposals.keep(db, proposal, QUESTION, [orientation.id], "Toujours utile.",
                           actor=evaluator, now=NOW)
    assert proposal.question_id == again.id


# --- Moderation --------------------------------------------------------------------------


def test_the_quartiers_moderators_take_proposals_in_their_queue(
        db: Any, evaluation: Any, author: Any, quartier: Any, other_quartier: Any,
        people: dict) -> None:
    from civic.core.permissions import can
    from civic.moderation import queries

    kind = registry.get("eval_proposal")
    assert kind is not None
    ours = propose(db, evaluation, author, quartier, text="Les halls sont-ils plus sûrs ?")
    theirs = propose(db, evaluation, author, other_quartier)
    queue = queries.queue(db, {quartier.id}, NOW)
    assert [(e.kind.name, e.item.id) for e in queue.pending] == [("eval_proposal", ours.id)]
    item = queue.pending[0].item
    assert (item.title, item.author_name, item.author_id) == (
        "Les halls sont-ils plus sûrs ?", "un·e habitant·e", author.id)
    assert can(people["moderator"], "moderation.moderate", item) is True
    assert can(people["moderator"], "moderation.moderate", kind.describe(theirs)) is False
    moderation.decide(db, kind, ours, "publish", actor=people["moderator"], now=NOW)
    assert (ours.moderation, ours.moderated_by_id) == ("published", people["moderator"].id)
    moderation.decide(db, kind, ours, "hide", reason="Propos insultants.",
                      actor=people["moderator"], now=NOW)
    assert (ours.moderation, ours.moderation_reason) == ("hidden", "Propos insultants.")
    with pytest.raises(moderation.ModerationError):
        moderation.edit_title(db, kind, ours, "Autre", actor=people["moderator"], now=NOW)
    assert ours.decision == Decision.PENDING


def test_my_data_shows_the_proposals_and_deleting_the_account_takes_back_its_supports(
        db: Any, app: Any, evaluation: Any, author: Any, quartier: Any,
        people: dict) -> None:
    from civic.accounts.services import delete_account, export_data

    rania = people["resident"]
    mine = published(db, evaluation, rania, quartier, show_name=True)
    others = [published(db, evaluation, author, quartier, text=f"{QUESTION} ({n})")
              for n in range(2)]
    for proposal in others:
        assert proposals.support(db, proposal, rania, now=NOW, today=TODAY) is True
    data = export_data(db, rania)["evaluation"]
    assert [p["id"] for p in data["proposed_questions"]] == [mine.id]
    assert data["supported_questions"] == sorted(p.id for p in others)
    delete_account(db, rania, factories.PASSWORD, now=NOW)
    for proposal in others:
        db.refresh(proposal)
        assert proposal.support_count == 0
    assert db.scalar(select(func.count()).select_from(ProposalSupport)) == 0
    db.refresh(mine)
    assert (mine.show_name, mine.text) == (False, QUESTION)
