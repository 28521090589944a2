"""A first-time visitor on a phone finds « Facile à lire » from the home page, reads how
to vote, then reads it in Arabic, right to left: the pictograms load, sit at the start of
each block (left, then right), and nothing sticks out sideways."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect
from sqlalchemy.orm import Session

from tests import factories
from tests.browser.pages import fits, heading

Audit = Callable[[Page], None]


def _html(page: Page, lang: str, direction: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("html")).to_have_attribute("dir", direction)


def _pictograms_loaded(page: Page) -> None:
    pictograms = page.locator("main img.pictogram")
    expect(pictograms.first).to_be_visible()
    # Each image finishes loading in its own time: wait for all, then look for any broken.
    page.wait_for_function("""() => [...document.querySelectorAll('main img.pictogram')]
        .every(img => img.complete)""")
    broken = page.evaluate("""() => [...document.querySelectorAll('main img.pictogram')]
        .filter(img => img.naturalWidth === 0).map(img => img.src)""")
    assert broken == [], f"pictograms that did not load: {broken}"


def _secret_block(page: Page, heading: str = "Votre vote est secret") -> tuple[Locator, Locator]:
    block = page.locator("section.er-block").filter(
        has=page.get_by_role("heading", name=heading))
    return block.locator("img.pictogram"), block.get_by_role("heading")


def _x(locator: Locator) -> float:
    box = locator.bounding_box()
    assert box is not None
    return box["x"]


def test_a_first_time_visitor_reads_how_to_vote_in_easy_read_then_in_arabic(
        phone: Page, seed: Session, audit: Audit) -> None:
    page = phone
    contract = factories.make_contract(seed)
    factories.make_quartier(seed, contract, name="Les Tilleuls", commune="Testville")
    seed.commit()

    # Home: the link is in the header, seen without scrolling.
    page.goto("/")
    _html(page, "fr", "ltr")
    entry = page.get_by_role("banner").get_by_role("link", name="Facile à lire")
    expect(entry).to_be_in_viewport()
    fits(page)
    audit(page)

    # The list of easy-read pages.
    entry.click()
    heading(page, "Facile à lire")
    expect(page.get_by_role("banner").get_by_role("link", name="Facile à lire")
           ).to_have_attribute("aria-current", "page")
    pages = page.locator("main ul.er-pages > li")
    expect(pages).to_have_count(4)
    _pictograms_loaded(page)
    fits(page)
    audit(page)

    # How to vote: who may vote, the four ways, the secret, in short lines with pictures.
    page.get_by_role("link", name="Voter pour les projets du FPH").click()
    heading(page, "Voter pour les projets du FPH")
    expect(page.get_by_text("Vous pouvez voter si vous habitez le quartier.")).to_be_visible()
    for way in ("1. Sur le site, avec votre compte", "2. À une permanence, sur une tablette",
                "3. À une permanence, sur papier", "4. Avec un code de vote"):
        expect(page.get_by_role("heading", level=3, name=way)).to_be_visible()
    expect(page.get_by_role("img", name="Un cadenas fermé")).to_be_visible()
    _pictograms_loaded(page)
    font = page.evaluate("""() => {
        const style = getComputedStyle(document.querySelector('.easy-read p'));
        return [parseFloat(style.fontSize), parseFloat(style.lineHeight)]; }""")
    assert font[0] >= 16, font
    assert font[1] >= 1.5 * font[0], font
    picture, title = _secret_block(page)
    assert _x(picture) < _x(title), "the pictogram should come first, on the left"
    fits(page)
    audit(page)

    # In Arabic: the same page, right to left, the pictograms on the right.
    page.get_by_role("button", name="العربية").click()
    _html(page, "ar", "rtl")
    expect(page).to_have_url(f"{page.url.split('/facile-a-lire')[0]}/facile-a-lire/voter")
    expect(page.get_by_role("button", name="العربية")).to_have_attribute("aria-pressed", "true")
    picture, title = _secret_block(page, "تصويتك سري")
    assert _x(picture) > _x(title), "in Arabic the pictogram should come first, on the right"
    align = page.evaluate("getComputedStyle(document.querySelector('.easy-read p')).textAlign")
    assert align in ("start", "right"), align
    _pictograms_loaded(page)
    fits(page)
    audit(page)
