"""API tokens of pilots and signatories (read-only access to the steering data)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
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
