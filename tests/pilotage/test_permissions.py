"""Steering permission matrix: every role × every pilotage rule → allowed."""

from __future__ import annotations

from typing import Any

import pytest

from civic.core.permissions import can

#: "unenrolled" holds every role but has no second step at login: it gets what a resident gets.
ROLES = ["anonymous", "resident", "moderator", "animator", "signatory", "pilot", "unenrolled"]
#: action → the roles allowed. The dashboard, its exports and the report are the pilots';
#: the cooperative dashboard is every signatory's too, and so are API tokens.
MATRIX: dict[str, set[str]] = {
    "pilotage.cooperative": {"signatory", "pilot"},
    "pilotage.dashboard": {"pilot"},
    "pilotage.tokens": {"signatory", "pilot"},
}
ACTIONS = sorted(MATRIX)

CELLS = [(action, role) for action in ACTIONS for role in ROLES]


@pytest.mark.parametrize(("action", "role"), CELLS, ids=[f"{a}-{r}" for a, r in CELLS])
def test_pilotage_permission_cell(people: dict[str, Any], unenrolled: Any, quartier: Any,
                                  action: str, role: str) -> None:
    user = None if role == "anonymous" else {**people, "unenrolled": unenrolled}[role]
    allowed = role in MATRIX[action]
    assert can(user, action) is allowed
    assert can(user, action, quartier) is allowed  # no target narrows these rules


def test_the_matrix_names_every_pilotage_rule() -> None:
    from civic.core import permissions

    assert [a for a in permissions.actions() if a.startswith("pilotage.")] == ACTIONS


def test_a_role_taken_away_takes_the_dashboards_away(db: Any, people: dict[str, Any]) -> None:
    pilot, signatory = people["pilot"], people["signatory"]
    assert can(pilot, "pilotage.dashboard")
    assert can(signatory, "pilotage.cooperative")
    pilot.roles.clear()
    signatory.roles.clear()
    db.flush()
    for action in ACTIONS:
        assert not can(pilot, action)
        assert not can(signatory, action)


def test_several_roles_add_up(db: Any, quartier: Any, signatory: Any) -> None:
    """A moderator who also represents a signatory reads the cooperative dashboard, not
    the steering one."""
    from civic.accounts.models import Role
    from tests import factories

    both = factories.make_user(db, roles=[(Role.MODERATOR, quartier),
                                          (Role.SIGNATORY, signatory)])
    assert can(both, "pilotage.cooperative")
    assert can(both, "pilotage.tokens")
    assert not can(both, "pilotage.dashboard")
