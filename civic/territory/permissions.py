"""Who may set up the contract and its territory."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from civic.accounts.permissions import is_pilot
from civic.core.permissions import rule


@rule("territory.manage")
def manage_territory(user: Any, _target: Any, _now: datetime) -> bool:
    return is_pilot(user)
