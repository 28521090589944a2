"""The audit log: who did which privileged action, on what, when."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Select,
    String,
    and_,
    cast,
    false,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from civic.core.db import Base

#: The most entries one search returns, whatever ``limit`` asks.
MAX_LIMIT = 500


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


# --- Reading the log back -------------------------------------------------------------


def _as_text(column: Any) -> Any:
    """An integer id as the log keeps it (``target_id`` is text): a cast every database
    knows, so the comparison stays text against text on PostgreSQL too."""
    return cast(column, String)


def in_quartiers(quartier_ids: Collection[int]) -> ColumnElement[bool]:
    """Entries about the posts of these quartiers: an idea, a comment (through its idea),
    a map point, an event, a question proposed for the evaluation, or the moderation
    setting of the quartier itself.

    The part tables are reached through the shared metadata, so that the log does not
    depend on the parts that write to it."""
    ids = sorted(set(quartier_ids))
    if not ids:
        return false()
    tables = Base.metadata.tables
    ideas, comments = tables["ideas"], tables["comments"]
    points, events = tables["map_points"], tables["events"]
    proposals = tables["evaluation_proposals"]
    entry = AuditEntry
    return or_(
        and_(entry.target_type == "idea", entry.target_id.in_(
            select(_as_text(ideas.c.id)).where(ideas.c.quartier_id.in_(ids)))),
        and_(entry.target_type == "comment", entry.target_id.in_(
            select(_as_text(comments.c.id)).join(ideas, comments.c.idea_id == ideas.c.id)
            .where(ideas.c.quartier_id.in_(ids)))),
        and_(entry.target_type == "point", entry.target_id.in_(
            select(_as_text(points.c.id)).where(points.c.quartier_id.in_(ids)))),
        and_(entry.target_type == "event", entry.target_id.in_(
            select(_as_text(events.c.id)).where(events.c.quartier_id.in_(ids)))),
        and_(entry.target_type == "eval_proposal", entry.target_id.in_(
            select(_as_text(proposals.c.id)).where(proposals.c.quartier_id.in_(ids)))),
        and_(entry.action == "moderation.mode", entry.target_type == "quartier",
             entry.target_id.in_([str(i) for i in ids])),
    )


def _narrowed(query: Select[Any], *, kinds: Collection[str], actor_id: int | None,
              first_day: date | None, last_day: date | None, timezone: str,
              quartier_ids: Collection[int] | None) -> Select[Any]:
    if kinds:
        query = query.where(or_(*(AuditEntry.action.startswith(f"{kind}.", autoescape=True)
                                  for kind in sorted(kinds))))
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    zone = ZoneInfo(timezone)
    if first_day is not None:
        query = query.where(AuditEntry.at >= datetime.combine(first_day, time.min, zone))
    if last_day is not None:
        query = query.where(AuditEntry.at < datetime.combine(last_day + timedelta(days=1),
                                                             time.min, zone))
    if quartier_ids is not None:
        query = query.where(in_quartiers(quartier_ids))
    return query


def search(db: Session, *, kinds: Collection[str] = (), actor_id: int | None = None,
           first_day: date | None = None, last_day: date | None = None,
           timezone: str = "UTC", quartier_ids: Collection[int] | None = None,
           before_id: int | None = None, after_id: int | None = None,
           limit: int = 100) -> list[AuditEntry]:
    """Entries newest first, at most ``limit`` (and never more than ``MAX_LIMIT``).

    ``kinds``: the parts of the action codes (``budget`` for ``budget.round_updated``);
    ``first_day``/``last_day``: local days of ``timezone``, both included;
    ``quartier_ids``: None for every entry, else only those about these quartiers'
    posts (``in_quartiers``); ``before_id``/``after_id``: the entries just older, or just
    newer, than that one in the log's order (time, then id), to page through it."""
    limit = max(1, min(limit, MAX_LIMIT))
    query = _narrowed(select(AuditEntry), kinds=kinds, actor_id=actor_id,
                      first_day=first_day, last_day=last_day, timezone=timezone,
                      quartier_ids=quartier_ids)
    if after_id is not None:
        anchor = select(AuditEntry.at).where(AuditEntry.id == after_id).scalar_subquery()
        query = query.where(or_(AuditEntry.at > anchor,
                                and_(AuditEntry.at == anchor, AuditEntry.id > after_id)))
        newer = db.scalars(query.order_by(AuditEntry.at, AuditEntry.id).limit(limit))
        return list(reversed(list(newer)))
    if before_id is not None:
        anchor = select(AuditEntry.at).where(AuditEntry.id == before_id).scalar_subquery()
        query = query.where(or_(AuditEntry.at < anchor,
                                and_(AuditEntry.at == anchor, AuditEntry.id < before_id)))
    return list(db.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                           .limit(limit)))


@dataclass(frozen=True)
class Page:
    """One page of the log: its entries, newest first, and the anchors of the pages
    around it (None: there is none that way)."""

    entries: list[AuditEntry]
    older: int | None
    newer: int | None


def page(db: Session, *, per_page: int = 100, before_id: int | None = None,
         after_id: int | None = None, **narrowing: Any) -> Page:
    """A page of ``search`` and whether older or newer entries match too: one query for
    the page, one more to look the other way."""
    per_page = max(1, min(per_page, MAX_LIMIT - 1))
    if after_id is not None:
        found = search(db, after_id=after_id, limit=per_page + 1, **narrowing)
        entries = found[-per_page:]
        newer = entries[0].id if len(found) > per_page else None
        edge = entries[-1].id if entries else after_id
        older = edge if search(db, before_id=edge, limit=1, **narrowing) else None
        return Page(entries, older, newer)
    found = search(db, before_id=before_id, limit=per_page + 1, **narrowing)
    entries = found[:per_page]
    older = entries[-1].id if len(found) > per_page else None
    newer = None
    if before_id is not None:
        edge = entries[0].id if entries else before_id
        newer = edge if search(db, after_id=edge, limit=1, **narrowing) else None
    return Page(entries, older, newer)


def actor_ids_query(*, quartier_ids: Collection[int] | None = None) -> Select[Any]:
    """The ids of the accounts that appear in the log (in the part ``quartier_ids``
    opens, if given): a subquery, for the journal's choice of a person."""
    query = select(AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None)).distinct()
    if quartier_ids is not None:
        query = query.where(in_quartiers(quartier_ids))
    return query


def actor_ids(db: Session, *, quartier_ids: Collection[int] | None = None) -> list[int]:
    """``actor_ids_query``, run."""
    return sorted(i for i in db.scalars(actor_ids_query(quartier_ids=quartier_ids))
                  if i is not None)
