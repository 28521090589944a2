"""Who moderates: conseil citoyen members of the post's quartier, never on their own posts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from civic.accounts.models import Role
from civic.accounts.permissions import is_pilot
from civic.core.permissions import rule
from civic.moderation.models import State

if TYPE_CHECKING:
    from civic.accounts.models import User


@rule("moderation.queue")
def queue(user: User | None, _target: Any, _now: datetime) -> bool:
    return user is not None and bool(user.quartier_ids_for(Role.MODERATOR))


@rule("moderation.moderate")
def moderate(user: User | None, item: Any, _now: datetime) -> bool:
    """``item`` is a registry Item: its quartier and its author decide."""
    if user is None or item is None:
        return False
    return user.has_role(Role.MODERATOR, quartier_id=item.quartier_id) and (
        item.author_id != user.id)


@rule("moderation.settings")
def settings(user: User | None, quartier: Any, _now: datetime) -> bool:
    """Pre- or post-moderation is the quartier's choice: its moderators, or a pilot."""
    if user is None or quartier is None:
        return False
    return is_pilot(user) or user.has_role(Role.MODERATOR, quartier_id=quartier.id)


@rule("moderation.report")
def report(user: User | None, item: Any, _now: datetime) -> bool:
    return (user is not None and item is not None and item.state == State.PUBLISHED
            and item.author_id != user.id)
