"""The pilot of the contract, on a tablet: adds a quartier, makes a resident its moderator,
and finds both actions in the journal."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect
from sqlalchemy.orm import Session

from civic.accounts.models import Role
from tests import factories
from tests.browser.pages import second_step

Audit = Callable[[Page], None]


def _heading(page: Page, name: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def _row(page: Page, text: str) -> Locator:
    return page.get_by_role("row").filter(has_text=text)


def _to_admin(page: Page) -> None:
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Administration").click()
    expect(page).to_have_url(re.compile("/admin/$"))
    _heading(page, "Administration du contrat")


def test_pilot_adds_a_quartier_and_its_moderator_on_a_tablet(
        tablet: Page, seed: Session, audit: Audit) -> None:
    page = tablet
    contract = factories.make_contract(seed, name="Contrat de ville de Testville")
    factories.make_quartier(seed, contract, name="Les Tilleuls")
    pilot = factories.make_user(seed, display_name="Paula", roles=[(Role.PILOT, None)])
    resident = factories.make_user(seed, display_name="Rania")
    pilot_email, resident_email = pilot.email, resident.email
    assert pilot_email is not None
    assert resident_email is not None
    seed.commit()

    # Log in.
    page.goto("/connexion")
    _heading(page, "Se connecter")
    audit(page)
    page.get_by_label("Adresse e-mail").fill(pilot_email)
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    second_step(page, pilot_email)
    _heading(page, "Votre quartier, votre avis")
    audit(page)

    # Administration, then the quartiers.
    _to_admin(page)
    expect(page.get_by_text("Contrat de ville de Testville (2024–2030)")).to_be_visible()
    audit(page)
    page.get_by_role("link", name=re.compile("^Quartiers")).click()
    expect(page).to_have_url(re.compile("/admin/quartiers$"))
    _heading(page, "Quartiers")
    expect(_row(page, "Les Tilleuls")).to_have_count(1)
    audit(page)

    # A new quartier: a wrong code first.
    page.get_by_role("link", name="Ajouter un quartier").click()
    _heading(page, "Quartier")
    audit(page)
    page.get_by_label("Code officiel du QPV").fill("Q-3101")
    page.get_by_label("Nom du quartier").fill("Les Érables")
    page.get_by_label("Commune").fill("Testville")
    page.get_by_label("Population (facultatif)").fill("3150")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    code_field = page.get_by_label("Code officiel du QPV")
    expect(code_field).to_have_attribute("aria-invalid", "true")
    expect(code_field).to_have_accessible_description(
        re.compile("Par exemple QN09301M.*Le code ressemble à QN09301M ou QP031007"))
    expect(page.locator("#code-error")).to_be_visible()
    expect(page.get_by_label("Nom du quartier")).to_have_value("Les Érables")
    expect(page.get_by_label("Population (facultatif)")).to_have_value("3150")
    audit(page)

    code_field.fill("QN03101A")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page).to_have_url(re.compile("/admin/quartiers$"))
    expect(page.get_by_role("status")).to_contain_text("C’est enregistré.")
    row = _row(page, "Les Érables")
    expect(row.get_by_role("cell")).to_have_text(
        ["QN03101A", "Les Érables", "Testville", re.compile(r"^3\s150$"), "non",
         re.compile(r"^avant publication"), re.compile(r"^Lieux repères")])
    audit(page)

    # Roles: the resident moderates the new quartier.
    _to_admin(page)
    page.get_by_role("link", name=re.compile("^Rôles")).click()
    expect(page).to_have_url(re.compile("/admin/roles$"))
    _heading(page, "Rôles")
    expect(_row(page, "Paula")).to_contain_text("Pilote du contrat")
    audit(page)
    page.get_by_label("Adresse e-mail du compte").fill(resident_email)
    page.get_by_label("Rôle", exact=True).select_option(
        label="Membre du conseil citoyen (modération)")
    page.get_by_label("Quartier (modération, animation)").select_option(label="Les Érables")
    page.get_by_role("button", name="Donner le rôle").click()
    expect(page).to_have_url(re.compile("/admin/roles$"))
    expect(page.get_by_role("status")).to_contain_text("Le rôle est attribué à Rania.")
    granted = _row(page, "Rania")
    expect(granted).to_contain_text(resident_email)
    expect(granted).to_contain_text("Membre du conseil citoyen (modération)")
    expect(granted).to_contain_text("Les Érables")
    expect(granted.get_by_role("button", name=re.compile("^Retirer"))).to_be_visible()
    audit(page)

    # The journal shows both actions, by the pilot.
    _to_admin(page)
    page.get_by_role("link", name=re.compile("^Journal")).click()
    expect(page).to_have_url(re.compile("/admin/journal$"))
    _heading(page, "Journal des actions")
    for action in ("territory.quartier_created", "accounts.role_granted"):
        entry = _row(page, action)
        expect(entry).to_have_count(1)
        expect(entry).to_contain_text("Paula")
    expect(_row(page, "accounts.role_granted")).to_contain_text(
        "Membre du conseil citoyen (modération)")
    expect(_row(page, "territory.quartier_created")).to_contain_text("QN03101A")
    audit(page)
