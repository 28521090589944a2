"""Events permission matrix: role × own/other quartier/whole contract × moderation state ×
cancelled/started/purged → allowed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from civic.core.permissions import can
from tests import factories
from tests.factories import NOW

#: "unenrolled" holds every role but has no second step at login: it gets what a resident gets.
ROLES = ["anonymous", "resident", "author", "moderator", "animator", "signatory", "pilot",
         "unenrolled"]
#: "A" the quartier the moderator and animator act in, "B" another, "C" the whole contract.
PLACES = ["A", "B", "C"]
STATES = ["pending", "published", "rejected", "hidden"]
#: upcoming; cancelled (still to come); started (under way); purged (over, names deleted).
TIMES = ["upcoming", "cancelled", "started", "purged"]
ACTIONS = ["events.attendees", "events.create", "events.edit", "events.manage",
           "events.name_signatory", "events.propose", "events.propose_any", "events.sign_up",
           "events.view"]
#: Actions whose target is a signatory: their own matrix, below.
ON_SIGNATORY = {"events.name_signatory"}
LOGGED_IN = set(ROLES) - {"anonymous"}
#: Actions whose target is a quartier (None for the whole contract), not an event.
ON_QUARTIER = {"events.create", "events.manage", "events.propose", "events.propose_any"}


def expected(action: str, role: str, where: str, state: str = "published",
             time: str = "upcoming") -> bool:
    here = where == "A"
    published = state == "published"
    # Animators run their quartier's events; pilots all, the contract's own included.
    runs = role == "pilot" or (role == "animator" and here)
    if action == "events.view":  # unpublished: its author, who runs it, its moderators
        return published or runs or role == "author" or (role == "moderator" and here)
    if action == "events.create":  # published at once
        return runs
    if action == "events.manage":  # the hub: an animator of any quartier, or a pilot
        return role in ("pilot", "animator")
    if action == "events.propose":  # residents propose in a quartier; moderators decide
        return role in LOGGED_IN and where != "C"
    if action == "events.propose_any":
        return role in LOGGED_IN
    if action == "events.edit":
        return runs
    if action == "events.attendees":  # who runs it, or its organiser once published,
        organiser = role == "author" and published  # and only while the list exists
        return (runs or organiser) and time != "purged"
    if action == "events.sign_up":  # anyone, published, not cancelled, not started
        return published and time == "upcoming"
    raise AssertionError(action)


def _event(db: Any, quartier: Any, author: Any, state: str, time: str) -> Any:
    values: dict[str, Any] = {"moderation": state}
    if time == "cancelled":
        values.update(cancelled_at=NOW - timedelta(hours=1), cancel_reason="Pluie")
    elif time == "started":
        values.update(starts_at=NOW - timedelta(minutes=30),
                      ends_at=NOW + timedelta(hours=1))
    elif time == "purged":
        values.update(starts_at=NOW - timedelta(days=10), purged_at=NOW - timedelta(days=1))
    return factories.make_event(db, quartier, author, **values)


@pytest.fixture
def world(db: Any, people: dict, unenrolled: Any, quartier: Any, other_quartier: Any
          ) -> dict:
    author = factories.make_user(db, display_name="Autrice")
    places = {"A": quartier, "B": other_quartier, "C": None}
    events = {(where, state, time): _event(db, place, author, state, time)
              for where, place in places.items() for state in STATES for time in TIMES}
    return {"people": {**people, "author": author, "unenrolled": unenrolled},
            "places": places, "events": events}


@pytest.mark.parametrize("action", [a for a in ACTIONS if a not in ON_SIGNATORY])
def test_events_permission_matrix(world: dict, action: str) -> None:
    wrong = []
    for (where, state, time), event in world["events"].items():
        if action in ON_QUARTIER and (state, time) != ("published", "upcoming"):
            continue  # the target is a quartier: one pass per place is enough
        target = world["places"][where] if action in ON_QUARTIER else event
        for role in ROLES:
            user = None if role == "anonymous" else world["people"][role]
            got = can(user, action, target, now=NOW)
            if got is not expected(action, role, where, state, time):
                wrong.append((role, where, state, time, got))
    assert wrong == []


def test_the_matrix_names_every_events_rule() -> None:
    from civic.core import permissions

    assert [a for a in permissions.actions() if a.startswith("events.")] == ACTIONS


def test_signups_close_at_the_start_not_at_the_end(world: dict) -> None:
    event = world["events"]["A", "published", "upcoming"]
    assert can(None, "events.sign_up", event, now=event.starts_at - timedelta(seconds=1))
    assert not can(None, "events.sign_up", event, now=event.starts_at)


def test_a_role_taken_away_takes_the_event_away(db: Any, world: dict) -> None:
    animator = world["people"]["animator"]
    event = world["events"]["A", "published", "upcoming"]
    assert can(animator, "events.attendees", event, now=NOW)
    animator.roles.clear()
    db.flush()
    assert not can(animator, "events.attendees", event, now=NOW)
    assert not can(animator, "events.edit", event, now=NOW)


def test_who_may_name_a_signatory_as_organiser(db: Any, people: dict, unenrolled: Any,
                                               signatory: Any, contract: Any) -> None:
    """The signatory's own referents and pilots; not another partner's referent, nor an
    animator, a moderator, a resident, or staff without their second step."""
    other = factories.make_signatory(db, contract, name="Bailleur social")
    allowed = {(role, target) for role, target in [("pilot", "own"), ("pilot", "other"),
                                                   ("signatory", "own")]}
    for role in [*ROLES[:2], "moderator", "animator", "signatory", "pilot", "unenrolled"]:
        user = None if role == "anonymous" else (unenrolled if role == "unenrolled"
                                                 else people[role])
        for target, partner in (("own", signatory), ("other", other)):
            got = can(user, "events.name_signatory", partner, now=NOW)
            assert got is ((role, target) in allowed), (role, target)
