"""Questions residents propose for an evaluation: proposing, supporting, and the
committee's decisions.

A proposal goes through the moderation queue of its quartier like an idea, gathers
supports while the evaluation takes proposals (the idea box's one-row-per-account
mechanics: two clicks at once make one support), then the committee keeps it as a
question of its own, merges it into a question that asks the same, or sets it aside,
always with a public reason. A decision may be changed later; the journal keeps the old
and the new. A question kept stays when its proposal is later merged elsewhere or set
aside: surveys and workshops may already use it, so only the committee removes it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from civic.core import audit
from civic.core.db import bump, delete_count, insert_once
from civic.evaluation.models import (
    Decision,
    Evaluation,
    EvaluationQuestion,
    ProposalSupport,
    QuestionProposal,
)
from civic.evaluation.services import EvaluationError, add_question
from civic.moderation.models import State
from civic.moderation.services import initial_state
from civic.territory.models import Quartier

if TYPE_CHECKING:
    from civic.accounts.models import User

#: The registered moderation kind of a proposal, also its ``target_type`` in the journal.
KIND = "eval_proposal"
TEXT_MIN = 10
TEXT_MAX = 300
WHY_MAX = 1000
#: A kept question is worded by the committee, as long as any question of the evaluation.
QUESTION_MAX = 500
REASON_MAX = 1000


class ProposalError(EvaluationError):
    """A rule of the proposed questions was broken."""


def public_name(proposal: QuestionProposal) -> str | None:
    """The author's display name when they chose to show it; None for « un·e
    habitant·e » (also when the account is gone)."""
    author = proposal.author
    if not proposal.show_name or author is None or author.deleted_at is not None:
        return None
    return author.display_name or None


def _words(text: str | None) -> str:
    """One line, single spaces: how a question is kept."""
    return " ".join((text or "").split())


def _quartier(db: Session, evaluation: Evaluation, quartier_id: Any) -> Quartier:
    found = db.get(Quartier, quartier_id) if isinstance(quartier_id, int) else None
    if found is None or found.contract_id != evaluation.contract_id:
        raise ProposalError("proposal_quartier", "quartier_id")
    return found


def propose(db: Session, evaluation: Evaluation, values: dict[str, Any], *, author: User,
            now: datetime, today: date) -> QuestionProposal:
    """A resident's question (``values``: text, why, quartier_id, show_name), while the
    evaluation takes proposals (``today``: the contract's local day). It starts pending
    or published as its quartier moderates."""
    if not evaluation.takes_proposals(today):
        raise ProposalError("proposals_closed")
    text = _words(values.get("text"))
    if not text:
        raise ProposalError("proposal_text_required", "text")
    if len(text) < TEXT_MIN:
        raise ProposalError("proposal_text_short", "text")
    if len(text) > TEXT_MAX:
        raise ProposalError("proposal_text_long", "text")
    why = (values.get("why") or "").strip()
    if len(why) > WHY_MAX:
        raise ProposalError("proposal_why_long", "why")
    quartier = _quartier(db, evaluation, values.get("quartier_id"))
    state = initial_state(quartier)
    proposal = QuestionProposal(
        evaluation_id=evaluation.id, quartier_id=quartier.id, author_id=author.id,
        show_name=bool(values.get("show_name")), text=text, why=why,
        moderation=state.value, moderated_at=now if state == State.PUBLISHED else None,
        created_at=now)
    db.add(proposal)
    db.flush()
    audit.record(db, actor=author, action="evaluation.proposal_made", target_type=KIND,
                 target_id=proposal.id, now=now, evaluation_id=evaluation.id,
                 quartier_id=quartier.id, text=text)
    return proposal


# --- Supports: one row per account, the count in the same transaction ------------------


def _supportable(proposal: QuestionProposal, today: date) -> None:
    if proposal.moderation != State.PUBLISHED:
        raise ProposalError("proposal_not_published")
    if proposal.decision != Decision.PENDING:
        raise ProposalError("proposal_decided")
    if not proposal.evaluation.takes_proposals(today):
        raise ProposalError("proposals_closed")


def support(db: Session, proposal: QuestionProposal, user: User, *, now: datetime,
            today: date) -> bool:
    """True when the support is new. Two clicks at once make one support: the primary
    key refuses the second row, and the count moves only with a row. Like the idea
    box's, supports are not journaled: the journal would become a list of who
    supported what."""
    _supportable(proposal, today)
    if proposal.author_id == user.id:
        raise ProposalError("proposal_own")
    if not insert_once(db, ProposalSupport(proposal_id=proposal.id, user_id=user.id,
                                           created_at=now)):
        return False
    bump(db, proposal, "support_count", +1)
    return True


def withdraw_support(db: Session, proposal: QuestionProposal, user: User, *,
                     now: datetime, today: date) -> bool:
    """True when a support was withdrawn; only while supports are taken, so that the
    count the committee decided on stays."""
    _supportable(proposal, today)
    if not delete_count(db, delete(ProposalSupport).where(
            ProposalSupport.proposal_id == proposal.id, ProposalSupport.user_id == user.id)):
        return False
    bump(db, proposal, "support_count", -1)
    return True


# --- The committee's decisions ----------------------------------------------------------


def _reason(proposal: QuestionProposal, reason: str | None) -> str:
    """The proposal may be decided on (published), and the reason is given."""
    if proposal.moderation != State.PUBLISHED:
        raise ProposalError("proposal_not_published")
    reason = (reason or "").strip()
    if not reason:
        raise ProposalError("decision_reason_required", "reason")
    if len(reason) > REASON_MAX:
        raise ProposalError("decision_reason_long", "reason")
    return reason


def _decide(db: Session, proposal: QuestionProposal, decision: Decision, reason: str,
            question: EvaluationQuestion | None, *, action: str, actor: User | None,
            now: datetime) -> None:
    before = [proposal.decision, proposal.decision_reason, proposal.question_id]
    proposal.decision = decision.value
    proposal.decision_reason = reason
    proposal.question = question
    proposal.decided_at = now
    proposal.decided_by_id = getattr(actor, "id", None)
    db.flush()
    after = [proposal.decision, proposal.decision_reason, proposal.question_id]
    changed = {name: [old, new] for name, old, new in zip(
        ("decision", "decision_reason", "question_id"), before, after, strict=True)
        if old != new}
    audit.record(db, actor=actor, action=action, target_type=KIND, target_id=proposal.id,
                 now=now, evaluation_id=proposal.evaluation_id, changed=changed)


def keep(db: Session, proposal: QuestionProposal, text: str, orientation_ids: list[int],
         reason: str, *, actor: User | None, now: datetime) -> EvaluationQuestion:
    """The proposal becomes a question of the evaluation, as the committee words it, tied
    to one or more orientations of the contract."""
    reason = _reason(proposal, reason)
    if proposal.decision == Decision.KEPT and proposal.question_id is not None:
        raise ProposalError("already_kept")  # kept again only once its question is gone
    text = _words(text)
    if not text:
        raise ProposalError("kept_text_required", "text")
    if len(text) > QUESTION_MAX:
        raise ProposalError("kept_text_long", "text")
    question = add_question(db, proposal.evaluation, text, orientation_ids, actor=actor,
                            now=now)
    _decide(db, proposal, Decision.KEPT, reason, question,
            action="evaluation.proposal_kept", actor=actor, now=now)
    return question


def merge(db: Session, proposal: QuestionProposal, question: EvaluationQuestion | None,
          reason: str, *, actor: User | None, now: datetime) -> None:
    """The proposal asks what a question of the same evaluation already asks."""
    reason = _reason(proposal, reason)
    if question is None or question.evaluation_id != proposal.evaluation_id:
        raise ProposalError("merge_question", "question_id")
    if proposal.decision == Decision.KEPT and proposal.question_id == question.id:
        raise ProposalError("merge_own_question", "question_id")
    _decide(db, proposal, Decision.MERGED, reason, question,
            action="evaluation.proposal_merged", actor=actor, now=now)


def set_aside(db: Session, proposal: QuestionProposal, reason: str, *, actor: User | None,
              now: datetime) -> None:
    """The evaluation will not answer this question; the reason says why."""
    reason = _reason(proposal, reason)
    _decide(db, proposal, Decision.SET_ASIDE, reason, None,
            action="evaluation.proposal_set_aside", actor=actor, now=now)
