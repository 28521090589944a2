"""The kiosk in Arabic, on a tablet, with a knapsack ballot: amounts are written the same
way while the resident chooses (the running total, added up on the page) and on the
confirmation (written by the server), and the French titles stay whole inside the Arabic
sentences (isolated, so a dash never lands on the wrong side)."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from civic.accounts.models import Role
from civic.core.money import format_cents
from tests import factories
from tests.browser.pages import signed_in
from tests.browser.test_kiosk_journey import (
    PROJECTS,
    ROUND_TITLE,
    _action,
    _declare,
    _html,
    _live_round,
    _project,
)

Audit = Callable[[Page], None]


def test_amounts_read_the_same_on_the_ballot_and_the_confirmation_in_arabic(
        tablet: Page, seed: Session, audit: Audit) -> None:
    page = tablet
    contract = factories.make_contract(seed)
    quartier = factories.make_quartier(seed, contract, name="Les Tilleuls")
    fund = factories.make_fund(seed, quartier, vote_method="knapsack",
                               envelope_cents=250_000, cap_cents=150_000)
    round_ = _live_round(seed, fund, "vote", title=ROUND_TITLE)
    for title, summary, cents in PROJECTS:
        factories.make_project(seed, round_, title=title, summary=summary, amount_cents=cents)
    animator = factories.make_user(seed, display_name="Aïcha", roles=[(Role.ANIMATOR, quartier)])
    permanence = factories.make_permanence(seed, quartier, animator, place="Maison")
    path = f"/permanence/{permanence.id}/kiosque/{round_.id}"
    address = animator.email
    assert address is not None
    seed.commit()

    signed_in(page, address)
    page.goto(path)
    _declare(page, "Youssef Amrani", "1979-11-03")
    page.get_by_role("button", name="العربية").click()
    _html(page, "ar", "rtl")
    total = page.locator("output[data-total]")
    expect(total).to_have_text(format_cents(0, "ar"))
    _project(page, "Fête des voisins").check()
    _project(page, "Bancs au square").check()
    expected = format_cents(80_000 + 120_000, "ar")  # ‏2,000.00 € as the server writes it
    expect(total).to_have_text(expected)
    # Each French title is isolated inside the Arabic label, its amount outside it.
    label = page.locator("label", has_text="Bancs au square")
    expect(label.locator("bdi")).to_have_text("Bancs au square")
    expect(label).to_contain_text(format_cents(120_000, "ar"))
    audit(page)
    _action(page, "confirm").click()
    _html(page, "ar", "rtl")
    expect(page.locator("main")).to_contain_text(expected)
    for item in page.locator("main li bdi").all():
        assert item.inner_text() in {"Fête des voisins", "Bancs au square"}
    audit(page)
