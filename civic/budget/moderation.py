"""FPH projects in the moderation queue. The FPH committee decides on its own review
page, with the eligibility checklist, so the queue links there."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.budget.models import Fund, Project, ProjectStatus, Round
from civic.budget.phases import Phase
from civic.core.i18n import _
from civic.moderation.models import State
from civic.moderation.registry import Item, Kind, register

_STATES = {
    ProjectStatus.SUBMITTED: State.PENDING,
    ProjectStatus.ADMITTED: State.PUBLISHED,
    ProjectStatus.REJECTED: State.REJECTED,
}


class ProjectKind(Kind):
    name = "project"
    decided_elsewhere = True

    def label(self) -> str:
        return _("Projet FPH")

    def pending(self, db: Session, quartier_ids: Collection[int], now: datetime) -> list[Any]:
        projects = db.scalars(
            select(Project).join(Round, Project.round_id == Round.id)
            .join(Fund, Round.fund_id == Fund.id)
            .where(Project.status == ProjectStatus.SUBMITTED,
                   Fund.quartier_id.in_(list(quartier_ids)))
            .order_by(Project.created_at, Project.id))
        return [p for p in projects if p.round.phase(now) in (Phase.SUBMISSION, Phase.REVIEW)]

    def load(self, db: Session, ids: Iterable[int]) -> list[Any]:
        return list(db.scalars(select(Project).where(Project.id.in_(list(ids)))))

    def describe(self, obj: Project) -> Item:
        state = _STATES.get(ProjectStatus(obj.status), State.HIDDEN)
        return Item(kind=self.name, id=obj.id, quartier_id=obj.round.fund.quartier_id,
                    title=obj.title, text=obj.summary, author_id=obj.author_id,
                    author_name=obj.carrier_name, created_at=obj.created_at,
                    state=state.value, photo=obj.photo,
                    reason=obj.review_message if state == State.REJECTED else "")

    def url(self, obj: Project) -> str:
        return url_for("budget.project_page", project_id=obj.id)

    def decision_url(self, obj: Project) -> str | None:
        return url_for("budget.review", project_id=obj.id)


register(ProjectKind())
