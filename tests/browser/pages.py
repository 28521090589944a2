"""What the browser journeys do on every page: find the heading, the menu, a message,
log in and out, check that a phone page does not scroll sideways, and read a QR code."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote, urlsplit

from playwright.sync_api import APIResponse, Locator, Page, expect

from civic.core.qr import qr_svg
from tests import factories

Audit = Callable[[Page], None]


def heading(page: Page, name: str | re.Pattern[str]) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Menu principal")


def flash(page: Page, text: str | re.Pattern[str]) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def fits(page: Page) -> None:
    """Nothing sticks out sideways: the page reads without scrolling horizontally."""
    screen = page.viewport_size
    assert screen is not None
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= screen["width"], f"{page.url} is {width}px wide on a {screen['width']}px screen"


def fact(page: Page, term: str, *, exact: bool = False) -> Locator:
    """The value of a fact (``<dt>term</dt><dd>value</dd>``) on the page; ``exact``: the
    term is the whole of its ``<dt>``."""
    named = page.get_by_text(term, exact=True) if exact else page.locator("dt",
                                                                             has_text=term)
    return page.locator("dl.facts > div").filter(has=named).locator("dd")


def selected(page: Page, label: str) -> Locator:
    """The option chosen in the select labelled exactly ``label``."""
    return page.get_by_label(label, exact=True).locator("option:checked")


def log_in(page: Page, audit: Audit, address: str, next_path: str = "", *,
            check: bool = True) -> None:
    """Through the login form; ``check`` audits it (once per journey and device is enough)."""
    page.goto("/connexion" + (f"?next={quote(next_path)}" if next_path else ""))
    heading(page, "Se connecter")
    if check:
        audit(page)
    page.get_by_label("Adresse e-mail").fill(address)
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    second_step(page, address)
    expect(nav(page).get_by_role("button", name="Se déconnecter")).to_be_visible()


SECOND_STEP = "/connexion/deuxieme-etape"


def second_step(page: Page, address: str) -> None:
    """After a right password, the second step of an account the factories gave an app
    (every account with a role): the code its phone shows now."""
    page.wait_for_url(lambda url: urlsplit(url).path != "/connexion")
    if urlsplit(page.url).path != SECOND_STEP:
        return
    page.get_by_label("Code à 6 chiffres").fill(factories.app_code(address))
    page.get_by_role("button", name="Valider", exact=True).click()
    page.wait_for_url(lambda url: urlsplit(url).path != SECOND_STEP)


def second_step_request(page: Page, answer: APIResponse, address: str) -> APIResponse:
    """The same, for a login posted without the pages."""
    if urlsplit(answer.url).path != SECOND_STEP:
        return answer
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', answer.text())
    assert token is not None
    return page.request.post(SECOND_STEP, form={"csrf_token": token[1],
                                                "code": factories.app_code(address)})


def signed_in(page: Page, address: str) -> None:
    """Log in without the login page, second step included (for journeys that have
    walked through the page once already)."""
    form = page.request.get("/connexion")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text())
    assert form.ok
    assert token is not None
    answer = second_step_request(page, page.request.post("/connexion", form={
        "csrf_token": token[1], "email": address, "password": factories.PASSWORD}), address)
    assert answer.ok, "the login failed"
    assert "/connexion" not in answer.url, "the login failed"


def log_out(page: Page) -> None:
    nav(page).get_by_role("button", name="Se déconnecter").click()
    expect(nav(page).get_by_role("link", name="Se connecter")).to_be_visible()


def pending(page: Page) -> Locator:
    """The cards of the « En attente » list of the moderation queue."""
    return page.locator("ul.queue").first.get_by_role("listitem")


def address_of(user: object) -> str:
    address = getattr(user, "email", None)
    assert isinstance(address, str)
    return address


def _qr_path(svg: str) -> str:
    found = re.search(r'<path[^>]* d="([^"]+)"', svg)
    assert found is not None, svg[:200]
    return found[1]


def qr_holds(qr: Locator, data: str) -> None:
    """The QR code drawn (as inline SVG) in ``qr`` holds ``data``: the same data always
    gives the same drawing, so the one drawn is compared with the one ``data`` gives."""
    drawn = qr.locator("svg path").get_attribute("d")
    assert drawn == _qr_path(qr_svg(data)), f"the QR code does not hold {data!r}"


def loaded_width(img: Locator) -> int:
    """The natural width of an image once the browser finished loading it (0: broken)."""
    img.page.wait_for_function("img => img.complete", arg=img.element_handle())
    return int(img.evaluate("img => img.naturalWidth"))
