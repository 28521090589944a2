"""Other parts can start an FPH proposal from something a resident already wrote
(an idea turned into a project): they register a source here, and the proposal form
opens filled in. The budget part imports none of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from civic.core.forms import is_db_int

if TYPE_CHECKING:
    from civic.accounts.models import User

#: name → function(db, id, user) returning form values, or None if not allowed.
Source = Callable[[Session, int, Any], dict[str, Any] | None]
_sources: dict[str, Source] = {}


def register(name: str) -> Callable[[Source], Source]:
    def decorate(source: Source) -> Source:
        _sources[name] = source
        return source
    return decorate


def values(db: Session, reference: str | None, user: User) -> dict[str, Any]:
    """``reference`` is ``name:id`` (``idea:12``); unknown or refused gives nothing."""
    if not reference or user is None:
        return {}
    name, _sep, raw_id = reference.partition(":")
    source = _sources.get(name)
    if source is None or not is_db_int(raw_id):
        return {}
    return source(db, int(raw_id), user) or {}
