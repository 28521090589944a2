"""Events of the quartiers (cafés, shared meals, fêtes de projet, permanences…), the
people signed up for them, and the attendance kept as figures."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.db import Base
from civic.moderation.models import Moderated

#: The kinds of event, in the order the forms offer them.
KINDS = ("cafe", "meal", "project_party", "permanence", "walk", "assizes", "elected_meeting",
         "workshop", "council_meeting", "training")

#: Dimensions of the optional attendance figures (aggregates, never per person).
DIMENSIONS = ("gender", "age")

#: At most this many people in one signup (a family, a group of neighbours).
PARTY_MAX = 8


class SignupStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    CANCELLED = "cancelled"
    #: Came without signing up; recorded at the door, always present.
    WALK_IN = "walk_in"


class Event(Moderated, Base):
    """Something that happens at a place and time; open to signups when it has a
    capacity or asks for them."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity"),
        # The guarantee behind "capacity is never exceeded", whatever the code does.
        CheckConstraint("seats_taken >= 0 AND (capacity IS NULL OR seats_taken <= capacity)",
                        name="seats_taken"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("walk_ins >= 0 AND attendance >= 0", name="attendance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable identifier of the event in calendars (iCalendar UID), kept across edits.
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    #: Bumped at each edit that calendars must pick up (iCalendar SEQUENCE).
    sequence: Mapped[int] = mapped_column(default=0)
    #: NULL: an event of the whole contract (assises, trainings…).
    quartier_id: Mapped[int | None] = mapped_column(ForeignKey("quartiers.id"), index=True)
    #: One of KINDS.
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    #: The place people know, e.g. « Maison de quartier de la Reynerie ».
    place: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(200), default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    #: Who organises it, as shown: an association, a service, a signatory…
    organiser: Mapped[str] = mapped_column(String(120), default="")
    signatory_id: Mapped[int | None] = mapped_column(
        ForeignKey("signatories.id", ondelete="SET NULL"), index=True)
    #: The account that created or proposed it (an animator, a resident, a pilot).
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                  index=True)
    bring: Mapped[str] = mapped_column(String(300), default="")
    step_free: Mapped[bool] = mapped_column(default=False)
    childcare: Mapped[bool] = mapped_column(default=False)
    #: Languages of interpretation, as written (« arabe, anglais »); empty: none.
    interpretation: Mapped[str] = mapped_column(String(120), default="")
    #: Seats; NULL: no limit (signups still help the organiser).
    capacity: Mapped[int | None]
    #: People confirmed (the sum of party sizes), moved only by atomic updates.
    seats_taken: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(String(300), default="")
    #: Walk-ins counted at the door (those who gave a name are signups too).
    walk_ins: Mapped[int] = mapped_column(default=0)
    #: Everybody present: signed up and ticked, plus walk-ins. Kept after the list goes.
    attendance: Mapped[int] = mapped_column(default=0)
    attendance_taken_at: Mapped[datetime | None]
    #: People signed up and waiting when the list was deleted (the counts that stay).
    waiting_kept: Mapped[int] = mapped_column(default=0)
    #: When the names were deleted, keeping only the counts.
    purged_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]

    quartier = relationship("Quartier", lazy="joined")
    signatory = relationship("Signatory", lazy="joined")
    author = relationship("User", foreign_keys=[author_id], lazy="joined")

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.seats_taken, 0)


class Signup(Base):
    """A person (or a family) signed up, waiting, cancelled or come at the door.

    Names and contact details serve the event's organisation only, and are deleted a
    few days after it (``EVENT_SIGNUP_RETENTION_DAYS``); the event keeps the counts.
    """

    __tablename__ = "event_signups"
    __table_args__ = (
        CheckConstraint(f"party_size BETWEEN 1 AND {PARTY_MAX}", name="party_size"),
        CheckConstraint("status IN ('confirmed', 'waiting', 'cancelled', 'walk_in')",
                        name="status"),
        # One live signup per account and event.
        Index("uq_event_signups_live_user", "event_id", "user_id", unique=True,
              sqlite_where=text("user_id IS NOT NULL AND status != 'cancelled'"),
              postgresql_where=text("user_id IS NOT NULL AND status != 'cancelled'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    #: Random, part of the cancel link: a link stays tied to this very signup.
    key: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    #: Language of the mails (fr, en, ar).
    language: Mapped[str] = mapped_column(String(5), default="fr")
    party_size: Mapped[int] = mapped_column(default=1)
    childcare: Mapped[bool] = mapped_column(default=False)
    step_free: Mapped[bool] = mapped_column(default=False)
    #: Language to interpret into; empty: none asked.
    interpretation: Mapped[str] = mapped_column(String(40), default="")
    #: Agreed to be contacted about this event, and this event only.
    consent: Mapped[bool] = mapped_column(default=False)
    #: For an event a resident or an association proposed: what its proposer may see
    #: besides the name, "phone", "email" or "" (nothing).
    shared_contact: Mapped[str] = mapped_column(String(5), default="", server_default="")
    #: One of SignupStatus.
    status: Mapped[str] = mapped_column(String(10), index=True)
    present: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    promoted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()
    user = relationship("User")


class AttendanceFigure(Base):
    """How many participants of an event declared a gender or an age bracket: counts
    only, never tied to a person."""

    __tablename__ = "event_attendance_figures"
    __table_args__ = (CheckConstraint("count >= 0", name="count"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          primary_key=True)
    #: gender or age (DIMENSIONS).
    dimension: Mapped[str] = mapped_column(String(10), primary_key=True)
    #: A value of accounts.GENDERS or accounts.AGE_BRACKETS.
    value: Mapped[str] = mapped_column(String(10), primary_key=True)
    count: Mapped[int]
