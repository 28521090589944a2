"""Verbs of the idea box: post, support, comment, follow, answer, forward."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from civic.core import audit
from civic.core.db import bump, delete_count, insert_once
from civic.core.errors import RuleBroken
from civic.ideas.models import ANSWERS, Comment, Follow, Forwarding, Idea, Status, Support
from civic.ideas.search import normalise
from civic.moderation.models import State
from civic.moderation.services import initial_state

if TYPE_CHECKING:
    from civic.accounts.models import User

TITLE_MAX = 120
BODY_MAX = 2000
COMMENT_MAX = 1000
RESPONSE_MAX = 4000


class IdeaError(RuleBroken):
    """A rule of the idea box was broken."""


def _search_text(idea: Idea) -> str:
    return normalise(f"{idea.title} {idea.body} {idea.place}")


def _check_place(values: dict[str, Any]) -> None:
    lat, lon = values.get("latitude"), values.get("longitude")
    if lat is None and lon is None:
        return
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise IdeaError("position", "latitude")


def post(db: Session, quartier: Any, values: dict[str, Any], *, author: Any,
         entered_by: Any = None, now: datetime) -> Idea:
    """A resident's idea, or one an animator typed for a named person at a permanence.

    It starts pending or published as the quartier chose; its author follows it."""
    title, body = values["title"].strip(), values["body"].strip()
    if not title:
        raise IdeaError("required", "title")
    if not body:
        raise IdeaError("required", "body")
    if len(title) > TITLE_MAX:
        raise IdeaError("too_long", "title")
    if len(body) > BODY_MAX:
        raise IdeaError("too_long", "body")
    orientation_id = values.get("orientation_id")
    if orientation_id is not None and orientation_id not in {
            o.id for o in quartier.contract.orientations}:
        raise IdeaError("orientation", "orientation_id")
    _check_place(values)
    author_name = (values.get("author_name") or "").strip()
    if entered_by is not None and author is None and not author_name:
        raise IdeaError("required", "author_name")
    state = initial_state(quartier)
    idea = Idea(quartier_id=quartier.id, orientation_id=orientation_id,
                author_id=getattr(author, "id", None), author_name=author_name,
                entered_by_id=getattr(entered_by, "id", None), title=title, body=body,
                place=(values.get("place") or "").strip(), latitude=values.get("latitude"),
                longitude=values.get("longitude"), moderation=state.value,
                moderated_at=now if state == State.PUBLISHED else None, created_at=now)
    idea.search_text = _search_text(idea)
    db.add(idea)
    db.flush()
    if author is not None:
        follow(db, idea, author, now=now)
    if entered_by is not None:
        audit.record(db, actor=entered_by, action="ideas.entered_for", target_type="idea",
                     target_id=idea.id, now=now, author_name=author_name)
    return idea


def set_photo(db: Session, idea: Idea, photo: str | None) -> None:
    idea.photo = photo
    db.flush()


def retitled(db: Session, idea: Idea) -> None:
    """Keep search in step after a moderator reworded the title."""
    idea.search_text = _search_text(idea)
    db.flush()


# --- Supports, follows: one row per account, counts in the same transaction -----------


def support(db: Session, idea: Idea, user: User, *, now: datetime) -> bool:
    """True when the support is new. Two clicks at once make one support: the primary
    key refuses the second row, and the count moves only with a row."""
    if idea.moderation != State.PUBLISHED:
        raise IdeaError("not_published")
    if idea.author_id == user.id:
        raise IdeaError("own_idea")
    if not insert_once(db, Support(idea_id=idea.id, user_id=user.id, created_at=now)):
        return False
    bump(db, idea, "support_count", +1)
    return True


def withdraw_support(db: Session, idea: Idea, user: User) -> bool:
    if not delete_count(db, delete(Support).where(Support.idea_id == idea.id,
                                                  Support.user_id == user.id)):
        return False
    bump(db, idea, "support_count", -1)
    return True


def follow(db: Session, idea: Idea, user: User, *, now: datetime) -> bool:
    return insert_once(db, Follow(idea_id=idea.id, user_id=user.id, created_at=now))


def unfollow(db: Session, idea: Idea, user: User) -> bool:
    return bool(delete_count(db, delete(Follow).where(Follow.idea_id == idea.id,
                                                      Follow.user_id == user.id)))


# --- Comments -------------------------------------------------------------------------


def comment(db: Session, idea: Idea, body: str, *, author: Any, parent: Comment | None = None,
            now: datetime) -> Comment:
    """A comment, or a reply; a reply to a reply joins the same first-level comment."""
    if idea.moderation != State.PUBLISHED:
        raise IdeaError("not_published")
    body = body.strip()
    if not body:
        raise IdeaError("required", "body")
    if len(body) > COMMENT_MAX:
        raise IdeaError("too_long", "body")
    if parent is not None:
        if parent.idea_id != idea.id:
            raise IdeaError("parent", "body")
        if parent.parent_id is not None:
            parent = db.get(Comment, parent.parent_id)
    state = initial_state(idea.quartier)
    new = Comment(idea_id=idea.id, parent_id=parent.id if parent else None,
                  author_id=author.id, body=body, moderation=state.value,
                  moderated_at=now if state == State.PUBLISHED else None, created_at=now)
    db.add(new)
    db.flush()
    return new


# --- Answers of the institutions ------------------------------------------------------


def _forwardable(idea: Idea, signatory: Any, due_on: date | None, today: date) -> date:
    """A signatory of the idea's contract, not already asked, and a day to come."""
    if signatory is None or signatory.contract_id != idea.quartier.contract_id:
        raise IdeaError("signatory", "signatory_id")
    if due_on is None:
        raise IdeaError("due_required", "due_on")
    if due_on < today:
        raise IdeaError("due_past", "due_on")
    if any(f.signatory_id == signatory.id and f.answered_at is None
           for f in idea.forwardings):
        raise IdeaError("already_forwarded", "signatory_id")
    return due_on


def answer(db: Session, idea: Idea, status: str, response: str, *, actor: User, now: datetime,
           signatory: Any = None, due_on: date | None = None, message: str = "",
           today: date | None = None) -> Forwarding | None:
    """Under study, or answered with an outcome and an official response; forwarding
    to a signatory records when, to whom, and the day an answer is expected."""
    if idea.moderation != State.PUBLISHED:
        raise IdeaError("not_published")
    try:
        target = Status(status)
    except ValueError:
        raise IdeaError("status", "status") from None
    if target == Status.NEW:
        raise IdeaError("status", "status")
    response = response.strip()
    if target in ANSWERS and not response:
        raise IdeaError("response_required", "response")
    if len(response) > RESPONSE_MAX:
        raise IdeaError("too_long", "response")
    forwarding = None
    if target == Status.FORWARDED:
        due_on = _forwardable(idea, signatory, due_on, today or now.date())
        forwarding = Forwarding(signatory_id=signatory.id, forwarded_at=now,
                                forwarded_by_id=actor.id, message=message.strip(),
                                due_on=due_on)
        idea.forwardings.append(forwarding)
    before = idea.status
    idea.status = target.value
    idea.response = response
    idea.responded_at = now
    idea.responded_by_id = actor.id
    db.flush()
    audit.record(db, actor=actor, action="ideas.answer", target_type="idea", target_id=idea.id,
                 now=now, before=before, after=target.value,
                 signatory=signatory.id if forwarding else None,
                 due_on=due_on.isoformat() if forwarding and due_on else None)
    return forwarding


def answer_forwarding(db: Session, forwarding: Forwarding, text: str, *, actor: User,
                      now: datetime) -> None:
    """The signatory's answer; the delay since forwarding is kept for the dashboard."""
    if forwarding.answered_at is not None:
        raise IdeaError("already_answered")
    text = text.strip()
    if not text:
        raise IdeaError("required", "answer")
    if len(text) > RESPONSE_MAX:
        raise IdeaError("too_long", "answer")
    forwarding.answer = text
    forwarding.answered_at = now
    forwarding.answered_by_id = actor.id
    db.flush()
    audit.record(db, actor=actor, action="ideas.forwarding_answered", target_type="idea",
                 target_id=forwarding.idea_id, now=now, signatory=forwarding.signatory_id,
                 delay_days=forwarding.delay_days)
