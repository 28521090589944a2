"""FPH permission matrix: role × phase × own/other quartier (and author) → allowed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from civic.accounts.models import Role
from civic.core.permissions import can
from tests import factories
from tests.factories import NOW

#: "unenrolled" holds every role but has no second step at login: it gets what a resident gets.
ROLES = ["anonymous", "resident", "author", "moderator", "animator", "signatory", "pilot",
         "unenrolled"]
PHASES = list(factories.PHASE_OFFSETS)
LOGGED_IN = set(ROLES) - {"anonymous"}


#: The rules, written out plainly for the matrix: (role, phase, here) → allowed, where
#: "here" is quartier A, the only one where the moderator and the animator act.
RULES: dict[str, Callable[[str, str, bool], bool]] = {
    "budget.manage": lambda role, phase, here: role == "pilot",
    "budget.propose": lambda role, phase, here: role in LOGGED_IN and phase == "submission",
    "budget.vote": lambda role, phase, here: role in LOGGED_IN and phase == "vote",
    "budget.review_round": lambda role, phase, here: (
        role == "moderator" and here and phase in ("submission", "review")),
    # the project's author is a resident, never the moderator
    "budget.review": lambda role, phase, here: (
        role == "moderator" and here and phase in ("submission", "review")),
    "budget.edit_project": lambda role, phase, here: role == "author" and phase == "submission",
    # a project still under review
    "budget.view_project": lambda role, phase, here: (
        role in ("author", "pilot") or (role == "moderator" and here)),
    # until the box is sealed, before the vote
    "budget.trustees": lambda role, phase, here: (
        role == "pilot" and phase in ("upcoming", "submission", "review")),
    # nobody here holds a seat (see the tests below)
    "budget.receive_share": lambda role, phase, here: False,
    # trustees or a pilot; the trustees' shares open the box
    "budget.count": lambda role, phase, here: role == "pilot" and phase == "counting",
    # the count is confirmed, the results not yet published
    "budget.publish": lambda role, phase, here: (
        role == "pilot" and phase in ("counting", "results", "follow_up")),
    # published in the results and follow-up phases
    "budget.view_results": lambda role, phase, here: (
        role == "pilot" or phase in ("results", "follow_up")),
    "budget.view_count": lambda role, phase, here: (
        role == "pilot" or (role == "moderator" and here)),
    # a funded project
    "budget.follow_up": lambda role, phase, here: role == "pilot" or (role == "animator" and here),
}


def expected(action: str, role: str, phase: str, quartier: str) -> bool:
    return RULES[action](role, phase, quartier == "A")


ACTIONS = ["budget.count", "budget.edit_project", "budget.follow_up", "budget.manage",
           "budget.propose", "budget.publish", "budget.receive_share", "budget.review",
           "budget.review_round", "budget.trustees", "budget.view_count",
           "budget.view_project", "budget.view_results", "budget.vote"]



@pytest.fixture
def world(db: Any, people: dict, unenrolled: Any, quartier: Any, other_quartier: Any
          ) -> dict:
    author = factories.make_user(db, display_name="Autrice")
    rounds, projects = {}, {}
    for code, q in (("A", quartier), ("B", other_quartier)):
        fund = factories.make_fund(db, q)
        for phase in PHASES:
            round_ = factories.make_round(db, fund, phase)
            rounds[code, phase] = round_
            projects[code, phase] = factories.make_project(db, round_, author,
                                                           status="submitted")
    return {"people": {**people, "author": author, "unenrolled": unenrolled},
            "rounds": rounds, "projects": projects,
            "pilot": people["pilot"]}


def target(world: dict, action: str, phase: str, quartier: str) -> Any:
    round_ = world["rounds"][quartier, phase]
    project = world["projects"][quartier, phase]
    if action == "budget.publish":
        round_.count_started_at = round_.count_confirmed_at = NOW
        round_.results_published_at = None
    if action == "budget.count":
        round_.count_started_at = round_.count_confirmed_at = None
    if action == "budget.follow_up":
        project.follow_up = "to_start"
    if action in ("budget.review", "budget.edit_project", "budget.view_project",
                  "budget.follow_up"):
        return project
    return None if action == "budget.manage" else round_


@pytest.mark.parametrize("action", ACTIONS)
def test_budget_permission_matrix(world: dict, action: str) -> None:
    """Every cell of one action: role × phase × quartier; the wrong cells are listed."""
    wrong = []
    for phase in PHASES:
        for where in ("A", "B"):
            thing = target(world, action, phase, where)
            for role in ROLES:
                user = None if role == "anonymous" else world["people"][role]
                allowed = can(user, action, thing, now=NOW)
                if allowed is not expected(action, role, phase, where):
                    wrong.append((role, phase, where, allowed))
    assert wrong == []


def test_a_moderator_never_reviews_their_own_project(db: Any, people: dict,
                                                     quartier: Any) -> None:
    moderator = people["moderator"]
    round_ = factories.make_round(db, factories.make_fund(db, quartier), "review")
    own = factories.make_project(db, round_, moderator, status="submitted")
    assert not can(moderator, "budget.review", own, now=NOW)


def test_a_trustee_counts_and_receives_a_share_only_from_their_own_seat(
        db: Any, people: dict, quartier: Any) -> None:
    from civic.budget import trustees

    moderator, other = people["moderator"], factories.make_user(
        db, roles=[(Role.MODERATOR, quartier)])
    fund = factories.make_fund(db, quartier)
    review = factories.make_round(db, fund, "review")
    trustees.name(db, review, [people["pilot"], moderator], 2, actor=people["pilot"], now=NOW)
    assert can(moderator, "budget.receive_share", review, now=NOW)
    assert not can(other, "budget.receive_share", review, now=NOW)
    trustees.hand_share(db, review, moderator, now=NOW)
    assert not can(moderator, "budget.receive_share", review, now=NOW)  # once only

    counting = factories.make_round(db, fund, "counting")
    assert not can(moderator, "budget.count", counting, now=NOW)
    counting.trustees[0].user_id = moderator.id
    db.flush()
    assert can(moderator, "budget.count", counting, now=NOW)
    assert not can(other, "budget.count", counting, now=NOW)
    counting.count_confirmed_at = NOW
    assert not can(moderator, "budget.count", counting, now=NOW)  # counted once


def test_published_projects_are_public(db: Any, quartier: Any) -> None:
    round_ = factories.make_round(db, factories.make_fund(db, quartier), "vote")
    for status in ("admitted", "rejected", "merged"):
        assert can(None, "budget.view_project", factories.make_project(db, round_,
                                                                       status=status), now=NOW)
