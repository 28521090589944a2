"""The audit log: who did which privileged action, on what, when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from civic.core.db import Base


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: When the action happened (UTC).
    at: Mapped[datetime] = mapped_column(index=True)
    #: The account that acted; NULL for the command line or the system.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: A dotted verb, e.g. ``accounts.role_granted`` or ``territory.quartier_updated``.
    action: Mapped[str] = mapped_column(String(80))
    #: The kind and id of what was acted on, e.g. ``quartier`` / ``3``.
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(40))
    #: What changed: field names with old and new values, never a password or a ballot.
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)

    actor = relationship("User", lazy="joined")


def record(
    db: Session,
    *,
    actor: Any,
    action: str,
    target_type: str,
    target_id: Any,
    now: datetime,
    **details: Any,
) -> AuditEntry:
    entry = AuditEntry(
        at=now,
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        details=details,
    )
    db.add(entry)
    db.flush()
    return entry


def latest(db: Session, limit: int = 200) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                           .limit(limit)))


def changes(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Apply ``values`` to ``obj`` and return ``{field: [old, new]}`` for what changed."""
    changed: dict[str, list[Any]] = {}
    for field, new in values.items():
        old = getattr(obj, field)
        if old != new:
            changed[field] = [old, new]
            setattr(obj, field, new)
    return changed
