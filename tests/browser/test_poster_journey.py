"""A poster, end to end in a browser on a tablet: Anne, animator in Les Tilleuls, opens
the next meal of her quartier, follows « Imprimer une affiche », chooses A4 and Arabic,
and gets the sheet to print: the title, the French then the Arabic words (right to
left), a QR code to the event's page with its short address, and the quartier's
permanence hours. In print, only the sheet remains, in sizes read from two metres, on
one A4 page. A poster whose every text is as long as the site allows still prints on one
page, in smaller letters.

The live server reads the real clock: the meal is a week after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from civic.accounts.models import Role
from civic.core import clock
from civic.permanence import slots
from tests import factories
from tests.browser.pages import Audit, address_of, heading, log_in, qr_holds

TITLE = "Repas partagé de printemps"
#: The quartier's hours: Tuesday in French, then in Arabic (whatever the catalogue says).
HOURS = re.compile(r"Mardi · [\u0600-\u06ff]+ · 14:00 – 17:00, Maison des associations")
#: A4 in PostScript points, as a PDF's MediaBox gives it.
A4_POINTS = (595, 842)
#: 60 pt and 24 pt in CSS pixels (96 px per 72 pt).
TITLE_PX, TEXT_PX = 80, 32


@dataclass(frozen=True)
class Seeded:
    animator: str
    event: int
    long_event: int


def _longest(text: str, length: int) -> str:
    """``text`` repeated to the length the site allows."""
    return (text * (length // len(text) + 1))[:length]


def _meal(seed: Session) -> Seeded:
    now = clock.now()
    contract = factories.make_contract(seed)
    quartier = factories.make_quartier(seed, contract, name="Les Tilleuls")
    slots.add_slot(seed, quartier, weekday=1, starts=time(14), ends=time(17),
                   place="Maison des associations", actor=None, now=now)
    event = factories.make_event(seed, quartier, kind="meal", title=TITLE,
                                 place="Square Abbal", address="2 place Abbal",
                                 starts_at=now + timedelta(days=7),
                                 created_at=now - timedelta(days=3))
    # Another quartier of Anne's, where every name is as long as the site takes.
    far = factories.make_quartier(seed, contract, name=_longest("Bellefontaine-Mirail ", 120))
    for weekday in (3, 4):
        slots.add_slot(seed, far, weekday=weekday, starts=time(9), ends=time(12),
                       place=_longest("Maison de la vie citoyenne du quartier ", 120),
                       actor=None, now=now)
    long_event = factories.make_event(
        seed, far, kind="meal", starts_at=now + timedelta(days=8),
        title=_longest("Grand repas partagé entre voisins, familles et associations ", 120),
        place=_longest("Salle polyvalente de la maison de quartier ", 120),
        address=_longest("12 allée des Tilleuls, entrée par le parking de l’école ", 200),
        created_at=now - timedelta(days=3))
    animator = factories.make_user(seed, display_name="Anne",
                                   roles=[(Role.ANIMATOR, quartier), (Role.ANIMATOR, far)])
    seeded = Seeded(address_of(animator), event.id, long_event.id)
    seed.commit()
    return seeded


def _pages(pdf: bytes) -> list[tuple[int, int]]:
    """The size of each page of the PDF, in points."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(round(float(width)), round(float(height))) for width, height in boxes]


def _font_px(page: Page, selector: str) -> float:
    return float(page.locator(selector).first.evaluate(
        "node => parseFloat(getComputedStyle(node).fontSize)"))


def test_animator_prints_an_a4_poster_in_french_and_arabic_on_a_tablet(
        tablet: Page, seed: Session, audit: Audit, live_server: str) -> None:
    page = tablet
    seeded = _meal(seed)

    # --- 1. The event's page: sharing links, and the poster for those who may.
    log_in(page, audit, seeded.animator)
    page.goto(f"/evenements/{seeded.event}")
    heading(page, TITLE)
    share = page.get_by_role("region", name="Faire connaître")
    expect(share.get_by_role("link", name="Envoyer par WhatsApp")).to_have_attribute(
        "href", re.compile(r"^https://wa\.me/\?text="))
    audit(page)
    share.get_by_role("link", name="Imprimer une affiche").click()

    # --- 2. Choosing the paper and the second language.
    heading(page, "Imprimer une affiche")
    expect(page.get_by_label("A4 : une feuille ordinaire")).to_be_checked()
    audit(page)
    page.get_by_label("العربية").check()
    page.get_by_role("button", name="Voir l’affiche").click()

    # --- 3. The sheet, on the screen.
    heading(page, "Affiche à imprimer")
    expect(page).to_have_url(re.compile(r"/imprimer\?format=a4&langue=ar"))
    sheet = page.locator("article.sheet")
    expect(sheet.get_by_role("heading", name=TITLE)).to_be_visible()
    arabic = sheet.locator("section[lang=ar]")
    expect(arabic).to_have_attribute("dir", "rtl")
    expect(sheet.locator(".sheet-hours")).to_contain_text(HOURS)
    expect(sheet.locator(".sheet-short")).to_have_text(
        re.sub(r"^https?://", "", live_server) + f"/a/{seeded.event}")
    qr_holds(sheet.locator(".sheet-qr"), f"{live_server}/evenements/{seeded.event}")
    expect(sheet).to_have_attribute("data-fit", "1.000")  # it holds on a sheet as it is
    audit(page)

    # --- 4. In print: the sheet alone, readable from two metres, on one A4 page.
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", name="Affiche à imprimer")).to_be_hidden()
    expect(page.get_by_role("button", name="Imprimer")).to_be_hidden()
    expect(page.get_by_role("banner")).to_be_hidden()
    expect(sheet.locator(".sheet-qr svg")).to_be_visible()
    expect(sheet.get_by_text(HOURS)).to_be_visible()
    expect(arabic).to_be_visible()
    assert _font_px(page, ".sheet-title") >= TITLE_PX
    assert _font_px(page, ".sheet-language p") >= TEXT_PX
    audit(page)
    assert _pages(page.pdf(prefer_css_page_size=True)) == [A4_POINTS]

    # --- 5. The longest title, place, address and hours the site takes, in two
    # languages: the letters get smaller (not below 0.6 of their size), the pages do not
    # get more.
    page.emulate_media(media="screen")
    page.goto(f"/affiches/evenement/{seeded.long_event}/imprimer?format=a4&langue=ar")
    expect(sheet).to_have_attribute("data-fit", re.compile(r"^0\.[6-9]\d*$"))
    audit(page)
    page.emulate_media(media="print")
    assert _font_px(page, ".sheet-language p") >= 0.6 * TEXT_PX
    assert _pages(page.pdf(prefer_css_page_size=True)) == [A4_POINTS]
