"""A form sent back with errors puts the person where they must act, on a phone: the
first field in error has the focus and is in view, and each line of the summary at the
top names a field and its message and takes the focus there when followed."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from tests import factories

Audit = Callable[[Page], None]


def in_view(page: Page, selector: str) -> bool:
    return bool(page.evaluate(
        """(selector) => { const r = document.querySelector(selector).getBoundingClientRect();
            return r.top >= 0 && r.bottom <= window.innerHeight; }""", selector))


def test_a_refused_form_focuses_its_first_wrong_field_on_a_phone(
        phone: Page, seed: Session, audit: Audit) -> None:
    page = phone
    contract = factories.make_contract(seed)
    factories.make_quartier(seed, contract, name="Les Tilleuls")
    seed.commit()

    page.goto("/inscription")
    page.get_by_label("Nom affiché").fill("Nadia")
    page.get_by_label("Adresse e-mail").fill("pas une adresse")
    page.get_by_role("button", name="Créer mon compte").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Le formulaire contient des erreurs.")
    expect(page.locator("#email")).to_be_focused()
    assert in_view(page, "#email")
    expect(page.get_by_label("Nom affiché")).to_have_value("Nadia")  # kept as typed
    links = summary.get_by_role("link")
    expect(links.first).to_contain_text("Adresse e-mail")
    expect(links.nth(1)).to_contain_text("Mot de passe")
    links.nth(1).click()
    expect(page.locator("#password")).to_be_focused()
    assert in_view(page, "#password")
    audit(page)
