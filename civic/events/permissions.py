"""Who may do what with events. Animators run their quartiers' events; pilots run all
of them and the contract's own; residents sign up and propose."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from civic.accounts.models import Role
from civic.accounts.permissions import is_pilot
from civic.core.permissions import rule
from civic.moderation.models import State

if TYPE_CHECKING:
    from civic.accounts.models import User


def _animates(user: User | None, quartier_id: int | None) -> bool:
    return (user is not None and quartier_id is not None
            and user.has_role(Role.ANIMATOR, quartier_id=quartier_id))


def _runs(user: User | None, event: Any) -> bool:
    """Animators of the event's quartier and pilots (for contract-wide events, pilots)."""
    return event is not None and (is_pilot(user) or _animates(user, event.quartier_id))


@rule("events.view")
def view(user: User | None, event: Any, _now: datetime) -> bool:
    if event.moderation == State.PUBLISHED:
        return True
    return user is not None and (
        event.author_id == user.id or _runs(user, event)
        or (event.quartier_id is not None
            and user.has_role(Role.MODERATOR, quartier_id=event.quartier_id)))


@rule("events.create")
def create(user: User | None, quartier: Any, _now: datetime) -> bool:
    """Publish at once: the quartier's animators, and pilots (also for the whole contract,
    ``quartier`` None)."""
    return is_pilot(user) or (quartier is not None and _animates(user, quartier.id))


@rule("events.propose")
def propose(user: User | None, quartier: Any, _now: datetime) -> bool:
    """Any resident or association with an account proposes; moderators decide."""
    return user is not None and quartier is not None


@rule("events.edit")
def edit(user: User | None, event: Any, _now: datetime) -> bool:
    return _runs(user, event)


@rule("events.attendees")
def attendees(user: User | None, event: Any, _now: datetime) -> bool:
    """The list of people signed up (names, needs, contacts), writing to them, and the
    attendance at the door: the people who run the event and the person or association
    who proposed it (its organiser), while the list exists and the event is published."""
    if event is None or event.purged_at is not None:
        return False
    organiser = (user is not None and event.author_id == user.id
                 and event.moderation == State.PUBLISHED)
    return _runs(user, event) or organiser


@rule("events.name_signatory")
def name_signatory(user: User | None, signatory: Any, _now: datetime) -> bool:
    """Naming a partner of the contract as an event's organiser lends it that partner's
    trust (and, before, the guests' contacts): pilots, and the partner's own referents."""
    return signatory is not None and (is_pilot(user) or (
        user is not None and user.has_role(Role.SIGNATORY, signatory_id=signatory.id)))


@rule("events.sign_up")
def sign_up(_user: Any, event: Any, now: datetime) -> bool:
    """Anyone, with or without an account, until the event starts."""
    return (event.moderation == State.PUBLISHED and event.cancelled_at is None
            and event.starts_at > now)


@rule("events.manage")
def manage(user: User | None, _target: Any, _now: datetime) -> bool:
    """« Mes événements »: pilots, and animators of at least one quartier."""
    return is_pilot(user) or (user is not None and bool(user.quartier_ids_for(Role.ANIMATOR)))


@rule("events.propose_any")
def propose_any(user: User | None, _target: Any, _now: datetime) -> bool:
    """The form to propose or create an event: anybody with an account."""
    return user is not None
