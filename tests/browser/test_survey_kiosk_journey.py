"""A survey at the permanence, end to end in a browser on a tablet: the animator hands
the tablet to three residents in a row (one answers in Arabic, right to left; one leaves
the optional profile empty; one makes a mistake, sees it next to its question with her
answers kept, and corrects it); after each, the "give the tablet back" screen, from which
only the animator's screen follows; the back button never gives a second answer. Then
the animator types two paper forms into a pile of two and closes it.

The survey is dated from the real clock, since the live server reads it. The tablet's
own timer (8 s after the thank-you screen) runs on Playwright's clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.models import Role
from civic.core import clock
from civic.evaluation import surveys
from civic.evaluation.models import PaperBatch, Survey, SurveyHandover, SurveyParticipation
from tests import factories
from tests.browser.pages import address_of, flash, heading, signed_in
from tests.evaluation.survey_setup import make_survey

Audit = Callable[[Page], None]

TITLE = "Votre avis sur le quartier"
START = f"Enquête sur la tablette — {TITLE}"
#: Words in Arabic script.
ARABIC = re.compile("[\u0600-\u06ff]{2,}")
#: The thank-you screen gives the tablet back after 8 s: room for a slow server.
RETURN_TIMEOUT = 15_000


@dataclass(frozen=True)
class Setting:
    survey_id: int
    permanence_id: int
    animator: str


def _setting(seed: Session) -> Setting:
    contract = factories.make_contract(seed)
    quartier = factories.make_quartier(seed, contract, name="Les Tilleuls", commune="Testville")
    animator = factories.make_user(seed, display_name="Aïcha",
                                   roles=[(Role.ANIMATOR, quartier)])
    permanence = factories.make_permanence(seed, quartier, animator, place="Maison des Tilleuls",
                                           starts_at=clock.now() - factories.DAY / 24,
                                           ends_at=clock.now() + factories.DAY / 4)
    survey = make_survey(seed, contract, clock.now())
    setting = Setting(survey.id, permanence.id, address_of(animator))
    seed.commit()
    return setting


def _counts(seed: Session, setting: Setting) -> tuple[int, int, int]:
    """Answers given, lines in the register, handovers still live."""
    seed.expire_all()
    survey = seed.get(Survey, setting.survey_id)
    assert survey is not None
    counts = (surveys.answer_count(seed, survey),
              int(seed.scalar(select(func.count()).select_from(SurveyParticipation)) or 0),
              int(seed.scalar(select(func.count()).select_from(SurveyHandover)) or 0))
    seed.rollback()  # no transaction left open while the server writes
    return counts


def _html(page: Page, lang: str, direction: str) -> None:
    expect(page.locator(f"html[lang={lang}][dir={direction}]")).to_have_count(1)


def _animator_screen(page: Page, timeout: float | None = None) -> None:
    """The animator's screen, empty, for the next resident."""
    expect(page.get_by_role("heading", level=1)).to_have_text(START, timeout=timeout)
    _html(page, "fr", "ltr")
    expect(page.get_by_role("navigation", name="Menu principal")).to_be_visible()
    expect(page.get_by_label("J’ai présenté l’enquête à la personne et je lui donne la "
                             "tablette")).not_to_be_checked()


def _hand_over(page: Page, language: str) -> None:
    page.get_by_label("Langue de la personne").select_option(language)
    page.get_by_label("J’ai présenté l’enquête à la personne et je lui donne la tablette").check()
    page.get_by_role("button", name="Donner la tablette pour répondre").click()


def _survey_alone(page: Page, title: str | re.Pattern[str]) -> None:
    """The resident's screen: the survey, big, and nothing of the site around it."""
    heading(page, title)
    expect(page.get_by_role("navigation")).to_have_count(0)
    expect(page.locator("header, footer")).to_have_count(0)
    expect(page.locator("input[name=handover]")).to_have_count(1)
    box = page.locator("fieldset.survey-item label").first.bounding_box()
    assert box is not None
    assert box["height"] >= 64, box  # a big touch target


def _action(page: Page, value: str) -> Any:
    return page.locator(f"button[name=action][value={value}]")


def _thanks(page: Page, audit: Audit) -> None:
    """The "give the tablet back" screen, then the tablet returns to the animator."""
    expect(page.locator("[data-kiosk-return]")).to_be_visible()
    expect(page.locator("[data-kiosk-return] a.button")).to_have_count(1)
    expect(page.get_by_role("navigation")).to_have_count(0)
    expect(page.locator("input, textarea, select")).to_have_count(0)
    audit(page)


def test_animator_hands_a_survey_to_three_residents_then_types_paper_on_a_tablet(
        tablet: Page, seed: Session, audit: Audit) -> None:
    page = tablet
    setting = _setting(seed)
    page.clock.install()
    signed_in(page, setting.animator)

    # The permanence's page, the tablet's home, offers the open survey.
    page.goto(f"/permanence/{setting.permanence_id}")
    heading(page, "Maison des Tilleuls")
    surveys_here = page.get_by_role("region", name="Enquêtes ouvertes")
    expect(surveys_here).to_contain_text(TITLE)
    audit(page)
    surveys_here.get_by_role("link", name=re.compile("^Répondre sur la tablette")).click()
    _animator_screen(page)
    start = page.url
    audit(page)

    # Resident 1 reads and answers in Arabic, right to left.
    _hand_over(page, "ar")
    _html(page, "ar", "rtl")
    _survey_alone(page, "رأيك في الحي")
    expect(page.locator("legend").first).to_contain_text("هل تغير الحي نحو الأفضل؟")
    audit(page)
    page.get_by_role("radio", name="4 — كثيرا", exact=True).check()
    page.get_by_role("radio", name="نعم").check()
    page.get_by_role("checkbox", name="الإنارة").check()
    page.get_by_label(re.compile("منذ كم سنة")).fill("\u0667")  # 7 in Arabic digits
    page.get_by_label(re.compile("كلمة أخيرة")).fill("شكرا على المساعدة")
    page.locator("select[name=age_bracket]").select_option("40_54")
    _action(page, "send").click()
    _html(page, "ar", "rtl")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _thanks(page, audit)
    expect(page.locator("[data-kiosk-return] a.button")).to_have_text(ARABIC)
    assert _counts(seed, setting) == (1, 1, 0)
    # Nobody touches it: 8 s later the tablet is back with the animator.
    page.clock.fast_forward("00:09")
    _animator_screen(page, timeout=RETURN_TIMEOUT)
    audit(page)

    # Back, again and again: never the first resident's survey to answer a second time.
    for _ in range(4):
        refused = ""
        try:
            page.go_back(wait_until="load")
        except PlaywrightError as error:
            refused = str(error)
        assert not refused or "ERR_CACHE_MISS" in refused, refused
        page.wait_for_load_state()
        expect(page.locator("input[name=handover]")).to_have_count(0)
    assert _counts(seed, setting) == (1, 1, 0)
    page.goto(start)
    _animator_screen(page)

    # Resident 2 answers in French and leaves the optional profile empty.
    _hand_over(page, "fr")
    _survey_alone(page, TITLE)
    expect(page.get_by_role("group", name="Pour nos statistiques (facultatif)")).to_contain_text(
        "totaux d’au moins 11 personnes")
    audit(page)
    page.get_by_role("radio", name="2 — Un peu").check()
    _action(page, "send").click()
    heading(page, "Merci pour vos réponses !")
    expect(page.get_by_text("Rendez la tablette à l’animatrice ou l’animateur.")).to_be_visible()
    _thanks(page, audit)
    # The resident gives it back by the button: the animator acts again for the next one.
    page.locator("[data-kiosk-return] a.button").click()
    _animator_screen(page)
    assert _counts(seed, setting) == (2, 2, 0)

    # Resident 3 (in English) forgets the required question and writes a number in words.
    _hand_over(page, "en")
    _html(page, "en", "ltr")
    _survey_alone(page, "Your view of the neighbourhood")
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("checkbox", name="The benches").check()
    number = page.get_by_label(re.compile("How many years"))
    number.fill("douze")
    _action(page, "send").click()
    _html(page, "en", "ltr")
    expect(page.locator(".error-summary")).to_be_visible()
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(number).to_have_value("douze")
    expect(number).to_have_accessible_description(re.compile(r"3 ou 12,5|3 or 12\.5"))
    scale = page.get_by_role("group", name=re.compile("Has the neighbourhood changed"))
    expect(scale.locator(".error")).to_be_visible()
    expect(page.get_by_role("radio", name="Yes")).to_be_checked()
    expect(page.get_by_role("checkbox", name="The benches")).to_be_checked()
    audit(page)
    page.get_by_role("radio", name="5 — Very much").check()
    number.fill("12")
    _action(page, "send").click()
    _thanks(page, audit)
    assert _counts(seed, setting) == (3, 3, 0)
    page.clock.fast_forward("00:09")
    _animator_screen(page, timeout=RETURN_TIMEOUT)

    # Paper: a pile of two forms brought back, typed in, then closed.
    page.goto(f"/permanence/{setting.permanence_id}")
    page.get_by_role("region", name="Enquêtes ouvertes").get_by_role(
        "link", name=re.compile("^Saisir des questionnaires papier")).click()
    heading(page, f"Questionnaires papier — {TITLE}, Les Tilleuls")
    expect(page.get_by_text("Aucune pile pour l’instant.")).to_be_visible()
    audit(page)
    page.get_by_label("D’où vient la pile").fill("Permanence du 12 mars")
    page.get_by_label("Nombre de questionnaires comptés à la main").fill("2")
    where = page.get_by_label("Permanence (facultatif)")
    expect(where.locator("option").nth(1)).to_have_text(re.compile("^Maison des Tilleuls, le "))
    where.select_option(index=1)
    page.get_by_role("button", name="Ouvrir la pile").click()
    heading(page, "Pile « Permanence du 12 mars »")
    expect(page.locator("#pile-count")).to_have_text("0 / 2 saisis")
    audit(page)
    for point, years in (("3 — Moyennement", "4"), ("5 — Énormément", "30")):
        page.get_by_role("radio", name=point).check()
        page.get_by_label(re.compile("Depuis combien d’années")).fill(years)
        page.get_by_role("button", name="Enregistrer ce questionnaire").click()
        heading(page, "Pile « Permanence du 12 mars »")
        expect(page.locator("input[type=radio]:checked")).to_have_count(0)
    flash(page, "Questionnaire enregistré : 2 / 2 saisis.")
    expect(page.locator("#pile-count")).to_have_text("2 / 2 saisis")
    expect(page.get_by_role("button", name="Enregistrer ce questionnaire")).to_have_count(0)
    audit(page)
    page.get_by_role("button", name="Fermer la pile").click()
    flash(page, "La pile est close : 2 questionnaires comptés et saisis.")
    row = page.get_by_role("row", name=re.compile("Permanence du 12 mars"))
    expect(row.get_by_role("cell")).to_have_text([
        "Permanence du 12 mars", "2", "2", re.compile("^close le")])
    audit(page)
    seed.expire_all()
    pile = seed.scalars(select(PaperBatch)).one()
    assert (pile.counted, pile.entered, pile.closed_at is not None) == (2, 2, True)
    seed.rollback()
    assert _counts(seed, setting) == (5, 5, 0)

    # The paper form to print, in French and Arabic.
    page.get_by_role("link", name="Imprimer le questionnaire").click()
    heading(page, "Questionnaire papier à imprimer")
    page.get_by_role("link", name="Français et العربية").click()
    expect(page.locator("[lang=ar] h2")).to_have_text("رأيك في الحي")
    audit(page)
