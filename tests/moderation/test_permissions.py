"""Moderation permission matrix: role × quartier × state × author → allowed."""

from __future__ import annotations

from typing import Any

import pytest

from civic.core.permissions import can
from civic.moderation.registry import Item
from tests.factories import NOW

#: "unenrolled" holds every role but has no second step at login: it gets what a resident gets.
ROLES = ["anonymous", "resident", "author", "moderator", "animator", "signatory", "pilot",
         "unenrolled"]
STATES = ["pending", "published", "rejected", "hidden"]
ACTIONS = ["moderation.moderate", "moderation.queue", "moderation.report",
           "moderation.settings"]


def expected(action: str, role: str, where: str, state: str, author: str) -> bool:
    """The rules, written out plainly. ``author`` says who wrote the post."""
    here = where == "A"
    if action == "moderation.queue":
        return role == "moderator"
    if action == "moderation.settings":
        return role == "pilot" or (role == "moderator" and here)
    if action == "moderation.moderate":  # nobody moderates their own post
        return role == "moderator" and here and author != "moderator"
    if action == "moderation.report":  # a published post of someone else
        return role != "anonymous" and state == "published" and author != role
    raise AssertionError(action)


@pytest.fixture
def world(db: Any, people: dict, unenrolled: Any, quartier: Any, other_quartier: Any) -> dict:
    from tests import factories

    return {**people, "unenrolled": unenrolled,
            "author": factories.make_user(db, display_name="Autrice"),
            "A": quartier, "B": other_quartier}


@pytest.mark.parametrize("action", ACTIONS)
def test_moderation_permission_matrix(world: dict, action: str) -> None:
    wrong = []
    for where in ("A", "B"):
        for state in STATES:
            for author in ("author", "moderator"):
                item = Item(kind="idea", id=1, quartier_id=world[where].id, title="T", text="",
                            author_id=world[author].id, author_name="", created_at=NOW,
                            state=state)
                target = world[where] if action == "moderation.settings" else item
                for role in ROLES:
                    user = None if role == "anonymous" else world[role]
                    allowed = can(user, action, target, now=NOW)
                    if allowed != expected(action, role, where, state, author):
                        wrong.append((role, where, state, author, allowed))
    assert wrong == []
