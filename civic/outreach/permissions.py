"""Who may do what to reach residents. Posters: pilots for everything; animators for
what happens in their quartiers, and for what concerns the whole contract (an event of
the contract, a survey of the evaluation) as soon as they animate one quartier."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from civic.accounts.models import Role
from civic.accounts.permissions import is_pilot
from civic.budget.models import Round
from civic.core.permissions import rule
from civic.evaluation.models import Survey
from civic.events.models import Event
from civic.moderation.models import State
from civic.territory.models import Quartier

if TYPE_CHECKING:
    from civic.accounts.models import User


def poster_quartier_id(subject: Any) -> int | None:
    """The quartier a poster's subject belongs to; ``None``: the whole contract."""
    if isinstance(subject, Round):
        return subject.fund.quartier_id
    if isinstance(subject, Quartier):  # its idea box
        return subject.id
    if isinstance(subject, Event):
        return subject.quartier_id
    return None  # a survey asks the whole contract


def still_announced(subject: Any, now: datetime) -> bool:
    """Whether a poster still has something to announce: a published event that is
    neither cancelled nor over, a survey still taking answers or yet to open. A round
    (its vote, then its results) and an idea box always have."""
    if isinstance(subject, Event):
        return (subject.moderation == State.PUBLISHED and subject.cancelled_at is None
                and subject.ends_at > now)
    if isinstance(subject, Survey):
        return subject.results_at is None and subject.closes_at > now
    return isinstance(subject, Round | Quartier)


@rule("outreach.poster")
def poster(user: User | None, subject: Any, now: datetime) -> bool:
    """Printing a poster of ``subject`` (a round, an event, a survey, or a quartier for
    its idea box)."""
    if user is None or subject is None or not still_announced(subject, now):
        return False
    if is_pilot(user):
        return True
    animated = user.quartier_ids_for(Role.ANIMATOR)
    quartier_id = poster_quartier_id(subject)
    if quartier_id is None:
        return bool(animated)
    return quartier_id in animated


# --- The mail a resident chooses, the quartiers' letters ---------------------------------


@rule("outreach.preferences")
def preferences(user: User | None, account: Any, _now: datetime) -> bool:
    """Choosing what one hears about: one's own account only (``account``; ``None``:
    one's own)."""
    return user is not None and (account is None or account.id == user.id)


@rule("outreach.letter_counts")
def letter_counts(user: User | None, _target: Any, _now: datetime) -> bool:
    """How many addresses read each quartier's letter: pilots."""
    return is_pilot(user)


@rule("outreach.letter_export")
def letter_export(user: User | None, quartier: Any, _now: datetime) -> bool:
    """The addresses of a quartier's letter, with a reason the audit log keeps: pilots."""
    return quartier is not None and is_pilot(user)
