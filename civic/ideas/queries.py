"""The read side of the idea box."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, or_, select
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


#: How many of its latest forwarded ideas "Qui fait quoi" lists under each signatory; its
#: own page lists them all, a page at a time.
RECENT = 10
#: Forwarded ideas on each page of a signatory's list.
PER_PAGE = 50


@dataclass
class SignatoryRow:
    signatory: Signatory
    commitments: dict[int, str]
    #: The latest forwarded ideas, newest first (at most ``RECENT``).
    recent: list[Forwarding]
    #: Every published idea forwarded to the signatory, and how many are answered.
    count: int = 0
    answered: int = 0
    #: The median of the answers' delays, in days; None before any answer.
    median_delay: float | None = None


def _median(values: list[int]) -> float | None:
    if not values:
        return None
    values = sorted(values)
    middle = len(values) // 2
    if len(values) % 2:
        return float(values[middle])
    return (values[middle - 1] + values[middle]) / 2


def _forwarded(contract: Contract) -> Any:
    """The published ideas forwarded to the contract's signatories."""
    return (select(Forwarding).join(Idea, Idea.id == Forwarding.idea_id)
            .join(Signatory, Signatory.id == Forwarding.signatory_id)
            .where(Signatory.contract_id == contract.id, Idea.moderation == State.PUBLISHED))


def _light(statement: Any) -> Any:
    """Forwardings with their idea's title only, nothing else loaded."""
    return statement.options(contains_eager(Forwarding.idea).load_only(Idea.id, Idea.title)
                             .lazyload("*"))


def who_does_what(db: Session, contract: Contract) -> list[SignatoryRow]:
    """Every signatory with its commitments by orientation, how it answers the ideas
    forwarded to it (counts, median delay) and the latest of them: a few queries and a
    short page, however many ideas were forwarded."""
    signatories = list(db.scalars(select(Signatory).where(Signatory.contract_id == contract.id)
                                  .order_by(Signatory.name)))
    commitments: dict[int, dict[int, str]] = {}
    for c in db.scalars(select(Commitment).join(Signatory).where(
            Signatory.contract_id == contract.id)):
        commitments.setdefault(c.signatory_id, {})[c.orientation_id] = c.text
    rows = {s.id: SignatoryRow(s, commitments.get(s.id, {}), []) for s in signatories}
    delays: dict[int, list[int]] = {}
    forwarded = _forwarded(contract).subquery()
    for signatory_id, forwarded_at, answered_at in db.execute(select(
            forwarded.c.signatory_id, forwarded.c.forwarded_at, forwarded.c.answered_at)):
        row = rows[signatory_id]
        row.count += 1
        if answered_at is not None:
            row.answered += 1
            delays.setdefault(signatory_id, []).append((answered_at - forwarded_at).days)
    for signatory_id, found in delays.items():
        rows[signatory_id].median_delay = _median(found)
    rank = func.row_number().over(partition_by=Forwarding.signatory_id,
                                  order_by=(Forwarding.forwarded_at.desc(),
                                            Forwarding.id.desc()))
    ranked = _forwarded(contract).with_only_columns(Forwarding.id, rank.label("n")).subquery()
    for f in db.scalars(_light(select(Forwarding).join(Idea, Idea.id == Forwarding.idea_id)
                               .join(ranked, ranked.c.id == Forwarding.id)
                               .where(ranked.c.n <= RECENT)
                               .order_by(Forwarding.forwarded_at.desc(),
                                         Forwarding.id.desc()))):
        rows[f.signatory_id].recent.append(f)
    return list(rows.values())


def forwarded_to(db: Session, contract: Contract, signatory: Signatory, page: int
                 ) -> tuple[list[Forwarding], bool]:
    """One page of the published ideas forwarded to ``signatory``, newest first, and
    whether another page follows."""
    found = list(db.scalars(_light(
        _forwarded(contract).where(Forwarding.signatory_id == signatory.id)
        .order_by(Forwarding.forwarded_at.desc(), Forwarding.id.desc())
        .offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1))))
    return found[:PER_PAGE], len(found) > PER_PAGE
