"""The contract's evaluation and its questions, end to end in a browser. On a tablet, the
pilot opens the mid-term evaluation from the public page of the evaluation: sent first
with its end before its start, it is refused next to the end, what was typed kept; once
fixed, she writes its first question, refused until it is tied to an orientation of the
contract, and the question then shows what the signatories promised on that orientation
only: the measured commitment, its latest value and the way covered towards its target.
On a phone, in Arabic, a resident follows the footer to the evaluation and reads its
questions right to left, the French words the pilot wrote kept apart.

The live server reads the real clock, so the dates and the years are those of
``clock.now()``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from playwright.sync_api import Locator, Page, expect
from sqlalchemy.orm import Session

from civic.accounts.models import Role
from civic.core import clock
from civic.evaluation import services
from civic.territory.models import Commitment, Contract, Orientation
from tests import factories
from tests.browser.pages import address_of, fits, flash, heading, log_in

Audit = Callable[[Page], None]

JOBS, LIVING = "Emploi et insertion", "Cadre de vie"
CITY, LANDLORD = "Ville de Testville", "Habitat Sud"
OWN, OTHER = "Personnes reçues à la permanence emploi", "Halls d’immeubles rénovés"
TITLE = "Évaluation à mi-parcours 2027"
PURPOSE = "Savoir si les promesses du contrat changent la vie des quartiers."
QUESTION = "Les jeunes du quartier trouvent-ils plus facilement un stage ?"
LISTING = "L’évaluation du contrat de ville"
OPEN = "Ouvrir une évaluation"
ADD = "Ajouter une question"
QUESTIONS = "Les questions de l’évaluation"
FORM_ERRORS = "Le formulaire contient des erreurs"
ENDS_BEFORE = "La fin doit venir après le début."
NO_ORIENTATION = "Cochez au moins une orientation du contrat."
OPENED = "L’évaluation est ouverte. Ajoutez maintenant ses questions."
NO_MEASURE = "Aucun engagement mesuré sur ces orientations pour l’instant."


# --- Seeding -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    contract: int
    jobs: int


def _measured(seed: Session, orientation: Orientation, signatory: str, label: str,
              unit: str, value: int) -> None:
    """A signatory's commitment under ``orientation``, measured from 120 in 2023 to 300
    in 2030, with last year's ``value``."""
    contract = orientation.contract
    who = factories.make_signatory(seed, contract, name=signatory)
    commitment = Commitment(signatory_id=who.id, orientation_id=orientation.id,
                            text="Une promesse du contrat.")
    seed.add(commitment)
    seed.flush()
    now = clock.now()
    indicator = services.add_indicator(seed, commitment, {
        "label": label, "unit": unit, "baseline": Decimal(120), "baseline_year": 2023,
        "target": Decimal(300), "target_year": 2030}, actor=None, now=now)
    services.record_value(seed, indicator, now.year - 1, Decimal(value),
                          "Bilan annuel", actor=None, now=now)


def _contract(seed: Session) -> Seeded:
    """Two orientations: the city measured under the first (half the way to its target),
    the landlord under the second."""
    contract = factories.make_contract(seed)
    factories.make_quartier(seed, contract, name="Les Tilleuls", commune="Testville")
    jobs = factories.make_orientation(seed, contract, name=JOBS, position=1)
    living = factories.make_orientation(seed, contract, name=LIVING, position=2)
    _measured(seed, jobs, CITY, OWN, "personnes", 210)  # (210 − 120) / 180: 50 %
    _measured(seed, living, LANDLORD, OTHER, "halls", 165)
    return Seeded(contract.id, jobs.id)


def _question(page: Page, text: str) -> Locator:
    """The panel of one question on the evaluation's page (named by the question)."""
    return page.get_by_role("region", name=text, exact=True)


# --- 1. The pilot opens the evaluation and writes a question -----------------------------


def test_pilot_opens_the_evaluation_and_ties_a_question_to_an_orientation_on_a_tablet(
        tablet: Page, seed: Session, audit: Audit) -> None:
    page = tablet
    _contract(seed)
    pilot = address_of(factories.make_user(seed, display_name="Paula",
                                           roles=[(Role.PILOT, None)]))
    seed.commit()
    today = clock.now().date()
    last_year = today.year - 1
    starts, ends = today - timedelta(days=30), today + timedelta(days=150)

    # --- The evaluation's page: none open yet.
    log_in(page, audit, pilot, "/evaluation")
    expect(page).to_have_url(re.compile("/evaluation$"))
    heading(page, LISTING)
    expect(page.get_by_text("Aucune évaluation n’est encore ouverte.")).to_be_visible()
    audit(page)

    # --- The end typed before the start: refused next to the end, the rest kept.
    page.get_by_role("link", name=OPEN).click()
    expect(page).to_have_url(re.compile("/evaluation/nouvelle$"))
    heading(page, OPEN)
    audit(page)
    page.get_by_label("Quelle évaluation").select_option(label="Évaluation à mi-parcours")
    page.get_by_label("Titre", exact=True).fill(TITLE)
    page.get_by_label("À quoi elle sert").fill(PURPOSE)
    page.get_by_label("Début", exact=True).fill(starts.isoformat())
    end = page.get_by_label("Fin", exact=True)
    end.fill((starts - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Ouvrir l’évaluation").click()
    heading(page, OPEN)
    expect(page.get_by_role("alert").filter(has_text=FORM_ERRORS)).to_be_visible()
    expect(end).to_have_attribute("aria-invalid", "true")
    expect(end).to_have_accessible_description(re.compile(re.escape(ENDS_BEFORE)))
    expect(page.locator("#ends_on-error")).to_have_text(ENDS_BEFORE)
    expect(end).to_have_value((starts - timedelta(days=1)).isoformat())
    expect(page.get_by_label("Début", exact=True)).to_have_value(starts.isoformat())
    expect(page.get_by_label("Début", exact=True)).not_to_have_attribute("aria-invalid",
                                                                          "true")
    expect(page.get_by_label("Titre", exact=True)).to_have_value(TITLE)
    expect(page.get_by_label("À quoi elle sert")).to_have_value(PURPOSE)
    expect(page.get_by_label("Quelle évaluation").locator("option:checked")
           ).to_have_text("Évaluation à mi-parcours")
    audit(page)

    # Fixed: open, and on its own page, waiting for its questions.
    end.fill(ends.isoformat())
    page.get_by_role("button", name="Ouvrir l’évaluation").click()
    expect(page).to_have_url(re.compile(r"/evaluation/\d+$"))
    evaluation_path = page.url
    heading(page, TITLE)
    flash(page, OPENED)
    expect(page.locator("p.lead")).to_contain_text(
        re.compile(r"^Évaluation à mi-parcours · du .+ au .+\s+· en cours\s*$"))
    expect(page.get_by_text(PURPOSE)).to_be_visible()
    expect(page.get_by_text("Les questions ne sont pas encore écrites.")).to_be_visible()
    audit(page)

    # --- A question tied to no orientation: refused, its text kept.
    page.get_by_role("link", name=ADD).click()
    expect(page).to_have_url(re.compile(r"/evaluation/\d+/questions/nouvelle$"))
    heading(page, ADD)
    orientations = page.get_by_role("group", name="Orientations du contrat concernées")
    expect(orientations.get_by_role("checkbox")).to_have_count(2)
    audit(page)
    page.get_by_label("La question").fill(QUESTION)
    page.get_by_role("button", name="Ajouter la question").click()
    heading(page, ADD)
    expect(page.get_by_role("alert").filter(has_text=FORM_ERRORS)).to_be_visible()
    expect(orientations).to_have_accessible_description(re.compile(re.escape(NO_ORIENTATION)))
    expect(page.locator("#orientations-error")).to_have_text(NO_ORIENTATION)
    expect(page.get_by_label("La question")).to_have_value(QUESTION)
    audit(page)

    # Tied to « Emploi et insertion »: it shows the city's measure, not the landlord's.
    orientations.get_by_role("checkbox", name=JOBS, exact=True).check()
    page.get_by_role("button", name="Ajouter la question").click()
    expect(page).to_have_url(evaluation_path)
    heading(page, TITLE)
    flash(page, "La question est ajoutée.")
    expect(page.get_by_role("heading", level=2, name=QUESTIONS)).to_be_visible()
    expect(page.get_by_text("Les questions ne sont pas encore écrites.")).to_have_count(0)
    question = _question(page, QUESTION)
    expect(question.get_by_role("heading", level=3)).to_have_text(QUESTION)
    expect(question).to_contain_text(f"Orientations : {JOBS}")
    promised = question.get_by_role("listitem")
    expect(promised).to_have_count(1)
    expect(promised).to_have_text(
        f"{CITY} — {OWN} (en personnes) : Point de départ : 120 en 2023. Objectif : 300 en "
        f"2030. Dernière valeur : 210 en {last_year}. 50 % du chemin vers l’objectif.")
    expect(question).not_to_contain_text(LANDLORD)
    expect(question.get_by_text(NO_MEASURE)).to_have_count(0)
    audit(page)


# --- 2. A resident reads it in Arabic ----------------------------------------------------


def test_resident_reads_the_evaluation_questions_in_arabic_on_a_phone(
        phone: Page, seed: Session, audit: Audit) -> None:
    """The Arabic catalogue may still be incomplete: direction and content, not wording."""
    page = phone
    seeded = _contract(seed)
    now = clock.now()
    contract = seed.get(Contract, seeded.contract)
    assert contract is not None
    evaluation = services.open_evaluation(seed, contract, {
        "kind": "midterm", "title": TITLE, "purpose": PURPOSE,
        "starts_on": now.date() - timedelta(days=30),
        "ends_on": now.date() + timedelta(days=150)}, actor=None, now=now)
    services.add_question(seed, evaluation, QUESTION, [seeded.jobs], actor=None, now=now)
    calm = factories.make_orientation(seed, contract, name="Tranquillité publique",
                                      position=3)  # no commitment measured under it
    unmeasured = "Les halls sont-ils plus sûrs qu’avant ?"
    services.add_question(seed, evaluation, unmeasured, [calm.id], actor=None, now=now)
    path = f"/evaluation/{evaluation.id}"
    seed.commit()
    rtl = page.locator("html[lang=ar][dir=rtl]")

    page.goto("/")
    page.get_by_role("button", name="العربية").click()
    expect(rtl).to_have_count(1)

    page.locator("footer a[href='/evaluation']").click()
    expect(page).to_have_url(re.compile("/evaluation$"))
    expect(rtl).to_have_count(1)
    listed = page.locator("main h2 a", has=page.locator("bdi", has_text=TITLE))
    expect(listed).to_be_visible()
    fits(page)
    audit(page)

    listed.click()
    expect(page).to_have_url(re.compile(f"{path}$"))
    expect(rtl).to_have_count(1)
    expect(page.locator("h1 bdi")).to_have_text(TITLE)
    panels = page.locator("main section.panel")
    expect(panels).to_have_count(2)
    measured, empty = panels.nth(0), panels.nth(1)
    expect(measured.locator("h3 bdi")).to_have_text(QUESTION)
    expect(measured.locator("p.meta bdi")).to_have_text(JOBS)
    expect(measured.locator("li")).to_have_count(1)
    expect(measured.locator("li bdi")).to_have_text([CITY, OWN, "personnes"])
    expect(measured.locator("li")).to_contain_text(re.compile("50|٥٠"))  # noqa: RUF001
    expect(empty.locator("h3 bdi")).to_have_text(unmeasured)
    expect(empty.locator("li")).to_have_count(0)
    expect(empty.locator("p:not(.meta)")).to_have_count(1)  # none measured, said in Arabic
    fits(page)
    audit(page)
