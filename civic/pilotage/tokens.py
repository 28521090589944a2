"""API tokens: created shown once, kept as a hash, revoked by their owner."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.core import audit
from civic.pilotage.models import ApiToken

if TYPE_CHECKING:
    from civic.accounts.models import User

PREFIX = "civic_"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def create(db: Session, user: User, name: str, *, now: datetime) -> tuple[ApiToken, str]:
    """A new token and its value, which is shown this once and never stored."""
    value = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=" ".join(name.split())[:80], digest=_digest(value),
                     prefix=value[:12], created_at=now)
    db.add(token)
    db.flush()
    audit.record(db, actor=user, action="pilotage.token_created", target_type="api_token",
                 target_id=token.id, now=now)
    return token, value


def revoke(db: Session, token: ApiToken, *, actor: User | None, now: datetime) -> None:
    if token.revoked_at is None:
        token.revoked_at = now
        db.flush()
        audit.record(db, actor=actor, action="pilotage.token_revoked",
                     target_type="api_token", target_id=token.id, now=now)


def owner_of(db: Session, value: str, *, now: datetime) -> Any:
    """The account a live token stands for, or None; notes when it was last used."""
    if not value.startswith(PREFIX) or len(value) > 100:
        return None
    token = db.scalar(select(ApiToken).where(ApiToken.digest == _digest(value)))
    if token is None or token.revoked_at is not None or token.user.deleted_at is not None:
        return None
    token.last_used_at = now
    return token.user


def of_user(db: Session, user: User) -> list[ApiToken]:
    return list(db.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                           .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))
