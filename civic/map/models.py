"""Points of the quartier map, landmarks for placing them without a map, and walks
(diagnostics en marchant)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.db import Base
from civic.moderation.models import Moderated


class Polarity(enum.StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"


CATEGORIES = ("cleanliness", "safety", "facilities", "green", "mobility", "shops", "housing",
              "social", "other")


class Walk(Base):
    """A diagnostic en marchant: residents and an animator walk the quartier together."""

    __tablename__ = "walks"
    __table_args__ = (CheckConstraint("participants >= 0", name="participants"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quartier_id: Mapped[int] = mapped_column(ForeignKey("quartiers.id"), index=True)
    animator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime]
    meeting_point: Mapped[str] = mapped_column(String(200))
    #: The route in words (streets, squares, in order).
    route: Mapped[str] = mapped_column(Text, default="")
    #: How many people walked, animators included.
    participants: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]

    quartier = relationship("Quartier", lazy="joined")


class Landmark(Base):
    """A place residents know (a school, a square, a bus stop): picking it stands in for
    a tap on the map where there is no map."""

    __tablename__ = "landmarks"

    id: Mapped[int] = mapped_column(primary_key=True)
    quartier_id: Mapped[int] = mapped_column(ForeignKey("quartiers.id", ondelete="CASCADE"),
                                             index=True)
    name: Mapped[str] = mapped_column(String(120))
    latitude: Mapped[float]
    longitude: Mapped[float]


class MapPoint(Moderated, Base):
    """Something good (+) or something wrong (−) at a place of the quartier."""

    __tablename__ = "map_points"
    __table_args__ = (CheckConstraint("support_count >= 0", name="support_count"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quartier_id: Mapped[int] = mapped_column(ForeignKey("quartiers.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: positive or negative (Polarity).
    polarity: Mapped[str] = mapped_column(String(10))
    #: One of CATEGORIES.
    category: Mapped[str] = mapped_column(String(20), index=True)
    text: Mapped[str] = mapped_column(String(500))
    latitude: Mapped[float]
    longitude: Mapped[float]
    #: The landmark chosen instead of a tap, when there was one.
    landmark_id: Mapped[int | None] = mapped_column(
        ForeignKey("landmarks.id", ondelete="SET NULL"))
    photo: Mapped[str | None] = mapped_column(String(80))
    #: The walk during which an animator recorded it.
    walk_id: Mapped[int | None] = mapped_column(ForeignKey("walks.id", ondelete="SET NULL"),
                                                index=True)
    #: The idea it became, to be answered and forwarded like any idea.
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"))
    support_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(index=True)

    quartier = relationship("Quartier", lazy="joined")
    author = relationship("User", foreign_keys=[author_id], lazy="joined")
    landmark = relationship("Landmark")
    walk = relationship("Walk")
    idea = relationship("Idea")

    @property
    def title(self) -> str:
        """Points have no title; their first words stand for one in lists."""
        return self.text if len(self.text) <= 60 else self.text[:59].rstrip() + "…"


class PointSupport(Base):
    """« Moi aussi »: one per account and point."""

    __tablename__ = "point_supports"

    point_id: Mapped[int] = mapped_column(ForeignKey("map_points.id", ondelete="CASCADE"),
                                          primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
