"""A workshop of the evaluation, end to end in a browser on a tablet: a member of the
evaluation committee attaches the « atelier » held yesterday to its question; then its
animator finds it from the evaluation's page (the
question still says its conclusions will come), opens the event, which says which
question it works on, records the conclusions (a first try without them is refused next
to the field, the head count typed is kept), the head count and a photo of the board
with what it shows (a first try without the caption is refused); the evaluation's page
then shows them under the question, the photo described by its caption.

The live server reads the real clock: the workshop started yesterday by it.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta

from PIL import Image
from playwright.sync_api import Locator, Page, expect
from sqlalchemy.orm import Session

from civic.accounts.models import Role
from civic.core import clock
from civic.evaluation import services
from tests import factories
from tests.browser.pages import (
    Audit,
    address_of,
    fact,
    flash,
    heading,
    loaded_width,
    log_in,
    log_out,
)

QUESTION = "Les jeunes du quartier trouvent-ils plus facilement un stage ?"
WORKSHOP = "Atelier : trouver un stage"
CONCLUSIONS = ("Les jeunes ne connaissent pas les entreprises du quartier.\n"
               "Ils proposent un forum des stages au printemps.")
CAPTION = "Le tableau des propositions, trois colonnes de post-it"
RECORD = "Conclusions de l’atelier"
FORM_ERRORS = "Le formulaire contient des erreurs"
REQUIRED = "Ce champ est obligatoire."


@dataclass(frozen=True)
class Seeded:
    evaluator: str
    animator: str
    evaluation: int
    question: int
    event: int


def _workshop(seed: Session) -> Seeded:
    """An evaluation of the contract with one question, the workshop held yesterday in
    Les Tilleuls, where Anne animates, and Élise of the evaluation committee."""
    now = clock.now()
    today = clock.local_day(now, "Europe/Paris")
    contract = factories.make_contract(seed)
    quartier = factories.make_quartier(seed, contract, name="Les Tilleuls")
    orientation = factories.make_orientation(seed, contract, name="Emploi et insertion")
    evaluation = services.open_evaluation(seed, contract, {
        "kind": "midterm", "title": "Évaluation à mi-parcours", "purpose": "",
        "starts_on": today - timedelta(days=30), "ends_on": today + timedelta(days=200)},
        actor=None, now=now)
    question = services.add_question(seed, evaluation, QUESTION, [orientation.id],
                                     actor=None, now=now)
    event = factories.make_event(seed, quartier, kind="workshop", title=WORKSHOP,
                                 place="Centre social", starts_at=now - timedelta(days=1),
                                 created_at=now - timedelta(days=20))
    animator = factories.make_user(seed, display_name="Anne",
                                   roles=[(Role.ANIMATOR, quartier)])
    evaluator = factories.make_user(seed, display_name="Élise",
                                    roles=[(Role.EVALUATOR, None)])
    seeded = Seeded(address_of(evaluator), address_of(animator), evaluation.id, question.id,
                    event.id)
    seed.commit()
    return seeded


def _board_photo() -> bytes:
    """A photo of a board as a phone takes it: with where it was taken."""
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Téléphone"
    Image.new("RGB", (640, 480), "khaki").save(out, "JPEG", exif=exif)
    return out.getvalue()


def _under_question(page: Page, question: int) -> Locator:
    return page.locator(f"#question-{question}")


def test_animator_records_a_workshop_and_it_shows_under_its_question_on_a_tablet(
        tablet: Page, seed: Session, audit: Audit) -> None:
    page = tablet
    seeded = _workshop(seed)

    # --- 1. The committee attaches the workshop from the question's page.
    log_in(page, audit, seeded.evaluator)
    page.goto(f"/evaluation/{seeded.evaluation}")
    _under_question(page, seeded.question).get_by_role(
        "link", name=re.compile("^Les ateliers de la question")).click()
    heading(page, "Les ateliers de la question")
    expect(page.get_by_text("Aucun atelier ne travaille encore sur cette question.")
           ).to_be_visible()
    audit(page)
    choice = page.get_by_label("L’atelier")
    offered = choice.locator("option", has_text=WORKSHOP)
    expect(offered).to_contain_text("Centre social")
    choice.select_option(offered.get_attribute("value"))
    page.get_by_role("button", name="Ajouter l’atelier").click()
    flash(page, "L’atelier travaille maintenant sur cette question.")
    expect(page.get_by_role("link", name=WORKSHOP, exact=True)).to_be_visible()
    expect(page.get_by_text("Conclusions pas encore notées.")).to_be_visible()
    audit(page)
    log_out(page)

    # --- 2. The evaluation's page: the workshop is announced under its question.
    log_in(page, audit, seeded.animator, check=False)
    page.goto(f"/evaluation/{seeded.evaluation}")
    heading(page, "Évaluation à mi-parcours")
    section = _under_question(page, seeded.question)
    expect(section.get_by_role("heading", level=4, name="Les ateliers sur cette question")
           ).to_be_visible()
    expect(section.get_by_role("link", name=WORKSHOP, exact=True)).to_be_visible()
    expect(section.get_by_text("Les conclusions seront publiées ici après l’atelier.")
           ).to_be_visible()
    audit(page)

    # --- 3. The event says which question it works on, and leads to the record.
    section.get_by_role("link", name=WORKSHOP, exact=True).click()
    expect(page).to_have_url(re.compile(f"/evenements/{seeded.event}$"))
    heading(page, WORKSHOP)
    expect(page.get_by_text("Cet atelier travaille sur une question de l’évaluation du "
                            "contrat")).to_be_visible()
    expect(page.get_by_role("link", name=QUESTION)).to_be_visible()
    audit(page)
    page.get_by_role("link", name="Noter les conclusions de l’atelier").click()
    expect(page).to_have_url(re.compile(f"/evaluation/ateliers/{seeded.event}$"))
    heading(page, RECORD)
    expect(fact(page, "Question de l’évaluation")).to_have_text(QUESTION)
    expect(page.get_by_text("Pas encore de photo.")).to_be_visible()
    audit(page)

    # --- 4. Sent without conclusions: refused next to the field, the count kept.
    conclusions = page.get_by_label("Les conclusions de l’atelier")
    count = page.get_by_label("Nombre de participants")
    count.fill("14")
    page.get_by_role("button", name="Enregistrer les conclusions").click()
    heading(page, RECORD)
    expect(page.get_by_role("alert").filter(has_text=FORM_ERRORS)).to_be_visible()
    expect(conclusions).to_have_attribute("aria-invalid", "true")
    expect(conclusions).to_have_accessible_description(re.compile(re.escape(REQUIRED)))
    expect(count).to_have_value("14")
    audit(page)

    # With them: recorded.
    conclusions.fill(CONCLUSIONS)
    page.get_by_role("button", name="Enregistrer les conclusions").click()
    flash(page, "Les conclusions sont notées.")
    expect(conclusions).to_have_value(CONCLUSIONS)
    expect(count).to_have_value("14")
    expect(page.get_by_role("button", name="Enregistrer les corrections")).to_be_visible()
    audit(page)

    # --- 5. A photo of the board: first without saying what it shows, then with.
    photo = {"name": "tableau.jpg", "mimeType": "image/jpeg", "buffer": _board_photo()}
    page.get_by_label("Une photo des tableaux ou des affiches").set_input_files(photo)
    page.get_by_role("button", name="Ajouter la photo").click()
    heading(page, RECORD)
    caption = page.get_by_label("Ce que montre la photo")
    expect(caption).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#photo-caption-error")).to_have_text(REQUIRED)
    audit(page)
    page.get_by_label("Une photo des tableaux ou des affiches").set_input_files(photo)
    caption.fill(CAPTION)
    page.get_by_role("button", name="Ajouter la photo").click()
    flash(page, "La photo est ajoutée.")
    board = page.get_by_role("img", name=CAPTION)
    expect(board).to_be_visible()
    assert loaded_width(board) == 640
    expect(page.get_by_text("Encore 5 photos possibles.")).to_be_visible()
    audit(page)

    # --- 6. Under the question: the head count, the conclusions, the photo and its words.
    page.get_by_role("link", name=QUESTION).click()
    expect(page).to_have_url(re.compile(f"/evaluation/{seeded.evaluation}#question-"
                                        f"{seeded.question}$"))
    section = _under_question(page, seeded.question)
    expect(section.get_by_text("14 participants")).to_be_visible()
    expect(section).to_contain_text("Ils proposent un forum des stages au printemps.")
    expect(section.get_by_text("Les conclusions seront publiées ici après l’atelier.")
           ).to_have_count(0)
    shown = section.get_by_role("img", name=CAPTION)
    expect(shown).to_be_visible()
    assert loaded_width(shown) == 640
    audit(page)
