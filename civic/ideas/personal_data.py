"""What the idea box holds about a person, for their "my data" export and erasure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from civic.accounts.services import register_personal_data
from civic.ideas.models import Comment, Follow, Idea, Support
from civic.moderation.models import Report

if TYPE_CHECKING:
    from civic.accounts.models import User


def ideas_data(db: Session, user: User) -> dict[str, Any]:
    ideas = db.scalars(select(Idea).where(Idea.author_id == user.id).order_by(Idea.id))
    comments = db.scalars(select(Comment).where(Comment.author_id == user.id)
                          .order_by(Comment.id))
    supported = db.scalars(select(Support.idea_id).where(Support.user_id == user.id)
                           .order_by(Support.idea_id))
    followed = db.scalars(select(Follow.idea_id).where(Follow.user_id == user.id)
                          .order_by(Follow.idea_id))
    reports = db.scalars(select(Report).where(Report.reporter_id == user.id)
                         .order_by(Report.id))
    return {
        "ideas": [{"id": i.id, "title": i.original_title or i.title, "text": i.body,
                   "place": i.place, "latitude": i.latitude, "longitude": i.longitude,
                   "photo": i.photo, "moderation": i.moderation, "status": i.status,
                   "created_at": i.created_at.isoformat()} for i in ideas],
        "comments": [{"idea_id": c.idea_id, "text": c.body, "moderation": c.moderation,
                      "created_at": c.created_at.isoformat()} for c in comments],
        "supported_ideas": list(supported),
        "followed_ideas": list(followed),
        "reports": [{"kind": r.kind, "item_id": r.item_id, "reason": r.reason,
                     "comment": r.comment, "created_at": r.created_at.isoformat()}
                    for r in reports],
    }


def erase_ideas_data(db: Session, user: User) -> None:
    """Ideas and comments stay, signed by a deleted account; the exact position of an
    idea goes, as do the mails the person asked for and who they reported."""
    db.execute(update(Idea).where(Idea.author_id == user.id)
               .values(latitude=None, longitude=None))
    db.execute(delete(Follow).where(Follow.user_id == user.id))
    db.execute(update(Report).where(Report.reporter_id == user.id).values(reporter_id=None))
    db.flush()


register_personal_data("ideas", ideas_data, erase=erase_ideas_data)
