"""Free-text answers of the surveys in moderation. Those given in a quartier wait in the
moderation queue of that quartier, like everything residents write; those that belong
to no quartier are read by the evaluation committee on a page of their survey. Only a
published text may ever be quoted (the report reads those alone)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from civic.core import audit
from civic.core.i18n import _, get_locale
from civic.core.permissions import can
from civic.evaluation.models import Survey, SurveyText
from civic.moderation.models import State
from civic.moderation.registry import Item, Kind, register
from civic.moderation.services import NEEDS_REASON, REASON_MAX, TRANSITIONS, ModerationError

if TYPE_CHECKING:
    from civic.accounts.models import User

KIND = "survey_text"
#: What the committee decides on its page: a text is quoted or it is not.
COMMITTEE_ACTIONS = ("publish", "reject")


class SurveyTextKind(Kind):
    name = KIND
    #: The person's own words, answered to a question: published or refused whole.
    has_title = False

    def label(self) -> str:
        return _("Réponse libre à une enquête")

    def pending(self, db: Session, quartier_ids: Collection[int], now: datetime) -> list[Any]:
        return list(db.scalars(select(SurveyText).where(
            SurveyText.moderation == State.PENDING,
            SurveyText.quartier_id.in_(list(quartier_ids)))
            .options(selectinload(SurveyText.item))
            .order_by(SurveyText.created_at, SurveyText.id)))

    def load(self, db: Session, ids: Iterable[int]) -> list[Any]:
        return list(db.scalars(select(SurveyText).where(SurveyText.id.in_(list(ids)))
                               .options(selectinload(SurveyText.item))))

    def describe(self, obj: SurveyText) -> Item:
        # No quartier: no quartier's moderators (0 is nobody's), the committee decides.
        question = obj.item.words(str(get_locale()))["label"]
        return Item(kind=self.name, id=obj.id, quartier_id=obj.quartier_id or 0,
                    title=_("Réponse à « %(question)s »", question=question), text=obj.body,
                    author_id=None, author_name=_("Réponse anonyme"),
                    created_at=obj.created_at, state=obj.moderation,
                    reason=obj.moderation_reason)

    def url(self, obj: SurveyText) -> str:
        return url_for("evaluation.answer_survey", survey_id=obj.survey_id)

    def author(self, obj: Any) -> Any:
        return None  # nobody to tell: the answer has no author


register(SurveyTextKind())


def committee_pending(db: Session, survey: Survey) -> list[SurveyText]:
    """The texts of ``survey`` that belong to no quartier and wait for a decision, oldest
    first."""
    return list(db.scalars(select(SurveyText).where(
        SurveyText.survey_id == survey.id, SurveyText.quartier_id.is_(None),
        SurveyText.moderation == State.PENDING)
        .options(selectinload(SurveyText.item))
        .order_by(SurveyText.created_at, SurveyText.id)))


def committee_pending_count(db: Session, survey: Survey) -> int:
    return int(db.scalar(select(func.count()).select_from(SurveyText).where(
        SurveyText.survey_id == survey.id, SurveyText.quartier_id.is_(None),
        SurveyText.moderation == State.PENDING)) or 0)


def committee_decide(db: Session, text: SurveyText, action: str, *, reason: str = "",
                     actor: User, now: datetime) -> None:
    """Publish or refuse a text of no quartier: the committee's decision, with the
    queue's states, its rule of a reason for a refusal, and its journal entry."""
    if action not in COMMITTEE_ACTIONS:
        raise ModerationError("action", "action")
    if text.quartier_id is not None or not can(actor, "evaluation.committee",
                                               text.item.survey.evaluation, now=now):
        raise ModerationError("forbidden")
    sources, target = TRANSITIONS[action]
    if text.moderation not in sources:
        raise ModerationError("state")
    reason = reason.strip()
    if action in NEEDS_REASON and not reason:
        raise ModerationError("reason_required", "reason")
    if len(reason) > REASON_MAX:
        raise ModerationError("reason_long", "reason")
    before = text.moderation
    text.moderation = target.value
    text.moderation_reason = reason if action in NEEDS_REASON else ""
    text.moderated_at = now
    text.moderated_by_id = actor.id
    db.flush()
    audit.record(db, actor=actor, action=f"moderation.{action}", target_type=KIND,
                 target_id=text.id, now=now, before=before, after=target.value,
                 reason=reason)
