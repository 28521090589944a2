"""The matrix of reaching residents: every role × every rule × its targets (a poster of
the quartier where the moderator and animator act or of another, of the whole contract,
of something no longer announced; one's own mail choices or someone else's)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from civic.core.permissions import can
from tests import factories
from tests.factories import NOW

ROLES = ["anonymous", "resident", "moderator", "animator", "signatory", "pilot", "unenrolled"]
#: action → target → the roles allowed. "A": the quartier where the moderator and the
#: animator act; "B": another; "contract": a survey of the whole contract; "over": an
#: event already over.
MATRIX: dict[str, dict[str, set[str]]] = {
    "outreach.poster": {"round-A": {"animator", "pilot"}, "round-B": {"pilot"},
                        "event-A": {"animator", "pilot"}, "box-B": {"pilot"},
                        "contract": {"animator", "pilot"}, "over": set()},
    "outreach.preferences": {"own": set(ROLES) - {"anonymous"}, "other": set()},
    "outreach.letter_counts": {"-": {"pilot"}},
    "outreach.letter_export": {"A": {"pilot"}, "none": set()},
}
ACTIONS = sorted(MATRIX)
CELLS = [(action, target, role, role in allowed)
         for action, targets in MATRIX.items() for target, allowed in targets.items()
         for role in ROLES]


@pytest.mark.parametrize(("action", "target", "role", "allowed"), CELLS,
                         ids=[f"{a}-{t}-{r}" for a, t, r, _ in CELLS])
def test_outreach_permission_cell(db: Any, people: dict[str, Any], unenrolled: Any,
                                  quartier: Any, other_quartier: Any, survey: Any,
                                  action: str, target: str, role: str,
                                  allowed: bool) -> None:
    everyone = {**people, "unenrolled": unenrolled}
    user = None if role == "anonymous" else everyone[role]
    builders: dict[str, Callable[[], Any]] = {
        "round-A": lambda: factories.make_round(db, factories.make_fund(db, quartier)),
        "round-B": lambda: factories.make_round(db, factories.make_fund(db, other_quartier)),
        "event-A": lambda: factories.make_event(db, quartier),
        "box-B": lambda: other_quartier,
        "contract": lambda: survey,
        "over": lambda: factories.make_event(db, quartier, starts_at=NOW - timedelta(days=2),
                                             ends_at=NOW - timedelta(days=1)),
        "own": lambda: user,
        "other": lambda: factories.make_user(db, display_name="Quelqu’un"),
        "A": lambda: quartier,
        "none": lambda: None,
        "-": lambda: None,
    }
    assert can(user, action, builders[target](), now=NOW) is allowed


def test_the_matrix_names_every_outreach_rule() -> None:
    from civic.core import permissions

    assert [a for a in permissions.actions() if a.startswith("outreach.")] == ACTIONS
