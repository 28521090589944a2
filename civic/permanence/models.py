"""Permanences (where an animator receives residents) and printed vote codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
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
    spent: Mapped[bool] = mapped_column(default=False)
    void: Mapped[bool] = mapped_column(default=False)
