"""Who reads the steering data: pilots everything, signatories the cooperative
dashboard, everybody the open data. Whether a table may be read is one rule,
"pilotage.read_table", whose target is the table's ``Spec``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from civic.accounts.models import Role
from civic.accounts.permissions import is_pilot
from civic.core.permissions import rule
from civic.pilotage.tables import Spec

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


@rule("pilotage.read_table")
def read_table(user: User | None, target: Any, _now: datetime) -> bool:
    """A table (``target``, its ``Spec``) by its audience: pilots read every table,
    signatories the cooperative and open ones, everybody (anonymous included) the open
    ones; an open table is read with its small counts of people hidden."""
    if not isinstance(target, Spec):
        return False
    if target.audience == "open" or is_pilot(user):
        return True
    return target.audience == "cooperative" and is_signatory(user)
