"""A resident on a phone: discover a quartier, sign up, confirm, log in, switch language,
edit the profile, download their data, log out; and recover a forgotten password."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, Page, expect
from sqlalchemy.orm import Session

from tests import factories
from tests.browser.conftest import Mailbox

Audit = Callable[[Page], None]

EMAIL = "nadia.b@example.org"
PASSWORD = "un jardin partagé au pied des tours"


def _heading(page: Page, name: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def _nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Menu principal")


def _selected(page: Page, label: str) -> Locator:
    """The option chosen in the select labelled exactly ``label``."""
    return page.get_by_label(label, exact=True).locator("option:checked")


def test_resident_signs_up_and_manages_the_account_on_a_phone(
        phone: Page, seed: Session, mailbox: Mailbox, audit: Audit) -> None:
    page = phone
    contract = factories.make_contract(seed)
    factories.make_quartier(seed, contract, name="Les Tilleuls", commune="Testville")
    parc = factories.make_quartier(seed, contract, name="Le Parc", commune="Autreville")
    factories.make_orientation(seed, contract, name="Emploi et insertion",
                               description="Aller vers les personnes loin de l’emploi.")
    factories.make_signatory(seed, contract, name="Ville de Testville",
                             referent_name="Camille Martin")
    parc_code = parc.code
    seed.commit()

    # Home: the quartiers of the contract.
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    _heading(page, "Votre quartier, votre avis")
    expect(page.get_by_text("Contrat de ville de Testville")).to_be_visible()
    choices = page.get_by_role("region", name="Choisissez votre quartier").get_by_role("link")
    expect(choices).to_have_count(2)
    audit(page)

    # One quartier: its facts, the contract's orientations and signatories.
    page.get_by_role("link", name=re.compile("^Les Tilleuls")).click()
    _heading(page, "Les Tilleuls")
    expect(page.get_by_text("Emploi et insertion")).to_be_visible()
    expect(page.get_by_text("Contact : Camille Martin")).to_be_visible()
    expect(_nav(page).get_by_role("link", name="Mon quartier")).to_be_visible()
    audit(page)

    # Sign up, first with mistakes.
    _nav(page).get_by_role("link", name="Créer un compte").click()
    expect(page).to_have_url(re.compile("/inscription$"))
    _heading(page, "Créer un compte")
    audit(page)
    page.get_by_label("Nom affiché").fill("Nadia")
    page.get_by_label("Adresse e-mail").fill("nadia.b@example")
    page.get_by_label("Mot de passe").fill("court")
    page.get_by_label("Votre quartier (facultatif)").select_option(label="Les Tilleuls")
    page.get_by_role("button", name="Créer mon compte").click()

    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    email_field = page.get_by_label("Adresse e-mail")
    expect(email_field).to_have_attribute("aria-invalid", "true")
    expect(email_field).to_have_accessible_description(
        re.compile("Cette adresse e-mail n’est pas valide"))
    expect(page.locator("#email-error")).to_be_visible()
    password_field = page.get_by_label("Mot de passe")
    expect(password_field).to_have_accessible_description(
        re.compile("Le mot de passe doit faire au moins 12 caractères"))
    expect(page.locator("#password-error")).to_be_visible()
    expect(page.get_by_label("Nom affiché")).to_have_value("Nadia")
    expect(page.get_by_label("Nom affiché")).not_to_have_attribute("aria-invalid", "true")
    expect(email_field).to_have_value("nadia.b@example")
    expect(_selected(page, "Votre quartier (facultatif)")).to_have_text("Les Tilleuls")
    audit(page)

    email_field.fill(EMAIL)
    password_field.fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page).to_have_url(re.compile("/inscription/verifiez-vos-mails$"))
    _heading(page, "Regardez vos e-mails")
    expect(page.get_by_text("Ouvrez le lien qu’il contient pour confirmer")).to_be_visible()
    audit(page)

    # The confirmation link of the mail.
    mail = mailbox.last_to(EMAIL)
    assert mail["Subject"] == "Confirmez votre adresse e-mail"
    assert "Bonjour Nadia," in mailbox.body(mail)
    link = mailbox.link(mail, "/confirmer/")
    page.goto(link)
    expect(page).to_have_url(re.compile("/connexion$"))
    expect(page.get_by_role("status")).to_contain_text("Votre adresse est confirmée")
    _heading(page, "Se connecter")
    audit(page)

    # Log in.
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    _heading(page, "Votre quartier, votre avis")
    expect(_nav(page).get_by_role("link", name="Mon compte")).to_be_visible()
    expect(_nav(page).get_by_role("button", name="Se déconnecter")).to_be_visible()
    audit(page)

    # Arabic, right to left, then back to French, with the header buttons.
    page.get_by_role("button", name="العربية").click()
    expect(page.locator("html[lang=ar][dir=rtl]")).to_have_count(1)
    expect(page.get_by_role("button", name="العربية")).to_have_attribute("aria-pressed", "true")
    audit(page)
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html[lang=fr][dir=ltr]")).to_have_count(1)
    expect(page.get_by_role("button", name="Français")).to_have_attribute("aria-pressed", "true")
    _heading(page, "Votre quartier, votre avis")
    audit(page)

    # The profile: what sign-up recorded, then changes that survive a reload.
    _nav(page).get_by_role("link", name="Mon compte").click()
    expect(page).to_have_url(re.compile("/compte$"))
    _heading(page, "Mon compte")
    expect(page.get_by_text(f"Connecté·e avec l’adresse {EMAIL}.")).to_be_visible()
    expect(page.get_by_label("Nom affiché")).to_have_value("Nadia")
    expect(_selected(page, "Langue du site")).to_have_text("Français")
    expect(_selected(page, "Votre quartier")).to_have_text("Les Tilleuls")
    expect(_selected(page, "Genre (facultatif)")).to_have_text("Je préfère ne pas le dire")
    audit(page)
    page.get_by_label("Nom affiché").fill("Nadia B.")
    page.get_by_label("Votre quartier", exact=True).select_option(label="Le Parc")
    page.get_by_label("Genre (facultatif)").select_option(label="Femme")
    page.get_by_label("Âge (facultatif)").select_option(label="25 à 39 ans")
    page.get_by_role("button", name="Enregistrer mon profil").click()
    expect(page.get_by_role("status")).to_contain_text("Votre profil est enregistré.")
    audit(page)
    page.reload()
    expect(page.get_by_role("status")).to_have_count(0)
    expect(page.get_by_label("Nom affiché")).to_have_value("Nadia B.")
    expect(_selected(page, "Votre quartier")).to_have_text("Le Parc")
    expect(_selected(page, "Genre (facultatif)")).to_have_text("Femme")
    expect(_selected(page, "Âge (facultatif)")).to_have_text("25 à 39 ans")
    audit(page)

    # My data, as a JSON file.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger mes données").click()
    download = download_info.value
    assert download.suggested_filename == "civic-mes-donnees.json"
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["account"]["email"] == EMAIL
    assert data["account"]["display_name"] == "Nadia B."
    assert data["account"]["quartier"] == parc_code
    assert (data["account"]["gender"], data["account"]["age_bracket"]) == ("woman", "25_39")
    assert data["roles"] == []

    # Log out.
    _nav(page).get_by_role("button", name="Se déconnecter").click()
    _heading(page, "Votre quartier, votre avis")
    expect(page.get_by_role("status")).to_contain_text("Vous êtes déconnecté·e.")
    expect(_nav(page).get_by_role("link", name="Se connecter")).to_be_visible()
    expect(_nav(page).get_by_role("link", name="Mon compte")).to_have_count(0)
    audit(page)


def test_resident_chooses_a_new_password_from_the_mailed_link(
        phone: Page, seed: Session, mailbox: Mailbox, audit: Audit) -> None:
    page = phone
    address = factories.make_user(seed, display_name="Rania").email
    assert address is not None
    seed.commit()
    new_password = "les tilleuls refleurissent"

    page.goto("/connexion")
    _heading(page, "Se connecter")
    audit(page)
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    expect(page).to_have_url(re.compile("/mot-de-passe-oublie$"))
    _heading(page, "Mot de passe oublié")
    audit(page)

    page.get_by_role("button", name="Envoyer le lien").click()
    expect(page.get_by_label("Adresse e-mail")).to_have_accessible_description(
        re.compile("Indiquez votre adresse e-mail"))
    audit(page)
    page.get_by_label("Adresse e-mail").fill(address)
    page.get_by_role("button", name="Envoyer le lien").click()
    _heading(page, "Regardez vos e-mails")
    expect(page.get_by_text("Le lien marche pendant 2 heures.")).to_be_visible()
    audit(page)

    mail = mailbox.last_to(address)
    assert mail["Subject"] == "Choisir un nouveau mot de passe"
    link = mailbox.link(mail, "/mot-de-passe/")
    page.goto(link)
    _heading(page, "Nouveau mot de passe")
    audit(page)
    page.get_by_label("Nouveau mot de passe").fill("tropcourt")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_label("Nouveau mot de passe")).to_have_accessible_description(
        re.compile("Le mot de passe doit faire au moins 12 caractères"))
    audit(page)
    page.get_by_label("Nouveau mot de passe").fill(new_password)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page).to_have_url(re.compile("/connexion$"))
    expect(page.get_by_role("status")).to_contain_text("Votre mot de passe est changé.")
    audit(page)

    # The old password no longer opens the account; the new one does.
    page.get_by_label("Adresse e-mail").fill(address)
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_label("Mot de passe")).to_have_accessible_description(
        re.compile("Adresse e-mail ou mot de passe incorrect"))
    expect(page.get_by_label("Adresse e-mail")).to_have_value(address)
    audit(page)
    page.get_by_label("Mot de passe").fill(new_password)
    page.get_by_role("button", name="Se connecter").click()
    _heading(page, "Votre quartier, votre avis")
    expect(_nav(page).get_by_role("link", name="Mon compte")).to_be_visible()
    audit(page)

    # The link worked once.
    page.goto(link)
    _heading(page, "Ce lien ne marche plus")
    audit(page)
