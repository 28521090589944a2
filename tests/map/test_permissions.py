"""Map permission matrix: role × quartier × moderation state → allowed."""

from __future__ import annotations

from typing import Any

import pytest

from civic.core.permissions import can
from tests import factories
from tests.factories import NOW

#: "unenrolled" holds every role but has no second step at login: it gets what a resident gets.
ROLES = ["anonymous", "resident", "author", "moderator", "animator", "signatory", "pilot",
         "unenrolled"]
STATES = ["pending", "published", "rejected", "hidden"]
ACTIONS = ["map.add", "map.create_walk", "map.landmarks", "map.support", "map.to_idea",
           "map.view_point", "map.walk_point", "map.walks"]
LOGGED_IN = set(ROLES) - {"anonymous"}


def expected(action: str, role: str, where: str, state: str) -> bool:
    here = where == "A"
    published = state == "published"
    if action == "map.add":
        return role in LOGGED_IN
    if action == "map.view_point":
        return published or role in ("author", "pilot") or (role == "moderator" and here)
    if action == "map.support":
        return published and role in LOGGED_IN - {"author"}
    if action == "map.to_idea":
        return published and (role == "pilot" or (role == "moderator" and here))
    if action == "map.walks":
        return role == "pilot" or (role == "animator" and here)
    if action in ("map.create_walk", "map.walk_point"):  # the quartier's animators only
        return role == "animator" and here
    if action == "map.landmarks":
        return role == "pilot"
    raise AssertionError(action)


@pytest.fixture
def world(db: Any, people: dict, unenrolled: Any, quartier: Any, other_quartier: Any
          ) -> dict:
    from civic.map.models import Walk

    author = factories.make_user(db, display_name="Autrice")
    points = {(w, s): factories.make_point(db, q, author, moderation=s)
              for w, q in (("A", quartier), ("B", other_quartier)) for s in STATES}
    walks = {}
    for w, q in (("A", quartier), ("B", other_quartier)):
        walks[w] = Walk(quartier_id=q.id, title="Marche", starts_at=NOW, meeting_point="Métro",
                        created_at=NOW)
        db.add(walks[w])
    db.flush()
    return {"people": {**people, "author": author, "unenrolled": unenrolled},
            "points": points, "walks": walks,
            "quartiers": {"A": quartier, "B": other_quartier}}


@pytest.mark.parametrize("action", ACTIONS)
def test_map_permission_matrix(world: dict, action: str) -> None:
    wrong = []
    for where in ("A", "B"):
        for state in STATES:
            if action in ("map.add", "map.walks", "map.create_walk", "map.landmarks"):
                target = world["quartiers"][where]
            elif action == "map.walk_point":
                target = world["walks"][where]
            else:
                target = world["points"][where, state]
            for role in ROLES:
                user = None if role == "anonymous" else world["people"][role]
                if can(user, action, target, now=NOW) != expected(action, role, where, state):
                    wrong.append((role, where, state))
    assert wrong == []


def test_a_point_already_turned_into_an_idea_is_not_turned_again(world: dict) -> None:
    point = world["points"]["A", "published"]
    point.idea_id = 1
    assert not can(world["people"]["pilot"], "map.to_idea", point, now=NOW)
