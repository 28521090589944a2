"""The idea box and its moderation, end to end in a browser: a resident proposes an idea on
a phone, the conseil citoyen reads it before it goes online, other residents support and
follow it, and the institutions answer; a moderator refuses and publishes on a tablet; the
pilot forwards an idea to a signatory, who answers in their own space; and the pages read
right to left in Arabic.

Ideas the server writes carry the real clock (it reads it); seeded ones are dated from
``factories.NOW``. Forwarding dates are shown as the server's timezone sees today.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from urllib.parse import urlsplit

from babel.dates import format_date
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from civic.accounts.models import Role
from civic.core import clock
from civic.territory.models import Commitment
from tests import factories
from tests.browser.conftest import Mailbox
from tests.browser.pages import (
    address_of,
    fits,
    flash,
    heading,
    log_in,
    log_out,
    nav,
    pending,
    selected,
)

Audit = Callable[[Page], None]

TIMEZONE = "Europe/Paris"
PENDING_NOTICE = "Cette idée attend la relecture du conseil citoyen."
OWN_POST_NOTE = "C’est votre message : un autre membre du conseil citoyen le relit."
#: French puts 0 in the singular.
NO_SUPPORT = re.compile(r"^0 soutien$")
ANSWERED_AT_ONCE = re.compile(r"^Répondu le jour même$")
DUPLICATE = ("Une idée très proche existe déjà. Soutenez-la et ajoutez un commentaire : "
             "elle aura plus de poids.")


# --- Pages -------------------------------------------------------------------------------


def _day(value: date) -> str:
    """A day as the French pages write it (« 14 mars 2026 »)."""
    return format_date(value, "long", locale="fr")


def _today() -> date:
    return clock.local_day(clock.now(), TIMEZONE)


# --- 1. A resident's idea, from the form to the institutions' answer ------------------------


def test_resident_proposes_an_idea_that_is_read_supported_and_answered_on_a_phone(
        phone: Page, tablet: Page, seed: Session, mailbox: Mailbox, audit: Audit) -> None:
    page = phone
    contract = factories.make_contract(seed)
    quartier = factories.make_quartier(seed, contract, name="Les Tilleuls")
    factories.make_orientation(seed, contract, name="Cadre de vie")
    factories.make_orientation(seed, contract, name="Emploi et insertion")
    author = address_of(factories.make_user(seed, display_name="Nadia", quartier_id=quartier.id))
    neighbour = address_of(factories.make_user(seed, display_name="Rania"))
    moderator = address_of(factories.make_user(seed, display_name="Moussa",
                                             roles=[(Role.MODERATOR, quartier)]))
    pilot = address_of(factories.make_user(seed, display_name="Paula",
                                         roles=[(Role.PILOT, None)]))
    assert quartier.moderation_mode == "pre"
    code = quartier.code
    seed.commit()
    title = "Des bancs à l’ombre près de l’école"
    text = "Les parents attendent debout au soleil à la sortie de l’école Jean-Jaurès."

    # The resident logs in and finds the idea box on the quartier's page.
    log_in(page, audit, author)
    heading(page, "Votre quartier, votre avis")
    fits(page)
    audit(page)
    page.get_by_role("link", name=re.compile("^Les Tilleuls")).click()
    heading(page, "Les Tilleuls")
    box = page.get_by_role("region", name="Boîte à idées")
    expect(box).to_contain_text("Une idée pour le quartier ? Proposez-la.")
    expect(box.get_by_role("link", name="Voir les idées")).to_be_visible()
    fits(page)
    audit(page)
    box.get_by_role("link", name="Proposer une idée").click()
    expect(page).to_have_url(re.compile(f"/quartiers/{code}/idees/proposer$"))
    heading(page, "Proposer une idée")
    expect(page.get_by_text("Le conseil citoyen relit les idées avant de les publier")
           ).to_be_visible()
    fits(page)
    audit(page)

    # Sent empty but for the place and the theme: the two missing fields say so.
    page.get_by_label("Thème").select_option(label="Cadre de vie")
    page.get_by_label("Où ? (facultatif)").fill("Rue Jean-Jaurès, devant l’école")
    page.get_by_role("button", name="Envoyer l’idée").click()
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    title_field = page.get_by_label("Votre idée en une phrase")
    body_field = page.get_by_label("Expliquez")
    for field, error_id in ((title_field, "#title-error"), (body_field, "#body-error")):
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(re.compile("Ce champ est obligatoire."))
        expect(page.locator(error_id)).to_have_text("Ce champ est obligatoire.")
    expect(page.get_by_label("Où ? (facultatif)")).to_have_value("Rue Jean-Jaurès, devant l’école")
    expect(page.get_by_label("Où ? (facultatif)")).not_to_have_attribute("aria-invalid", "true")
    expect(selected(page, "Thème")).to_have_text("Cadre de vie")
    fits(page)
    audit(page)

    title_field.fill(title)
    body_field.fill(text)
    page.get_by_label("Thème").select_option(label="Cadre de vie")
    page.get_by_role("button", name="Envoyer l’idée").click()

    # The idea's page: the author reads it, and that it waits for the conseil citoyen.
    expect(page).to_have_url(re.compile(r"/idees/\d+$"))
    idea_path = re.sub(r"^https?://[^/]+", "", page.url)
    heading(page, title)
    flash(page, "Merci ! Le conseil citoyen va relire l’idée avant de la publier.")
    expect(page.get_by_role("status").filter(has_text=PENDING_NOTICE)).to_be_visible()
    expect(page.get_by_text(text)).to_be_visible()
    expect(page.get_by_text("Proposée le")).to_contain_text("par Nadia")
    expect(page.get_by_text("Proposée le")).to_contain_text("Cadre de vie")
    expect(page.get_by_text("Où : Rue Jean-Jaurès, devant l’école")).to_be_visible()
    expect(page.get_by_role("button", name="Je soutiens cette idée")).to_have_count(0)
    fits(page)
    audit(page)

    # Not in the public list yet; the author's own list reminds them it waits.
    page.get_by_role("link", name="Boîte à idées — Les Tilleuls").click()
    heading(page, "Boîte à idées — Les Tilleuls")
    waiting = page.get_by_role("region", name="Vos idées en attente de relecture")
    expect(waiting.get_by_role("link", name=title)).to_be_visible()
    expect(page.get_by_text("Aucune idée ne correspond.")).to_be_visible()
    fits(page)
    audit(page)

    # A moderator of the quartier publishes it, on a tablet.
    desk = tablet
    log_in(desk, audit, moderator)
    nav(desk).get_by_role("link", name="À relire").click()
    heading(desk, "À relire")
    expect(pending(desk)).to_have_count(1)
    audit(desk)
    pending(desk).get_by_role("link", name=f"Décider : {title}").click()
    expect(desk).to_have_url(re.compile(r"/moderation/idea/\d+$"))
    heading(desk, title)
    expect(desk.get_by_text(text)).to_be_visible()
    audit(desk)
    desk.get_by_role("button", name="Publier", exact=True).click()
    heading(desk, "À relire")
    flash(desk, "C’est fait. L’auteur est prévenu.")
    expect(desk.get_by_text("Rien à relire. Merci !")).to_be_visible()
    audit(desk)
    log_out(desk)

    published = mailbox.last_to(author)
    assert published["Subject"] == "Votre message est en ligne"
    assert "Bonjour Nadia," in mailbox.body(published)
    assert title in mailbox.body(published)
    assert mailbox.link(published, idea_path)

    # The author's page is public now: no notice, no support for one's own idea.
    page.goto(idea_path)
    heading(page, title)
    expect(page.get_by_text(PENDING_NOTICE)).to_have_count(0)
    answer = page.get_by_role("region", name="Où en est cette idée ?")
    expect(answer).to_contain_text("En attente d’une réponse")
    expect(page.get_by_text(NO_SUPPORT)).to_be_visible()
    expect(page.get_by_role("button", name="Je soutiens cette idée")).to_have_count(0)
    expect(page.get_by_role("button", name="Ne plus suivre")).to_be_visible()  # its author
    fits(page)
    audit(page)
    log_out(page)

    # A neighbour supports it and follows it.
    log_in(page, audit, neighbour, idea_path, check=False)
    heading(page, title)
    expect(page.get_by_text(NO_SUPPORT)).to_be_visible()
    fits(page)
    audit(page)
    page.get_by_role("button", name="Je soutiens cette idée").click()
    flash(page, "Merci pour votre soutien !")
    expect(page.get_by_text("1 soutien", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Retirer mon soutien")).to_be_visible()
    fits(page)
    audit(page)
    page.get_by_role("button", name=re.compile(r"^Suivre : recevoir un e-mail")).click()
    flash(page, "Vous recevrez un e-mail quand cette idée avancera.")
    expect(page.get_by_role("button", name="Ne plus suivre")).to_be_visible()
    expect(page.get_by_text("1 soutien", exact=True)).to_be_visible()
    fits(page)
    audit(page)

    # The pilot answers in the name of the institutions.
    log_in(desk, audit, pilot, idea_path, check=False)
    heading(desk, title)
    desk.get_by_role("link", name="Répondre au nom des institutions").click()
    heading(desk, "Répondre à l’idée")
    expect(desk.get_by_text("1 soutien · Les Tilleuls")).to_be_visible()
    audit(desk)
    desk.get_by_label("Réponse", exact=True).select_option(label="Déjà prévue")
    response = "La mairie installe quatre bancs devant l’école en avril."
    desk.get_by_label("Réponse officielle, publiée sur la page de l’idée").fill(response)
    desk.get_by_role("button", name="Publier la réponse").click()
    heading(desk, title)
    flash(desk, "La réponse est publiée et les personnes qui suivent l’idée sont prévenues.")
    audit(desk)

    # The follower is told by mail, and finds the answer on the idea's page.
    mail = mailbox.last_to(neighbour)
    assert mail["Subject"] == f"Du nouveau pour l’idée « {title} »"
    body = mailbox.body(mail)
    assert "Bonjour Rania," in body
    assert "Où elle en est : Déjà prévue." in body
    assert response in body
    link = mailbox.link(mail, idea_path)
    assert "Bonjour Nadia," in mailbox.body(mailbox.last_to(author))  # the author follows too
    assert not [m for m in mailbox.messages if m["To"] == pilot]

    page.goto(link)
    heading(page, title)
    answer = page.get_by_role("region", name="Où en est cette idée ?")
    expect(answer).to_contain_text("Déjà prévue")
    expect(answer).to_contain_text(response)
    expect(page.get_by_text("1 soutien", exact=True)).to_be_visible()
    fits(page)
    audit(page)


# --- 2. The conseil citoyen reads what waits ----------------------------------------------


def test_moderator_refuses_with_a_reason_and_publishes_on_a_tablet(
        tablet: Page, seed: Session, mailbox: Mailbox, audit: Audit) -> None:
    page = tablet
    contract = factories.make_contract(seed)
    quartier = factories.make_quartier(seed, contract, name="Les Tilleuls")
    karim = factories.make_user(seed, display_name="Karim")
    nadia = factories.make_user(seed, display_name="Nadia")
    moussa = factories.make_user(seed, display_name="Moussa", roles=[(Role.MODERATOR, quartier)])
    day = factories.DAY
    compost = factories.make_idea(seed, quartier, karim, title="Un composteur collectif",
                                  body="Un composteur dans la cour de la tour B.",
                                  moderation="pending", created_at=factories.NOW - 2 * day)
    benches = factories.make_idea(seed, quartier, nadia, title="Des bancs à l’ombre",
                                  body="Des bancs sous les platanes du square.",
                                  moderation="pending", created_at=factories.NOW - day)
    factories.make_idea(seed, quartier, moussa, title="Une boîte à livres",
                        body="Une boîte à livres près de la médiathèque.",
                        moderation="pending", created_at=factories.NOW)
    compost_id, benches_id, code = compost.id, benches.id, quartier.code
    compost_path, benches_path = f"/idees/{compost_id}", f"/idees/{benches_id}"
    karim_email, nadia_email, moderator = address_of(karim), address_of(nadia), address_of(moussa)
    seed.commit()

    log_in(page, audit, moderator)
    nav(page).get_by_role("link", name="À relire").click()
    expect(page).to_have_url(re.compile("/moderation$"))
    heading(page, "À relire")

    # Oldest first; the moderator's own idea is left to another member.
    expect(page.get_by_role("heading", level=2, name=re.compile("^En attente"))
           ).to_have_text("En attente (3)")
    cards = pending(page)
    expect(cards.get_by_role("heading", level=3)).to_have_text(
        ["Un composteur collectif", "Des bancs à l’ombre", "Une boîte à livres"])
    expect(cards.get_by_role("link", name=re.compile("^Décider"))).to_have_count(2)
    own = cards.filter(has_text="Une boîte à livres")
    expect(own).to_contain_text(OWN_POST_NOTE)
    expect(own.get_by_role("link", name=re.compile("^Décider"))).to_have_count(0)
    expect(own.get_by_role("checkbox")).to_have_count(0)
    expect(cards.filter(has_text="Un composteur collectif")).to_contain_text("Karim")
    audit(page)

    # Refuse the oldest with a reason template, reworded a little.
    cards.get_by_role("link", name="Décider : Un composteur collectif").click()
    expect(page).to_have_url(re.compile(f"/moderation/idea/{compost_id}$"))
    heading(page, "Un composteur collectif")
    expect(page.get_by_text("Un composteur dans la cour de la tour B.")).to_be_visible()
    audit(page)
    reason = page.get_by_label("Raison, lue par l’auteur et par tous")
    expect(reason).to_have_value("")
    page.get_by_label("Raison type").select_option(label=DUPLICATE)
    expect(reason).to_have_value(DUPLICATE)
    reworded = DUPLICATE + " Elle s’appelle « Compost au pied des tours »."
    reason.fill(reworded)
    audit(page)
    page.get_by_role("button", name="Refuser avec cette raison").click()
    expect(page).to_have_url(re.compile("/moderation$"))
    flash(page, "C’est fait. L’auteur est prévenu.")
    expect(cards.get_by_role("heading", level=3)).to_have_text(
        ["Des bancs à l’ombre", "Une boîte à livres"])
    audit(page)

    mail = mailbox.last_to(karim_email)
    assert mail["Subject"] == "Votre message n’a pas été publié"
    body = mailbox.body(mail)
    assert "Bonjour Karim," in body
    assert "Un composteur collectif" in body
    assert reworded in body
    page.goto(mailbox.link(mail, compost_path))
    heading(page, "Un composteur collectif")
    refusal = page.locator("main .panel").filter(
        has=page.get_by_role("heading", name="Le conseil citoyen n’a pas publié cette idée"))
    expect(refusal).to_contain_text(reworded)
    audit(page)

    # Publish the other one from its own page.
    nav(page).get_by_role("link", name="À relire").click()
    heading(page, "À relire")
    cards.get_by_role("link", name="Décider : Des bancs à l’ombre").click()
    heading(page, "Des bancs à l’ombre")
    expect(page.get_by_text("En attente de relecture")).to_be_visible()
    audit(page)
    page.get_by_role("button", name="Publier", exact=True).click()
    heading(page, "À relire")
    flash(page, "C’est fait. L’auteur est prévenu.")
    expect(cards.get_by_role("heading", level=3)).to_have_text(["Une boîte à livres"])
    expect(page.get_by_role("link", name=re.compile("^Décider"))).to_have_count(0)
    audit(page)
    assert mailbox.last_to(nadia_email)["Subject"] == "Votre message est en ligne"

    # The quartier's idea list shows it, and not the refused one.
    page.goto(f"/quartiers/{code}/idees")
    heading(page, "Boîte à idées — Les Tilleuls")
    ideas = page.locator("main ul.idea-list > li")
    expect(ideas.get_by_role("heading", level=2)).to_have_text(["Des bancs à l’ombre"])
    expect(ideas).to_contain_text("0 soutien")
    audit(page)
    ideas.get_by_role("link", name="Des bancs à l’ombre").click()
    expect(page).to_have_url(re.compile(f"{benches_path}$"))
    heading(page, "Des bancs à l’ombre")
    expect(page.get_by_text("En attente d’une réponse")).to_be_visible()
    audit(page)

    # Refused ideas are listed with their reason under their own filter.
    page.goto(f"/quartiers/{code}/idees")
    page.get_by_label("Où en est-elle ?").select_option(label="Refusées par le conseil citoyen")
    page.get_by_role("button", name="Afficher").click()
    expect(ideas.get_by_role("heading", level=2)).to_have_text(["Un composteur collectif"])
    expect(ideas).to_contain_text(reworded)
    audit(page)


# --- 3. An idea forwarded to a signatory ---------------------------------------------------


def test_pilot_forwards_an_idea_and_the_signatory_answers_on_a_tablet(
        tablet: Page, seed: Session, mailbox: Mailbox, audit: Audit) -> None:
    page = tablet
    contract = factories.make_contract(seed)
    quartier = factories.make_quartier(seed, contract, name="Les Tilleuls")
    living = factories.make_orientation(seed, contract, name="Cadre de vie")
    factories.make_signatory(seed, contract, name="Ville de Testville",
                             referent_name="Camille Martin")
    landlord = factories.make_signatory(seed, contract, name="Habitat Sud", kind="landlord",
                                        referent_name="Sophie Leroy",
                                        referent_email="sophie.leroy@example.org")
    seed.add(Commitment(signatory_id=landlord.id, orientation_id=living.id,
                        text="Rénover les halls et l’éclairage des parkings."))
    resident = factories.make_user(seed, display_name="Nadia")
    idea = factories.make_idea(seed, quartier, resident, orientation_id=living.id,
                               title="Réparer l’éclairage du passage",
                               body="Le passage entre les tours B et C est noir le soir.")
    pilot = address_of(factories.make_user(seed, display_name="Paula",
                                         roles=[(Role.PILOT, None)]))
    referent = address_of(factories.make_user(seed, display_name="Sophie Leroy",
                                            roles=[(Role.SIGNATORY, landlord)]))
    idea_path, list_path = f"/idees/{idea.id}", f"/quartiers/{quartier.code}/idees"
    title = idea.title
    seed.commit()
    due = _today() + timedelta(days=21)
    response = "Le bailleur Habitat Sud est chargé de l’éclairage du passage."
    answer = "Deux lampadaires seront posés dans le passage d’ici la fin du mois."

    # The pilot opens the idea from the quartier's list.
    log_in(page, audit, pilot, list_path)
    heading(page, "Boîte à idées — Les Tilleuls")
    audit(page)
    page.get_by_role("link", name=title).click()
    heading(page, title)
    audit(page)
    page.get_by_role("link", name="Répondre au nom des institutions").click()
    expect(page).to_have_url(re.compile(f"{idea_path}/reponse$"))
    heading(page, "Répondre à l’idée")
    audit(page)

    # Forwarded to a signatory, by a day.
    page.get_by_label("Réponse", exact=True).select_option(label="Transmise à un signataire")
    page.get_by_label("Réponse officielle, publiée sur la page de l’idée").fill(response)
    page.get_by_label("Transmettre à").select_option(label="Habitat Sud")
    page.get_by_label("Réponse attendue le").fill(due.isoformat())
    page.get_by_label("Message pour le ou la référent·e du signataire").fill(
        "Pouvez-vous dire aux habitants quand ce sera réparé ?")
    forwarded_on = _today()
    page.get_by_role("button", name="Publier la réponse").click()

    expect(page).to_have_url(re.compile(f"{idea_path}$"))
    heading(page, title)
    flash(page, "La réponse est publiée et les personnes qui suivent l’idée sont prévenues.")
    status = page.get_by_role("region", name="Où en est cette idée ?")
    expect(status).to_contain_text("Transmise à un signataire")
    expect(status).to_contain_text(response)
    expect(status.get_by_role("heading", level=3)).to_have_text(
        f"Transmise à Habitat Sud le {_day(forwarded_on)}")
    expect(status).to_contain_text(f"Réponse attendue avant le {_day(due)}.")
    audit(page)

    mail = mailbox.last_to("sophie.leroy@example.org")
    assert mail["Subject"] == f"Une idée d’habitants vous est transmise : « {title} »"
    body = mailbox.body(mail)
    assert "Bonjour Sophie Leroy," in body
    assert "Le passage entre les tours B et C est noir le soir." in body
    assert "Pouvez-vous dire aux habitants quand ce sera réparé ?" in body
    assert f"Une réponse est attendue avant le {_day(due)}." in body
    answer_link = mailbox.link(mail, "/signataire/transmissions/")
    log_out(page)

    # The referent logs in and answers from the signatory's space.
    log_in(page, audit, referent, check=False)
    nav(page).get_by_role("link", name="Espace signataire").click()
    expect(page).to_have_url(re.compile("/signataire$"))
    heading(page, "Espace signataire")
    row = page.get_by_role("row").filter(has_text=title)
    expect(row.get_by_role("cell")).to_have_text(
        [title, _day(forwarded_on), _day(due), "À répondre"])
    audit(page)
    row.get_by_role("link", name=title).click()
    expect(page).to_have_url(re.compile(re.escape(urlsplit(answer_link).path) + "$"))
    heading(page, title)
    expect(page.get_by_role("heading", level=2, name=f"Répondre avant le {_day(due)}")
           ).to_be_visible()
    expect(page.get_by_text("Pouvez-vous dire aux habitants quand ce sera réparé ?")
           ).to_be_visible()
    audit(page)

    page.get_by_role("button", name="Publier la réponse").click()
    answer_field = page.get_by_label("Votre réponse, publiée sur la page de l’idée")
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    expect(answer_field).to_have_attribute("aria-invalid", "true")
    expect(answer_field).to_have_accessible_description(re.compile("Ce champ est obligatoire."))
    audit(page)
    answer_field.fill(answer)
    page.get_by_role("button", name="Publier la réponse").click()
    heading(page, "Espace signataire")
    flash(page, "Merci ! Votre réponse est publiée sur la page de l’idée.")
    expect(row.get_by_role("cell").last).to_have_text(ANSWERED_AT_ONCE)
    audit(page)

    # The idea's page shows the answer and its delay.
    page.goto(idea_path)
    heading(page, title)
    status = page.get_by_role("region", name="Où en est cette idée ?")
    expect(status).to_contain_text(answer)
    expect(status).to_contain_text(re.compile(r"Réponse le .+, 0 jours? après\."))
    expect(status).not_to_contain_text("Réponse attendue avant le")
    audit(page)

    # « Qui fait quoi » lists every signatory, its commitments and how it answers.
    page.get_by_role("contentinfo").get_by_role("link", name="Qui fait quoi").click()
    expect(page).to_have_url(re.compile("/qui-fait-quoi$"))
    heading(page, "Qui fait quoi")
    sud = page.get_by_role("region", name="Habitat Sud", exact=True)
    expect(sud).to_contain_text("Référent·e : Sophie Leroy")
    expect(sud).to_contain_text("Cadre de vie")
    expect(sud).to_contain_text("Rénover les halls et l’éclairage des parkings.")
    expect(sud).to_contain_text(
        "1 idée transmise, 1 réponse, la moitié des réponses arrivent le jour même.")
    forwarded = sud.get_by_role("row").filter(has_text=title)
    expect(forwarded.get_by_role("cell")).to_have_text(
        [title, _day(forwarded_on), ANSWERED_AT_ONCE])
    town = page.get_by_role("region", name="Ville de Testville", exact=True)
    expect(town).to_contain_text("Référent·e : Camille Martin")
    expect(town).to_contain_text("Aucune idée transmise pour l’instant.")
    audit(page)
    forwarded.get_by_role("link", name=title).click()
    heading(page, title)


# --- 4. Right to left ----------------------------------------------------------------------


def test_resident_reads_the_ideas_in_arabic_on_a_phone(
        phone: Page, seed: Session, audit: Audit) -> None:
    """The Arabic catalogue may still be incomplete: direction and content, not wording."""
    page = phone
    contract = factories.make_contract(seed)
    quartier = factories.make_quartier(seed, contract, name="Les Tilleuls")
    orientation = factories.make_orientation(seed, contract, name="Cadre de vie")
    author = factories.make_user(seed, display_name="Nadia")
    idea = factories.make_idea(seed, quartier, author, orientation_id=orientation.id,
                               title="Des bancs à l’ombre près de l’école",
                               body="Les parents attendent debout au soleil.", support_count=0)
    factories.make_comment(seed, idea, author, body="Merci de soutenir l’idée !")
    address = address_of(factories.make_user(seed, display_name="Samira"))
    list_path, idea_path = f"/quartiers/{quartier.code}/idees", f"/idees/{idea.id}"
    title = idea.title
    seed.commit()
    rtl = page.locator("html[lang=ar][dir=rtl]")

    log_in(page, audit, address, list_path)
    heading(page, "Boîte à idées — Les Tilleuls")
    expect(page.locator("html[lang=fr][dir=ltr]")).to_have_count(1)
    fits(page)
    audit(page)

    page.get_by_role("button", name="العربية").click()
    expect(rtl).to_have_count(1)
    expect(page).to_have_url(re.compile(f"{list_path}$"))
    expect(page.get_by_role("button", name="العربية")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Les Tilleuls")
    expect(page.locator("main ul.idea-list").get_by_role("link", name=title)).to_be_visible()
    fits(page)
    audit(page)

    page.locator("main ul.idea-list").get_by_role("link", name=title).click()
    expect(page).to_have_url(re.compile(f"{idea_path}$"))
    expect(rtl).to_have_count(1)
    heading(page, title)
    expect(page.get_by_text("Les parents attendent debout au soleil.")).to_be_visible()
    expect(page.get_by_text("Merci de soutenir l’idée !")).to_be_visible()
    expect(page.locator("#soutien form button[type=submit]")).to_have_count(2)  # support, follow
    fits(page)
    audit(page)

    # Supporting works in Arabic too: the count (a number whatever the words) goes to 1.
    page.locator("#soutien form").first.locator("button[type=submit]").click()
    expect(rtl).to_have_count(1)
    # In Arabic, the count may be written in Arabic-Indic digits.
    expect(page.locator("#soutien .big-text")).to_contain_text(re.compile("1|١"))  # noqa: RUF001
    fits(page)
    audit(page)
