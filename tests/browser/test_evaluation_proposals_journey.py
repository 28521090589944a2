"""Questions residents propose for the evaluation, end to end on a phone. A resident
proposes a question from the evaluation's page, signed with her name: sent too short, it
is refused next to the field with what she typed kept; sent again, it waits for the
conseil citoyen. A moderator of her quartier publishes it from the queue; a neighbour
supports it; a member of the evaluation committee keeps it as a question of the
evaluation, first without a reason (refused next to the reason), then with one. The
author is told by mail, and the evaluation's page credits her by name.

The live server reads the real clock: the evaluation's dates are set around today.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from civic.accounts.models import Role
from civic.core import clock
from civic.evaluation import services
from tests import factories
from tests.browser.conftest import Mailbox
from tests.browser.pages import address_of, fits, flash, heading, log_in, log_out, nav, pending

Audit = Callable[[Page], None]

TITLE = "Évaluation à mi-parcours"
JOBS = "Emploi et insertion"
PROPOSED = "Les jeunes trouvent-ils plus facilement un stage qu’avant ?"
WORDED = "Les jeunes du quartier trouvent-ils plus facilement un stage ?"
WHY = "Mon fils cherche un stage depuis un an."
REASON = "Beaucoup d’habitants en parlent, et la Mission locale peut nous répondre."
LIST = "Les questions proposées par les habitants"
PROPOSE = "Proposer une question"
COMMITTEE = "Décider des questions proposées"
FORM_ERRORS = "Le formulaire contient des erreurs"
TOO_SHORT = "Entre 10 et 300 caractères."
NO_REASON = "Écrivez la raison du comité : elle sera publique."


def _seed(seed: Session) -> tuple[int, dict[str, str]]:
    """A contract with one quartier moderated before publication, an evaluation taking
    proposals for three more weeks, and the four people of the journey."""
    contract = factories.make_contract(seed)
    quartier = factories.make_quartier(seed, contract, name="Les Tilleuls")
    factories.make_orientation(seed, contract, name=JOBS, position=1)
    factories.make_orientation(seed, contract, name="Cadre de vie", position=2)
    today = clock.now().date()
    evaluation = services.open_evaluation(seed, contract, {
        "kind": "midterm", "title": TITLE, "purpose": "",
        "starts_on": today - timedelta(days=10), "ends_on": today + timedelta(days=150),
        "proposals_until": today + timedelta(days=21)}, actor=None, now=clock.now())
    people = {
        "author": address_of(factories.make_user(seed, display_name="Nadia",
                                                 quartier_id=quartier.id)),
        "moderator": address_of(factories.make_user(seed, display_name="Moussa",
                                                    roles=[(Role.MODERATOR, quartier)])),
        "neighbour": address_of(factories.make_user(seed, display_name="Rania")),
        "evaluator": address_of(factories.make_user(seed, display_name="Élise",
                                                    roles=[(Role.EVALUATOR, None)])),
    }
    return evaluation.id, people


def test_a_proposed_question_is_published_supported_and_kept_on_a_phone(
        phone: Page, seed: Session, mailbox: Mailbox, audit: Audit) -> None:
    page = phone
    evaluation_id, people = _seed(seed)
    seed.commit()
    evaluation_path = f"/evaluation/{evaluation_id}"
    list_path = f"{evaluation_path}/propositions"

    # --- The resident finds the proposals from the evaluation's page.
    log_in(page, audit, people["author"], evaluation_path)
    heading(page, TITLE)
    expect(page.get_by_text(re.compile(r"inclus, chaque habitant·e peut proposer une "
                                       r"question\."))).to_be_visible()
    fits(page)
    audit(page)
    page.get_by_role("link", name=LIST).click()
    expect(page).to_have_url(re.compile(f"{list_path}$"))
    heading(page, LIST)
    expect(page.get_by_text("Aucune question n’attend la décision du comité.")).to_be_visible()
    fits(page)
    audit(page)

    # --- Too short: refused next to the question, what was typed kept.
    page.get_by_role("link", name=PROPOSE).click()
    heading(page, PROPOSE)
    expect(page.get_by_label("Votre quartier")).to_have_value(re.compile(r"^\d+$"))
    expect(page.get_by_role("radio", name="« un·e habitant·e »")).to_be_checked()
    fits(page)
    audit(page)
    question = page.get_by_label("Votre question")
    question.fill("Stages ?")
    page.get_by_label("Pourquoi cette question compte pour vous (facultatif)").fill(WHY)
    page.get_by_role("radio", name="Mon nom affiché : Nadia").check()
    page.get_by_role("button", name="Envoyer la question").click()
    heading(page, PROPOSE)
    expect(page.get_by_role("alert").filter(has_text=FORM_ERRORS)).to_be_visible()
    expect(question).to_have_attribute("aria-invalid", "true")
    expect(question).to_have_accessible_description(re.compile(re.escape(TOO_SHORT)))
    expect(page.locator("#text-error")).to_have_text(TOO_SHORT)
    expect(question).to_have_value("Stages ?")
    expect(page.get_by_label("Pourquoi cette question compte pour vous (facultatif)")
           ).to_have_value(WHY)
    expect(page.get_by_role("radio", name="Mon nom affiché : Nadia")).to_be_checked()
    fits(page)
    audit(page)

    # Fixed: it waits for the conseil citoyen, and only she sees it.
    question.fill(PROPOSED)
    page.get_by_role("button", name="Envoyer la question").click()
    expect(page).to_have_url(re.compile(rf"{list_path}#proposition-\d+$"))
    heading(page, LIST)
    flash(page, "Merci ! Le conseil citoyen va relire votre question avant de la publier.")
    mine = page.get_by_role("region", name="Vos questions pas encore publiées")
    expect(mine).to_contain_text(PROPOSED)
    expect(mine).to_contain_text("Le conseil citoyen va la relire avant de la publier.")
    fits(page)
    audit(page)
    log_out(page)

    # --- The quartier's moderator publishes it from the queue.
    log_in(page, audit, people["moderator"], check=False)
    nav(page).get_by_role("link", name="À relire").click()
    heading(page, "À relire")
    card = pending(page).filter(has_text=PROPOSED)
    expect(card).to_contain_text("Question pour l’évaluation")
    expect(card).to_contain_text("Nadia")
    fits(page)
    audit(page)
    card.get_by_role("link", name=f"Décider : {PROPOSED}").click()
    expect(page).to_have_url(re.compile(r"/moderation/eval_proposal/\d+$"))
    heading(page, PROPOSED)
    expect(page.get_by_text(WHY)).to_be_visible()
    fits(page)
    audit(page)
    page.get_by_role("button", name="Publier", exact=True).click()
    heading(page, "À relire")
    flash(page, "C’est fait. L’auteur est prévenu.")
    fits(page)
    audit(page)
    log_out(page)
    assert mailbox.last_to(people["author"])["Subject"] == "Votre message est en ligne"

    # --- A neighbour supports it.
    log_in(page, audit, people["neighbour"], list_path, check=False)
    heading(page, LIST)
    proposal = page.get_by_role("article", name=PROPOSED)
    expect(proposal).to_contain_text("par Nadia · Les Tilleuls")
    # « 0 soutien » with the French catalogue compiled; English's rule without it.
    expect(proposal.get_by_text(re.compile(r"^0 soutiens?$"))).to_be_visible()
    fits(page)
    audit(page)
    proposal.get_by_role("button", name=f"Je soutiens cette question — {PROPOSED}").click()
    flash(page, "Merci pour votre soutien !")
    proposal = page.get_by_role("article", name=PROPOSED)
    expect(proposal.get_by_text(re.compile(r"^1 soutien$"))).to_be_visible()
    expect(proposal.get_by_role("button", name=f"Retirer mon soutien — {PROPOSED}")
           ).to_be_visible()
    fits(page)
    audit(page)
    log_out(page)

    # --- A committee member keeps it: refused without a reason, then kept.
    log_in(page, audit, people["evaluator"], evaluation_path, check=False)
    heading(page, TITLE)
    page.get_by_role("link", name=COMMITTEE).click()
    heading(page, COMMITTEE)
    waiting = page.get_by_role("article", name=PROPOSED)
    expect(waiting).to_contain_text("1 soutien")
    fits(page)
    audit(page)
    waiting.get_by_text("Garder : elle devient une question de l’évaluation").click()
    worded = waiting.get_by_label("La question, dans les mots du comité")
    expect(worded).to_have_value(PROPOSED)
    worded.fill(WORDED)
    waiting.get_by_role("checkbox", name=JOBS).check()
    fits(page)
    audit(page)
    waiting.get_by_role("button", name="Garder la question").click()
    heading(page, "Décider d’une question proposée")
    expect(page.get_by_role("alert").filter(has_text=FORM_ERRORS)).to_be_visible()
    reason = page.get_by_label("Pourquoi le comité la garde")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_have_accessible_description(re.compile(re.escape(NO_REASON)))
    expect(page.get_by_label("La question, dans les mots du comité")).to_have_value(WORDED)
    expect(page.get_by_role("checkbox", name=JOBS)).to_be_checked()
    fits(page)
    audit(page)
    reason.fill(REASON)
    page.get_by_role("button", name="Garder la question").click()
    heading(page, COMMITTEE)
    flash(page, "La décision est enregistrée. L’auteur est prévenu par e-mail.")
    expect(page.get_by_text("Aucune question n’attend de décision.")).to_be_visible()
    decided = page.get_by_role("region", name=re.compile("^Déjà décidées"))
    expect(decided).to_contain_text(f"{PROPOSED} — Gardée par le comité : {WORDED}")
    fits(page)
    audit(page)

    kept = mailbox.last_to(people["author"])
    assert kept["Subject"] == "Votre question est retenue pour l’évaluation"
    assert REASON in mailbox.body(kept)

    # --- The evaluation's page credits the author by the name she chose.
    page.goto(evaluation_path)
    heading(page, TITLE)
    panel = page.get_by_role("region", name=WORDED, exact=True)
    expect(panel.get_by_text("Question proposée par Nadia.")).to_be_visible()
    fits(page)
    audit(page)
    panel.get_by_role("link", name=re.compile("^Voir les propositions")).click()
    heading(page, LIST)
    decision = page.get_by_role("article", name=PROPOSED)
    expect(decision).to_contain_text("Gardée par le comité")
    expect(decision).to_contain_text(REASON)
    expect(decision.get_by_role("link", name=WORDED)).to_be_visible()
    fits(page)
    audit(page)
