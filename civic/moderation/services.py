"""The moderation workflow, the same for every kind: publish, reject, hide, restore,
reword a title, and reports. Every decision goes to the audit log with the moderator,
the post, the state before and after, and the reason."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from civic.core import audit
from civic.core.errors import RuleBroken
from civic.core.permissions import can
from civic.moderation.models import Mode, Report, State
from civic.moderation.reasons import REPORT_REASONS
from civic.moderation.registry import Kind

if TYPE_CHECKING:
    from civic.accounts.models import User

#: What each action does: the states it applies to, and the state it leads to.
TRANSITIONS: dict[str, tuple[frozenset[str], State]] = {
    "publish": (frozenset({State.PENDING}), State.PUBLISHED),
    "reject": (frozenset({State.PENDING}), State.REJECTED),
    "hide": (frozenset({State.PUBLISHED}), State.HIDDEN),
    "restore": (frozenset({State.HIDDEN, State.REJECTED}), State.PUBLISHED),
}
#: Actions that must tell the author and the public why.
NEEDS_REASON = frozenset({"reject", "hide"})
REASON_MAX = 1000
TITLE_MAX = 120


class ModerationError(RuleBroken):
    """A rule of moderation was broken."""


def initial_state(quartier: Any) -> State:
    """What a new post of this quartier starts as."""
    return State.PUBLISHED if quartier.moderation_mode == Mode.POST else State.PENDING


def _check(kind: Kind, obj: Any, actor: User | None, now: datetime) -> None:
    if kind.decided_elsewhere:
        raise ModerationError("elsewhere")
    if not can(actor, "moderation.moderate", kind.describe(obj), now=now):
        raise ModerationError("forbidden")


def decide(db: Session, kind: Kind, obj: Any, action: str, *, reason: str = "", actor: User,
           now: datetime) -> None:
    """Apply one moderation action; refuses an action that does not fit the post's state."""
    if action not in TRANSITIONS:
        raise ModerationError("action", "action")
    _check(kind, obj, actor, now)
    sources, target = TRANSITIONS[action]
    if obj.moderation not in sources:
        raise ModerationError("state", "action")
    reason = reason.strip()
    if action in NEEDS_REASON and not reason:
        raise ModerationError("reason_required", "reason")
    if len(reason) > REASON_MAX:
        raise ModerationError("reason_long", "reason")
    before = obj.moderation
    obj.moderation = target.value
    obj.moderation_reason = reason if action in NEEDS_REASON else ""
    obj.moderated_at = now
    obj.moderated_by_id = actor.id
    db.execute(update(Report).where(Report.kind == kind.name, Report.item_id == obj.id,
                                    Report.resolved_at.is_(None)).values(resolved_at=now))
    db.flush()
    audit.record(db, actor=actor, action=f"moderation.{action}", target_type=kind.name,
                 target_id=obj.id, now=now, before=before, after=target.value, reason=reason)
    kind.changed(db, obj, action, actor=actor, now=now)


def decide_many(db: Session, kind: Kind, objs: Iterable[Any], action: str, *, reason: str = "",
                actor: User, now: datetime) -> tuple[list[Any], list[Any]]:
    """Bulk action over a long queue: (done, skipped). A post another moderator already
    decided, or one the actor may not decide, is skipped, not an error for the rest."""
    done, skipped = [], []
    for obj in objs:
        try:
            with db.begin_nested():
                decide(db, kind, obj, action, reason=reason, actor=actor, now=now)
        except ModerationError as error:
            if error.code == "reason_required":
                raise
            skipped.append(obj)
        else:
            done.append(obj)
    return done, skipped


def edit_title(db: Session, kind: Kind, obj: Any, title: str, *, actor: User | None,
               now: datetime) -> None:
    """Reword a title for clarity; the author's own words stay, shown as such."""
    _check(kind, obj, actor, now)
    if not kind.has_title:
        raise ModerationError("no_title", "title")
    title = " ".join(title.split())
    if not title:
        raise ModerationError("title_required", "title")
    if len(title) > TITLE_MAX:
        raise ModerationError("title_long", "title")
    if title == obj.title:
        return
    before = obj.title
    if obj.original_title is None:
        obj.original_title = obj.title
    obj.title = title
    db.flush()
    audit.record(db, actor=actor, action="moderation.edit_title", target_type=kind.name,
                 target_id=obj.id, now=now, before=before, after=title)
    kind.changed(db, obj, "edit_title", actor=actor, now=now)


def report(db: Session, kind: Kind, obj: Any, *, reason: str, comment: str, reporter: Any,
           now: datetime) -> bool:
    """File a report; False when this person had already reported this post."""
    if reason not in REPORT_REASONS:
        raise ModerationError("report_reason", "reason")
    if not can(reporter, "moderation.report", kind.describe(obj), now=now):
        raise ModerationError("forbidden")
    try:
        with db.begin_nested():
            db.add(Report(kind=kind.name, item_id=obj.id, reporter_id=reporter.id,
                          reason=reason, comment=comment.strip()[:500], created_at=now))
            db.flush()
    except IntegrityError:
        return False
    return True


def open_reports(db: Session, kind: str, item_ids: Iterable[int]) -> dict[int, list[Report]]:
    ids = list(item_ids)
    found: dict[int, list[Report]] = {}
    if not ids:
        return found
    for report_ in db.scalars(select(Report).where(
            Report.kind == kind, Report.item_id.in_(ids), Report.resolved_at.is_(None))
            .order_by(Report.created_at)):
        found.setdefault(report_.item_id, []).append(report_)
    return found


def set_mode(db: Session, quartier: Any, mode: str, *, actor: User | None, now: datetime) -> None:
    if mode not in {m.value for m in Mode}:
        raise ModerationError("mode", "mode")
    if quartier.moderation_mode == mode:
        return
    before = quartier.moderation_mode
    quartier.moderation_mode = mode
    db.flush()
    audit.record(db, actor=actor, action="moderation.mode", target_type="quartier",
                 target_id=quartier.id, now=now, before=before, after=mode)
