"""The evaluation's surveys, end to end in a browser. On a phone, a resident opens a
survey from the evaluation's page in Arabic and reads it right to left; her first try
gives a number above the survey's maximum, refused next to that question with every
other answer she gave kept; she corrects it, sends, and the thank-you page tells her what
happens next. On a tablet, a member of the evaluation committee builds a survey in
French, English and Arabic with three questions (one choice, a scale, a free text),
forgetting a scale word in English on the way, and previews it in Arabic.

The catalogue does not translate the surveys' own sentences yet: the Arabic page is
checked for its direction and its content (the survey's Arabic words), and the French
sentences the audit looks for are those the catalogue already holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from playwright.sync_api import Locator, Page, expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.models import Role
from civic.core import clock
from civic.evaluation import services, surveys
from civic.evaluation.models import (
    Evaluation,
    Survey,
    SurveyInbox,
    SurveyItem,
    SurveyParticipation,
)
from tests import factories
from tests.browser.pages import address_of, fits, heading, log_in

Audit = Callable[[Page], None]

QUESTION = "Se déplace-t-on mieux qu’avant dans le quartier ?"
TITLE_AR = "التنقل في الحي"
WAYS_AR = ["الحافلة", "الترام", "مشياً"]
WORDS = {"fr": ["Pas du tout", "Un peu", "Moyennement", "Beaucoup", "Tout à fait"],
         "en": ["Not at all", "A little", "Somewhat", "A lot", "Completely"],
         "ar": ["إطلاقاً", "قليلاً", "متوسط", "كثيراً", "تماماً"]}
#: « Ce nombre est trop grand. », as the Arabic page says it.
TOO_BIG = "هذا العدد كبير جدًا."
FORM_ERRORS = "Le formulaire contient des erreurs"


# --- Seeding -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    evaluation: int
    survey: int
    items: dict[str, int]
    quartier: int


def _evaluation(seed: Session) -> tuple[Evaluation, int]:
    """The contract's mid-term evaluation, running now, with one question; the id of Les
    Tilleuls."""
    contract = factories.make_contract(seed)
    quartier = factories.make_quartier(seed, contract, name="Les Tilleuls", commune="Testville")
    orientation = factories.make_orientation(seed, contract, name="Cadre de vie")
    today = clock.now().date()
    evaluation = services.open_evaluation(seed, contract, {
        "kind": "midterm", "title": "Évaluation à mi-parcours", "purpose": "",
        "starts_on": today - timedelta(days=30), "ends_on": today + timedelta(days=150)},
        actor=None, now=clock.now())
    services.add_question(seed, evaluation, QUESTION, [orientation.id], actor=None,
                          now=clock.now())
    return evaluation, quartier.id


def _survey(seed: Session) -> Seeded:
    """A survey open now, answered once per account: a choice, a scale, a number of
    minutes (0 to 120) and a free text, in the three languages."""
    evaluation, quartier_id = _evaluation(seed)
    now = clock.now()
    survey = surveys.create_survey(seed, evaluation, {
        "texts": {"fr": {"title": "Se déplacer dans le quartier", "intro": ""},
                  "en": {"title": "Getting around", "intro": ""},
                  "ar": {"title": TITLE_AR, "intro": "خمس دقائق للإجابة."}},
        "opens_at": now - timedelta(days=1), "closes_at": now + timedelta(days=9),
        "once": True}, actor=None, now=now)
    question = evaluation.questions[0].id

    def item(kind: str, labels: tuple[str, str, str], **values: object) -> int:
        texts: dict[str, dict[str, object]] = {}
        for language, label in zip(("fr", "en", "ar"), labels, strict=True):
            texts[language] = {"label": label}
        if kind == "single":
            for language, options in (("fr", ["Le bus", "Le tram", "À pied"]),
                                      ("en", ["Bus", "Tram", "On foot"]), ("ar", WAYS_AR)):
                texts[language]["options"] = options
        if kind == "scale":
            for language, words in WORDS.items():
                texts[language]["scale"] = words
        return surveys.add_item(seed, survey, {"question_id": question, "kind": kind,
                                               "texts": texts, **values},
                                actor=None, now=now).id

    items = {"single": item("single", ("Comment venez-vous ?", "How do you come?",
                                       "كيف تأتي؟")),
             "scale": item("scale", ("Le quartier est-il agréable ?", "Is it pleasant?",
                                     "هل الحي لطيف؟")),
             "number": item("number", ("Combien de minutes de trajet ?", "How many minutes?",
                                       "كم دقيقة من التنقل؟"),
                            minimum=Decimal(0), maximum=Decimal(120)),
             "text": item("text", ("Qu’est-ce qui a changé ?", "What changed?",
                                   "ما الذي تغير؟"))}
    return Seeded(evaluation.id, survey.id, items, quartier_id)


def _fieldset(page: Page, item_id: int) -> Locator:
    return page.locator(f"fieldset#item-{item_id}")


# --- 1. A resident answers in Arabic on her phone ------------------------------------------


def test_resident_answers_a_survey_in_arabic_after_one_mistake_on_a_phone(
        phone: Page, seed: Session, audit: Audit) -> None:
    page = phone
    seeded = _survey(seed)
    resident = factories.make_user(seed, display_name="Nour", quartier_id=seeded.quartier,
                                   gender="woman", age_bracket="25_39")
    address = address_of(resident)
    seed.commit()
    rtl = page.locator("html[lang=ar][dir=rtl]")
    items = seeded.items

    log_in(page, audit, address)
    page.get_by_role("button", name="العربية").click()
    expect(rtl).to_have_count(1)

    # --- From the evaluation's page to the survey, right to left.
    page.goto(f"/evaluation/{seeded.evaluation}")
    expect(rtl).to_have_count(1)
    page.locator(f"main a[href='/enquetes/{seeded.survey}']").click()
    expect(page).to_have_url(re.compile(f"/enquetes/{seeded.survey}$"))
    expect(rtl).to_have_count(1)
    heading(page, TITLE_AR)
    expect(page.locator("main fieldset.survey-item")).to_have_count(4)
    expect(_fieldset(page, items["single"]).locator("legend")).to_have_text("كيف تأتي؟")
    expect(_fieldset(page, items["scale"]).get_by_role("radio")).to_have_count(5)
    expect(page.get_by_label("4 · كثيراً")).to_be_visible()
    # Her profile, given once for her account, comes pre-selected; nothing asks a code.
    expect(page.locator("select#gender option:checked")).to_have_attribute("value", "woman")
    expect(page.locator("select#quartier_id option:checked")).to_have_attribute(
        "value", str(seeded.quartier))
    expect(page.locator("input[name=code]")).to_have_count(0)
    fits(page)
    audit(page)

    # --- Her answers, with 150 minutes where the survey takes 120 at most.
    page.get_by_label("الترام").check()
    page.get_by_label("4 · كثيراً").check()
    number = page.locator(f"#item-{items['number']}-input")
    expect(number).to_have_accessible_name("كم دقيقة من التنقل؟")
    number.fill("150")
    written = "الحافلة تأتي أكثر من قبل."
    page.locator(f"#item-{items['text']}-input").fill(written)
    page.locator("main form.form button[type=submit]").click()

    expect(page).to_have_url(re.compile(f"/enquetes/{seeded.survey}$"))
    expect(rtl).to_have_count(1)
    expect(page.get_by_role("alert").filter(has_text=TOO_BIG)).to_be_visible()
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(number).to_have_accessible_description(re.compile(re.escape(TOO_BIG)))
    expect(page.locator(f"#item-{items['number']}-error")).to_have_text(TOO_BIG)
    expect(number).to_have_value("150")
    expect(number).to_be_focused()  # where she must act
    # Everything else she gave is kept, and is not in error.
    expect(page.get_by_label("الترام")).to_be_checked()
    expect(page.get_by_label("4 · كثيراً")).to_be_checked()
    expect(page.locator(f"#item-{items['text']}-input")).to_have_value(written)
    expect(page.locator(f"#item-{items['single']}-error")).to_have_count(0)
    expect(page.locator("select#gender option:checked")).to_have_attribute("value", "woman")
    fits(page)
    audit(page)

    # --- Corrected and sent: the thank-you page says what happens next.
    number.fill("45")
    page.locator("main form.form button[type=submit]").click()
    expect(page).to_have_url(re.compile(f"/enquetes/{seeded.survey}/merci$"))
    expect(rtl).to_have_count(1)
    expect(page.locator("main h2")).to_have_count(1)
    expect(page.locator("main")).to_contain_text(TITLE_AR)
    expect(page.locator("main li")).to_have_count(3)  # a written answer is read first
    fits(page)
    audit(page)

    with Session(seed.get_bind()) as check:
        register = check.scalars(select(SurveyParticipation)).all()
        assert [(r.user_id, r.channel) for r in register] == [(resident.id, "online")]
        assert check.scalar(select(func.count()).select_from(SurveyInbox)) == 1

    # --- Back to the survey: already answered, said kindly.
    page.goto(f"/enquetes/{seeded.survey}")
    expect(page.locator("main form.form")).to_have_count(0)
    expect(page.get_by_role("status")).to_be_visible()
    audit(page)


# --- 2. The committee builds a survey on a tablet ---------------------------------------


def _fill_languages(page: Page, name: str, values: tuple[str, str, str]) -> None:
    for language, value in zip(("fr", "en", "ar"), values, strict=True):
        page.locator(f"#{name}_{language}").fill(value)


def test_committee_member_builds_a_three_language_survey_on_a_tablet(
        tablet: Page, seed: Session, audit: Audit) -> None:
    page = tablet
    evaluation_id = _evaluation(seed)[0].id
    member = address_of(factories.make_user(seed, display_name="Émile",
                                            roles=[(Role.EVALUATOR, None)]))
    seed.commit()
    now = clock.now()

    log_in(page, audit, member, f"/evaluation/{evaluation_id}")
    page.get_by_role("link", name="Construire et suivre les enquêtes").click()
    heading(page, "Les enquêtes de l’évaluation")
    audit(page)
    page.get_by_role("link", name="Créer une enquête").click()
    heading(page, "Créer une enquête")
    expect(page.locator("#title_ar")).to_have_attribute("dir", "rtl")
    expect(page.locator("#title_ar")).to_have_attribute("lang", "ar")
    audit(page)
    _fill_languages(page, "title", ("Se déplacer dans le quartier", "Getting around",
                                    TITLE_AR))
    _fill_languages(page, "intro", ("Cinq minutes pour répondre.", "Five minutes.",
                                    "خمس دقائق للإجابة."))
    page.get_by_label("Ouverture").fill((now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Clôture").fill((now + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"))
    expect(page.get_by_label("Une réponse par compte ou par code imprimé")).to_be_checked()
    page.get_by_role("button", name="Créer l’enquête").click()
    heading(page, "Se déplacer dans le quartier")
    expect(page.get_by_text("L’enquête n’a pas encore de question.")).to_be_visible()
    expect(page.locator(".survey-qr svg")).to_be_visible()
    audit(page)

    def add(kind_label: str) -> None:
        page.get_by_role("link", name="Ajouter une question à l’enquête").click()
        heading(page, "Ajouter une question à l’enquête")
        page.get_by_label(kind_label).check()
        page.get_by_role("button", name="Continuer").click()
        heading(page, "Ajouter une question à l’enquête")
        page.get_by_label("Question de l’évaluation à laquelle elle répond").select_option(
            label=QUESTION)

    # --- One choice: the options one per line, in each language.
    add("Un seul choix")
    audit(page)
    _fill_languages(page, "label", ("Comment venez-vous ?", "How do you come?", "كيف تأتي؟"))
    _fill_languages(page, "options", ("Le bus\nLe tram\nÀ pied", "Bus\nTram\nOn foot",
                                      "\n".join(WAYS_AR)))
    page.get_by_role("button", name="Ajouter la question").click()
    heading(page, "Se déplacer dans le quartier")
    expect(page.locator("ol.survey-items > li")).to_have_count(1)

    # --- A scale, one English word forgotten: said next to it, the others kept.
    add("Une échelle de 1 à 5, avec un mot à chaque point")
    _fill_languages(page, "label", ("Le quartier est-il agréable ?", "Is it pleasant?",
                                    "هل الحي لطيف؟"))
    for language, words in WORDS.items():
        for n, word in enumerate(words, 1):
            if (language, n) != ("en", 4):
                page.locator(f"#scale_{language}_{n}").fill(word)
    page.get_by_role("button", name="Ajouter la question").click()
    expect(page.get_by_role("alert").filter(has_text=FORM_ERRORS)).to_be_visible()
    missing = page.locator("#scale_en_4")
    expect(missing).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#scale_en_4-error")).to_have_text("Ce champ est obligatoire.")
    expect(page.locator("#scale_ar_5")).to_have_value("تماماً")
    expect(page.locator("#label_ar")).to_have_value("هل الحي لطيف؟")
    audit(page)
    missing.fill("A lot")
    page.get_by_role("button", name="Ajouter la question").click()
    heading(page, "Se déplacer dans le quartier")

    # --- A short free text.
    add("Un texte libre court")
    _fill_languages(page, "label", ("Qu’est-ce qui a changé ?", "What changed?",
                                    "ما الذي تغير؟"))
    expect(page.locator("#options_fr")).to_have_count(0)
    page.get_by_role("button", name="Ajouter la question").click()
    heading(page, "Se déplacer dans le quartier")
    expect(page.locator("ol.survey-items > li h3")).to_have_text([
        "Comment venez-vous ?", "Le quartier est-il agréable ?", "Qu’est-ce qui a changé ?"])
    audit(page)

    # --- The Arabic preview: the survey's words right to left, inside a French page.
    page.get_by_role("link", name="Aperçu — Arabe").click()
    expect(page.locator("html[lang=fr]")).to_have_count(1)
    expect(page.locator("h2[lang=ar][dir=rtl]")).to_have_text(TITLE_AR)
    expect(page.locator("legend bdi[lang=ar]")).to_have_text(
        ["كيف تأتي؟", "هل الحي لطيف؟", "ما الذي تغير؟"])
    audit(page)

    # --- The written answers of no quartier: none yet for the committee to read.
    page.go_back()
    page.get_by_role("link", name=re.compile(r"^0 réponses? à relire$")).click()
    heading(page, "Réponses écrites à relire")
    expect(page.get_by_text("Rien à relire. Merci !")).to_be_visible()
    audit(page)

    with Session(seed.get_bind()) as check:
        survey = check.scalars(select(Survey)).one()
        assert survey.once
        assert survey.text("en", "intro") == "Five minutes."
        built = check.scalars(select(SurveyItem).order_by(SurveyItem.position)).all()
        assert [i.kind for i in built] == ["single", "scale", "text"]
        assert built[0].words("ar")["options"] == WAYS_AR
        assert built[1].words("en")["scale"] == WORDS["en"]
