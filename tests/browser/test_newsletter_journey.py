"""A quartier's letter, end to end on a phone: a resident asks for her quartier's letter
without an account (a typo first), opens the confirmation link from her mailbox and
confirms, gets the Monday letter, and leaves it from the letter's own link. And, with an
account, a resident chooses what she hears about, quartier by quartier.

The live server reads the real clock, so the week's news is seeded around now and the
letter is the one of the current week, written by the digest as the Monday job does.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import cast
from urllib.parse import urlsplit

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.core.db import session as scoped
from civic.core.mail import OutgoingMail
from civic.outreach import digest, topics
from civic.outreach.models import LetterSubscription, Preference
from tests import factories
from tests.browser.conftest import Mailbox
from tests.browser.pages import fits, flash, heading, log_in, selected

Audit = Callable[[Page], None]

QUARTIER = "Les Tilleuls"
ADDRESS = "voisine.tilleuls@example.org"


def _letter_of_this_week(app: Flask, live_server: str) -> EmailMessage:
    """The letters of the week now running, written to the outbox as on a Monday; the
    letter to ``ADDRESS``."""
    now = datetime.now(UTC)
    with app.app_context(), app.test_request_context(base_url=live_server):
        db = scoped()
        digest.send_news(db, topics.last_week(now + timedelta(days=7), "Europe/Paris"),
                         now=now)
        db.commit()  # the mail waits in the outbox: the test reads it there
        row = db.scalar(select(OutgoingMail).where(OutgoingMail.recipient == ADDRESS,
                                                   OutgoingMail.kind == "outreach/mail/letter"))
        assert row is not None
        assert row.message is not None
        message = email.message_from_bytes(row.message, policy=email.policy.default)
        scoped.remove()
    return cast(EmailMessage, message)


def test_a_resident_subscribes_to_her_quartiers_letter_and_leaves_it_on_a_phone(
        phone: Page, app: Flask, live_server: str, seed: Session, mailbox: Mailbox,
        audit: Audit) -> None:
    page = phone
    contract = factories.make_contract(seed)
    quartier = factories.make_quartier(seed, contract, name=QUARTIER)
    factories.make_quartier(seed, contract, name="Le Parc")
    code = quartier.code
    seed.commit()

    # From the link of her quartier's page: the quartier is chosen, French is the language.
    page.goto(f"/lettre?quartier={code}")
    heading(page, "La lettre de votre quartier")
    expect(selected(page, "Le quartier")).to_have_text(QUARTIER)
    expect(selected(page, "La langue de la lettre")).to_have_text("Français")
    fits(page)
    audit(page)
    page.get_by_label("Votre adresse e-mail").fill("voisine.tilleuls@example")
    page.get_by_role("button", name="Recevoir la lettre").click()
    heading(page, "La lettre de votre quartier")
    expect(page.get_by_text("Cette adresse e-mail n’est pas valide.").first).to_be_visible()
    expect(page.get_by_label("Votre adresse e-mail")).to_have_value(
        "voisine.tilleuls@example")  # what she typed is kept
    audit(page)
    page.get_by_label("Votre adresse e-mail").fill(ADDRESS)
    page.get_by_role("button", name="Recevoir la lettre").click()

    heading(page, "Regardez vos e-mails")
    expect(page.get_by_text("Le lien marche pendant 48 heures.")).to_be_visible()
    fits(page)
    audit(page)

    # The mail: its link shows a button, which confirms (a scanner's visit would not).
    request = mailbox.last_to(ADDRESS)
    assert QUARTIER in str(request["Subject"])
    assert request["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    confirm = urlsplit(mailbox.link(request, "/lettre/confirmer/")).path
    page.goto(confirm)
    heading(page, "Confirmer votre adresse")
    fits(page)
    audit(page)
    waiting = seed.scalar(select(LetterSubscription.confirmed_at))
    assert waiting is None
    page.get_by_role("button", name="Oui, je veux recevoir la lettre").click()
    heading(page, "C’est confirmé")
    expect(page.get_by_text(f"Vous recevrez la lettre du quartier {QUARTIER}")).to_be_visible()
    fits(page)
    audit(page)
    seed.expire_all()
    assert seed.scalar(select(LetterSubscription.confirmed_at)) is not None

    # Monday: the week brought an event; the letter carries it and its way out.
    factories.make_event(seed, quartier, title="Repas de printemps",
                         moderated_at=datetime.now(UTC) - timedelta(minutes=1),
                         starts_at=datetime.now(UTC) + timedelta(days=14))
    seed.commit()
    letter = _letter_of_this_week(app, live_server)
    assert "Repas de printemps" in mailbox.body(letter)
    header = str(letter["List-Unsubscribe"]).strip()
    assert letter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    leave = urlsplit(mailbox.link(letter, "/lettre/desabonnement/")).path
    assert urlsplit(header.strip("<>")).path == leave

    page.goto(leave)
    heading(page, "Ne plus recevoir la lettre")
    fits(page)
    audit(page)
    seed.expire_all()
    assert seed.scalar(select(LetterSubscription.email)) == ADDRESS  # a GET leaves nothing
    page.get_by_role("button", name="Me désabonner").click()
    heading(page, "C’est fait")
    expect(page.get_by_text("Votre adresse est effacée de sa liste.")).to_be_visible()
    fits(page)
    audit(page)
    seed.expire_all()
    assert seed.scalar(select(LetterSubscription)) is None


def test_a_resident_chooses_what_she_hears_about_on_a_phone(
        phone: Page, seed: Session, audit: Audit) -> None:
    page = phone
    contract = factories.make_contract(seed)
    quartier = factories.make_quartier(seed, contract, name=QUARTIER)
    factories.make_quartier(seed, contract, name="Le Parc")
    resident = factories.make_user(seed, display_name="Awa", quartier_id=quartier.id)
    address, user_id = resident.email, resident.id
    assert address is not None
    seed.commit()

    log_in(page, audit, address, "/compte", check=False)
    page.get_by_role("link", name="Choisir ce que je reçois").click()
    heading(page, "Ce que je reçois par e-mail")
    events = page.get_by_role("group", name="Les nouveaux événements")
    expect(events.get_by_label("Jamais")).to_be_checked()  # off until chosen
    answers = page.get_by_role("group", name="Les réponses aux idées que je suis")
    expect(answers.get_by_label("Tout de suite")).to_be_checked()
    fits(page)
    audit(page)

    # Le Parc too, for its events: added to the page, then saved with the rest.
    page.get_by_label("Ajouter un quartier").select_option(label="Le Parc")
    page.get_by_role("button", name="Ajouter ce quartier").click()
    heading(page, "Ce que je reçois par e-mail")
    expect(page.get_by_role("heading", name="Le Parc")).to_be_visible()
    audit(page)
    events.first.get_by_label("Une fois par semaine").check()
    events.last.get_by_label("Une fois par semaine").check()
    page.get_by_role("button", name="Enregistrer mes choix").click()
    flash(page, "Vos choix sont enregistrés.")
    expect(events.first.get_by_label("Une fois par semaine")).to_be_checked()
    fits(page)
    audit(page)
    chosen = seed.scalars(select(Preference.frequency).where(
        Preference.user_id == user_id, Preference.topic == "events"))
    assert sorted(chosen) == ["weekly", "weekly"]
