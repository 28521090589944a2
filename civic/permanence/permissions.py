"""Who may run a permanence's tablet, and who prints vote codes."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from civic.accounts.models import Role
from civic.accounts.permissions import is_pilot
from civic.budget.phases import Phase
from civic.core.permissions import rule

if TYPE_CHECKING:
    from civic.accounts.models import User


@rule("permanence.hub")
def hub(user: User | None, _target: Any, _now: datetime) -> bool:
    """The tablet's home: animators of at least one quartier."""
    return user is not None and bool(user.quartier_ids_for(Role.ANIMATOR))


@rule("permanence.run")
def run(user: User | None, permanence: Any, _now: datetime) -> bool:
    """Kiosk and paper votes at a permanence: animators of its quartier only."""
    return user is not None and user.has_role(Role.ANIMATOR,
                                              quartier_id=permanence.quartier_id)


@rule("permanence.paper")
def paper(user: User | None, permanence: Any, _now: datetime) -> bool:
    """Paper votes of a permanence, and their corrections until the count: animators of
    its quartier, pilots."""
    return is_pilot(user) or (user is not None and user.has_role(
        Role.ANIMATOR, quartier_id=permanence.quartier_id))


@rule("permanence.codes")
def print_codes(user: User | None, round_: Any, now: datetime) -> bool:
    """Pilots print vote codes until the vote closes."""
    return is_pilot(user) and round_.phase(now) in (
        Phase.UPCOMING, Phase.SUBMISSION, Phase.REVIEW, Phase.VOTE)


@rule("permanence.print_codes")
def print_codes_here(user: User | None, permanence: Any, _now: datetime) -> bool:
    """Animators print vote codes for their own permanence (audited); the round's phase
    is checked when printing."""
    return user is not None and user.has_role(Role.ANIMATOR,
                                              quartier_id=permanence.quartier_id)


@rule("permanence.slots")
def slots(user: User | None, quartier: Any, _now: datetime) -> bool:
    """The weekly permanence hours and closures of a quartier: its animators, pilots."""
    return quartier is not None and (
        is_pilot(user) or (user is not None
                           and user.has_role(Role.ANIMATOR, quartier_id=quartier.id)))
