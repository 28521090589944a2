"""The evaluation's report, end to end in a browser on a tablet: a member of the
evaluation committee finds a closed survey whose figures are still rounded, is told on a
page of its own that publishing cannot be undone, forgets to tick the box and is told so
next to it, then publishes: the cross-tables appear with the small quartier hidden. She
opens the evaluation's report and prints it: on A4, without the site's menu, the print
button or the downloads, each question on a page of its own.

The live server reads the real clock, so the survey closed yesterday by that clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from civic.accounts.models import Role
from civic.core import clock
from tests import factories
from tests.browser.pages import address_of, flash, heading, log_in, nav
from tests.evaluation.test_report import quartier_people
from tests.evaluation.test_results import make_question, make_survey, respond

Audit = Callable[[Page], None]

SURVEY = "Vivre au quartier"
QUESTION = "Les jeunes trouvent-ils un stage ?"
PUBLISH = "Publier les résultats"
#: A4 in PDF points, as Chromium prints it (210 × 297 mm).
A4 = (595.3, 841.9)


@dataclass(frozen=True)
class Seeded:
    evaluator: str
    survey: int
    evaluation: int


def _seed(seed: Session) -> Seeded:
    """Two quartiers; a mid-term evaluation with one question; a survey closed yesterday,
    answered by 35 people of Les Tilleuls, 5 of Le Parc and 23 who did not say, with a
    published free text; an evaluator."""
    contract = factories.make_contract(seed)
    tilleuls = factories.make_quartier(seed, contract, name="Les Tilleuls")
    parc = factories.make_quartier(seed, contract, name="Le Parc")
    orientation = factories.make_orientation(seed, contract, name="Emploi et insertion")
    question = make_question(seed, contract, orientation, text=QUESTION)
    survey = make_survey(seed, question, ["single", "text"], title=SURVEY, now=clock.now())
    respond(seed, survey, quartier_people(survey, tilleuls, parc))
    respond(seed, survey, [{survey.items[1].id: "Des stages près de chez nous."}])
    evaluator = factories.make_user(seed, display_name="Élise", roles=[(Role.EVALUATOR, None)])
    seeded = Seeded(address_of(evaluator), survey.id, question.evaluation_id)
    seed.commit()
    return seeded


def _pdf_pages(pdf: bytes) -> tuple[int, list[tuple[float, float]]]:
    """How many pages a PDF has, and their sizes in points."""
    boxes = [(float(w), float(h)) for w, h in re.findall(
        rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)]
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)), boxes


def test_the_committee_publishes_a_surveys_results_and_prints_the_report_on_a_tablet(
        tablet: Page, seed: Session, audit: Audit) -> None:
    page = tablet
    seeded = _seed(seed)
    results = f"/evaluation/enquetes/{seeded.survey}/resultats"

    # --- 1. The closed survey: rounded shares of the whole survey only, and the button.
    log_in(page, audit, seeded.evaluator, results)
    heading(page, f"Résultats de l’enquête : {SURVEY}")
    expect(page.get_by_text("L’enquête est close.")).to_be_visible()
    expect(page.get_by_text("Au moins 60 réponses.").first).to_be_visible()
    overall = page.get_by_role("table", name="Réponses à « Question 1 (single) »")
    expect(overall.get_by_role("row").filter(has_text="Oui")).to_contain_text("55 %")
    expect(page.get_by_role("table", name=re.compile("Par quartier"))).to_have_count(0)
    audit(page)
    page.get_by_role("link", name=PUBLISH).click()

    # --- 2. The confirmation says it cannot be undone; the box must be ticked.
    heading(page, PUBLISH)
    expect(page.get_by_role("heading", name="Cela ne peut pas être annulé")).to_be_visible()
    audit(page)
    page.get_by_role("button", name="Publier les résultats pour de bon").click()
    heading(page, PUBLISH)
    expect(page.get_by_role("alert").filter(has_text="Le formulaire contient des erreurs")
           ).to_be_visible()
    confirm = page.get_by_label(re.compile("^Je publie les résultats pour de bon"))
    expect(confirm).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#confirm-error")).to_have_text("Cochez la case pour confirmer.")
    audit(page)
    confirm.check()
    page.get_by_role("button", name="Publier les résultats pour de bon").click()

    # --- 3. Published: the exact figures and the cross-table, Le Parc's five hidden.
    expect(page).to_have_url(re.compile(re.escape(results) + "$"))
    flash(page, "Les résultats sont publiés. Ils ne changeront plus.")
    expect(page.get_by_text("64 personnes ont répondu.", exact=False).first).to_be_visible()
    crosstab = page.get_by_role("table", name="« Question 1 (single) » — Par quartier")
    parc = crosstab.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Le Parc", exact=True))
    expect(parc.get_by_role("cell")).to_have_text(["< 11", "< 11", "< 11", "0"])
    tilleuls = crosstab.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Les Tilleuls", exact=True))
    expect(tilleuls.get_by_role("cell").first).to_have_text("35")
    expect(page.get_by_role("link", name=PUBLISH)).to_have_count(0)
    audit(page)

    # --- 4. The report: the question, its survey, the quartiers compared.
    page.get_by_role("link", name="Le rapport de l’évaluation").click()
    expect(page).to_have_url(re.compile(f"/evaluation/{seeded.evaluation}/rapport$"))
    heading(page, re.compile("^Rapport : "))
    expect(page.get_by_role("heading", level=2, name=QUESTION)).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Les quartiers comparés")).to_be_visible()
    expect(page.get_by_role("blockquote")).to_have_text("Des stages près de chez nous.")
    compared = page.get_by_role("table", name="« Question 1 (single) » : les quartiers et "
                                               "le contrat")
    expect(compared.get_by_role("row").filter(has_text="Ensemble du contrat")
           ).to_contain_text("54 %")
    print_button = page.get_by_role("button", name="Imprimer")
    expect(print_button).to_be_visible()
    expect(nav(page)).to_be_visible()
    audit(page)

    # --- 5. Printed: no menu, no button, no downloads; A4, each question on its page.
    page.emulate_media(media="print")
    expect(nav(page)).to_be_hidden()
    expect(print_button).to_be_hidden()
    expect(page.get_by_role("link", name="XLSX — tout le rapport")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(compared).to_be_visible()
    breaks = page.locator("section.question").evaluate_all(
        "sections => sections.map(s => getComputedStyle(s).breakBefore)")
    assert breaks == ["page", "page"]  # the question, the quartiers compared
    audit(page)
    pages, boxes = _pdf_pages(page.pdf(format="A4", print_background=True))
    assert pages >= 3, pages  # the opening, the question, the quartiers compared
    assert boxes
    for width, height in boxes:
        assert abs(width - A4[0]) < 2, (width, height)
        assert abs(height - A4[1]) < 2, (width, height)
    page.emulate_media(media="screen")
    expect(nav(page)).to_be_visible()

    # --- 6. Publishing again is not offered: the page goes back to the results.
    page.goto(f"/evaluation/enquetes/{seeded.survey}/publier")
    expect(page).to_have_url(re.compile(re.escape(results) + "$"))
    flash(page, "Les résultats de cette enquête sont déjà publiés.")
