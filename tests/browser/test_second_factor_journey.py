"""The second step at login, in a browser on a phone: a moderator sets up the app of codes
(forced by the role), logs in with a code, then with a recovery code; a pilot resets a
moderator's second step; a resident adds a security key and logs in with it (Chromium's
virtual authenticator, driven through the DevTools protocol).

Security keys only talk to a site reached by a host name, so these journeys have a server
of their own at ``http://localhost:<port>``, whose ``BASE_URL`` says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.accounts import second_factor
from civic.accounts.models import Role, SecurityKey
from civic.core.audit import AuditEntry
from tests import factories
from tests.browser.conftest import PHONE, _open_page, serve
from tests.browser.pages import (
    address_of,
    fits,
    flash,
    heading,
    log_in,
    log_out,
    nav,
    qr_holds,
)

Audit = Callable[[Page], None]
SECURITY = "/compte/deuxieme-etape"
SECOND_STEP = "/connexion/deuxieme-etape"


@pytest.fixture(scope="module")
def site(database_url: str, browser_outbox: Path, browser_uploads: Path) -> Iterator[str]:
    yield from serve(database_url, browser_outbox, browser_uploads, "localhost")


@pytest.fixture
def phone(browser: Browser, site: str) -> Iterator[Page]:
    """A phone (390×844, touch) on the journeys' own server."""
    yield from _open_page(browser, site, PHONE)


def _password(page: Page, audit: Audit, address: str, *, check: bool = False) -> None:
    page.goto("/connexion")
    heading(page, "Se connecter")
    if check:
        audit(page)
    page.get_by_label("Adresse e-mail").fill(address)
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def _logged_in(page: Page) -> None:
    expect(nav(page).get_by_role("button", name="Se déconnecter")).to_be_visible()


def _second_step_page(page: Page, audit: Audit) -> None:
    expect(page).to_have_url(re.compile(f"{SECOND_STEP}$"))
    heading(page, "Deuxième étape")
    expect(nav(page).get_by_role("link", name="Se connecter")).to_be_visible()  # not yet in
    fits(page)
    audit(page)


def test_a_moderator_sets_up_the_app_then_logs_in_with_a_code_and_a_recovery_code(
        phone: Page, seed: Session, audit: Audit, site: str, tmp_path: Path) -> None:
    page = phone
    contract = factories.make_contract(seed)
    quartier = factories.make_quartier(seed, contract, name="Les Tilleuls")
    moderator = factories.make_user(seed, display_name="Moussa", second_factor=False,
                                    roles=[(Role.MODERATOR, quartier)])
    address = address_of(moderator)
    seed.commit()

    # The password alone: the role waits, and the site says how to start it.
    _password(page, audit, address, check=True)
    expect(page).to_have_url(re.compile(f"{SECURITY}$"))
    heading(page, "Connexion en deux étapes")
    flash(page, "Votre rôle demande une connexion en deux étapes")
    expect(page.get_by_text("Pas encore activée.")).to_be_visible()
    expect(nav(page).get_by_role("link", name="À relire")).to_have_count(0)
    fits(page)
    audit(page)
    assert page.request.get("/moderation").status == 403

    # The app: a QR code, the secret in letters, a code to check.
    page.get_by_role("link", name="Installer l’application de codes").click()
    heading(page, "Installer l’application de codes")
    secret = "".join(page.locator("[data-secret]").inner_text().split())
    qr_holds(page.get_by_role("img", name="Code QR à scanner avec l’application"),
             second_factor.app_uri(secret, address, f"civic {urlsplit(site).hostname}"))
    fits(page)
    audit(page)
    page.get_by_label("Code à 6 chiffres").fill("000000")
    page.get_by_role("button", name="Vérifier et activer").click()
    expect(page.locator("#code-error")).to_contain_text("Ce code ne marche pas")
    audit(page)
    page.get_by_label("Code à 6 chiffres").fill(factories.app_code(address, secret))
    page.get_by_role("button", name="Vérifier et activer").click()

    # Ten recovery codes, once: printed or downloaded now.
    heading(page, "Vos codes de secours")
    codes = page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(set(codes)) == 10
    fits(page)
    audit(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le fichier").click()
    kept = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(kept)
    assert kept.name == "civic-codes-de-secours.txt"
    assert set(codes) <= set(kept.read_text(encoding="utf-8").splitlines())
    page.get_by_role("link", name="J’ai gardé mes codes, continuer").click()
    heading(page, "Connexion en deux étapes")
    expect(page.get_by_text("Activée.", exact=True)).to_be_visible()
    expect(page.get_by_text("Il vous reste 10 codes de secours.")).to_be_visible()
    expect(nav(page).get_by_role("link", name="À relire")).to_be_visible()
    assert secret not in "".join(page.content().split())
    audit(page)

    # Next time: the password, then the code of the moment.
    log_out(page)
    _password(page, audit, address)
    _second_step_page(page, audit)
    page.get_by_label("Code à 6 chiffres").fill("123456")
    page.get_by_role("button", name="Valider", exact=True).click()
    expect(page.locator("#code-error")).to_contain_text("Ce code ne marche pas")
    audit(page)
    page.get_by_label("Code à 6 chiffres").fill(factories.app_code(address, secret))
    page.get_by_role("button", name="Valider", exact=True).click()
    _logged_in(page)
    expect(nav(page).get_by_role("link", name="À relire")).to_be_visible()

    # The phone is lost: a recovery code, once; then set up the app again.
    log_out(page)
    _password(page, audit, address)
    _second_step_page(page, audit)
    page.get_by_text("J’ai perdu mon téléphone ou ma clé").click()
    page.get_by_label("Code de secours").fill(codes[0].lower())
    audit(page)
    page.get_by_role("button", name="Valider le code de secours").click()
    expect(page).to_have_url(re.compile(f"{SECURITY}$"))
    flash(page, "Code de secours accepté. Il vous en reste 9.")
    _logged_in(page)
    audit(page)
    page.get_by_role("link", name="Changer de téléphone").click()
    new_secret = "".join(page.locator("[data-secret]").inner_text().split())
    assert new_secret != secret
    page.get_by_label("Code à 6 chiffres").fill(pyotp.TOTP(new_secret).now())
    page.get_by_role("button", name="Vérifier et activer").click()
    flash(page, "C’est fait")
    expect(page.get_by_text("Il vous reste 9 codes de secours.")).to_be_visible()

    log_out(page)
    _password(page, audit, address)
    page.get_by_text("J’ai perdu mon téléphone ou ma clé").click()
    page.get_by_label("Code de secours").fill(codes[0])
    page.get_by_role("button", name="Valider le code de secours").click()
    expect(page.locator("#recovery_code-error")).to_contain_text("déjà servi")
    expect(nav(page).get_by_role("link", name="Se connecter")).to_be_visible()
    audit(page)


def test_a_pilot_resets_a_moderator_s_second_step(phone: Page, seed: Session,
                                                   audit: Audit) -> None:
    page = phone
    contract = factories.make_contract(seed)
    quartier = factories.make_quartier(seed, contract, name="Les Tilleuls")
    pilot = factories.make_user(seed, display_name="Paula", roles=[(Role.PILOT, None)])
    moderator = factories.make_user(seed, display_name="Moussa",
                                    roles=[(Role.MODERATOR, quartier)])
    pilot_address, moderator_address = address_of(pilot), address_of(moderator)
    seed.commit()

    log_in(page, audit, pilot_address, "/admin/roles")
    heading(page, "Rôles")
    expect(page.get_by_text("En attente : commencera")).to_have_count(0)
    audit(page)
    page.get_by_label("Adresse e-mail de la personne").fill(pilot_address)
    page.get_by_role("button", name="Réinitialiser").click()
    flash(page, "Vous ne pouvez pas réinitialiser votre propre compte")
    page.get_by_label("Adresse e-mail de la personne").fill(moderator_address)
    page.get_by_role("button", name="Réinitialiser").click()
    flash(page, "La connexion en deux étapes de Moussa est réinitialisée")
    expect(page.locator("tr", has_text="Moussa")).to_contain_text("En attente : commencera")
    fits(page)
    audit(page)
    page.goto("/admin/journal")
    expect(page.locator("tr", has_text="accounts.second_factor_reset")).to_have_count(1)
    audit(page)
    log_out(page)

    # The moderator's next login asks to set up the second step again.
    _password(page, audit, moderator_address)
    expect(page).to_have_url(re.compile(f"{SECURITY}$"))
    flash(page, "Votre rôle demande une connexion en deux étapes")
    expect(nav(page).get_by_role("link", name="À relire")).to_have_count(0)
    audit(page)
    entry = seed.scalars(select(AuditEntry).where(
        AuditEntry.action == "accounts.second_factor_reset")).one()
    assert (entry.actor_id, entry.target_id) == (pilot.id, str(moderator.id))


def test_a_resident_adds_a_security_key_and_logs_in_with_it(phone: Page, seed: Session,
                                                            audit: Audit) -> None:
    page = phone
    resident = factories.make_user(seed, display_name="Rania")
    address, resident_id = address_of(resident), resident.id
    seed.commit()
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
        "automaticPresenceSimulation": True}})

    log_in(page, audit, address, "/compte")
    page.get_by_role("link", name="Activer la connexion en deux étapes").click()
    heading(page, "Connexion en deux étapes")
    audit(page)
    page.get_by_label("Nom de la clé").fill("mon téléphone")
    page.get_by_role("button", name="Ajouter une clé").click()
    flash(page, "La clé « mon téléphone » est ajoutée.")
    flash(page, "Créez maintenant vos codes de secours")
    expect(page.get_by_text("Activée.", exact=True)).to_be_visible()
    fits(page)
    audit(page)
    page.get_by_role("button", name="Créer de nouveaux codes de secours").click()
    heading(page, "Vos codes de secours")
    expect(page.locator("[data-recovery-codes] code")).to_have_count(10)
    key = seed.scalars(select(SecurityKey).where(SecurityKey.user_id == resident_id)).one()
    assert key.name == "mon téléphone"

    log_out(page)
    _password(page, audit, address)
    _second_step_page(page, audit)
    expect(page.get_by_label("Code à 6 chiffres")).to_have_count(0)  # no app, a key
    page.get_by_role("button", name="Utiliser ma clé").click()
    _logged_in(page)
    expect(page).to_have_url(re.compile("/$"))
    seed.expire_all()
    used = seed.scalars(select(SecurityKey).where(SecurityKey.user_id == resident_id)).one()
    assert used.last_used_at is not None
    assert used.sign_count >= key.sign_count
