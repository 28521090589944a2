"""Permanences (where an animator receives residents) and printed vote codes."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.db import Base


class Permanence(Base):
    """A place and a day where an animator receives residents (a tablet, paper ballots)."""

    __tablename__ = "permanences"

    id: Mapped[int] = mapped_column(primary_key=True)
    quartier_id: Mapped[int] = mapped_column(ForeignKey("quartiers.id"), index=True)
    #: e.g. « Maison de quartier de la Reynerie, salle 2 ».
    place: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    #: The animator who opened it.
    animator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]

    quartier = relationship("Quartier", lazy="joined")


class VoteCode(Base):
    """A single-use code printed on a letter: only its hash is kept.

    A code carries no name and no address; spending it sets ``spent`` in the same
    transaction as the ballot, and nothing else (no time, no ballot id).
    """

    __tablename__ = "vote_codes"
    __table_args__ = {"sqlite_with_rowid": False}

    #: SHA-256 of the normalised code.
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    #: The print run it belongs to (for counts and to void a lost batch).
    batch: Mapped[int]
    #: The permanence whose animator printed the run (None: printed by a pilot).
    permanence_id: Mapped[int | None] = mapped_column(ForeignKey("permanences.id"))
    spent: Mapped[bool] = mapped_column(default=False)
    void: Mapped[bool] = mapped_column(default=False)


class KioskTicket(Base):
    """The tablet's pass from the animator's check to the resident's ballot: an opaque
    random token whose hash is kept here with the voter's fingerprint, for a few minutes.

    The name and birth date never travel with the choices: the animator's screen turns
    them into the fingerprint, and the ballot screen only carries the token. The ticket
    is deleted when the ballot is cast, the tablet is given back, or it expires.
    """

    __tablename__ = "kiosk_tickets"
    __table_args__ = {"sqlite_with_rowid": False}

    #: SHA-256 of the token.
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"),
                                          index=True)
    permanence_id: Mapped[int] = mapped_column(
        ForeignKey("permanences.id", ondelete="CASCADE"), index=True)
    #: The register's fingerprint of the checked declaration (HMAC, see budget.identity).
    fingerprint: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(index=True)


class WeeklySlot(Base):
    """When and where an animator can be met, every week (« le mardi de 14 h à 17 h à la
    maison de quartier »)."""

    __tablename__ = "permanence_slots"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("ends > starts", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quartier_id: Mapped[int] = mapped_column(ForeignKey("quartiers.id", ondelete="CASCADE"),
                                             index=True)
    #: 0 = Monday … 6 = Sunday.
    weekday: Mapped[int]
    #: Local times (Europe/Paris).
    starts: Mapped[time]
    ends: Mapped[time]
    place: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(200), default="")
    #: Who receives, as shown (« Samira, adulte-relais »); empty: the animators' team.
    host: Mapped[str] = mapped_column(String(120), default="")
    #: What one can come for (« aide aux démarches, vote FPH »).
    topics: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]


class Closure(Base):
    """Days without permanences in a quartier (school holidays, a public holiday)."""

    __tablename__ = "permanence_closures"
    __table_args__ = (CheckConstraint("last_day >= first_day", name="last_after_first"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quartier_id: Mapped[int] = mapped_column(ForeignKey("quartiers.id", ondelete="CASCADE"),
                                             index=True)
    first_day: Mapped[date]
    last_day: Mapped[date]
    #: Shown to residents (« Vacances de Noël »).
    label: Mapped[str] = mapped_column(String(120), default="")
