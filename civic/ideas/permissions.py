"""Who may do what in the idea box."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from civic.accounts.models import Role
from civic.accounts.permissions import is_pilot
from civic.core.permissions import rule
from civic.moderation.models import State

if TYPE_CHECKING:
    from civic.accounts.models import User


def _insider(user: User | None, idea: Any) -> bool:
    """Its author, the quartier's moderators and pilots see an idea in every state."""
    return user is not None and (
        idea.author_id == user.id or is_pilot(user)
        or user.has_role(Role.MODERATOR, quartier_id=idea.quartier_id))


@rule("ideas.post")
def post(user: User | None, _quartier: Any, _now: datetime) -> bool:
    return user is not None


@rule("ideas.post_for")
def post_for(user: User | None, quartier: Any, _now: datetime) -> bool:
    """At a permanence, an animator types the idea of a person without an account."""
    return user is not None and quartier is not None and user.has_role(
        Role.ANIMATOR, quartier_id=quartier.id)


@rule("ideas.view")
def view(user: User | None, idea: Any, _now: datetime) -> bool:
    """Published ideas are public, and so is the reason of a rejection (not the text);
    pending and hidden ones only for their author, the quartier's moderators, pilots."""
    return idea.moderation in (State.PUBLISHED, State.REJECTED) or _insider(user, idea)


@rule("ideas.read_text")
def read_text(user: User | None, idea: Any, _now: datetime) -> bool:
    return idea.moderation == State.PUBLISHED or _insider(user, idea)


@rule("ideas.support")
def support(user: User | None, idea: Any, _now: datetime) -> bool:
    return (user is not None and idea.moderation == State.PUBLISHED
            and idea.author_id != user.id)


@rule("ideas.comment")
def comment(user: User | None, idea: Any, _now: datetime) -> bool:
    return user is not None and idea.moderation == State.PUBLISHED


@rule("ideas.follow")
def follow(user: User | None, idea: Any, _now: datetime) -> bool:
    return user is not None and idea.moderation == State.PUBLISHED


@rule("ideas.answer")
def answer(user: User | None, idea: Any, _now: datetime) -> bool:
    """The project team answers in the name of the contract's partners."""
    return is_pilot(user) and idea.moderation == State.PUBLISHED


@rule("ideas.signatory_space")
def signatory_space(user: User | None, _target: Any, _now: datetime) -> bool:
    return user is not None and user.has_role(Role.SIGNATORY)


@rule("ideas.view_forwarding")
def view_forwarding(user: User | None, forwarding: Any, _now: datetime) -> bool:
    return user is not None and forwarding is not None and (
        is_pilot(user) or user.has_role(Role.SIGNATORY, signatory_id=forwarding.signatory_id))


@rule("ideas.answer_forwarding")
def answer_forwarding(user: User | None, forwarding: Any, _now: datetime) -> bool:
    """The signatory answers what was forwarded to it, once."""
    return (user is not None and forwarding is not None and forwarding.answered_at is None
            and user.has_role(Role.SIGNATORY, signatory_id=forwarding.signatory_id))
