"""The moderation state every resident post carries, and the reports residents file."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from civic.core.db import Base


class State(enum.StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"
    HIDDEN = "hidden"


class Mode(enum.StrEnum):
    """How a quartier moderates: before publication, or after (published at once)."""

    PRE = "pre"
    POST = "post"


class Moderated:
    """Columns shared by every moderatable thing (ideas, comments, map points, events)."""

    #: pending, published, rejected or hidden (State).
    moderation: Mapped[str] = mapped_column(String(10), default=State.PENDING.value, index=True)
    #: The public reason of a rejection or of hiding, as the moderator wrote it.
    moderation_reason: Mapped[str] = mapped_column(Text, default="")
    moderated_at: Mapped[datetime | None]
    #: The title as the author wrote it, when a moderator reworded it for clarity.
    original_title: Mapped[str | None] = mapped_column(String(200))

    @declared_attr
    def moderated_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def is_published(self) -> bool:
        return self.moderation == State.PUBLISHED


class Report(Base):
    """A resident's report that a published post is inappropriate."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("kind", "item_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The registered kind of the post: idea, comment, project…
    kind: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int]
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: One of REPORT_REASONS.
    reason: Mapped[str] = mapped_column(String(20))
    #: Optional words of the person who reports.
    comment: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime]
    #: Set when a moderator decided on the post after the report.
    resolved_at: Mapped[datetime | None] = mapped_column(index=True)
