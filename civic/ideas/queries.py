"""The read side of the idea box."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from civic.accounts.models import User
from civic.ideas import search
from civic.ideas.models import Comment, Follow, Forwarding, Idea, Support
from civic.moderation.models import State
from civic.territory.models import Commitment, Contract, Signatory

PAGE_SIZE = 20
SORTS = ("recent", "supported")


@dataclass(frozen=True)
class Filters:
    q: str = ""
    orientation_id: int | None = None
    #: An idea status, or "rejected" for the ideas the conseil citoyen refused.
    status: str = ""
    sort: str = "recent"
    page: int = 1


def _comment_count() -> Any:
    return (select(func.count()).where(Comment.idea_id == Idea.id,
                                       Comment.moderation == State.PUBLISHED)
            .correlate(Idea).scalar_subquery())


def _filtered(quartier_id: int, filters: Filters) -> Select[Any]:
    query = select(Idea, _comment_count()).where(Idea.quartier_id == quartier_id)
    if filters.status == "rejected":
        query = query.where(Idea.moderation == State.REJECTED)
    else:
        query = query.where(Idea.moderation == State.PUBLISHED)
        if filters.status:
            query = query.where(Idea.status == filters.status)
    if filters.orientation_id is not None:
        query = query.where(Idea.orientation_id == filters.orientation_id)
    for term in search.terms(filters.q):
        query = query.where(Idea.search_text.like(search.like_pattern(term), escape="\\"))
    return query


def browse(db: Session, quartier_id: int, filters: Filters) -> tuple[list[tuple[Idea, int]],
                                                                      bool]:
    """One page of ideas and their published comment counts, and whether more follow."""
    query = _filtered(quartier_id, filters)
    if filters.sort == "supported":
        query = query.order_by(Idea.support_count.desc(), Idea.created_at.desc(), Idea.id.desc())
    else:
        query = query.order_by(Idea.created_at.desc(), Idea.id.desc())
    offset = (max(filters.page, 1) - 1) * PAGE_SIZE
    rows = [(idea, count) for idea, count in
            db.execute(query.offset(offset).limit(PAGE_SIZE + 1))]
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def latest(db: Session, quartier_id: int, limit: int = 3) -> list[Idea]:
    return list(db.scalars(select(Idea).where(
        Idea.quartier_id == quartier_id, Idea.moderation == State.PUBLISHED)
        .order_by(Idea.created_at.desc(), Idea.id.desc()).limit(limit)))


def published_count(db: Session, quartier_id: int) -> int:
    return db.scalar(select(func.count()).select_from(Idea).where(
        Idea.quartier_id == quartier_id, Idea.moderation == State.PUBLISHED)) or 0


def mine_waiting(db: Session, quartier_id: int, user: User) -> list[Idea]:
    """The person's own ideas that the conseil citoyen has not read yet."""
    if user is None:
        return []
    return list(db.scalars(select(Idea).where(
        Idea.quartier_id == quartier_id, Idea.author_id == user.id,
        Idea.moderation == State.PENDING).order_by(Idea.created_at.desc())))


@dataclass
class Thread:
    comment: Comment
    replies: list[Comment] = field(default_factory=list)


def threads(db: Session, idea: Idea, user: User) -> list[Thread]:
    """Comments and their replies, oldest first: published ones, the viewer's own
    pending ones, and hidden or rejected ones as a notice with their reason."""
    visible = Comment.moderation != State.PENDING
    if user is not None:
        visible = or_(visible, Comment.author_id == user.id)
    found: dict[int, Thread] = {}
    replies: list[Comment] = []
    for comment in db.scalars(select(Comment).where(Comment.idea_id == idea.id, visible)
                              .order_by(Comment.created_at, Comment.id)):
        if comment.parent_id is None:
            found[comment.id] = Thread(comment)
        else:
            replies.append(comment)
    for reply in replies:
        if reply.parent_id in found:
            found[reply.parent_id].replies.append(reply)
    return list(found.values())


def relation(db: Session, idea: Idea, user: User) -> tuple[bool, bool]:
    """(supports, follows) for the viewer."""
    if user is None:
        return False, False
    supports = db.scalar(select(func.count()).select_from(Support).where(
        Support.idea_id == idea.id, Support.user_id == user.id)) or 0
    follows = db.scalar(select(func.count()).select_from(Follow).where(
        Follow.idea_id == idea.id, Follow.user_id == user.id)) or 0
    return bool(supports), bool(follows)


def followers(db: Session, idea: Idea) -> list[Any]:
    return list(db.scalars(select(User).join(Follow, Follow.user_id == User.id).where(
        Follow.idea_id == idea.id, User.deleted_at.is_(None), User.email.is_not(None))))


def forwardings_for(db: Session, signatory_ids: set[int]) -> list[Forwarding]:
    """What was forwarded to these signatories: waiting answers first, oldest first."""
    if not signatory_ids:
        return []
    return list(db.scalars(select(Forwarding).where(
        Forwarding.signatory_id.in_(signatory_ids)).options(selectinload(Forwarding.idea))
        .order_by(Forwarding.answered_at.is_not(None), Forwarding.due_on, Forwarding.id)))


@dataclass
class SignatoryRow:
    signatory: Signatory
    commitments: dict[int, str]
    forwardings: list[Forwarding]

    @property
    def answered(self) -> list[Forwarding]:
        return [f for f in self.forwardings if f.answered_at is not None]

    @property
    def median_delay(self) -> float | None:
        delays = sorted(f.delay_days for f in self.answered if f.delay_days is not None)
        if not delays:
            return None
        middle = len(delays) // 2
        if len(delays) % 2:
            return float(delays[middle])
        return (delays[middle - 1] + delays[middle]) / 2


def who_does_what(db: Session, contract: Contract) -> list[SignatoryRow]:
    """Every signatory with its commitments by orientation and the ideas forwarded to it."""
    signatories = list(db.scalars(select(Signatory).where(Signatory.contract_id == contract.id)
                                  .order_by(Signatory.name)))
    commitments: dict[int, dict[int, str]] = {}
    for c in db.scalars(select(Commitment).join(Signatory).where(
            Signatory.contract_id == contract.id)):
        commitments.setdefault(c.signatory_id, {})[c.orientation_id] = c.text
    forwarded: dict[int, list[Forwarding]] = {}
    for f in db.scalars(select(Forwarding).join(Idea).join(Signatory).where(
            and_(Signatory.contract_id == contract.id, Idea.moderation == State.PUBLISHED))
            .options(contains_eager(Forwarding.idea).load_only(Idea.id, Idea.title)
                     .lazyload("*"))
            .order_by(Forwarding.forwarded_at.desc())):
        forwarded.setdefault(f.signatory_id, []).append(f)
    return [SignatoryRow(s, commitments.get(s.id, {}), forwarded.get(s.id, []))
            for s in signatories]
