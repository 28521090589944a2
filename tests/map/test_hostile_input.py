"""The hostile-input corpus on every form of the map, and its GET filters."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.factories import NOW
from tests.test_hostile_input import HOSTILE, SCRIPT

#: (who, url with {code} {point} {walk} {quartier}, fields)
FORMS: list[tuple[str, str, list[str]]] = [
    ("resident", "/quartiers/{code}/carte/ajouter",
     ["polarity", "category", "text", "latitude", "longitude", "landmark_id", "website"]),
    ("resident", "/points/{point}/moi-aussi", ["action"]),
    ("moderator", "/points/{point}/vers-une-idee", ["title"]),
    ("animator", "/quartiers/{code}/marches/nouvelle",
     ["title", "day", "time", "meeting_point", "route", "participants"]),
    ("animator", "/marches/{walk}/modifier",
     ["title", "day", "time", "meeting_point", "route", "participants"]),
    ("animator", "/marches/{walk}", ["polarity", "category", "text", "latitude", "longitude",
                                     "landmark_id"]),
    ("pilot", "/admin/quartiers/{quartier}/reperes", ["name", "latitude", "longitude"]),
]


@pytest.fixture
def targets(db: Any, people: dict, quartier: Any) -> dict:
    from civic.map.models import Walk

    walk = Walk(quartier_id=quartier.id, title="Marche", starts_at=NOW, meeting_point="Métro",
                created_at=NOW)
    db.add(walk)
    db.flush()
    return {"code": quartier.code, "quartier": quartier.id, "walk": walk.id,
            "point": factories.make_point(db, quartier, factories.make_user(db)).id}


@pytest.mark.parametrize(("who", "url", "fields"), FORMS, ids=[f[1] for f in FORMS])
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_never_break_a_form(login_as: Any, people: dict, targets: dict,
                                           who: str, url: str, fields: list[str],
                                           value: str) -> None:
    client = login_as(people[who])
    response = client.post(url.format(**targets), data=dict.fromkeys(fields, value))
    assert response.status_code < 500
    body = response.get_data(as_text=True)
    assert SCRIPT not in body
    assert "<img src=x" not in body


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_filters_never_break_the_map(client: Any, targets: dict, value: str) -> None:
    for path in ("carte", "carte/liste", "carte/points.geojson"):
        response = client.get(f"/quartiers/{targets['code']}/{path}", query_string={
            "polarity": value, "category": value, "period": value, "page": value})
        assert response.status_code == 200
        assert SCRIPT not in response.get_data(as_text=True)
