"""Events through their pages: lists, month, feeds, signing up and cancelling by link,
the organiser's side, attendance, and the quartier page's sections."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from civic.events.models import Event, Signup
from civic.permanence.models import Closure, WeeklySlot
from tests import factories
from tests.factories import NOW


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def _guest(**values: Any) -> dict[str, str]:
    return {"name": "Fatou Diallo", "phone": "06 12 34 56 78", "email": "fatou@example.org",
            "party_size": "1", "consent": "y", **values}


def _event_form(**values: Any) -> dict[str, str]:
    """An event on Friday 20 March 2026, 18:00–20:00 (Paris)."""
    return {"kind": "meal", "title": "Repas partagé du printemps", "description": "Chacun apporte",
            "day": "2026-03-20", "start": "18:00", "end": "20:00",
            "place": "Maison de quartier", "address": "2 place Abbal", "capacity": "30",
            **values}


def _cancel_link(body: str) -> str:
    found = re.search(r"https?://[^/\s]+(/evenements/annulation/\S+)", body)
    assert found, body
    return found.group(1)


def _mails_to(outbox: Any) -> dict[str, Any]:
    return {m["To"]: m for m in outbox.messages}


# --- Lists, month, feeds -------------------------------------------------------------------


def test_lists_show_the_quartiers_events_and_the_contracts(client: Any, db: Any,
                                                           quartier: Any,
                                                           other_quartier: Any) -> None:
    factories.make_event(db, quartier, title="Café des Tilleuls")
    factories.make_event(db, other_quartier, title="Café du Parc")
    factories.make_event(db, None, title="Assises du contrat", kind="assizes")
    factories.make_event(db, quartier, title="Repas en attente", moderation="pending")
    factories.make_event(db, quartier, title="Repas partagé", kind="meal")
    factories.make_event(db, quartier, title="Café de l’an dernier",
                         starts_at=NOW - timedelta(days=30))
    here = _text(client.get(f"/quartiers/{quartier.code}/evenements"))
    assert "Café des Tilleuls" in here
    assert "Assises du contrat" in here
    assert "Café du Parc" not in here
    assert "Repas en attente" not in here
    assert "Café de l’an dernier" not in here
    everywhere = _text(client.get("/evenements"))
    for title in ("Café des Tilleuls", "Café du Parc", "Assises du contrat"):
        assert title in everywhere
    meals = _text(client.get(f"/quartiers/{quartier.code}/evenements?type=meal"))
    assert "Repas partagé" in meals
    assert "Café des Tilleuls" not in meals
    past = _text(client.get(f"/quartiers/{quartier.code}/evenements?quand=passes"))
    assert "Café de l’an dernier" in past
    assert "Café des Tilleuls" not in past
    unknown = client.get("/evenements?type=nothing&quand=demain&page=x")
    assert unknown.status_code == 200
    assert "Café du Parc" in _text(unknown)
    assert client.get("/quartiers/QN999999/evenements").status_code == 404


def test_the_list_pages_past_twenty(client: Any, db: Any, quartier: Any) -> None:
    for n in range(21):
        factories.make_event(db, quartier, title=f"Atelier n°{n:02d}",
                             starts_at=NOW + timedelta(days=1, hours=n))
    first = _text(client.get("/evenements"))
    assert "Atelier n°19" in first
    assert "Atelier n°20" not in first
    assert "page=2" in first
    second = _text(client.get("/evenements?page=2"))
    assert "Atelier n°20" in second
    assert "Atelier n°19" not in second


def _cell_of(page: str, title: str) -> list[str]:
    """The day labels of the month's cells that list ``title``."""
    days = []
    for cell in page.split("<td")[1:]:
        if title in cell:
            label = cell.split('class="day-number">', 1)[1].split("<ul>", 1)[0]
            label = re.sub(r'<span class="visually-hidden">[^<]*</span>', "", label)
            days.append(" ".join(re.sub(r"<[^>]+>", "", label).split()))
    return days


def test_the_month_puts_an_event_on_its_local_day(client: Any, db: Any, quartier: Any) -> None:
    # 23:30 UTC on 31 March is 01:30 on 1 April in Paris (summer time).
    factories.make_event(db, quartier, title="Veillée",
                         starts_at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
    factories.make_event(db, quartier, title="Café du samedi")
    april = _text(client.get(f"/quartiers/{quartier.code}/evenements/calendrier?mois=2026-04"))
    assert _cell_of(april, "Veillée") == ["mercredi 1 avril"]
    assert "avril 2026" in april
    march = _text(client.get("/evenements/calendrier?mois=2026-03"))
    assert _cell_of(march, "Café du samedi") == ["samedi 21 mars"]
    assert "mardi 31 mars" not in _cell_of(march, "Veillée")
    assert client.get("/evenements/calendrier?mois=2026-13").status_code == 404
    assert client.get("/evenements/calendrier?mois=1999-01").status_code == 404
    for garbage in ("n'importe", "2026", "2026-03-01", "--"):
        current = client.get("/evenements/calendrier", query_string={"mois": garbage})
        assert current.status_code == 200
        assert "mars 2026" in _text(current)
        assert "Café du samedi" in _text(current)
    today = _text(client.get("/evenements/calendrier"))
    [cell] = [c for c in today.split("<td")[1:] if "today" in c.split(">", 1)[0]]
    assert "Aujourd’hui" in cell
    assert ">14<" in cell


def test_the_feeds_are_calendars(client: Any, db: Any, quartier: Any,
                                 other_quartier: Any) -> None:
    here = factories.make_event(db, quartier, title="Café des Tilleuls")
    factories.make_event(db, other_quartier, title="Café du Parc")
    factories.make_event(db, quartier, title="Fête annulée",
                         cancelled_at=NOW - timedelta(hours=1), cancel_reason="Pluie")
    for url in ("/evenements.ics", f"/quartiers/{quartier.code}/evenements.ics",
                f"/evenements/{here.id}.ics"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "text/calendar", url
        body = _text(response)
        assert body.startswith("BEGIN:VCALENDAR")
        assert "Café des Tilleuls" in body
    quartier_feed = _text(client.get(f"/quartiers/{quartier.code}/evenements.ics"))
    assert "Café du Parc" not in quartier_feed
    assert "STATUS:CANCELLED" in quartier_feed
    assert f"UID:{here.uid}@" in quartier_feed
    hidden = factories.make_event(db, quartier, moderation="pending")
    assert client.get(f"/evenements/{hidden.id}.ics").status_code in (302, 401, 403)


# --- One event, signing up ---------------------------------------------------------------


def test_the_event_page_shows_places_left_then_full(client: Any, db: Any,
                                                    quartier: Any) -> None:
    event = factories.make_event(db, quartier, title="Café", capacity=3, step_free=True,
                                 interpretation="arabe")
    factories.make_signup(db, event, party_size=2)
    page = _text(client.get(f"/evenements/{event.id}"))
    assert "1 place restante sur 3" in page
    assert "Je m’inscris" in page
    assert "Accessible sans marche" in page
    assert "arabe" in page
    factories.make_signup(db, db.get(Event, event.id), name="Karim")
    full = _text(client.get(f"/evenements/{event.id}"))
    assert "Complet" in full
    assert "Je m’inscris sur la liste d’attente" in full
    open_ended = factories.make_event(db, quartier, capacity=None)
    assert "Places illimitées" in _text(client.get(f"/evenements/{open_ended.id}"))
    assert client.get("/evenements/999999").status_code == 404


def test_a_guest_signs_up_gets_a_mail_and_cancels_by_link(client: Any, db: Any,
                                                          quartier: Any,
                                                          outbox: Any) -> None:
    event = factories.make_event(db, quartier, title="Repas de quartier", capacity=2)
    response = client.post(f"/evenements/{event.id}/inscription",
                           data=_guest(party_size="2", childcare="y"))
    assert response.status_code == 302
    assert "/evenements/inscription/" in response.headers["Location"]
    page = _text(client.get(response.headers["Location"]))
    assert "Vous êtes inscrit·e" in page
    assert "fatou@example.org" in page
    assert db.get(Event, event.id).seats_taken == 2
    [mail] = outbox.messages
    assert mail["To"] == "fatou@example.org"
    assert "Repas de quartier" in mail["Subject"]
    [ics] = list(mail.iter_attachments())
    assert ics.get_filename().endswith(".ics")
    assert ics.get_content_type() == "text/calendar"
    assert "BEGIN:VEVENT" in ics.get_content()
    cancel = _cancel_link(outbox.body(mail))
    waiting = factories.make_signup(db, db.get(Event, event.id), name="Karim",
                                    email="karim@example.org")
    assert waiting.status == "waiting"
    asked = client.get(cancel)
    assert asked.status_code == 200
    assert "Oui, annuler mon inscription" in _text(asked)
    outbox.__init__(outbox.directory)  # forget the confirmation
    done = client.post(cancel)
    assert done.status_code == 302
    assert "Inscription annulée" in _text(client.get(done.headers["Location"]))
    assert db.get(Signup, waiting.id).status == "confirmed"
    assert db.get(Event, event.id).seats_taken == 1
    mails = _mails_to(outbox)
    assert set(mails) == {"fatou@example.org", "karim@example.org"}
    assert "Une place s’est libérée" in mails["karim@example.org"]["Subject"]
    assert list(mails["karim@example.org"].iter_attachments())
    again = client.post(cancel)
    assert again.status_code == 302
    assert "déjà annulée" in _text(client.get(again.headers["Location"]))


def test_a_guest_without_e_mail_keeps_the_page(client: Any, db: Any, quartier: Any,
                                               outbox: Any) -> None:
    event = factories.make_event(db, quartier)
    response = client.post(f"/evenements/{event.id}/inscription", data=_guest(email=""))
    assert response.status_code == 302
    assert outbox.messages == []
    page = _text(client.get(response.headers["Location"]))
    assert "Gardez cette page" in page
    assert "Je ne peux plus venir" in page


def test_a_tampered_or_expired_link(client: Any, db: Any, quartier: Any, outbox: Any,
                                    monkeypatch: Any) -> None:
    event = factories.make_event(db, quartier)
    client.post(f"/evenements/{event.id}/inscription", data=_guest())
    cancel = _cancel_link(outbox.body(outbox.messages[0]))
    token = cancel.rsplit("/", 1)[1]
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for url in (f"/evenements/annulation/{tampered}", f"/evenements/inscription/{tampered}",
                "/evenements/annulation/nothing", "/evenements/inscription/x.y.z"):
        refused = client.get(url)
        assert refused.status_code == 404, url
        assert "Ce lien n’est pas valable" in _text(refused)
    assert client.post(f"/evenements/annulation/{tampered}").status_code == 404
    monkeypatch.setattr("civic.core.clock.now", lambda: event.starts_at + timedelta(minutes=1))
    started = client.post(cancel)
    assert started.status_code == 302
    assert "L’événement a commencé" in _text(client.get(started.headers["Location"]))
    monkeypatch.setattr("civic.core.clock.now", lambda: event.ends_at + timedelta(minutes=1))
    expired = client.get(cancel)
    assert expired.status_code == 410
    assert "a expiré" in _text(expired)
    assert client.post(cancel).status_code == 410
    assert db.get(Signup, db.scalar(select(Signup.id))).status == "confirmed"


def test_a_form_error_keeps_what_was_typed(client: Any, db: Any, quartier: Any,
                                           outbox: Any) -> None:
    event = factories.make_event(db, quartier)
    url = f"/evenements/{event.id}/inscription"
    no_consent = client.post(url, data=_guest(consent="", interpretation="tamoul"))
    page = _text(no_consent)
    assert no_consent.status_code == 400
    assert re.search(r'id="consent-error">Cochez cette case pour vous inscrire', page)
    assert 'value="Fatou Diallo"' in page
    assert 'value="tamoul"' in page
    assert 'value="fatou@example.org"' in page
    no_contact = client.post(url, data=_guest(phone="", email=""))
    page = _text(no_contact)
    assert no_contact.status_code == 400
    assert re.search(r'id="email-error">Donnez un numéro de téléphone ou une adresse', page)
    bad_phone = client.post(url, data=_guest(phone="appelez-moi"))
    assert bad_phone.status_code == 400
    assert 'id="phone-error"' in _text(bad_phone)
    assert 'value="appelez-moi"' in _text(bad_phone)
    assert db.scalars(select(Signup)).all() == []
    assert outbox.messages == []
    assert client.post(url, data=_guest()).status_code == 302
    twice = client.post(url, data=_guest(name="Encore moi"))
    assert twice.status_code == 400
    assert "déjà inscrite" in _text(twice)


def test_a_logged_in_resident_signs_up_without_typing_a_contact(login_as: Any, db: Any,
                                                                people: dict, quartier: Any,
                                                                outbox: Any) -> None:
    event = factories.make_event(db, quartier, title="Café des habitants")
    resident = people["resident"]
    client = login_as(resident)
    form = _text(client.get(f"/evenements/{event.id}/inscription"))
    assert 'value="Rania"' in form
    assert 'name="consent"' not in form
    response = client.post(f"/evenements/{event.id}/inscription", data={"party_size": "1"})
    assert response.status_code == 302
    [signup] = db.scalars(select(Signup)).all()
    assert (signup.user_id, signup.name, signup.email, signup.status) == (
        resident.id, "Rania", resident.email, "confirmed")
    [mail] = outbox.messages
    assert mail["To"] == resident.email
    page = _text(client.get(f"/evenements/{event.id}"))
    assert "Vous êtes inscrit·e." in page
    assert "Voir ou annuler mon inscription" in page
    twice = client.post(f"/evenements/{event.id}/inscription", data={"party_size": "1"})
    assert twice.status_code < 500
    assert "Vous êtes déjà inscrit·e" in _text(twice)
    assert len(db.scalars(select(Signup)).all()) == 1


def test_no_signup_once_started_cancelled_or_unpublished(client: Any, db: Any,
                                                         quartier: Any) -> None:
    started = factories.make_event(db, quartier, starts_at=NOW - timedelta(minutes=5))
    cancelled = factories.make_event(db, quartier, cancelled_at=NOW, cancel_reason="Pluie")
    for event, message in ((started, "Les inscriptions sont fermées"),
                           (cancelled, "Cet événement est annulé")):
        response = client.post(f"/evenements/{event.id}/inscription", data=_guest())
        assert response.status_code == 302
        assert message in _text(client.get(response.headers["Location"]))
    pending = factories.make_event(db, quartier, moderation="pending")
    refused = client.post(f"/evenements/{pending.id}/inscription", data=_guest())
    assert "/connexion" in refused.headers["Location"]
    assert db.scalars(select(Signup)).all() == []


# --- Creating, proposing, moderating, editing, cancelling -----------------------------------


def test_an_animator_publishes_at_once(login_as: Any, db: Any, people: dict,
                                       quartier: Any, other_quartier: Any) -> None:
    client = login_as(people["animator"])
    form = client.get(f"/evenements/nouveau?quartier={quartier.code}")
    assert form.status_code == 200
    assert "Publier l’événement" in _text(form)
    created = client.post(f"/evenements/nouveau?quartier={quartier.code}",
                          data=_event_form(quartier_id=str(quartier.id)))
    assert created.status_code == 302
    event = db.scalar(select(Event))
    assert (event.moderation, event.quartier_id, event.author_id, event.capacity) == (
        "published", quartier.id, people["animator"].id, 30)
    assert event.starts_at.replace(tzinfo=UTC) == datetime(2026, 3, 20, 17, 0, tzinfo=UTC)
    assert "Repas partagé du printemps" in _text(
        login_as(people["resident"]).get(f"/quartiers/{quartier.code}/evenements"))
    # In another quartier the animator is one resident among others: a proposal.
    client = login_as(people["animator"])
    elsewhere = client.post("/evenements/nouveau", data=_event_form(
        quartier_id=str(other_quartier.id), title="Ailleurs"))
    assert elsewhere.status_code == 302
    assert db.scalar(select(Event).where(Event.title == "Ailleurs")).moderation == "pending"


def test_creating_refuses_bad_times_and_the_past(login_as: Any, db: Any, people: dict,
                                                 quartier: Any) -> None:
    client = login_as(people["animator"])
    url = "/evenements/nouveau"
    backwards = client.post(url, data=_event_form(quartier_id=str(quartier.id), end="17:00"))
    assert backwards.status_code == 400
    assert re.search(r'id="end-error">L’heure de fin doit venir après', _text(backwards))
    assert 'value="Repas partagé du printemps"' in _text(backwards)
    past = client.post(url, data=_event_form(quartier_id=str(quartier.id), day="2026-03-01"))
    assert past.status_code == 400
    assert 'id="day-error">Ce jour est déjà passé' in _text(past)
    no_title = client.post(url, data=_event_form(quartier_id=str(quartier.id), title=""))
    assert no_title.status_code == 400
    assert 'id="title-error"' in _text(no_title)
    assert db.scalars(select(Event)).all() == []
    assert client.get(url).status_code == 200
    pilot = login_as(people["pilot"])
    assert pilot.post(url, data=_event_form(quartier_id="", kind="assizes",
                                            title="Assises")).status_code == 302
    whole = db.scalar(select(Event))
    assert (whole.quartier_id, whole.moderation) == (None, "published")
    assert "Tout le contrat" in _text(pilot.get(f"/evenements/{whole.id}"))
    assert pilot.get(f"/evenements/{whole.id}/modifier").status_code == 200
    assert pilot.post(f"/evenements/{whole.id}/modifier", data=_event_form(
        kind="assizes", title="Assises 2026")).status_code == 302
    assert db.get(Event, whole.id).title == "Assises 2026"
    assert login_as(people["animator"]).get(
        f"/evenements/{whole.id}/modifier").status_code == 403


def test_a_residents_proposal_goes_through_moderation(client: Any, login_as: Any, db: Any,
                                                      people: dict, quartier: Any) -> None:
    assert client.get("/evenements/nouveau").status_code in (302, 401, 403)
    resident = login_as(people["resident"])
    form = _text(resident.get(f"/evenements/nouveau?quartier={quartier.code}"))
    assert "Envoyer ma proposition" in form
    whole = resident.post("/evenements/nouveau", data=_event_form(quartier_id=""))
    assert whole.status_code == 400
    assert 'id="quartier_id-error"' in _text(whole)
    proposed = resident.post("/evenements/nouveau",
                             data=_event_form(quartier_id=str(quartier.id)))
    assert proposed.status_code == 302
    event = db.scalar(select(Event))
    assert event.moderation == "pending"
    assert "attend la relecture du conseil citoyen" in _text(
        resident.get(proposed.headers["Location"]))
    listed = f"/quartiers/{quartier.code}/evenements"
    assert "Repas partagé du printemps" not in _text(resident.get(listed))
    moderator = login_as(people["moderator"])
    queue = _text(moderator.get("/moderation"))
    assert "Repas partagé du printemps" in queue
    assert f"/moderation/event/{event.id}" in queue
    decided = moderator.post(f"/moderation/event/{event.id}", data={"d-action": "publish"})
    assert decided.status_code == 302
    assert db.get(Event, event.id).moderation == "published"
    assert "Repas partagé du printemps" in _text(login_as(people["signatory"]).get(listed))
    assert "Repas partagé du printemps" not in _text(moderator.get("/moderation"))


def test_changing_the_time_mails_the_people_signed_up(login_as: Any, db: Any, people: dict,
                                                      quartier: Any, outbox: Any) -> None:
    event = factories.make_event(db, quartier, title="Café du samedi",
                                 starts_at=datetime(2026, 3, 21, 9, 0, tzinfo=UTC))
    factories.make_signup(db, event, name="Awa", email="awa@example.org", language="en")
    factories.make_signup(db, event, name="Brahim", email=None)
    client = login_as(people["animator"])
    form = _text(client.get(f"/evenements/{event.id}/modifier"))
    assert 'value="2026-03-21"' in form
    assert 'value="10:00"' in form
    same = client.post(f"/evenements/{event.id}/modifier", data=_event_form(
        kind="cafe", title="Café du samedi (nouveau titre)", day="2026-03-21", start="10:00",
        end="12:00", capacity="10"))
    assert same.status_code == 302
    assert outbox.messages == []
    moved = client.post(f"/evenements/{event.id}/modifier", data=_event_form(
        kind="cafe", title="Café du samedi", day="2026-03-21", start="14:00", end="16:00",
        capacity="10"))
    assert moved.status_code == 302
    [mail] = outbox.messages
    assert mail["To"] == "awa@example.org"
    assert "Café du samedi" in mail["Subject"]
    assert "14:00" in outbox.body(mail)
    assert list(mail.iter_attachments())
    assert db.get(Event, event.id).sequence == 2
    below = client.post(f"/evenements/{event.id}/modifier", data=_event_form(
        kind="cafe", day="2026-03-21", start="14:00", end="16:00", capacity="1"))
    assert below.status_code == 400
    assert 'id="capacity-error"' in _text(below)
    assert login_as(people["resident"]).get(
        f"/evenements/{event.id}/modifier").status_code == 403


def test_cancelling_an_event_mails_everyone(login_as: Any, db: Any, people: dict,
                                            quartier: Any, outbox: Any) -> None:
    event = factories.make_event(db, quartier, title="Fête de projet", capacity=1)
    factories.make_signup(db, event, name="Awa", email="awa@example.org")
    factories.make_signup(db, event, name="Bilal", email="bilal@example.org")  # waiting
    factories.make_signup(db, event, name="Chloé", email=None)
    client = login_as(people["animator"])
    empty = client.post(f"/evenements/{event.id}/annuler", data={"reason": "  "})
    assert empty.status_code == 400
    assert 'id="reason-error"' in _text(empty)
    done = client.post(f"/evenements/{event.id}/annuler", data={"reason": "Salle inondée"})
    assert done.status_code == 302
    page = _text(client.get(done.headers["Location"]))
    assert "2 personnes prévenues" in page
    assert "Salle inondée" in page
    mails = _mails_to(outbox)
    assert set(mails) == {"awa@example.org", "bilal@example.org"}
    assert all("Salle inondée" in outbox.body(m) for m in mails.values())
    assert "STATUS:CANCELLED" in _text(client.get(f"/evenements/{event.id}.ics"))
    assert "Annulé" in _text(client.get(f"/quartiers/{quartier.code}/evenements"))
    edited = client.post(f"/evenements/{event.id}/modifier", data=_event_form(kind="cafe"))
    assert edited.status_code < 500
    assert "Cet événement est annulé" in _text(edited)
    assert db.get(Event, event.id).title == "Fête de projet"


# --- The organiser's side ---------------------------------------------------------------------


def test_the_organisers_list_shows_names_and_needs(login_as: Any, db: Any, people: dict,
                                                   quartier: Any, other_quartier: Any) -> None:
    event = factories.make_event(db, quartier, capacity=2)
    factories.make_signup(db, event, name="Awa", childcare=True, interpretation="wolof")
    factories.make_signup(db, event, name="Bilal", phone="07 00 00 00 01", step_free=True)
    factories.make_signup(db, event, name="Chloé")  # waiting
    url = f"/evenements/{event.id}/inscrits"
    page = _text(login_as(people["animator"]).get(url))
    for text in ("Awa", "Bilal", "Chloé", "garde d’enfants", "sans marche", "wolof",
                 'href="tel:0700000001"', "Liste d’attente"):
        assert text in page, text
    assert login_as(people["pilot"]).get(url).status_code == 200
    for who in ("resident", "moderator", "signatory"):
        assert login_as(people[who]).get(url).status_code == 403, who
    elsewhere = factories.make_event(db, other_quartier)
    assert login_as(people["animator"]).get(
        f"/evenements/{elsewhere.id}/inscrits").status_code == 403
    organiser = factories.make_user(db, display_name="Association Bel Air")
    theirs = factories.make_event(db, quartier, organiser)
    proposed = factories.make_event(db, quartier, organiser, moderation="pending")
    assert login_as(organiser).get(f"/evenements/{theirs.id}/inscrits").status_code == 200
    assert login_as(organiser).get(f"/evenements/{proposed.id}/inscrits").status_code == 403
    assert login_as(organiser).get(url).status_code == 403
    managed = _text(login_as(people["animator"]).get("/evenements/gerer"))
    assert event.title in managed
    assert elsewhere.title not in managed
    assert login_as(people["resident"]).get("/evenements/gerer").status_code == 403


def test_writing_to_all_reaches_only_e_mail_and_consent(login_as: Any, db: Any,
                                                        people: dict, quartier: Any,
                                                        outbox: Any) -> None:
    event = factories.make_event(db, quartier, capacity=3)
    factories.make_signup(db, event, name="Awa", email="awa@example.org")
    factories.make_signup(db, event, name="Bilal", email=None)
    no_consent = factories.make_signup(db, event, name="Chloé", email="chloe@example.org")
    no_consent.consent = False
    gone = factories.make_signup(db, event, name="Dan", email="dan@example.org")
    gone.status = "cancelled"
    factories.make_signup(db, event, name="Émile", email="emile@example.org")  # waiting
    db.flush()
    client = login_as(people["animator"])
    url = f"/evenements/{event.id}/inscrits"
    assert "2 personnes ont donné un e-mail" in _text(client.get(url))
    missing = client.post(url, data={"subject": "", "body": "Rendez-vous à 18 h"})
    assert missing.status_code == 400
    assert 'value=""' in _text(missing)
    assert "Rendez-vous à 18 h" in _text(missing)
    assert outbox.messages == []
    sent = client.post(url, data={"subject": "Changement de salle",
                                  "body": "Rendez-vous salle 2."})
    assert sent.status_code == 302
    assert "Message envoyé à 2 personnes" in _text(client.get(sent.headers["Location"]))
    mails = _mails_to(outbox)
    assert set(mails) == {"awa@example.org", "emile@example.org"}
    assert all("Rendez-vous salle 2." in outbox.body(m) for m in mails.values())
    assert all("/evenements/annulation/" in outbox.body(m) for m in mails.values())
    assert login_as(people["resident"]).post(url, data={
        "subject": "x", "body": "y"}).status_code == 403


def test_attendance_on_the_tablet(login_as: Any, db: Any, people: dict,
                                  quartier: Any) -> None:
    event = factories.make_event(db, quartier, starts_at=NOW + timedelta(minutes=30))
    awa = factories.make_signup(db, event, name="Awa", party_size=2)
    bilal = factories.make_signup(db, event, name="Bilal")
    client = login_as(people["animator"])
    url = f"/evenements/{event.id}/presences"
    page = _text(client.get(url))
    assert f'name="present" value="{awa.id}"' in page
    assert "Bilal" in page
    too_many = client.post(url, data={"present": [str(awa.id)], "walk_ins": "3",
                                      "gender_woman": "9"})
    assert too_many.status_code == 400
    assert 'id="gender_woman-error"' in _text(too_many)
    names_over = client.post(url, data={"walk_ins": "1", "walk_in_names": "Ali\nBéa"})
    assert names_over.status_code == 400
    assert 'id="walk_in_names-error"' in _text(names_over)
    done = client.post(url, data={"present": [str(awa.id), "nope"], "walk_ins": "3",
                                  "walk_in_names": "Ali\nBéa", "gender_woman": "3",
                                  "gender_man": "2", "age_25_39": "4"})
    assert done.status_code == 302
    shown = _text(client.get(done.headers["Location"]))
    assert "Présences enregistrées : 5 personnes." in shown
    assert "Déjà noté : 5 personnes présentes." in shown
    assert 'value="3"' in shown
    assert "Ali\nBéa" in shown
    assert re.search(rf'value="{awa.id}" id="present-{awa.id}" checked', shown)
    assert not re.search(rf'value="{bilal.id}" id="present-{bilal.id}" checked', shown)
    stored = db.get(Event, event.id)
    assert (stored.attendance, stored.walk_ins) == (5, 3)
    later = factories.make_event(db, quartier, starts_at=NOW + timedelta(days=3))
    before = _text(client.get(f"/evenements/{later.id}/presences"))
    # Said before any form: nothing to fill in that would be refused.
    assert "Les présences se notent le jour même, à partir du 17/03/2026 09:00." in before
    assert "Enregistrer les présences" not in before
    early = client.post(f"/evenements/{later.id}/presences", data={"walk_ins": "1"})
    assert early.status_code == 400
    assert "Les présences se notent le jour même" in _text(early)
    assert db.get(Event, later.id).attendance_taken_at is None
    assert login_as(people["moderator"]).get(url).status_code == 403


def test_the_event_page_shows_the_organisers_tools_to_them_only(client: Any, login_as: Any,
                                                                db: Any, people: dict,
                                                                quartier: Any) -> None:
    event = factories.make_event(db, quartier)
    assert "Personnes inscrites" not in _text(client.get(f"/evenements/{event.id}"))
    page = _text(login_as(people["animator"]).get(f"/evenements/{event.id}"))
    assert "Personnes inscrites" in page
    assert "Annuler l’événement" in page
    purged = factories.make_event(db, quartier, starts_at=NOW - timedelta(days=40),
                                  purged_at=NOW - timedelta(days=5), attendance=12)
    page = _text(login_as(people["animator"]).get(f"/evenements/{purged.id}"))
    assert "La liste des inscrits a été effacée" in page
    assert "12 personnes sont venues" in page
    assert login_as(people["animator"]).get(
        f"/evenements/{purged.id}/inscrits").status_code == 403


# --- The quartier page -----------------------------------------------------------------------


def test_the_quartier_page_shows_next_events_and_permanence_hours(client: Any, db: Any,
                                                                  quartier: Any) -> None:
    page = _text(client.get(f"/quartiers/{quartier.code}"))
    assert "Prochains événements" in page
    assert "Rencontrer un animateur" not in page
    factories.make_event(db, quartier, title="Café des Tilleuls")
    factories.make_event(db, quartier, title="Fête annulée", cancelled_at=NOW,
                         cancel_reason="Pluie")
    db.add(WeeklySlot(quartier_id=quartier.id, weekday=1, starts=time(14), ends=time(17),
                      place="Maison de quartier", host="Samira, adulte-relais",
                      created_at=NOW))
    db.add(Closure(quartier_id=quartier.id, first_day=date(2026, 3, 23),
                   last_day=date(2026, 3, 27), label="Vacances de printemps"))
    db.flush()
    page = _text(client.get(f"/quartiers/{quartier.code}"))
    assert "Café des Tilleuls" in page
    assert "Fête annulée" not in page
    assert "Rencontrer un animateur" in page
    assert "Samira, adulte-relais" in page
    assert "Chaque mardi, de 14:00 à 17:00" in page
    [open_day] = re.findall(r"<li>mardi 17 mars[^<]*</li>", page)
    assert "fermé" not in open_day
    assert re.search(r"<li>mardi 24 mars, 14:00–17:00 — <strong>fermé</strong> "
                     r"\(<bdi>Vacances de printemps</bdi>\)", page)


# --- Languages -------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "direction"), [("en", "ltr"), ("ar", "rtl")])
def test_the_event_pages_in_english_and_arabic(client: Any, login_as: Any, db: Any,
                                               people: dict, quartier: Any, outbox: Any,
                                               language: str, direction: str) -> None:
    event = factories.make_event(db, quartier, title="Café", capacity=1)
    factories.make_signup(db, event, name="Awa")
    people["animator"].language = language  # an account's pages follow its language
    db.flush()
    switched = client.post("/langue", data={"lang": language,
                                            "next": f"/evenements/{event.id}"})
    assert switched.status_code == 302
    page = client.get(f"/evenements/{event.id}")
    assert page.status_code == 200
    assert f'<html lang="{language}" dir="{direction}">' in _text(page)
    for url in ("/evenements", f"/quartiers/{quartier.code}/evenements",
                "/evenements/calendrier", f"/evenements/{event.id}/inscription",
                f"/quartiers/{quartier.code}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'dir="{direction}"' in _text(response)
    signed = client.post(f"/evenements/{event.id}/inscription",
                         data=_guest(email="lina@example.org"))
    assert signed.status_code == 302
    assert client.get(signed.headers["Location"]).status_code == 200
    [mail] = outbox.messages
    assert db.scalar(select(Signup).where(Signup.name == "Fatou Diallo")).language == language
    assert "Café" in mail["Subject"]
    staff = login_as(people["animator"])
    for url in (f"/evenements/{event.id}/inscrits", f"/evenements/{event.id}/presences",
                f"/evenements/{event.id}/modifier", f"/evenements/{event.id}/annuler",
                "/evenements/gerer", f"/quartiers/{quartier.code}/permanences"):
        response = staff.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}" dir="{direction}">' in _text(response), url


def test_the_calendar_of_each_mail_says_where_the_place_stands(client: Any, db: Any,
                                                                quartier: Any,
                                                                outbox: Any) -> None:
    """Waiting list: tentative; a place freed: confirmed; a signup cancelled: the event
    leaves the calendar (METHOD:CANCEL). Every calendar part says it is UTF-8."""
    from icalendar import Calendar

    def calendar_of(mail: Any) -> tuple[str, str, str]:
        [part] = list(mail.iter_attachments())
        assert part.get_content_type() == "text/calendar"
        assert part.get_content_charset() == "utf-8"
        parsed = Calendar.from_ical(part.get_content())
        [item] = parsed.walk("VEVENT")
        return str(parsed["METHOD"]), str(item["STATUS"]), part.get_param("method")

    event = factories.make_event(db, quartier, title="Repas de quartier", capacity=1)
    client.post(f"/evenements/{event.id}/inscription", data=_guest())
    confirmed = _mails_to(outbox)["fatou@example.org"]
    assert calendar_of(confirmed) == ("PUBLISH", "CONFIRMED", "PUBLISH")
    client.post(f"/evenements/{event.id}/inscription",
                data=_guest(name="Karim", email="karim@example.org"))
    assert calendar_of(_mails_to(outbox)["karim@example.org"]) == (
        "PUBLISH", "TENTATIVE", "PUBLISH")
    cancel = _cancel_link(outbox.body(confirmed))
    outbox.__init__(outbox.directory)
    client.post(cancel)
    mails = _mails_to(outbox)
    assert calendar_of(mails["fatou@example.org"]) == ("CANCEL", "CANCELLED", "CANCEL")
    assert calendar_of(mails["karim@example.org"]) == ("PUBLISH", "CONFIRMED", "PUBLISH")
