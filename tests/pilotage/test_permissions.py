"""Steering permission matrix: every role × every pilotage rule → allowed; for the rule
that reads a table, every role × every audience × every table of it."""

from __future__ import annotations

from typing import Any

import pytest

from civic.core.permissions import can
from civic.pilotage import indicators
from civic.pilotage.tables import AUDIENCES, Spec

#: "unenrolled" holds every role but has no second step at login: it gets what a resident gets.
ROLES = ["anonymous", "resident", "moderator", "animator", "signatory", "pilot", "unenrolled"]
#: action → the roles allowed. The dashboard, its exports and the report are the pilots';
#: the cooperative dashboard is every signatory's too, and so are API tokens.
MATRIX: dict[str, set[str]] = {
    "pilotage.cooperative": {"signatory", "pilot"},
    "pilotage.dashboard": {"pilot"},
    "pilotage.tokens": {"signatory", "pilot"},
}
#: "pilotage.read_table", whose target is a table's Spec: its audience → the roles that
#: read it. Open tables are everybody's (small cells hidden), the cooperative ones every
#: signatory's, the others the pilots'.
READ_TABLE: dict[str, set[str]] = {
    "open": set(ROLES),
    "cooperative": {"signatory", "pilot"},
    "dashboard": {"pilot"},
}
ACTIONS = sorted([*MATRIX, "pilotage.read_table"])

CELLS = [(action, role) for action in sorted(MATRIX) for role in ROLES]
TABLE_CELLS = [(audience, role) for audience in READ_TABLE for role in ROLES]


def _user(people: dict[str, Any], unenrolled: Any, role: str) -> Any:
    return None if role == "anonymous" else {**people, "unenrolled": unenrolled}[role]


def _made_up(audience: str) -> Spec:
    """A table of ``audience`` that no page shows: the rule reads the audience only."""
    return Spec("made_up", "Made up", "Nothing", (), lambda _db, _scope: ([], None), audience)


@pytest.mark.parametrize(("action", "role"), CELLS, ids=[f"{a}-{r}" for a, r in CELLS])
def test_pilotage_permission_cell(people: dict[str, Any], unenrolled: Any, quartier: Any,
                                  action: str, role: str) -> None:
    user = _user(people, unenrolled, role)
    allowed = role in MATRIX[action]
    assert can(user, action) is allowed
    assert can(user, action, quartier) is allowed  # no target narrows these rules


def test_the_matrix_names_every_pilotage_rule() -> None:
    from civic.core import permissions

    assert [a for a in permissions.actions() if a.startswith("pilotage.")] == ACTIONS


@pytest.mark.parametrize(("audience", "role"), TABLE_CELLS,
                         ids=[f"pilotage.read_table-{a}-{r}" for a, r in TABLE_CELLS])
def test_reading_a_table_cell(people: dict[str, Any], unenrolled: Any, audience: str,
                              role: str) -> None:
    user = _user(people, unenrolled, role)
    allowed = role in READ_TABLE[audience]
    specs = [*indicators.by_audience(audience), _made_up(audience)]
    assert len(specs) > 1, audience  # every audience has real tables
    for spec in specs:
        assert can(user, "pilotage.read_table", spec) is allowed, spec.key


def test_the_table_matrix_covers_every_audience_and_every_table() -> None:
    assert set(READ_TABLE) == set(AUDIENCES)
    assert sorted(key for audience in AUDIENCES
                  for key in (s.key for s in indicators.by_audience(audience))) == sorted(
        indicators.ALL)


@pytest.mark.parametrize("role", ROLES)
def test_reading_needs_a_table(people: dict[str, Any], unenrolled: Any, quartier: Any,
                               role: str) -> None:
    """The rule is about a table: without one (or with something else) nobody reads."""
    user = _user(people, unenrolled, role)
    for target in (None, quartier, "participants"):
        assert can(user, "pilotage.read_table", target) is False


def test_the_tables_read_follow_the_pages(people: dict[str, Any]) -> None:
    """A signatory reads the cooperative dashboard's tables and open data, not the
    steering dashboard's own; a pilot reads every table of every page."""
    signatory, pilot = people["signatory"], people["pilot"]
    for spec in indicators.COOPERATIVE + indicators.OPEN:
        assert can(signatory, "pilotage.read_table", spec), spec.key
    for spec in indicators.DASHBOARD:
        allowed = spec in indicators.COOPERATIVE or spec in indicators.OPEN
        assert can(signatory, "pilotage.read_table", spec) is allowed, spec.key
    assert all(can(pilot, "pilotage.read_table", spec) for spec in indicators.ALL.values())


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
    for spec in indicators.ALL.values():  # open data only, as for anybody
        assert can(pilot, "pilotage.read_table", spec) is (spec.audience == "open")
        assert can(signatory, "pilotage.read_table", spec) is (spec.audience == "open")


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
    assert can(both, "pilotage.read_table", indicators.forwardings)
    assert not can(both, "pilotage.read_table", indicators.participants)
