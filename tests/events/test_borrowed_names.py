"""A resident who proposes an event cannot borrow a signatory's name to gain trust, and
sees of the people signed up only their names and what each chose to share with them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from civic.accounts.models import Role
from civic.events.models import Event, Signup
from tests import factories
from tests.events.test_views import _event_form
from tests.factories import NOW


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def test_a_resident_cannot_name_a_signatory_as_organiser(
        login_as: Any, db: Any, people: dict, quartier: Any, signatory: Any) -> None:
    resident = login_as(people["resident"])
    form = _text(resident.get(f"/evenements/nouveau?quartier={quartier.code}"))
    assert signatory.name not in form  # not offered…
    crafted = resident.post("/evenements/nouveau", data=_event_form(
        quartier_id=str(quartier.id), signatory_id=str(signatory.id)))
    assert crafted.status_code == 400  # …and not taken when typed in
    assert db.scalar(select(Event)) is None


def test_a_signatory_s_referent_names_their_own_and_only_theirs(
        login_as: Any, db: Any, people: dict, quartier: Any, signatory: Any,
        contract: Any) -> None:
    other = factories.make_signatory(db, contract, name="CAF du Sud")
    referent = login_as(people["signatory"])  # referent of "Ville de Testville"
    form = _text(referent.get(f"/evenements/nouveau?quartier={quartier.code}"))
    assert signatory.name in form
    assert other.name not in form
    refused = referent.post("/evenements/nouveau", data=_event_form(
        quartier_id=str(quartier.id), signatory_id=str(other.id)))
    assert refused.status_code == 400
    named = referent.post("/evenements/nouveau", data=_event_form(
        quartier_id=str(quartier.id), signatory_id=str(signatory.id)))
    assert named.status_code == 302
    assert db.scalar(select(Event)).signatory_id == signatory.id


def test_a_pilot_names_any_signatory(login_as: Any, db: Any, people: dict, quartier: Any,
                                     signatory: Any) -> None:
    pilot = login_as(people["pilot"])
    named = pilot.post("/evenements/nouveau", data=_event_form(
        quartier_id=str(quartier.id), signatory_id=str(signatory.id)))
    assert named.status_code == 302
    assert db.scalar(select(Event)).signatory_id == signatory.id


def _guest(client: Any, event: Any, **values: str) -> Any:
    return client.post(f"/evenements/{event.id}/inscription", data={
        "name": "Fatou Diallo", "phone": "06 12 34 56 78", "email": "fatou@example.org",
        "party_size": "1", "consent": "y", "childcare": "y", **values})


def test_the_proposer_sees_names_and_only_what_each_guest_shared(
        app: Any, login_as: Any, db: Any, people: dict, quartier: Any) -> None:
    proposer = people["resident"]
    event = factories.make_event(db, quartier, proposer, title="Atelier couture")
    guest = app.test_client()
    page = _text(guest.get(f"/evenements/{event.id}/inscription"))
    assert "La personne qui propose cet événement verra votre nom" in page
    assert _guest(guest, event).status_code == 302  # shares nothing by default
    assert _guest(app.test_client(), event, name="Karim B.", phone="07 98 76 54 32",
                  email="karim@example.org", share="phone").status_code == 302
    assert _guest(app.test_client(), event, name="Lina", phone="",
                  email="lina@example.org", share="email").status_code == 302
    listing = _text(login_as(proposer).get(f"/evenements/{event.id}/inscrits"))
    for name in ("Fatou Diallo", "Karim B.", "Lina"):
        assert name in listing
    assert "07 98 76 54 32" in listing
    assert "lina@example.org" in listing
    for hidden in ("06 12 34 56 78", "fatou@example.org", "karim@example.org",
                   "garde d’enfants"):
        assert hidden not in listing, hidden
    # Those who run the event see everything, as before.
    full = _text(login_as(people["animator"]).get(f"/evenements/{event.id}/inscrits"))
    for shown in ("06 12 34 56 78", "fatou@example.org", "karim@example.org"):
        assert shown in full


def test_sharing_a_channel_one_did_not_give_is_refused_next_to_the_choice(
        app: Any, db: Any, people: dict, quartier: Any) -> None:
    event = factories.make_event(db, quartier, people["resident"])
    refused = _guest(app.test_client(), event, phone="", share="phone")
    assert refused.status_code == 400
    assert 'id="share-error"' in _text(refused)
    assert "Fatou Diallo" in _text(refused)  # what was typed stays
    assert db.scalar(select(Signup)) is None


def test_events_run_by_staff_ask_nothing_more(app: Any, db: Any, people: dict,
                                              quartier: Any) -> None:
    event = factories.make_event(db, quartier, people["animator"])
    page = _text(app.test_client().get(f"/evenements/{event.id}/inscription"))
    assert "La personne qui propose cet événement verra votre nom" not in page
    assert people["animator"].has_role(Role.ANIMATOR, quartier_id=quartier.id)
