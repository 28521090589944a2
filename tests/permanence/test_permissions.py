"""Permanence permission matrix: role × own/other quartier (× phase for codes)."""

from __future__ import annotations

from typing import Any

import pytest

from civic.core.permissions import can
from tests import factories
from tests.factories import NOW

ROLES = ["anonymous", "resident", "moderator", "animator", "signatory", "pilot"]
ACTIONS = ["permanence.codes", "permanence.hub", "permanence.run"]
CODE_PHASES = {"upcoming", "submission", "review", "vote"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("where", ["A", "B"])
@pytest.mark.parametrize("phase", list(factories.PHASE_OFFSETS))
def test_permanence_cells(db: Any, people: dict, quartier: Any, other_quartier: Any,
                          role: str, where: str, phase: str) -> None:
    user = None if role == "anonymous" else people[role]
    place = quartier if where == "A" else other_quartier
    permanence = factories.make_permanence(db, place)
    round_ = factories.make_round(db, factories.make_fund(db, place), phase)
    assert can(user, "permanence.hub", None, now=NOW) is (role == "animator")
    assert can(user, "permanence.run", permanence, now=NOW) is (
        role == "animator" and where == "A")
    assert can(user, "permanence.codes", round_, now=NOW) is (
        role == "pilot" and phase in CODE_PHASES)
