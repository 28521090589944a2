"""Verbs of events: create, propose, edit and cancel an event; sign up, join the waiting
list, cancel, be promoted; remind; take attendance; delete the names after the event.

Capacity is guarded in the database: a seat is taken by one conditional UPDATE
(``seats_taken + n <= capacity``), and a CHECK constraint refuses any row that would
exceed it, so two people signing up at the same instant cannot both get the last place.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from civic.accounts.models import AGE_BRACKETS, GENDERS
from civic.core import audit
from civic.core.db import delete_count as touched
from civic.core.db import insert_once
from civic.core.errors import RuleBroken
from civic.core.forms import db_int
from civic.events.models import (
    DIMENSIONS,
    KINDS,
    PARTY_MAX,
    AttendanceFigure,
    Event,
    Signup,
    SignupStatus,
)
from civic.moderation.models import State

if TYPE_CHECKING:
    from civic.accounts.models import User

#: Fields whose change calendars and signed-up people must hear about.
NOTICEABLE = ("starts_at", "ends_at", "place", "address")
EDITABLE = ("kind", "title", "description", "place", "address", "latitude", "longitude",
            "starts_at", "ends_at", "organiser", "signatory_id", "bring", "step_free",
            "childcare", "interpretation", "capacity")
CAPACITY_MAX = 5000


class EventError(RuleBroken):
    """A rule of events was broken."""


# --- Events ----------------------------------------------------------------------------


def _checked(values: Mapping[str, Any], *, now: datetime, creating: bool) -> dict[str, Any]:
    data = {k: values.get(k) for k in EDITABLE}
    if data["kind"] not in KINDS:
        raise EventError("kind", "kind")
    for name in ("title", "place"):
        data[name] = " ".join((data[name] or "").split())
        if not data[name]:
            raise EventError("required", name)
    for name in ("description", "address", "organiser", "bring", "interpretation"):
        data[name] = (data[name] or "").strip()
    starts, ends = data["starts_at"], data["ends_at"]
    if starts is None:
        raise EventError("required", "day")
    if ends is None or ends <= starts:
        raise EventError("ends_before", "end")
    if creating and starts < now:
        raise EventError("past", "day")
    capacity = data["capacity"]
    if capacity is not None and not 1 <= capacity <= CAPACITY_MAX:
        raise EventError("capacity", "capacity")
    if (data["latitude"] is None) != (data["longitude"] is None):
        raise EventError("position", "latitude")
    data["step_free"] = bool(data["step_free"])
    data["childcare"] = bool(data["childcare"])
    return data


def create(db: Session, quartier: Any, values: Mapping[str, Any], *, author: Any,
           proposed: bool, now: datetime) -> Event:
    """An animator's or a pilot's event is published at once; a resident's or an
    association's proposal waits in the moderation queue."""
    data = _checked(values, now=now, creating=True)
    if proposed and quartier is None:
        raise EventError("quartier", "quartier_id")
    state = State.PENDING if proposed else State.PUBLISHED
    event = Event(uid=uuid.uuid4().hex, quartier_id=quartier.id if quartier else None,
                  author_id=getattr(author, "id", None), moderation=state.value,
                  moderated_at=None if proposed else now, created_at=now, **data)
    db.add(event)
    db.flush()
    audit.record(db, actor=author, action="events.propose" if proposed else "events.create",
                 target_type="event", target_id=event.id, now=now)
    return event


def edit(db: Session, event: Event, values: Mapping[str, Any], *, actor: User | None,
         now: datetime) -> tuple[list[str], list[Signup]]:
    """Change an event; the calendar sequence moves so phones update their copy. Returns
    the noticeable fields that changed (time, place), which signed-up people are told,
    and the people a raised capacity took off the waiting list, to be told too."""
    if event.cancelled_at is not None:
        raise EventError("cancelled")
    data = _checked(values, now=now, creating=False)
    capacity = data["capacity"]
    if capacity is not None and capacity < event.seats_taken:
        raise EventError("capacity_below", "capacity")
    before = {k: getattr(event, k) for k in EDITABLE}
    for key, value in data.items():
        setattr(event, key, value)
    changed = [k for k in EDITABLE if before[k] != data[k]]
    if not changed:
        return [], []
    event.sequence += 1
    event.updated_at = now
    db.flush()
    audit.record(db, actor=actor, action="events.edit", target_type="event",
                 target_id=event.id, now=now, changes=changed)
    was = before["capacity"]
    promoted: list[Signup] = []
    if capacity is None or (was is not None and capacity > was):
        promoted = promote(db, event, now=now)
    return [k for k in NOTICEABLE if k in changed], promoted


def cancel_event(db: Session, event: Event, reason: str, *, actor: User | None,
                 now: datetime) -> list[Signup]:
    """Call the event off; returns the people to tell (confirmed and waiting)."""
    if event.cancelled_at is not None:
        raise EventError("cancelled")
    reason = " ".join(reason.split())
    if not reason:
        raise EventError("required", "reason")
    event.cancelled_at = now
    event.cancel_reason = reason
    event.sequence += 1
    event.updated_at = now
    db.flush()
    audit.record(db, actor=actor, action="events.cancel", target_type="event",
                 target_id=event.id, now=now)
    return live_signups(db, event)


def live_signups(db: Session, event: Event) -> list[Signup]:
    return list(db.scalars(select(Signup).where(
        Signup.event_id == event.id,
        Signup.status.in_([SignupStatus.CONFIRMED, SignupStatus.WAITING]))
        .order_by(Signup.created_at, Signup.id)))


# --- Signups ---------------------------------------------------------------------------


def open_for_signup(event: Event, now: datetime) -> bool:
    return (event.moderation == State.PUBLISHED and event.cancelled_at is None
            and event.starts_at > now)


def _take_seats(db: Session, event: Event, seats: int) -> bool:
    """One conditional UPDATE: the seats are ours only if they still fit."""
    taken = touched(db, update(Event).where(
        Event.id == event.id,
        Event.capacity.is_(None) | (Event.seats_taken + seats <= Event.capacity))
        .values(seats_taken=Event.seats_taken + seats)
        .execution_options(synchronize_session=False))
    db.refresh(event, ["seats_taken"])
    return bool(taken)


def _free_seats(db: Session, event: Event, seats: int) -> None:
    db.execute(update(Event).where(Event.id == event.id)
               .values(seats_taken=Event.seats_taken - seats)
               .execution_options(synchronize_session=False))
    db.refresh(event, ["seats_taken"])


def _who(db: Session, event: Event, values: Mapping[str, Any],
         user: User | None) -> tuple[str, str | None, str | None]:
    """Name, e-mail and phone of whoever signs up, each once per event: an account's
    own, or a guest's, who gives a name, a way to be reached and consent."""
    email = (values.get("email") or "").strip().lower() or None
    phone = " ".join((values.get("phone") or "").split()) or None
    name = " ".join((values.get("name") or "").split())
    live = (Signup.event_id == event.id, Signup.status != SignupStatus.CANCELLED)
    if user is not None:
        if db.scalar(select(Signup.id).where(*live, Signup.user_id == user.id)):
            raise EventError("already")
        return name or user.display_name, email or user.email, phone
    if not name:
        raise EventError("required", "name")
    if not email and not phone:
        raise EventError("contact", "email")
    if not values.get("consent"):
        raise EventError("consent", "consent")
    if email and db.scalar(select(Signup.id).where(*live, Signup.email == email)):
        raise EventError("already_email", "email")
    return name, email, phone


def proposed_by_resident(event: Event) -> bool:
    """Proposed by a resident or an association (not by those who run the quartier's
    events): its proposer sees of the guests only their names and what they share."""
    from civic.core.permissions import can

    return event.author is not None and not can(event.author, "events.edit", event)


def sign_up(db: Session, event: Event, values: Mapping[str, Any], *, user: User | None,
            language: str, now: datetime) -> Signup:
    """A confirmed place when it fits, else a place on the waiting list. Free seats
    beside a waiting list are always too few for everyone waiting (``promote`` gives
    them out first-fit as soon as they free up), so a party that fits them passes no
    one who could have had them. A guest gives a name and a phone or an e-mail, and
    agrees to be contacted about this event only."""
    if not open_for_signup(event, now):
        raise EventError("closed")
    party = values.get("party_size") or 1
    if not 1 <= party <= PARTY_MAX:
        raise EventError("party_size", "party_size")
    name, email, phone = _who(db, event, values, user)
    share = values.get("share") or ""
    if share and not {"phone": phone, "email": email}.get(share):
        raise EventError(f"share_{share}", "share")
    interpretation = (values.get("interpretation") or "").strip()
    signup = Signup(
        event_id=event.id, user_id=getattr(user, "id", None), key=secrets.token_hex(16),
        name=name, email=email, phone=phone, language=language, party_size=party,
        childcare=bool(values.get("childcare")), step_free=bool(values.get("step_free")),
        interpretation=interpretation, consent=bool(values.get("consent")) or user is not None,
        shared_contact=share,
        status=SignupStatus.WAITING, created_at=now)
    # Take turns with cancellations of this event (they hold its row from freeing a seat
    # to promoting): else a seat freed while this person joins the waiting list is missed
    # by both, and stays empty. SQLite already runs one writer at a time.
    db.execute(select(Event.id).where(Event.id == event.id).with_for_update())
    if _take_seats(db, event, party):
        signup.status = SignupStatus.CONFIRMED
    if not insert_once(db, signup):
        # The same account signed up at the same instant from another tab.
        if signup.status == SignupStatus.CONFIRMED:
            _free_seats(db, event, party)
        raise EventError("already")
    return signup


def cancel_signup(db: Session, signup: Signup, *, now: datetime) -> list[Signup]:
    """Cancel a place (or leave the waiting list); returns the people promoted in its
    stead, to be told."""
    event = signup.event
    if signup.status not in (SignupStatus.CONFIRMED, SignupStatus.WAITING):
        raise EventError("not_live")
    if event.starts_at <= now:
        raise EventError("started")
    was = signup.status
    flipped = touched(db, update(Signup).where(Signup.id == signup.id, Signup.status == was)
                      .values(status=SignupStatus.CANCELLED, cancelled_at=now)
                      .execution_options(synchronize_session=False))
    db.refresh(signup, ["status", "cancelled_at"])
    if not flipped:
        raise EventError("not_live")
    if was == SignupStatus.CONFIRMED:
        _free_seats(db, event, signup.party_size)
        return promote(db, event, now=now)
    return []


def promote(db: Session, event: Event, *, now: datetime) -> list[Signup]:
    """Give freed places to the waiting list in order of arrival; a party that does not
    fit yet lets a smaller one behind it through, and keeps its rank."""
    if not open_for_signup(event, now):
        return []
    promoted = []
    waiting = db.scalars(select(Signup).where(
        Signup.event_id == event.id, Signup.status == SignupStatus.WAITING)
        .order_by(Signup.created_at, Signup.id)).all()
    for signup in waiting:
        if event.seats_left is not None and event.seats_left <= 0:
            break
        if not _take_seats(db, event, signup.party_size):
            continue
        flipped = touched(db, update(Signup).where(
            Signup.id == signup.id, Signup.status == SignupStatus.WAITING)
            .values(status=SignupStatus.CONFIRMED, promoted_at=now)
            .execution_options(synchronize_session=False))
        if flipped:
            db.refresh(signup, ["status", "promoted_at"])
            promoted.append(signup)
        else:  # cancelled or promoted by someone else meanwhile: give the seats back
            _free_seats(db, event, signup.party_size)
    return promoted


def waiting_rank(db: Session, signup: Signup) -> int | None:
    """1 for the first person waiting; None when not waiting."""
    if signup.status != SignupStatus.WAITING:
        return None
    ahead = db.scalar(select(func.count()).select_from(Signup).where(
        Signup.event_id == signup.event_id, Signup.status == SignupStatus.WAITING,
        (Signup.created_at < signup.created_at)
        | ((Signup.created_at == signup.created_at) & (Signup.id < signup.id))))
    return int(ahead or 0) + 1


def cancel_deadline(event: Event) -> datetime:
    """A cancel link works until the event ends."""
    return event.ends_at


def by_token(db: Session, payload: Any, *, now: datetime) -> Signup:
    """The signup a cancel link names, when the link is genuine and not expired.
    ``payload`` is what the signed token carried (None when the signature is wrong)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), int) \
            or not isinstance(payload.get("k"), str):
        raise EventError("token_invalid")
    signup = db.get(Signup, payload["s"])
    if signup is None or not secrets.compare_digest(signup.key, payload["k"]):
        raise EventError("token_invalid")
    if now > cancel_deadline(signup.event):
        raise EventError("token_expired")
    return signup


def token_payload(signup: Signup) -> dict[str, Any]:
    return {"s": signup.id, "k": signup.key}


# --- Reminders -------------------------------------------------------------------------


def due_reminders(db: Session, *, now: datetime, tomorrow_ends: datetime) -> list[Signup]:
    """Confirmed people with an e-mail, not yet reminded, whose event starts between now
    and the end of tomorrow (local time), and is neither cancelled nor unpublished."""
    return list(db.scalars(
        select(Signup).join(Event, Event.id == Signup.event_id).where(
            Signup.status == SignupStatus.CONFIRMED, Signup.reminded_at.is_(None),
            Signup.email.is_not(None), Event.cancelled_at.is_(None),
            Event.moderation == State.PUBLISHED, Event.starts_at > now,
            Event.starts_at <= tomorrow_ends)
        .order_by(Event.starts_at, Signup.id)))


def mark_reminded(db: Session, signup: Signup, *, now: datetime) -> bool:
    """True for the one run that claims this reminder (a second run, even at the same
    time, finds it taken)."""
    claimed = touched(db, update(Signup).where(Signup.id == signup.id,
                                               Signup.reminded_at.is_(None))
                      .values(reminded_at=now).execution_options(synchronize_session=False))
    return bool(claimed)


# --- Attendance ------------------------------------------------------------------------


@dataclass(frozen=True)
class Attendance:
    present_ids: frozenset[int]
    walk_ins: int
    walk_in_names: tuple[str, ...]
    figures: Mapping[tuple[str, str], int]


#: Attendance may be taken from this long before the start (setting up the room).
ATTENDANCE_EARLY = timedelta(hours=2)


def attendance_opens_at(event: Event) -> datetime:
    return event.starts_at - ATTENDANCE_EARLY


def attendance_closed(event: Event, now: datetime) -> str | None:
    """Why attendance cannot be taken now (an EventError code), or None: from two hours
    before the start, for an event that was held and not yet purged."""
    if event.cancelled_at is not None:
        return "cancelled"
    if attendance_opens_at(event) > now:
        return "not_started"
    if event.purged_at is not None:
        return "purged"
    return None


def _can_take_attendance(event: Event, now: datetime) -> None:
    closed = attendance_closed(event, now)
    if closed is not None:
        raise EventError(closed)


def _check_figures(figures: Mapping[tuple[str, str], int], total: int) -> None:
    """Declared genders and age brackets: known values, and no more people than came."""
    valid = {"gender": set(GENDERS), "age": set(AGE_BRACKETS)}
    for dimension in DIMENSIONS:
        declared = 0
        for (dim, value), count in figures.items():
            if dim != dimension:
                continue
            if value not in valid[dim] or not 0 <= count <= CAPACITY_MAX:
                raise EventError("figures", dimension)
            declared += count
        if declared > total:
            raise EventError("figures_over", dimension)


def take_attendance(db: Session, event: Event, attendance: Attendance, *, actor: User | None,
                    now: datetime) -> int:
    """Tick who came, count walk-ins (named or not), and keep the declared genders and
    age brackets as counts. Returns the number of people present. May be redone."""
    _can_take_attendance(event, now)
    if not 0 <= attendance.walk_ins <= CAPACITY_MAX:
        raise EventError("walk_ins", "walk_ins")
    names = [" ".join(n.split()) for n in attendance.walk_in_names]
    names = [n[:80] for n in names if n]
    if len(names) > attendance.walk_ins:
        raise EventError("names_over", "walk_in_names")
    signups = db.scalars(select(Signup).where(
        Signup.event_id == event.id,
        Signup.status.in_([SignupStatus.CONFIRMED, SignupStatus.WAITING]))).all()
    present_signed = 0
    for signup in signups:
        signup.present = signup.id in attendance.present_ids
        if signup.present:
            present_signed += signup.party_size
    total = present_signed + attendance.walk_ins
    _check_figures(attendance.figures, total)
    db.execute(delete(Signup).where(Signup.event_id == event.id,
                                    Signup.status == SignupStatus.WALK_IN))
    for name in names:
        db.add(Signup(event_id=event.id, key=secrets.token_hex(16), name=name,
                      language="fr", party_size=1, status=SignupStatus.WALK_IN, present=True,
                      created_at=now))
    db.execute(delete(AttendanceFigure).where(AttendanceFigure.event_id == event.id))
    for (dimension, value), count in sorted(attendance.figures.items()):
        if count:
            db.add(AttendanceFigure(event_id=event.id, dimension=dimension, value=value,
                                    count=count))
    event.walk_ins = attendance.walk_ins
    event.attendance = total
    event.attendance_taken_at = now
    db.flush()
    audit.record(db, actor=actor, action="events.attendance", target_type="event",
                 target_id=event.id, now=now, attendance=total)
    return total


# --- Messages to the people signed up, and retention ----------------------------------


def reachable(db: Session, event: Event) -> list[Signup]:
    """Signed-up or waiting people who gave an e-mail and agreed to be contacted."""
    return [s for s in live_signups(db, event) if s.email and s.consent]


def messaged(db: Session, event: Event, sent: int, *, actor: User | None, now: datetime) -> None:
    """The organiser wrote to the people signed up: audited, with how many were mailed."""
    audit.record(db, actor=actor, action="events.message", target_type="event",
                 target_id=event.id, now=now, sent=sent)


def purge(db: Session, *, now: datetime, days: int) -> list[int]:
    """Delete the names and contact details of events ended more than ``days`` days ago;
    each event keeps its counts (seats taken, waiting, present). Returns the events."""
    ended = list(db.scalars(select(Event).where(
        Event.purged_at.is_(None), Event.ends_at < now - timedelta(days=days))))
    ids = [e.id for e in ended]
    waiting = dict(db.execute(
        select(Signup.event_id, func.sum(Signup.party_size))
        .where(Signup.event_id.in_(ids), Signup.status == SignupStatus.WAITING)
        .group_by(Signup.event_id)).all())
    db.execute(delete(Signup).where(Signup.event_id.in_(ids)))
    for event in ended:
        event.waiting_kept = int(waiting.get(event.id) or 0)
        event.purged_at = now
    db.flush()
    if ended:
        audit.record(db, actor=None, action="events.purge", target_type="event",
                     target_id=None, now=now, events=len(ended))
    return [e.id for e in ended]


def erase_person(db: Session, user: User) -> None:
    """Account deletion: the person's signups lose their name and contact details."""
    db.execute(update(Signup).where(Signup.user_id == user.id)
               .values(name="", email=None, phone=None, user_id=None)
               .execution_options(synchronize_session=False))


def figures_of(db: Session, event: Event) -> dict[tuple[str, str], int]:
    return {(f.dimension, f.value): f.count for f in db.scalars(
        select(AttendanceFigure).where(AttendanceFigure.event_id == event.id))}


def ids(values: Iterable[Any]) -> frozenset[int]:
    found = set()
    for value in values:
        try:
            found.add(db_int(value))
        except (TypeError, ValueError):
            continue
    return frozenset(found)
