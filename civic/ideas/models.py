"""Ideas of the idea box, their supports, comments and followers, and the ideas
forwarded to a signatory of the contract."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.db import Base
from civic.moderation.models import Moderated


class Status(enum.StrEnum):
    """What the institutions made of a published idea."""

    NEW = "new"
    UNDER_STUDY = "under_study"
    #: To be carried as an FPH micro-project; the author is invited to propose it.
    FPH = "fph"
    FORWARDED = "forwarded"
    PLANNED = "planned"
    NOT_FEASIBLE = "not_feasible"
    DONE = "done"


#: Statuses that close the answer: an official response is required.
ANSWERS = frozenset({Status.FPH, Status.FORWARDED, Status.PLANNED, Status.NOT_FEASIBLE,
                     Status.DONE})


class Idea(Moderated, Base):
    __tablename__ = "ideas"
    __table_args__ = (CheckConstraint("support_count >= 0", name="support_count"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quartier_id: Mapped[int] = mapped_column(ForeignKey("quartiers.id"), index=True)
    orientation_id: Mapped[int | None] = mapped_column(
        ForeignKey("orientations.id", ondelete="SET NULL"))
    #: The resident's account; NULL when an animator typed the idea for someone.
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: The name shown for an idea typed by an animator at a permanence.
    author_name: Mapped[str] = mapped_column(String(80), default="")
    #: The animator who typed it, at a permanence.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    #: Where, in words (a street, a building, a square).
    place: Mapped[str] = mapped_column(String(200), default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    photo: Mapped[str | None] = mapped_column(String(80))
    #: Title and text, lower-cased and without accents, for search on any database.
    search_text: Mapped[str] = mapped_column(Text, default="")
    #: Kept equal to the number of Support rows in the same transaction.
    support_count: Mapped[int] = mapped_column(default=0)
    #: new, under_study, fph, forwarded, planned, not_feasible, done (Status).
    status: Mapped[str] = mapped_column(String(20), default=Status.NEW.value, index=True)
    #: The official response of the institutions, shown publicly.
    response: Mapped[str] = mapped_column(Text, default="")
    responded_at: Mapped[datetime | None]
    responded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(index=True)

    quartier = relationship("Quartier", lazy="joined")
    orientation = relationship("Orientation", lazy="joined")
    author = relationship("User", foreign_keys=[author_id], lazy="joined")
    forwardings: Mapped[list[Forwarding]] = relationship(
        back_populates="idea", order_by="Forwarding.forwarded_at")

    @property
    def shown_author(self) -> str:
        if self.author is not None:
            return self.author.display_name
        return self.author_name


class Support(Base):
    """One account supports one idea, once: the primary key says so."""

    __tablename__ = "supports"

    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"),
                                         primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(index=True)


class Follow(Base):
    """An account that wants a mail when the idea's status changes."""

    __tablename__ = "follows"

    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"),
                                         primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    created_at: Mapped[datetime]


class Comment(Moderated, Base):
    """A comment on an idea, or a reply to one: replies go one level deep."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    #: The comment answered; always a top-level comment.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(index=True)

    idea: Mapped[Idea] = relationship(lazy="joined")
    author = relationship("User", foreign_keys=[author_id], lazy="joined")


class Forwarding(Base):
    """An idea sent to a signatory, and the signatory's answer with its delay."""

    __tablename__ = "forwardings"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    signatory_id: Mapped[int] = mapped_column(ForeignKey("signatories.id"), index=True)
    forwarded_at: Mapped[datetime]
    forwarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: What the pilot asks of the signatory.
    message: Mapped[str] = mapped_column(Text, default="")
    #: The day an answer is expected, shown publicly.
    due_on: Mapped[date] = mapped_column(Date)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    idea: Mapped[Idea] = relationship(back_populates="forwardings")
    signatory = relationship("Signatory", lazy="joined")

    @property
    def delay_days(self) -> int | None:
        """Days between forwarding and answer, once answered."""
        if self.answered_at is None:
            return None
        return (self.answered_at - self.forwarded_at).days
