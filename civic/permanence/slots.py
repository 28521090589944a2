"""Weekly permanence hours and their closures: the verbs and the read side."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.core import audit
from civic.core.errors import RuleBroken
from civic.permanence.models import Closure, WeeklySlot

if TYPE_CHECKING:
    from civic.accounts.models import User

#: How far the quartier page looks ahead.
AHEAD_DAYS = 14


class SlotError(RuleBroken):
    """A rule of permanence hours was broken."""


def add_slot(db: Session, quartier: Any, *, weekday: int, starts: time, ends: time,
             place: str, address: str = "", host: str = "", topics: str = "", actor: User | None,
             now: datetime) -> WeeklySlot:
    if not 0 <= weekday <= 6:
        raise SlotError("weekday", "weekday")
    if ends <= starts:
        raise SlotError("ends_before", "ends")
    place = " ".join(place.split())
    if not place:
        raise SlotError("required", "place")
    slot = WeeklySlot(quartier_id=quartier.id, weekday=weekday, starts=starts, ends=ends,
                      place=place, address=address.strip(), host=host.strip(),
                      topics=topics.strip(), created_at=now)
    db.add(slot)
    db.flush()
    audit.record(db, actor=actor, action="permanence.slot_added", target_type="quartier",
                 target_id=quartier.id, now=now, slot=slot.id)
    return slot


def add_closure(db: Session, quartier: Any, *, first_day: date, last_day: date, label: str,
                actor: User | None, now: datetime) -> Closure:
    if last_day < first_day:
        raise SlotError("last_before", "last_day")
    if (last_day - first_day).days > 366:
        raise SlotError("too_long", "last_day")
    closure = Closure(quartier_id=quartier.id, first_day=first_day, last_day=last_day,
                      label=" ".join(label.split()))
    db.add(closure)
    db.flush()
    audit.record(db, actor=actor, action="permanence.closure_added", target_type="quartier",
                 target_id=quartier.id, now=now, closure=closure.id)
    return closure


def remove(db: Session, row: WeeklySlot | Closure, *, actor: User | None, now: datetime) -> None:
    kind = "slot" if isinstance(row, WeeklySlot) else "closure"
    audit.record(db, actor=actor, action=f"permanence.{kind}_removed", target_type="quartier",
                 target_id=row.quartier_id, now=now)
    db.delete(row)
    db.flush()


def slots(db: Session, quartier_id: int) -> list[WeeklySlot]:
    return list(db.scalars(select(WeeklySlot).where(WeeklySlot.quartier_id == quartier_id)
                           .order_by(WeeklySlot.weekday, WeeklySlot.starts)))


def closures(db: Session, quartier_id: int, today: date) -> list[Closure]:
    """Closures not over yet."""
    return list(db.scalars(select(Closure).where(Closure.quartier_id == quartier_id,
                                                 Closure.last_day >= today)
                           .order_by(Closure.first_day)))
