"""A poster, end to end in a browser on a tablet: Anne, animator in Les Tilleuls, opens
the next meal of her quartier, follows « Imprimer une affiche », chooses A4 and Arabic,
and gets the sheet to print: the title, the French then the Arabic words (right to
left), a QR code to the event's page with its short address, and the quartier's
permanence hours. In print, only the sheet remains, in sizes read from two metres, on
one A4 page.

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
    animator = factories.make_user(seed, display_name="Anne",
                                   roles=[(Role.ANIMATOR, quartier)])
    seeded = Seeded(address_of(animator), event.id)
    seed.commit()
    return seeded


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
    pdf = page.pdf(prefer_css_page_size=True)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert len(boxes) == 1, f"{len(boxes)} pages"
    assert tuple(round(float(side)) for side in boxes[0]) == A4_POINTS
