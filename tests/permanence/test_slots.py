"""A quartier's weekly permanence hours and closures, kept by its animators and shown on
the quartier page."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

import pytest
from sqlalchemy import select

from civic.core.audit import AuditEntry
from civic.permanence.models import Closure, WeeklySlot
from tests.factories import NOW


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)  # Saturday 14 March 2026


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def _slot(**values: Any) -> dict[str, str]:
    return {"weekday": "1", "starts": "14:00", "ends": "17:00", "place": "Maison de quartier",
            "address": "2 place Abbal", "host": "Samira, adulte-relais",
            "topics": "aide aux démarches, vote FPH", **values}


def test_the_animator_adds_a_weekly_slot_and_a_closure(login_as: Any, db: Any, people: dict,
                                                       quartier: Any) -> None:
    client = login_as(people["animator"])
    base = f"/quartiers/{quartier.code}/permanences"
    page = _text(client.get(base))
    assert "Aucun horaire pour l’instant." in page
    assert "Aucune fermeture prévue." in page
    added = client.post(f"{base}/horaire", data=_slot())
    assert added.status_code == 302
    assert added.headers["Location"].endswith(base)
    closed = client.post(f"{base}/fermeture", data={
        "first_day": "2026-03-23", "last_day": "2026-03-27", "label": "Vacances de printemps"})
    assert closed.status_code == 302
    page = _text(client.get(base))
    assert "Chaque mardi, de 14:00 à 17:00" in page
    assert "Maison de quartier" in page
    assert "Vacances de printemps" in page
    [slot] = db.scalars(select(WeeklySlot)).all()
    assert (slot.quartier_id, slot.weekday, slot.starts, slot.ends, slot.host) == (
        quartier.id, 1, time(14), time(17), "Samira, adulte-relais")
    [closure] = db.scalars(select(Closure)).all()
    assert (closure.first_day.isoformat(), closure.last_day.isoformat()) == (
        "2026-03-23", "2026-03-27")
    actions = set(db.scalars(select(AuditEntry.action)))
    assert {"permanence.slot_added", "permanence.closure_added"} <= actions


def test_bad_times_and_days_are_shown_next_to_their_field(login_as: Any, db: Any,
                                                          people: dict, quartier: Any) -> None:
    client = login_as(people["animator"])
    base = f"/quartiers/{quartier.code}/permanences"
    backwards = client.post(f"{base}/horaire", data=_slot(starts="17:00", ends="14:00"))
    page = _text(backwards)
    assert backwards.status_code == 400
    assert re.search(r'id="ends-error">L’heure de fin doit venir après l’heure de début', page)
    assert 'value="Samira, adulte-relais"' in page
    assert 'value="17:00"' in page
    same = client.post(f"{base}/horaire", data=_slot(starts="14:00", ends="14:00"))
    assert same.status_code == 400
    assert 'id="ends-error"' in _text(same)
    no_place = client.post(f"{base}/horaire", data=_slot(place="   "))
    assert no_place.status_code == 400
    assert 'id="place-error"' in _text(no_place)
    no_time = client.post(f"{base}/horaire", data=_slot(starts="midi"))
    assert no_time.status_code == 400
    assert 'id="starts-error"' in _text(no_time)
    sunday_plus = client.post(f"{base}/horaire", data=_slot(weekday="7"))
    assert sunday_plus.status_code == 400
    assert 'id="weekday-error"' in _text(sunday_plus)
    reversed_days = client.post(f"{base}/fermeture", data={
        "first_day": "2026-03-27", "last_day": "2026-03-23", "label": "Vacances"})
    page = _text(reversed_days)
    assert reversed_days.status_code == 400
    assert re.search(r'id="last_day-error">Le dernier jour doit venir après le premier', page)
    assert 'value="Vacances"' in page
    too_long = client.post(f"{base}/fermeture", data={
        "first_day": "2026-01-01", "last_day": "2027-06-01", "label": ""})
    assert too_long.status_code == 400
    assert 'id="last_day-error"' in _text(too_long)
    assert db.scalars(select(WeeklySlot)).all() == []
    assert db.scalars(select(Closure)).all() == []


def test_only_the_quartiers_animators_and_pilots(client: Any, login_as: Any, db: Any,
                                                 people: dict, quartier: Any,
                                                 other_quartier: Any) -> None:
    from civic.accounts.models import Role
    from tests import factories

    base = f"/quartiers/{quartier.code}/permanences"
    anonymous = client.get(base)
    assert anonymous.status_code == 302
    assert "/connexion" in anonymous.headers["Location"]
    elsewhere = factories.make_user(db, roles=[(Role.ANIMATOR, other_quartier)])
    for who in ("resident", "moderator", "signatory"):
        assert login_as(people[who]).get(base).status_code == 403, who
    other = login_as(elsewhere)
    assert other.get(base).status_code == 403
    assert other.post(f"{base}/horaire", data=_slot()).status_code == 403
    assert other.post(f"{base}/fermeture", data={
        "first_day": "2026-03-23", "last_day": "2026-03-27"}).status_code == 403
    assert other.get(f"/quartiers/{other_quartier.code}/permanences").status_code == 200
    assert db.scalars(select(WeeklySlot)).all() == []
    pilot = login_as(people["pilot"])
    assert pilot.post(f"{base}/horaire", data=_slot()).status_code == 302
    [slot] = db.scalars(select(WeeklySlot)).all()
    other = login_as(elsewhere)
    assert other.post(f"{base}/horaire/{slot.id}/supprimer").status_code == 403
    # Through its own quartier's address, another quartier's slot is not found.
    assert other.post(f"/quartiers/{other_quartier.code}/permanences/horaire/{slot.id}"
                      "/supprimer").status_code == 404
    assert db.scalars(select(WeeklySlot)).all() != []
    assert client.get("/quartiers/QN999999/permanences").status_code == 404


def test_removing_needs_the_csrf_token(app: Any, login_as: Any, db: Any, people: dict,
                                       quartier: Any, monkeypatch: Any) -> None:
    for weekday in (1, 4):
        db.add(WeeklySlot(quartier_id=quartier.id, weekday=weekday, starts=time(9),
                          ends=time(12), place="Maison de quartier", created_at=NOW))
    db.flush()
    db.add(Closure(quartier_id=quartier.id, first_day=NOW.date(), last_day=NOW.date(),
                   label="Grève"))
    db.flush()
    tuesday, friday = db.scalars(select(WeeklySlot).order_by(WeeklySlot.weekday)).all()
    closure = db.scalar(select(Closure))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    client = login_as(people["animator"])
    base = f"/quartiers/{quartier.code}/permanences"
    page = _text(client.get(base))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert f"{base}/horaire/{tuesday.id}/supprimer" in page
    assert f"{base}/fermeture/{closure.id}/supprimer" in page
    refused = client.post(f"{base}/horaire/{tuesday.id}/supprimer")
    assert refused.status_code == 400
    assert len(db.scalars(select(WeeklySlot)).all()) == 2
    assert client.post(f"{base}/horaire/{tuesday.id}/supprimer",
                       data={"csrf_token": token}).status_code == 302
    assert client.post(f"{base}/fermeture/{closure.id}/supprimer",
                       data={"csrf_token": token}).status_code == 302
    assert [s.id for s in db.scalars(select(WeeklySlot))] == [friday.id]
    assert db.scalars(select(Closure)).all() == []
    assert client.post(f"{base}/horaire/{tuesday.id}/supprimer",
                       data={"csrf_token": token}).status_code == 404
    assert client.post(f"{base}/autre/{friday.id}/supprimer",
                       data={"csrf_token": token}).status_code == 404
    added = client.post(f"{base}/horaire", data={**_slot(), "csrf_token": token})
    assert added.status_code == 302
    assert client.post(f"{base}/fermeture", data={
        "first_day": "2026-03-23", "last_day": "2026-03-27"}).status_code == 400
    removed = set(db.scalars(select(AuditEntry.action)))
    assert {"permanence.slot_removed", "permanence.closure_removed"} <= removed


def test_the_slots_appear_on_the_quartier_page(client: Any, login_as: Any, db: Any,
                                               people: dict, quartier: Any) -> None:
    animator = login_as(people["animator"])
    base = f"/quartiers/{quartier.code}/permanences"
    quartier_page = f"/quartiers/{quartier.code}"
    assert "Rencontrer un animateur" not in _text(animator.get(quartier_page))
    assert f'href="{base}"' in _text(animator.get(quartier_page))
    animator.post(f"{base}/horaire", data=_slot())
    animator.post(f"{base}/horaire", data=_slot(weekday="3", starts="09:30", ends="12:00",
                                                host="", topics=""))
    animator.post(f"{base}/fermeture", data={"first_day": "2026-03-23",
                                             "last_day": "2026-03-27", "label": "Vacances"})
    with client.session_transaction() as session:
        session.clear()
    page = _text(client.get(quartier_page))
    assert "Rencontrer un animateur" in page
    assert f'href="{base}"' not in page
    assert "Chaque mardi, de 14:00 à 17:00" in page
    assert "Chaque jeudi, de 09:30 à 12:00" in page
    assert "Samira, adulte-relais · aide aux démarches, vote FPH" in page.replace(
        "<bdi>", "").replace("</bdi>", "")
    upcoming = re.findall(r"<li>(\w+ \d+ mars), [^<]*(?:<strong>fermé</strong>)?", page)
    assert upcoming == ["mardi 17 mars", "jeudi 19 mars", "mardi 24 mars", "jeudi 26 mars"]
    closed = re.findall(r"<li>(\w+ \d+ mars), [^<]*— <strong>fermé</strong>", page)
    assert closed == ["mardi 24 mars", "jeudi 26 mars"]
    [slot] = db.scalars(select(WeeklySlot).where(WeeklySlot.weekday == 1)).all()
    animator = login_as(people["animator"])
    animator.post(f"{base}/horaire/{slot.id}/supprimer")
    with client.session_transaction() as session:
        session.clear()
    page = _text(client.get(quartier_page))
    assert "Chaque mardi" not in page
    assert "Chaque jeudi" in page
