"""The read side of events: lists, a month, feeds, the people signed up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from civic.events.models import KINDS, Event, Signup, SignupStatus
from civic.moderation.models import State

if TYPE_CHECKING:
    from civic.accounts.models import User

PAGE_SIZE = 20
#: How far back and ahead a calendar feed reaches.
FEED_PAST = timedelta(days=90)
FEED_AHEAD = timedelta(days=400)


@dataclass(frozen=True)
class Filters:
    #: A quartier's id; None: every quartier and the contract's own events.
    quartier_id: int | None = None
    kind: str = ""
    #: "upcoming" (default) or "past".
    when: str = "upcoming"
    page: int = 1


def _published() -> Select[Any]:
    return select(Event).where(Event.moderation == State.PUBLISHED)


def _scoped(query: Select[Any], quartier_id: int | None, *, with_contract: bool) -> Select[Any]:
    if quartier_id is None:
        return query
    if with_contract:
        return query.where((Event.quartier_id == quartier_id) | Event.quartier_id.is_(None))
    return query.where(Event.quartier_id == quartier_id)


def page(db: Session, filters: Filters, now: datetime) -> tuple[list[Event], bool]:
    """One page of published events, soonest first (latest first for past ones); the
    contract's own events show with every quartier's."""
    query = _scoped(_published(), filters.quartier_id, with_contract=True)
    if filters.kind in KINDS:
        query = query.where(Event.kind == filters.kind)
    if filters.when == "past":
        query = query.where(Event.ends_at <= now).order_by(Event.starts_at.desc(), Event.id)
    else:
        query = query.where(Event.ends_at > now).order_by(Event.starts_at, Event.id)
    offset = (filters.page - 1) * PAGE_SIZE
    rows = list(db.scalars(query.offset(offset).limit(PAGE_SIZE + 1)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def between(db: Session, quartier_id: int | None, start: datetime, end: datetime,
            kind: str = "") -> list[Event]:
    """Published events that overlap [start, end), for a month's calendar."""
    query = _scoped(_published(), quartier_id, with_contract=True).where(
        Event.starts_at < end, Event.ends_at > start)
    if kind in KINDS:
        query = query.where(Event.kind == kind)
    return list(db.scalars(query.order_by(Event.starts_at, Event.id)))


def next_events(db: Session, quartier_id: int, now: datetime, limit: int = 3) -> list[Event]:
    return list(db.scalars(_scoped(_published(), quartier_id, with_contract=True)
                           .where(Event.ends_at > now, Event.cancelled_at.is_(None))
                           .order_by(Event.starts_at, Event.id).limit(limit)))


def feed(db: Session, quartier_id: int | None, now: datetime) -> list[Event]:
    """What a calendar subscription carries: recent and coming events, cancelled ones
    included so that phones remove them."""
    return list(db.scalars(_scoped(_published(), quartier_id, with_contract=True).where(
        Event.starts_at >= now - FEED_PAST, Event.starts_at <= now + FEED_AHEAD)
        .order_by(Event.starts_at, Event.id)))


def signups(db: Session, event: Event) -> list[Signup]:
    """Everybody on the list, confirmed first, then waiting, in order of arrival."""
    order = {SignupStatus.CONFIRMED.value: 0, SignupStatus.WAITING.value: 1,
             SignupStatus.WALK_IN.value: 2, SignupStatus.CANCELLED.value: 3}
    rows = db.scalars(select(Signup).where(Signup.event_id == event.id)
                      .order_by(Signup.created_at, Signup.id)).all()
    return sorted(rows, key=lambda s: order.get(s.status, 9))


def counts(db: Session, event: Event) -> dict[str, int]:
    """People (party sizes summed) by status, and the needs to plan for."""
    rows = db.execute(select(Signup.status, func.coalesce(func.sum(Signup.party_size), 0))
                      .where(Signup.event_id == event.id).group_by(Signup.status)).all()
    found: dict[str, int] = {status.value: 0 for status in SignupStatus}
    found.update({status: int(total) for status, total in rows})
    needs = db.execute(select(
        func.count().filter(Signup.childcare), func.count().filter(Signup.step_free),
        func.count().filter(Signup.interpretation != "")).where(
        Signup.event_id == event.id,
        Signup.status.in_([SignupStatus.CONFIRMED, SignupStatus.WAITING]))).one()
    found.update(childcare=int(needs[0]), step_free=int(needs[1]),
                 interpretation=int(needs[2]))
    return found


def own_signup(db: Session, event: Event, user: User) -> Signup | None:
    if user is None:
        return None
    return db.scalar(select(Signup).where(Signup.event_id == event.id,
                                          Signup.user_id == user.id,
                                          Signup.status != SignupStatus.CANCELLED))


def managed(db: Session, quartier_ids: set[int] | None, now: datetime) -> list[Event]:
    """Events an animator or a pilot runs, coming and recent (for their hub); None: all."""
    query = select(Event).where(Event.ends_at > now - timedelta(days=14))
    if quartier_ids is not None:
        query = query.where(Event.quartier_id.in_(list(quartier_ids)))
    return list(db.scalars(query.order_by(Event.starts_at, Event.id).limit(100)))
