"""The reads of the steering pages beyond the indicators' tables: the ideas the yearly
report quotes, and API tokens (the account a token stands for, an account's tokens)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.ideas.models import Idea, Status
from civic.moderation.models import State
from civic.pilotage.models import ApiToken
from civic.pilotage.scope import Scope

if TYPE_CHECKING:
    from civic.accounts.models import User

#: What every API token's value starts with (it tells a token from another secret).
PREFIX = "civic_"
#: The statuses of an idea the yearly report quotes as answered.
ANSWERED = (Status.PLANNED, Status.DONE, Status.FORWARDED, Status.FPH, Status.NOT_FEASIBLE)


def answered_ideas(db: Session, scope: Scope, *, limit: int = 12) -> list[Idea]:
    """The published ideas the project team answered in the period, latest answer first
    (the yearly report's examples)."""
    q, o = scope.quartier_id, scope.orientation_id
    return list(db.scalars(
        select(Idea).where(Idea.responded_at >= scope.start, Idea.responded_at < scope.end,
                           Idea.moderation == State.PUBLISHED,
                           Idea.status.in_(ANSWERED),
                           *([Idea.quartier_id == q] if q else []),
                           *([Idea.orientation_id == o] if o else []))
        .order_by(Idea.responded_at.desc()).limit(limit)))


def token_digest(value: str) -> str:
    """What is kept of a token's value: its SHA-256, in hexadecimal."""
    return hashlib.sha256(value.encode()).hexdigest()


def owner_of(db: Session, value: str, *, now: datetime) -> Any:
    """The account a live token stands for, or None; notes when it was last used."""
    if not value.startswith(PREFIX) or len(value) > 100:
        return None
    token = db.scalar(select(ApiToken).where(ApiToken.digest == token_digest(value)))
    if token is None or token.revoked_at is not None or token.user.deleted_at is not None:
        return None
    token.last_used_at = now
    return token.user


def of_user(db: Session, user: User) -> list[ApiToken]:
    """An account's tokens, newest first, revoked ones included."""
    return list(db.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                           .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))
