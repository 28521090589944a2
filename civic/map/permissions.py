"""Who may do what on the quartier map."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from civic.accounts.models import Role
from civic.accounts.permissions import is_pilot
from civic.core.permissions import rule
from civic.moderation.models import State

if TYPE_CHECKING:
    from civic.accounts.models import User


def _animates(user: User | None, quartier_id: int) -> bool:
    return user is not None and user.has_role(Role.ANIMATOR, quartier_id=quartier_id)


@rule("map.add")
def add(user: User | None, _quartier: Any, _now: datetime) -> bool:
    return user is not None


@rule("map.view_point")
def view_point(user: User | None, point: Any, _now: datetime) -> bool:
    if point.moderation == State.PUBLISHED:
        return True
    return user is not None and (
        point.author_id == user.id or is_pilot(user)
        or user.has_role(Role.MODERATOR, quartier_id=point.quartier_id))


@rule("map.support")
def support(user: User | None, point: Any, _now: datetime) -> bool:
    return (user is not None and point.moderation == State.PUBLISHED
            and point.author_id != user.id)


@rule("map.to_idea")
def to_idea(user: User | None, point: Any, _now: datetime) -> bool:
    """A moderator of the quartier or a pilot turns a point into an idea, once."""
    if user is None or point.moderation != State.PUBLISHED or point.idea_id is not None:
        return False
    return is_pilot(user) or user.has_role(Role.MODERATOR, quartier_id=point.quartier_id)


@rule("map.walks")
def walks(user: User | None, quartier: Any, _now: datetime) -> bool:
    """The walks of a quartier and their exports: its animators and pilots."""
    return quartier is not None and (is_pilot(user) or _animates(user, quartier.id))


@rule("map.create_walk")
def create_walk(user: User | None, quartier: Any, _now: datetime) -> bool:
    """Only the quartier's animators lead walks."""
    return quartier is not None and _animates(user, quartier.id)


@rule("map.walk_point")
def walk_point(user: User | None, walk: Any, _now: datetime) -> bool:
    return walk is not None and _animates(user, walk.quartier_id)


@rule("map.landmarks")
def landmarks(user: User | None, _quartier: Any, _now: datetime) -> bool:
    return is_pilot(user)
