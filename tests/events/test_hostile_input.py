"""The hostile-input corpus on every form of events and of the permanence hours, and on
their GET filters and links."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest

from civic.accounts.models import AGE_BRACKETS, GENDERS
from civic.permanence.models import Closure, WeeklySlot
from tests import factories
from tests.factories import NOW
from tests.test_hostile_input import HOSTILE, SCRIPT

EVENT_FIELDS = ["quartier_id", "kind", "title", "description", "day", "start", "end", "place",
                "address", "landmark_id", "organiser", "signatory_id", "bring", "step_free",
                "childcare", "interpretation", "capacity", "website"]
SIGNUP_FIELDS = ["name", "phone", "email", "party_size", "childcare", "step_free",
                 "interpretation", "consent", "website"]
ATTENDANCE_FIELDS = ["present", "walk_ins", "walk_in_names",
                     *(f"gender_{g}" for g in GENDERS), *(f"age_{a}" for a in AGE_BRACKETS)]

#: (who, url with {code} {event} {today} {token} {slot} {closure}, fields)
FORMS: list[tuple[str | None, str, list[str]]] = [
    (None, "/evenements/{event}/inscription", SIGNUP_FIELDS),
    ("resident", "/evenements/{event}/inscription", SIGNUP_FIELDS),
    (None, "/evenements/annulation/{token}", ["csrf_token"]),
    ("resident", "/evenements/nouveau", EVENT_FIELDS),
    ("resident", "/evenements/nouveau?quartier={code}", EVENT_FIELDS),
    ("animator", "/evenements/nouveau?quartier={code}", EVENT_FIELDS),
    ("pilot", "/evenements/nouveau", EVENT_FIELDS),
    ("animator", "/evenements/{event}/modifier", EVENT_FIELDS),
    ("animator", "/evenements/{event}/annuler", ["reason"]),
    ("animator", "/evenements/{event}/inscrits", ["subject", "body"]),
    ("animator", "/evenements/{today}/presences", ATTENDANCE_FIELDS),
    ("animator", "/quartiers/{code}/permanences/horaire",
     ["weekday", "starts", "ends", "place", "address", "host", "topics"]),
    ("animator", "/quartiers/{code}/permanences/fermeture", ["first_day", "last_day", "label"]),
    ("animator", "/quartiers/{code}/permanences/horaire/{slot}/supprimer", ["csrf_token"]),
    ("animator", "/quartiers/{code}/permanences/fermeture/{closure}/supprimer",
     ["csrf_token"]),
]


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


@pytest.fixture
def targets(app: Any, db: Any, people: dict, quartier: Any) -> dict:
    from civic.events.notifications import token
    from civic.map.models import Landmark

    db.add(Landmark(quartier_id=quartier.id, name="École", latitude=43.571, longitude=1.401))
    event = factories.make_event(db, quartier, capacity=5)
    today = factories.make_event(db, quartier, starts_at=NOW + timedelta(minutes=30))
    signup = factories.make_signup(db, event, email="awa@example.org")
    factories.make_signup(db, today, name="Bilal")
    slot = WeeklySlot(quartier_id=quartier.id, weekday=1, starts=time(14), ends=time(17),
                      place="Maison de quartier", created_at=NOW)
    closure = Closure(quartier_id=quartier.id, first_day=NOW.date(),
                      last_day=NOW.date() + timedelta(days=3), label="Vacances")
    db.add_all([slot, closure])
    db.flush()
    with app.app_context():
        link = token(signup)
    return {"code": quartier.code, "event": event.id, "today": today.id, "token": link,
            "slot": slot.id, "closure": closure.id}


@pytest.mark.parametrize(("who", "url", "fields"), FORMS, ids=[f"{f[0]}:{f[1]}" for f in FORMS])
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_never_break_a_form(client: Any, login_as: Any, people: dict,
                                           targets: dict, who: str | None, url: str,
                                           fields: list[str], value: str) -> None:
    if who:
        login_as(people[who])
    response = client.post(url.format(**targets), data=dict.fromkeys(fields, value))
    assert response.status_code < 500
    assert response.status_code != 403
    assert "/connexion" not in response.headers.get("Location", "")
    body = response.get_data(as_text=True)
    assert SCRIPT not in body
    assert "<img src=x" not in body


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_filters_and_links_never_break_a_page(client: Any, targets: dict,
                                                      value: str) -> None:
    code = targets["code"]
    for path in ("/evenements", f"/quartiers/{code}/evenements"):
        response = client.get(path, query_string={"type": value, "quand": value,
                                                   "page": value})
        assert response.status_code == 200
        assert SCRIPT not in response.get_data(as_text=True)
    for path in ("/evenements/calendrier", f"/quartiers/{code}/evenements/calendrier"):
        response = client.get(path, query_string={"mois": value})
        assert response.status_code in (200, 404)
        assert SCRIPT not in response.get_data(as_text=True)
    for path in ("/evenements/annulation/", "/evenements/inscription/"):
        response = client.get(path + value.replace("/", "%2F")) if value else None
        if response is not None:
            assert response.status_code in (404, 410)
            assert SCRIPT not in response.get_data(as_text=True)
    created = client.get("/evenements/nouveau", query_string={"quartier": value})
    assert created.status_code < 500


BOGUS_IDS = ["99999999999999999999999999", "987654", "-1", "0", "1e3", "١٢٣"]


@pytest.mark.parametrize("who", ["pilot", "animator", "resident"])
@pytest.mark.parametrize("name", ["quartier_id", "landmark_id", "signatory_id"])
@pytest.mark.parametrize("value", BOGUS_IDS)
def test_a_bogus_id_in_an_otherwise_valid_event_form(login_as: Any, db: Any, people: dict,
                                                     quartier: Any, targets: dict, who: str,
                                                     name: str, value: str) -> None:
    from sqlalchemy import func, select

    from civic.events.models import Event

    before = db.scalar(select(func.count()).select_from(Event))
    data = {"quartier_id": str(quartier.id), "kind": "cafe", "title": "Café",
            "day": "2026-03-20", "start": "18:00", "end": "20:00", "place": "Salle",
            name: value}
    response = login_as(people[who]).post(f"/evenements/nouveau?quartier={quartier.code}",
                                          data=data)
    assert response.status_code in (302, 400)
    created = db.scalars(select(Event).order_by(Event.id.desc())).first()
    if name == "quartier_id":  # never a whole-contract event by mistake
        assert response.status_code == 400
        assert db.scalar(select(func.count()).select_from(Event)) == before
    elif response.status_code == 302:
        assert created.signatory_id is None
        assert created.latitude is None
        edited = login_as(people["pilot"]).post(f"/evenements/{created.id}/modifier",
                                                data={**data, name: value})
        assert edited.status_code in (302, 400)
