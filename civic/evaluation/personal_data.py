"""What the evaluation holds about a person, for their "my data" export and erasure.

Survey answers are not here: nothing links them to anyone. The register only says which
surveys the account answered, and that is exported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from civic.accounts.services import register_personal_data
from civic.evaluation.models import ProposalSupport, QuestionProposal, SurveyParticipation

if TYPE_CHECKING:
    from civic.accounts.models import User


def evaluation_data(db: Session, user: User) -> dict[str, Any]:
    proposed = db.scalars(select(QuestionProposal).where(
        QuestionProposal.author_id == user.id).order_by(QuestionProposal.id))
    supported = db.scalars(select(ProposalSupport.proposal_id).where(
        ProposalSupport.user_id == user.id).order_by(ProposalSupport.proposal_id))
    answered = db.scalars(select(SurveyParticipation.survey_id).where(
        SurveyParticipation.user_id == user.id).order_by(SurveyParticipation.survey_id))
    return {
        "proposed_questions": [
            {"id": p.id, "evaluation_id": p.evaluation_id, "text": p.text, "why": p.why,
             "name_shown": p.show_name, "moderation": p.moderation, "decision": p.decision,
             "created_at": p.created_at.isoformat()} for p in proposed],
        "supported_questions": list(supported),
        "answered_surveys": list(answered),
    }


def erase_evaluation_data(db: Session, user: User) -> None:
    """Proposed questions stay, by « un·e habitant·e »; supports go (the counts stay
    true: they are taken back like a withdrawn support); the register keeps its line
    without the account, so the survey's number of participants does not change."""
    supported = select(ProposalSupport.proposal_id).where(ProposalSupport.user_id == user.id)
    db.execute(update(QuestionProposal).where(QuestionProposal.id.in_(supported))
               .values(support_count=QuestionProposal.support_count - 1))
    db.execute(delete(ProposalSupport).where(ProposalSupport.user_id == user.id))
    db.execute(update(QuestionProposal).where(QuestionProposal.author_id == user.id)
               .values(show_name=False))
    db.execute(update(SurveyParticipation).where(SurveyParticipation.user_id == user.id)
               .values(user_id=None))
    db.flush()


register_personal_data("evaluation", evaluation_data, erase=erase_evaluation_data)
