"""The matrix of the commitments' measures: every role × every rule × own or other
signatory's indicator."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from civic.core.permissions import can
from civic.evaluation import services
from tests.evaluation.conftest import INDICATOR, NOW

ROLES = ["anonymous", "resident", "moderator", "animator", "signatory", "pilot", "unenrolled"]
#: action → target → the roles allowed. "own": an indicator of the signatory the
#: signatory account refers for; "other": another signatory's.
MATRIX: dict[str, dict[str, set[str]]] = {
    "evaluation.manage": {"-": {"pilot"}},
    "evaluation.read_commitments": {"-": {"signatory", "pilot"}},
    "evaluation.define_indicator": {"own": {"pilot"}, "other": {"pilot"}},
    "evaluation.enter_value": {"own": {"signatory", "pilot"}, "other": {"pilot"}},
}
ACTIONS = sorted(MATRIX)
CELLS = [(action, target, role, role in allowed)
         for action, targets in MATRIX.items() for target, allowed in targets.items()
         for role in ROLES]


def _values() -> dict[str, Any]:
    return {**INDICATOR, "baseline": Decimal(INDICATOR["baseline"]),
            "target": Decimal(INDICATOR["target"])}


@pytest.mark.parametrize(("action", "target", "role", "allowed"), CELLS,
                         ids=[f"{a}-{t}-{r}" for a, t, r, _ in CELLS])
def test_evaluation_permission_cell(db: Any, people: dict[str, Any], unenrolled: Any,
                                    commitment: Any, other_commitment: Any, action: str,
                                    target: str, role: str, allowed: bool) -> None:
    user = None if role == "anonymous" else {**people, "unenrolled": unenrolled}[role]
    chosen = {"own": commitment, "other": other_commitment}.get(target)
    subject: Any = None
    if chosen is not None:
        subject = chosen if action == "evaluation.define_indicator" else \
            services.add_indicator(db, chosen, _values(), actor=None, now=NOW)
    assert can(user, action, subject) is allowed


def test_the_matrix_names_every_evaluation_rule() -> None:
    from civic.core import permissions

    assert [a for a in permissions.actions() if a.startswith("evaluation.")] == ACTIONS
