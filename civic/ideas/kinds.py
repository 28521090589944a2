"""Ideas and comments in the moderation queue."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.core.i18n import _
from civic.ideas import services
from civic.ideas.models import Comment, Idea
from civic.moderation.models import State
from civic.moderation.registry import Item, Kind, register

if TYPE_CHECKING:
    from civic.accounts.models import User


class IdeaKind(Kind):
    name = "idea"

    def label(self) -> str:
        return _("Idée")

    def pending(self, db: Session, quartier_ids: Collection[int], now: datetime) -> list[Any]:
        return list(db.scalars(select(Idea).where(
            Idea.moderation == State.PENDING, Idea.quartier_id.in_(list(quartier_ids)))
            .order_by(Idea.created_at, Idea.id)))

    def load(self, db: Session, ids: Iterable[int]) -> list[Any]:
        return list(db.scalars(select(Idea).where(Idea.id.in_(list(ids)))))

    def describe(self, obj: Idea) -> Item:
        return Item(kind=self.name, id=obj.id, quartier_id=obj.quartier_id, title=obj.title,
                    text=obj.body, author_id=obj.author_id, author_name=obj.shown_author,
                    created_at=obj.created_at, state=obj.moderation, photo=obj.photo,
                    original_title=obj.original_title, reason=obj.moderation_reason)

    def url(self, obj: Idea) -> str:
        return url_for("ideas.idea", idea_id=obj.id)

    def changed(self, db: Session, obj: Idea, action: str, *, actor: User | None,
                now: datetime) -> None:
        if action == "edit_title":
            services.retitled(db, obj)


class CommentKind(Kind):
    name = "comment"
    has_title = False

    def label(self) -> str:
        return _("Commentaire")

    def pending(self, db: Session, quartier_ids: Collection[int], now: datetime) -> list[Any]:
        return list(db.scalars(select(Comment).join(Idea, Comment.idea_id == Idea.id).where(
            Comment.moderation == State.PENDING, Idea.quartier_id.in_(list(quartier_ids)))
            .order_by(Comment.created_at, Comment.id)))

    def load(self, db: Session, ids: Iterable[int]) -> list[Any]:
        return list(db.scalars(select(Comment).where(Comment.id.in_(list(ids)))))

    def describe(self, obj: Comment) -> Item:
        return Item(kind=self.name, id=obj.id, quartier_id=obj.idea.quartier_id,
                    title=_("Sur l’idée « %(title)s »", title=obj.idea.title), text=obj.body,
                    author_id=obj.author_id,
                    author_name=obj.author.display_name if obj.author else "",
                    created_at=obj.created_at, state=obj.moderation,
                    reason=obj.moderation_reason)

    def url(self, obj: Comment) -> str:
        return url_for("ideas.idea", idea_id=obj.idea_id, _anchor=f"commentaire-{obj.id}")


register(IdeaKind())
register(CommentKind())
