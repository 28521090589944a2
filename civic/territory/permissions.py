"""Who may set up the contract and its territory."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from civic.accounts.permissions import is_pilot
from civic.core.permissions import rule

if TYPE_CHECKING:
    from civic.accounts.models import User


@rule("territory.manage")
def manage_territory(user: User | None, _target: Any, _now: datetime) -> bool:
    return is_pilot(user)
