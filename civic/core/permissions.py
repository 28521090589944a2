"""One entry point for every permission: ``can(user, action, target, now=...)``.

Each part registers small predicates with ``@rule("part.action")``. A predicate takes
``(user, target, now)``, where ``user`` is ``None`` for an anonymous visitor, and
answers with plain ``and``/``or`` and early returns. Views, templates and menus all ask
``can()``; ``require()`` turns a refusal into ``PermissionDenied``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from civic.core import clock

Predicate = Callable[[Any, Any, datetime], bool]

_rules: dict[str, Predicate] = {}


class PermissionDenied(Exception):
    """Raised by ``require``: the error handler answers 403, or asks anonymous visitors to
    log in."""

    def __init__(self, action: str, anonymous: bool) -> None:
        super().__init__(action)
        self.action = action
        self.anonymous = anonymous


def rule(action: str) -> Callable[[Predicate], Predicate]:
    def register(predicate: Predicate) -> Predicate:
        if action in _rules:
            raise ValueError(f"permission rule {action!r} registered twice")
        _rules[action] = predicate
        return predicate

    return register


def actions() -> list[str]:
    return sorted(_rules)


def _known_user(user: Any) -> Any:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def can(user: Any, action: str, target: Any = None, *, now: datetime | None = None) -> bool:
    """Whether ``user`` may do ``action`` on ``target``. Unknown actions are a bug: KeyError."""
    predicate = _rules[action]
    return bool(predicate(_known_user(user), target, now or clock.now()))


def require(user: Any, action: str, target: Any = None, *, now: datetime | None = None) -> None:
    if not can(user, action, target, now=now):
        raise PermissionDenied(action, anonymous=_known_user(user) is None)
