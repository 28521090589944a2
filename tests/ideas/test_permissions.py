"""Idea box permission matrix: role × quartier × moderation state → allowed."""

from __future__ import annotations

from typing import Any

import pytest

from civic.core.permissions import can
from tests import factories
from tests.factories import NOW

#: "unenrolled" holds every role but has no second step at login: it gets what a resident gets.
ROLES = ["anonymous", "resident", "author", "moderator", "animator", "signatory",
         "other_signatory", "pilot", "unenrolled"]
STATES = ["pending", "published", "rejected", "hidden"]
ACTIONS = ["ideas.answer", "ideas.answer_forwarding", "ideas.comment", "ideas.follow",
           "ideas.post", "ideas.post_for", "ideas.read_text", "ideas.signatory_space",
           "ideas.support", "ideas.view", "ideas.view_forwarding"]
LOGGED_IN = set(ROLES) - {"anonymous"}


def expected(action: str, role: str, where: str, state: str) -> bool:
    here = where == "A"
    published = state == "published"
    insider = role in ("author", "pilot") or (role == "moderator" and here)
    if action == "ideas.post":
        return role in LOGGED_IN
    if action == "ideas.post_for":  # an animator, at a permanence of their quartier
        return role == "animator" and here
    if action == "ideas.view":  # a rejection's reason is public, the pending text is not
        return state in ("published", "rejected") or insider
    if action == "ideas.read_text":
        return published or insider
    if action == "ideas.support":  # never one's own idea
        return published and role in LOGGED_IN - {"author"}
    if action in ("ideas.comment", "ideas.follow"):
        return published and role in LOGGED_IN
    if action == "ideas.answer":
        return published and role == "pilot"
    return signatories(action, role)


def signatories(action: str, role: str) -> bool:
    if action == "ideas.signatory_space":
        return role in ("signatory", "other_signatory")
    if action == "ideas.view_forwarding":  # forwarded to the signatory of "signatory"
        return role in ("signatory", "pilot")
    if action == "ideas.answer_forwarding":  # once, by that signatory
        return role == "signatory"
    raise AssertionError(action)


@pytest.fixture
def world(db: Any, people: dict, unenrolled: Any, contract: Any, signatory: Any,
          quartier: Any, other_quartier: Any) -> dict:
    from civic.accounts.models import Role
    from civic.ideas.models import Forwarding

    author = factories.make_user(db, display_name="Autrice")
    other = factories.make_signatory(db, contract, name="CAF")
    ideas = {(where, state): factories.make_idea(db, q, author, moderation=state)
             for where, q in (("A", quartier), ("B", other_quartier)) for state in STATES}
    forwardings = {}
    for key, idea in ideas.items():
        forwarding = Forwarding(idea_id=idea.id, signatory_id=signatory.id, forwarded_at=NOW,
                                due_on=NOW.date())
        db.add(forwarding)
        forwardings[key] = forwarding
    db.flush()
    return {"people": {**people, "author": author, "unenrolled": unenrolled,
                       "other_signatory": factories.make_user(
        db, roles=[(Role.SIGNATORY, other)])}, "ideas": ideas, "forwardings": forwardings,
        "quartiers": {"A": quartier, "B": other_quartier}}


@pytest.mark.parametrize("action", ACTIONS)
def test_ideas_permission_matrix(world: dict, action: str) -> None:
    wrong = []
    for where in ("A", "B"):
        for state in STATES:
            if action in ("ideas.post", "ideas.post_for"):
                target = world["quartiers"][where]
            elif action in ("ideas.view_forwarding", "ideas.answer_forwarding"):
                target = world["forwardings"][where, state]
            elif action == "ideas.signatory_space":
                target = None
            else:
                target = world["ideas"][where, state]
            for role in ROLES:
                user = None if role == "anonymous" else world["people"][role]
                allowed = can(user, action, target, now=NOW)
                if allowed != expected(action, role, where, state):
                    wrong.append((role, where, state, allowed))
    assert wrong == []


def test_an_answered_forwarding_cannot_be_answered_again(world: dict) -> None:
    forwarding = world["forwardings"]["A", "published"]
    forwarding.answered_at = NOW
    assert not can(world["people"]["signatory"], "ideas.answer_forwarding", forwarding, now=NOW)
    assert can(world["people"]["signatory"], "ideas.view_forwarding", forwarding, now=NOW)
