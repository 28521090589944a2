"""Questions residents propose for an evaluation, in the moderation queue of their
quartier: its moderators publish or reject them before anyone supports them."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.core.i18n import _
from civic.evaluation.models import QuestionProposal
from civic.evaluation.proposals import KIND, public_name
from civic.moderation.models import State
from civic.moderation.registry import Item, Kind, register


class ProposalKind(Kind):
    name = KIND
    #: The question is the resident's own words: moderators publish or reject it whole.
    has_title = False

    def label(self) -> str:
        return _("Question pour l’évaluation")

    def pending(self, db: Session, quartier_ids: Collection[int], now: datetime) -> list[Any]:
        return list(db.scalars(select(QuestionProposal).where(
            QuestionProposal.moderation == State.PENDING,
            QuestionProposal.quartier_id.in_(list(quartier_ids)))
            .order_by(QuestionProposal.created_at, QuestionProposal.id)))

    def load(self, db: Session, ids: Iterable[int]) -> list[Any]:
        return list(db.scalars(select(QuestionProposal).where(
            QuestionProposal.id.in_(list(ids)))))

    def describe(self, obj: QuestionProposal) -> Item:
        """Shown as the public will see it: « un·e habitant·e » unless the author chose
        to show their name."""
        return Item(kind=self.name, id=obj.id, quartier_id=obj.quartier_id, title=obj.text,
                    text=obj.why, author_id=obj.author_id,
                    author_name=public_name(obj) or _("un·e habitant·e"),
                    created_at=obj.created_at, state=obj.moderation,
                    reason=obj.moderation_reason)

    def url(self, obj: QuestionProposal) -> str:
        return url_for("evaluation.proposal", proposal_id=obj.id)


register(ProposalKind())
