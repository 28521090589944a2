"""The whole permission matrix: role × action × own/other quartier, each cell asserted."""

from __future__ import annotations

from typing import Any

import pytest

from civic.core import permissions
from civic.core.permissions import PermissionDenied, can, require

#: "unenrolled" holds every role but has no second step at login: it gets what a resident gets.
ROLES = ["anonymous", "resident", "moderator", "animator", "signatory", "pilot", "unenrolled"]

#: action → target → the roles allowed. Targets: "A" is the quartier where the moderator
#: and animator act, "B" another quartier, "self"/"other" an account.
MATRIX: dict[str, dict[str, set[str]]] = {
    "admin.access": {"-": {"pilot"}},
    "territory.manage": {"-": {"pilot"}},
    "accounts.manage_roles": {"-": {"pilot"}},
    # The journal: a pilot reads all of it, a moderator the history of their quartiers.
    "audit.read": {"-": {"pilot", "moderator"}, "A": {"pilot", "moderator"},
                   "B": {"pilot"}},
    "mail.manage": {"-": {"pilot"}},
    "quartier.moderate": {"A": {"moderator"}, "B": set()},
    "quartier.animate": {"A": {"animator"}, "B": set()},
    "account.edit": {"self": {"resident", "moderator", "animator", "signatory", "pilot",
                              "unenrolled"},
                     "other": set()},
}


def test_the_matrix_covers_every_registered_action() -> None:
    """Each part's matrix lives with its tests; together they cover every action."""
    from tests.budget.test_permissions import ACTIONS as BUDGET_ACTIONS
    from tests.evaluation.test_permissions import ACTIONS as EVALUATION_ACTIONS
    from tests.events.test_permissions import ACTIONS as EVENTS_ACTIONS
    from tests.ideas.test_permissions import ACTIONS as IDEAS_ACTIONS
    from tests.map.test_permissions import ACTIONS as MAP_ACTIONS
    from tests.moderation.test_permissions import ACTIONS as MODERATION_ACTIONS
    from tests.outreach.test_permissions import ACTIONS as OUTREACH_ACTIONS
    from tests.permanence.test_permissions import ACTIONS as PERMANENCE_ACTIONS
    from tests.pilotage.test_permissions import ACTIONS as PILOTAGE_ACTIONS

    assert sorted([*MATRIX, *BUDGET_ACTIONS, *PERMANENCE_ACTIONS, *IDEAS_ACTIONS,
                   *MODERATION_ACTIONS, *MAP_ACTIONS, *EVENTS_ACTIONS,
                   *PILOTAGE_ACTIONS, *EVALUATION_ACTIONS,
                   *OUTREACH_ACTIONS]) == permissions.actions()


CELLS = [(action, target, role, role in allowed)
         for action, targets in MATRIX.items()
         for target, allowed in targets.items()
         for role in ROLES]


@pytest.mark.parametrize(("action", "target", "role", "allowed"), CELLS,
                         ids=[f"{a}-{t}-{r}" for a, t, r, _ in CELLS])
def test_permission_cell(people: dict[str, Any], unenrolled: Any, quartier: Any,
                         other_quartier: Any, action: str, target: str, role: str,
                         allowed: bool) -> None:
    user = None if role == "anonymous" else {**people, "unenrolled": unenrolled}[role]
    targets = {"-": None, "A": quartier, "B": other_quartier, "self": user,
               "other": people["resident"] if role != "resident" else people["pilot"]}
    assert can(user, action, targets[target]) is allowed


def test_require_refuses_with_the_reason(people: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied) as refused:
        require(people["resident"], "territory.manage")
    assert refused.value.anonymous is False
    with pytest.raises(PermissionDenied) as anonymous:
        require(None, "territory.manage")
    assert anonymous.value.anonymous is True
    require(people["pilot"], "territory.manage")


def test_an_unknown_action_is_a_bug_not_a_refusal() -> None:
    with pytest.raises(KeyError):
        can(None, "nothing.such")


def test_a_deleted_grant_takes_the_right_away(db: Any, people: dict[str, Any],
                                              quartier: Any) -> None:
    moderator = people["moderator"]
    moderator.roles.clear()
    db.flush()
    assert not can(moderator, "quartier.moderate", quartier)
