"""The reads of the questions residents propose: the public list with what the visitor
supports, the committee's waiting list, and who proposed each question of an
evaluation, each in a bounded number of queries whatever the number of proposals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from civic.evaluation.models import Decision, Evaluation, ProposalSupport, QuestionProposal
from civic.evaluation.proposals import public_name
from civic.moderation.models import State


@dataclass
class Listing:
    #: Published, waiting for the committee: most supported first.
    waiting: list[QuestionProposal] = field(default_factory=list)
    #: Published and decided: the latest decision first.
    decided: list[QuestionProposal] = field(default_factory=list)
    #: The visitor's own proposals not (or no longer) published, with the reason.
    mine: list[QuestionProposal] = field(default_factory=list)
    #: Ids of the proposals the visitor supports.
    supported: set[int] = field(default_factory=set)


def phase(evaluation: Evaluation, today: date) -> str:
    """Where the proposals stand: "none" (the evaluation takes none), "soon", "open" or
    "closed"."""
    if evaluation.proposals_until is None:
        return "none"
    if today < evaluation.starts_on:
        return "soon"
    return "open" if evaluation.takes_proposals(today) else "closed"


def listing(db: Session, evaluation: Evaluation, viewer: Any) -> Listing:
    """The published proposals of the evaluation, and what the viewer (or None) has
    to do with them."""
    found = Listing()
    for proposal in db.scalars(
            select(QuestionProposal)
            .where(QuestionProposal.evaluation_id == evaluation.id,
                   QuestionProposal.moderation == State.PUBLISHED)
            .options(joinedload(QuestionProposal.question))
            .order_by(QuestionProposal.support_count.desc(), QuestionProposal.created_at,
                      QuestionProposal.id)):
        (found.waiting if proposal.decision == Decision.PENDING else found.decided
         ).append(proposal)
    found.decided.sort(key=lambda p: (p.decided_at or p.created_at, p.id), reverse=True)
    if viewer is None:
        return found
    found.mine = list(db.scalars(
        select(QuestionProposal)
        .where(QuestionProposal.evaluation_id == evaluation.id,
               QuestionProposal.author_id == viewer.id,
               QuestionProposal.moderation != State.PUBLISHED)
        .order_by(QuestionProposal.created_at, QuestionProposal.id)))
    found.supported = set(db.scalars(
        select(ProposalSupport.proposal_id)
        .join(QuestionProposal, QuestionProposal.id == ProposalSupport.proposal_id)
        .where(ProposalSupport.user_id == viewer.id,
               QuestionProposal.evaluation_id == evaluation.id)))
    return found


def credits(db: Session, evaluation: Evaluation) -> dict[int, list[str | None]]:
    """Who proposed each question of the evaluation, by question id: display names, and
    None for each « un·e habitant·e », in the order the proposals came."""
    found: dict[int, list[str | None]] = {}
    for proposal in db.scalars(
            select(QuestionProposal)
            .where(QuestionProposal.evaluation_id == evaluation.id,
                   QuestionProposal.question_id.is_not(None),
                   QuestionProposal.moderation == State.PUBLISHED,
                   QuestionProposal.decision.in_([Decision.KEPT, Decision.MERGED]))
            .order_by(QuestionProposal.created_at, QuestionProposal.id)):
        if proposal.question_id is not None:
            found.setdefault(proposal.question_id, []).append(public_name(proposal))
    return found
