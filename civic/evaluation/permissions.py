"""Who measures the commitments: pilots define the indicators; a signatory's referent
enters the yearly values of that signatory's indicators (pilots may too); pilots and
every signatory read them all (the cooperative dashboard's rule)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from civic.accounts.models import Role
from civic.accounts.permissions import is_pilot
from civic.core.permissions import rule

if TYPE_CHECKING:
    from civic.accounts.models import User


@rule("evaluation.manage")
def manage(user: User | None, _target: Any, _now: datetime) -> bool:
    """Opening an evaluation, its calendar and its questions: pilots."""
    return is_pilot(user)


@rule("evaluation.read_commitments")
def read_commitments(user: User | None, _target: Any, _now: datetime) -> bool:
    return is_pilot(user) or (user is not None and user.has_role(Role.SIGNATORY))


@rule("evaluation.define_indicator")
def define_indicator(user: User | None, _commitment: Any, _now: datetime) -> bool:
    return is_pilot(user)


@rule("evaluation.enter_value")
def enter_value(user: User | None, indicator: Any, _now: datetime) -> bool:
    """``indicator``: a ``CommitmentIndicator``; its signatory's referent, or a pilot."""
    if user is None or indicator is None:
        return False
    return is_pilot(user) or user.has_role(
        Role.SIGNATORY, signatory_id=indicator.commitment.signatory_id)
