"""Events, end to end in a browser: a guest signs up on a phone from the quartier's page,
gets the mail with the calendar file and cancels by its link; a full event puts the next
guest on the waiting list, and a cancellation gives them the place (then the page reads
right to left in Arabic); an animator takes the attendance at the door on a tablet.

The live server reads the real clock, so events are seeded around ``datetime.now(UTC)``:
a week ahead to sign up, half an hour ago to take the attendance.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from icalendar import Calendar
from playwright.sync_api import Locator, Page, expect
from sqlalchemy.orm import Session

from civic.accounts.models import Role
from civic.events import notifications
from tests import factories
from tests.browser.conftest import Mailbox
from tests.browser.pages import address_of, fits, flash, heading, log_in, nav, selected

Audit = Callable[[Page], None]

QUARTIER = "Les Tilleuls"
FORM_ERRORS = "Le formulaire contient des erreurs"
CONSENT = "J’accepte d’être contacté·e au sujet de cet événement"
CONSENT_ERROR = "Cochez cette case pour vous inscrire."
PARTY = "Combien de personnes, vous compris ?"
SIGNED_UP = "Vous êtes inscrit·e"
WAITING = "Vous êtes sur la liste d’attente"
CANCELLED = "Inscription annulée"
CANCEL_PATH = "/evenements/annulation/"


# --- Seeding -----------------------------------------------------------------------------


def _now() -> datetime:
    """The live server's clock (the real one), to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def _quartier(seed: Session) -> Any:
    contract = factories.make_contract(seed)
    return factories.make_quartier(seed, contract, name=QUARTIER)


# --- Pages and mails ---------------------------------------------------------------------


def _places(page: Page) -> Locator:
    """What the event's page says of its places."""
    facts = page.locator("dl.facts > div").filter(has=page.get_by_text("Places", exact=True))
    return facts.locator("dd")


def _path(page: Page) -> str:
    return urlsplit(page.url).path


def _calendar_file(message: EmailMessage) -> str:
    """The text of the one .ics file attached to the mail."""
    files = [part for part in message.iter_attachments()
             if (part.get_filename() or "").endswith(".ics")]
    assert len(files) == 1, f"expected one .ics file in {message['Subject']!r}"
    assert files[0].get_content_type() == "text/calendar"
    content = files[0].get_content()
    return content.decode() if isinstance(content, bytes) else str(content)


def _calendar(message: EmailMessage) -> tuple[str, list[tuple[str, str, str]]]:
    """The calendar the mail carries, read as a phone's calendar reads it: its METHOD,
    then each event's (UID, SUMMARY, STATUS). Every text/calendar part of the mail says
    it is UTF-8, and its Content-Type names the same method as the calendar inside."""
    parts = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1, f"expected one calendar in {message['Subject']!r}"
    for part in parts:
        assert part.get_content_charset() == "utf-8", part["Content-Type"]
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    calendar = Calendar.from_ical(payload)
    assert isinstance(calendar, Calendar)
    method = str(calendar["METHOD"])
    assert parts[0].get_param("method") == method, parts[0]["Content-Type"]
    return method, [(str(e["UID"]), str(e["SUMMARY"]), str(e["STATUS"]))
                    for e in calendar.walk("VEVENT")]


# --- 1. A guest signs up from the quartier's page, then cancels by the mail's link ------


def test_guest_signs_up_gets_the_mail_and_cancels_by_its_link_on_a_phone(
        phone: Page, seed: Session, mailbox: Mailbox, audit: Audit) -> None:
    page = phone
    quartier = _quartier(seed)
    event = factories.make_event(seed, quartier, title="Café des habitants de la rentrée",
                                 starts_at=_now() + timedelta(days=7), capacity=10)
    title, uid = event.title, event.uid
    seed.commit()
    guest = "mariam.k@example.org"

    # From the quartier's page, its next events lead to the café.
    page.goto("/")
    page.get_by_role("link", name=re.compile(f"^{QUARTIER}")).click()
    heading(page, QUARTIER)
    section = page.get_by_role("region", name="Prochains événements")
    expect(section.get_by_role("heading", level=3)).to_have_text([title])
    fits(page)
    audit(page)
    section.get_by_role("link", name=title).click()
    expect(page).to_have_url(re.compile(r"/evenements/\d+$"))
    event_path = _path(page)
    heading(page, title)
    expect(_places(page)).to_have_text("10 places restantes sur 10")
    fits(page)
    audit(page)

    page.get_by_role("link", name="Je m’inscris").click()
    expect(page).to_have_url(re.compile(f"{event_path}/inscription$"))
    heading(page, "S’inscrire")
    fits(page)
    audit(page)

    # Sent without the consent: the message sits by the box; what was typed stays.
    page.get_by_label("Votre nom ou prénom").fill("Mariam")
    page.get_by_label("E-mail").fill(guest)
    page.get_by_label(PARTY).select_option("2")
    page.get_by_role("button", name="Confirmer mon inscription").click()
    expect(page.get_by_role("alert").filter(has_text=FORM_ERRORS)).to_be_visible()
    consent = page.get_by_label(CONSENT)
    expect(consent).not_to_be_checked()
    expect(consent).to_have_attribute("aria-invalid", "true")
    expect(consent).to_have_accessible_description(re.compile(re.escape(CONSENT_ERROR)))
    expect(page.locator("#consent-error")).to_have_text(CONSENT_ERROR)
    expect(page.get_by_label("Votre nom ou prénom")).to_have_value("Mariam")
    expect(page.get_by_label("E-mail")).to_have_value(guest)
    expect(page.get_by_label("E-mail")).not_to_have_attribute("aria-invalid", "true")
    expect(selected(page, PARTY)).to_have_text("2")
    fits(page)
    audit(page)

    consent.check()
    page.get_by_role("button", name="Confirmer mon inscription").click()

    # The signup's own page, which the mail's links lead back to.
    expect(page).to_have_url(re.compile(r"/evenements/inscription/[^/]+$"))
    heading(page, SIGNED_UP)
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Mariam")
    expect(facts.locator("div").filter(has_text="Nombre de personnes").locator("dd")
           ).to_have_text("2")
    expect(page.get_by_text(f"Un e-mail de confirmation est parti à {guest}")).to_be_visible()
    expect(page.get_by_role("link", name="Je ne peux plus venir")).to_be_visible()
    fits(page)
    audit(page)

    confirmation = mailbox.last_to(guest)
    assert confirmation["Subject"] == f"Inscription confirmée : {title}"
    body = mailbox.body(confirmation)
    assert "Bonjour Mariam," in body
    assert "Votre inscription est confirmée pour 2 personnes." in body
    calendar = _calendar_file(confirmation)
    assert "BEGIN:VEVENT" in calendar
    assert f"UID:{uid}@" in calendar
    assert "STATUS:CONFIRMED" in calendar
    cancel_link = mailbox.link(confirmation, CANCEL_PATH)

    # Two of the ten places are taken.
    page.get_by_role("link", name="Voir l’événement").click()
    heading(page, title)
    expect(_places(page)).to_have_text("8 places restantes sur 10")
    audit(page)

    # The link of the mail, without an account: a confirmation, then the signup is gone.
    page.goto(cancel_link)
    heading(page, "Annuler mon inscription")
    expect(page.get_by_text("Votre place ira à la personne suivante sur la liste d’attente.")
           ).to_be_visible()
    fits(page)
    audit(page)
    page.get_by_role("button", name="Oui, annuler mon inscription").click()
    heading(page, CANCELLED)
    flash(page, "Votre inscription est annulée. Merci d’avoir prévenu.")
    expect(page.get_by_role("link", name="Je ne peux plus venir")).to_have_count(0)
    fits(page)
    audit(page)
    assert mailbox.last_to(guest)["Subject"] == f"Désinscription confirmée : {title}"

    # The places are back.
    page.get_by_role("link", name="Voir l’événement").click()
    expect(page).to_have_url(re.compile(f"{event_path}$"))
    expect(_places(page)).to_have_text("10 places restantes sur 10")
    expect(page.get_by_role("link", name="Je m’inscris")).to_be_visible()
    audit(page)


# --- 2. The waiting list, a freed place, and the page in Arabic -----------------------------


def test_a_freed_place_goes_to_the_waiting_list_on_a_phone(
        phone: Page, tablet: Page, app: Flask, seed: Session, mailbox: Mailbox,
        audit: Audit) -> None:
    page = phone
    quartier = _quartier(seed)
    event = factories.make_event(seed, quartier, title="Repas partagé du quartier",
                                 kind="meal", starts_at=_now() + timedelta(days=3),
                                 capacity=1)
    first = factories.make_signup(seed, event, name="Fatou", email="fatou@example.org",
                                  phone=None, now=_now())
    assert first.status == "confirmed"
    with app.app_context():  # the tests' app signs with the live server's key
        first_cancel = CANCEL_PATH + notifications.token(first)
    title, event_id, uid = event.title, event.id, event.uid
    seed.commit()
    guest = "karim.b@example.org"

    # The only place is taken: the page offers the waiting list.
    page.goto(f"/evenements/{event_id}")
    heading(page, title)
    expect(_places(page)).to_have_text("Complet : liste d’attente")
    fits(page)
    audit(page)
    page.get_by_role("link", name="Je m’inscris sur la liste d’attente").click()
    heading(page, "S’inscrire")
    expect(page.get_by_text("Vous serez sur la liste d’attente et prévenu·e si une place se "
                            "libère.")).to_be_visible()
    page.get_by_label("Votre nom ou prénom").fill("Karim")
    page.get_by_label("E-mail").fill(guest)
    page.get_by_label(CONSENT).check()
    audit(page)
    page.get_by_role("button", name="Confirmer mon inscription").click()

    heading(page, WAITING)
    signup_path = _path(page)
    expect(page.get_by_text("Vous êtes en position 1. Si une place se libère, elle est pour "
                            "vous : nous vous écrirons.")).to_be_visible()
    fits(page)
    audit(page)
    waiting = mailbox.last_to(guest)
    assert waiting["Subject"] == f"Liste d’attente : {title}"
    assert "vous êtes sur la liste d’attente" in mailbox.body(waiting)
    # Its calendar holds the event as tentative only: no confirmed place in his diary.
    method, [(entry, summary, status)] = _calendar(waiting)
    assert (method, summary, status) == ("PUBLISH", title, "TENTATIVE")
    assert entry.startswith(f"{uid}@")

    # Fatou cannot come after all: she cancels by her link, on her computer.
    desk = tablet
    desk.goto(first_cancel)
    heading(desk, "Annuler mon inscription")
    audit(desk)
    desk.get_by_role("button", name="Oui, annuler mon inscription").click()
    heading(desk, CANCELLED)
    flash(desk, "Votre inscription est annulée. Merci d’avoir prévenu.")
    audit(desk)
    cancelled = mailbox.last_to("fatou@example.org")
    assert cancelled["Subject"] == f"Désinscription confirmée : {title}"
    # Hers takes the event out of her calendar.
    assert _calendar(cancelled) == ("CANCEL", [(entry, title, "CANCELLED")])

    # The place is Karim's, and he is told so, with the calendar file.
    promoted = mailbox.last_to(guest)
    assert promoted["Subject"] == f"Une place s’est libérée : {title}"
    assert "Bonne nouvelle : une place s’est libérée. Vous êtes inscrit·e." in (
        mailbox.body(promoted))
    # The same entry of his calendar, now confirmed.
    assert _calendar(promoted) == ("PUBLISH", [(entry, title, "CONFIRMED")])
    assert mailbox.link(promoted, CANCEL_PATH)
    page.reload()
    expect(page).to_have_url(re.compile(f"{signup_path}$"))
    heading(page, SIGNED_UP)
    expect(page.get_by_text("Vous êtes en position")).to_have_count(0)
    expect(page.get_by_role("link", name="Je ne peux plus venir")).to_be_visible()
    fits(page)
    audit(page)

    # The event's page, full again, read in Arabic: right to left.
    page.get_by_role("link", name="Voir l’événement").click()
    expect(_places(page)).to_have_text("Complet : liste d’attente")
    expect(page.locator("html[lang=fr][dir=ltr]")).to_have_count(1)
    audit(page)
    page.get_by_role("button", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page).to_have_url(re.compile(f"/evenements/{event_id}$"))
    heading(page, title)
    expect(page.get_by_role("button", name="العربية")).to_have_attribute("aria-pressed", "true")
    fits(page)
    audit(page)


# --- 3. Attendance at the door, on the animator's tablet ---------------------------------


def test_animator_takes_the_attendance_on_a_tablet(
        tablet: Page, seed: Session, audit: Audit) -> None:
    page = tablet
    quartier = _quartier(seed)
    animator = address_of(factories.make_user(seed, display_name="Aïcha",
                                            roles=[(Role.ANIMATOR, quartier)]))
    starts = _now() - timedelta(minutes=30)
    event = factories.make_event(seed, quartier, title="Café du lundi",
                                 starts_at=starts, capacity=10)
    before = starts - timedelta(days=2)
    factories.make_signup(seed, event, name="Fatou", party_size=2, now=before)
    factories.make_signup(seed, event, name="Samir", email="samir@example.org", phone=None,
                          now=before + timedelta(minutes=1))
    factories.make_signup(seed, event, name="Léa", now=before + timedelta(minutes=2))
    title = event.title
    tomorrow = factories.make_event(seed, quartier, title="Repas de demain",
                                    starts_at=_now() + timedelta(days=1), capacity=10)
    tomorrow_id = tomorrow.id
    seed.commit()

    # From the tablet's home to the animator's events.
    log_in(page, audit, animator)
    nav(page).get_by_role("link", name="Permanence").click()
    heading(page, "Tablette de permanence")
    audit(page)
    page.get_by_role("link", name="Mes événements : inscrits et présences").click()
    expect(page).to_have_url(re.compile(r"/evenements/gerer$"))
    heading(page, "Mes événements")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=title, exact=True))
    expect(row.get_by_role("cell").nth(2)).to_have_text("4 / 10")
    audit(page)
    row.get_by_role("link", name=f"Présences — {title}").click()

    # Two of the three signups came, and three people without signing up.
    expect(page).to_have_url(re.compile(r"/evenements/\d+/presences$"))
    attendance_path = _path(page)
    heading(page, "Présences")
    people = page.get_by_role("group", name="Qui est là ? Touchez chaque nom.")
    expect(people.get_by_role("checkbox")).to_have_count(3)
    expect(people.get_by_role("checkbox", name="Fatou · 2 personnes")).not_to_be_checked()
    audit(page)
    people.get_by_role("checkbox", name="Fatou · 2 personnes").check()
    people.get_by_role("checkbox", name="Samir").check()
    page.get_by_label("Personnes venues sans inscription").fill("3")
    page.get_by_label("Leurs noms, s’ils veulent les donner").fill("Yasmina")
    page.get_by_label("Femme", exact=True).fill("4")
    page.get_by_label("Homme", exact=True).fill("2")
    page.get_by_role("button", name="Enregistrer les présences").click()

    expect(page).to_have_url(re.compile(f"{attendance_path}$"))
    flash(page, "Présences enregistrées : 6 personnes.")
    expect(page.get_by_text("Déjà noté : 6 personnes présentes.")).to_be_visible()
    expect(people.get_by_role("checkbox", name="Fatou · 2 personnes")).to_be_checked()
    expect(people.get_by_role("checkbox", name="Samir")).to_be_checked()
    expect(people.get_by_role("checkbox", name="Léa")).not_to_be_checked()
    expect(page.get_by_label("Personnes venues sans inscription")).to_have_value("3")
    expect(page.get_by_label("Leurs noms, s’ils veulent les donner")).to_have_value("Yasmina")
    expect(page.get_by_label("Femme", exact=True)).to_have_value("4")
    expect(page.get_by_label("Homme", exact=True)).to_have_value("2")
    audit(page)

    # The list of the people signed up, from the event's page.
    page.get_by_role("link", name=title).click()
    heading(page, title)
    expect(page.get_by_text("Les inscriptions sont fermées.")).to_be_visible()
    organise = page.get_by_role("region", name="Organisation")
    expect(organise.get_by_role("link", name="Noter les présences")).to_be_visible()
    audit(page)
    organise.get_by_role("link", name="Personnes inscrites").click()
    expect(page).to_have_url(re.compile(r"/evenements/\d+/inscrits$"))
    heading(page, "Personnes inscrites")
    signed = page.locator("dl.facts > div").filter(has_text="Inscrits").locator("dd")
    expect(signed).to_have_text("4 / 10")
    table = page.get_by_role("table", name="Personnes inscrites")
    expect(table.get_by_role("row")).to_have_count(5)  # the header, then four people

    def state(name: str) -> Locator:
        return table.get_by_role("row").filter(has_text=name).get_by_role("cell").nth(2)

    expect(state("Fatou")).to_have_text("Inscrit·e · présent·e")
    expect(state("Samir")).to_have_text("Inscrit·e · présent·e")
    expect(state("Léa")).to_have_text("Inscrit·e")
    expect(state("Yasmina")).to_have_text("Venu·e sans inscription")
    expect(page.get_by_text("1 personne a donné un e-mail et accepté d’être contactée.")
           ).to_be_visible()
    audit(page)

    # Tomorrow's event: the page says when attendance opens, with no form to refuse.
    page.goto(f"/evenements/{tomorrow_id}/presences")
    heading(page, "Présences")
    expect(page.get_by_text(re.compile(r"^Les présences se notent le jour même, à partir du "))
           ).to_be_visible()
    expect(page.get_by_role("button", name="Enregistrer les présences")).to_have_count(0)
    audit(page)
