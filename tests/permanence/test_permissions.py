"""Permanence permission matrix: role × own/other quartier (× phase for codes)."""

from __future__ import annotations

from typing import Any

from civic.core.permissions import can
from tests import factories
from tests.factories import NOW

#: "unenrolled" holds every role but has no second step at login: it gets what a resident gets.
ROLES = ["anonymous", "resident", "moderator", "animator", "signatory", "pilot", "unenrolled"]
ACTIONS = ["permanence.codes", "permanence.hub", "permanence.paper",
           "permanence.print_codes", "permanence.run", "permanence.slots"]
CODE_PHASES = {"upcoming", "submission", "review", "vote"}


def test_permanence_permission_matrix(db: Any, people: dict, unenrolled: Any, quartier: Any,
                                     other_quartier: Any) -> None:
    """Every cell: role × own/other quartier × phase; the wrong cells are listed."""
    wrong = []
    for where, place in (("A", quartier), ("B", other_quartier)):
        permanence = factories.make_permanence(db, place)
        fund = factories.make_fund(db, place)
        for phase in factories.PHASE_OFFSETS:
            round_ = factories.make_round(db, fund, phase)
            for role in ROLES:
                user = None if role == "anonymous" else {**people, "unenrolled": unenrolled}[role]
                cells = {
                    "permanence.hub": (can(user, "permanence.hub", None, now=NOW),
                                       role == "animator"),
                    "permanence.run": (can(user, "permanence.run", permanence, now=NOW),
                                       role == "animator" and where == "A"),
                    # paper votes and their corrections: also pilots, any quartier
                    "permanence.paper": (can(user, "permanence.paper", permanence, now=NOW),
                                         role == "pilot" or (role == "animator"
                                                             and where == "A")),
                    # an animator prints codes for their own permanence
                    "permanence.print_codes": (
                        can(user, "permanence.print_codes", permanence, now=NOW),
                        role == "animator" and where == "A"),
                    "permanence.codes": (can(user, "permanence.codes", round_, now=NOW),
                                         role == "pilot" and phase in CODE_PHASES),
                    # weekly hours and closures: the quartier's animators, and pilots
                    "permanence.slots": (can(user, "permanence.slots", place, now=NOW),
                                         role == "pilot" or (role == "animator"
                                                             and where == "A")),
                }
                wrong += [(action, role, where, phase, got)
                          for action, (got, want) in cells.items() if got is not want]
    assert wrong == []
