"""API tokens of pilots and signatories (read-only access to the steering data), the
open-data releases as built, and the daily figures of participation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.db import Base


class ApiToken(Base):
    """A secret a program sends as ``Authorization: Bearer …``; only its SHA-256 is kept.
    It reads what its owner may read today: a pilot's token every table, a signatory's
    the cooperative dashboard and open data; a revoked token or a lost role reads
    nothing more."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: What the owner calls it (« tableur de la CAF »).
    name: Mapped[str] = mapped_column(String(80))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters, to tell tokens apart in the list.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user = relationship("User")


class OpenRelease(Base):
    """A year's open-data release as published (``pilotage.release``): the published
    value of every count of people of its grid, built once when the year has ended and
    settled (``OPEN_DATA_SETTLE_DAYS``), then kept as it is, so that every visitor and
    every app machine reads the same figures, now and later, and nobody can difference
    two versions of a year."""

    __tablename__ = "open_releases"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    threshold: Mapped[int]
    built_at: Mapped[datetime]
    #: {"cells": [[table, quartier id, quarter, row, column, value or null], …]}
    figures: Mapped[dict[str, Any]]


class ParticipationDay(Base):
    """The steering figures' own copy of who took part, a day at a time
    (``civic.pilotage.figures``): per local day, quartier, orientation, channel and part,
    the acts of each account (one row per account) and the acts without an account (one
    row, ``user_id`` empty, each act a person). The dashboards count people here instead
    of reading every act of every part; it is rebuilt from the acts, never edited by
    hand."""

    __tablename__ = "participation_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The local day (contract's time zone) and the first day of its month.
    day: Mapped[date] = mapped_column(Date, index=True)
    month: Mapped[date] = mapped_column(Date)
    quartier_id: Mapped[int | None] = mapped_column(
        ForeignKey("quartiers.id", ondelete="CASCADE"), index=True)
    orientation_id: Mapped[int | None] = mapped_column(
        ForeignKey("orientations.id", ondelete="SET NULL"))
    #: "online", "permanence", "paper" or "event" (``indicators.CHANNELS``).
    channel: Mapped[str] = mapped_column(String(12))
    #: "vote", "idea", "comment", "support", "point", "point_support", "attendance" or
    #: "survey".
    part: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                index=True)
    acts: Mapped[int]
