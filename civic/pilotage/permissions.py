"""Who reads the steering data: pilots everything, signatories the cooperative
dashboard, everybody the open data."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from civic.accounts.models import Role
from civic.accounts.permissions import is_pilot
from civic.core.permissions import rule

if TYPE_CHECKING:
    from civic.accounts.models import User


def is_signatory(user: User | None) -> bool:
    return user is not None and user.has_role(Role.SIGNATORY)


@rule("pilotage.dashboard")
def dashboard(user: User | None, _target: Any, _now: datetime) -> bool:
    """The steering dashboard, its exports and the yearly report: pilots."""
    return is_pilot(user)


@rule("pilotage.cooperative")
def cooperative(user: User | None, _target: Any, _now: datetime) -> bool:
    """The cooperative dashboard: every signatory sees every other's, and pilots."""
    return is_pilot(user) or is_signatory(user)


@rule("pilotage.tokens")
def tokens(user: User | None, _target: Any, _now: datetime) -> bool:
    """API tokens: for pilots and signatories, each managing their own."""
    return is_pilot(user) or is_signatory(user)
