"""A survey of the mid-term evaluation, built through the service as the committee
builds it: one item of each kind, in French, English and Arabic."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from civic.evaluation import surveys
from civic.evaluation.models import Evaluation, EvaluationQuestion, Survey

TITLE = {"fr": "Votre avis sur le quartier", "en": "Your view of the neighbourhood",
         "ar": "رأيك في الحي"}
SCALE = {"fr": ["Pas du tout", "Un peu", "Moyennement", "Beaucoup", "Énormément"],
         "en": ["Not at all", "A little", "Somewhat", "A lot", "Very much"],
         "ar": ["إطلاقا", "قليلا", "متوسط", "كثيرا", "كثيرا جدا"]}
#: (kind, required, {language: label}, {language: options}, minimum, maximum)
ITEMS: list[tuple[str, bool, dict[str, str], dict[str, list[str]], Any, Any]] = [
    ("scale", True, {"fr": "Le quartier a-t-il changé en bien ?",
                     "en": "Has the neighbourhood changed for the better?",
                     "ar": "هل تغير الحي نحو الأفضل؟"}, {}, None, None),
    ("single", False, {"fr": "Venez-vous à la maison de quartier ?",
                       "en": "Do you come to the community centre?",
                       "ar": "هل تأتي إلى دار الحي؟"},
     {"fr": ["Oui", "Non"], "en": ["Yes", "No"], "ar": ["نعم", "لا"]}, None, None),
    ("multiple", False, {"fr": "Qu’est-ce qui a changé ?", "en": "What has changed?",
                         "ar": "ما الذي تغير؟"},
     {"fr": ["Les bancs", "Les jeux", "L’éclairage"],
      "en": ["The benches", "The playground", "The lighting"],
      "ar": ["المقاعد", "الألعاب", "الإنارة"]}, None, None),
    ("number", False, {"fr": "Depuis combien d’années habitez-vous le quartier ?",
                       "en": "How many years have you lived here?",
                       "ar": "منذ كم سنة تسكن في الحي؟"}, {}, Decimal(0), Decimal(100)),
    ("text", False, {"fr": "Un mot pour finir ?", "en": "A last word?",
                     "ar": "كلمة أخيرة؟"}, {}, None, None),
]


def make_survey(db: Session, contract: Any, now: datetime, *, once: bool = True,
                ask_profile: bool = True, opens_at: datetime | None = None,
                closes_at: datetime | None = None) -> Survey:
    """A survey open from a day before ``now`` to a week after it, unless told."""
    evaluation = db.query(Evaluation).filter_by(contract_id=contract.id,
                                                kind="midterm").one_or_none()
    if evaluation is None:
        evaluation = Evaluation(contract_id=contract.id, kind="midterm",
                                title="Évaluation à mi-parcours", purpose="",
                                starts_on=(now - timedelta(days=30)).date(),
                                ends_on=(now + timedelta(days=90)).date(), created_at=now)
        db.add(evaluation)
        db.flush()
    question = EvaluationQuestion(evaluation_id=evaluation.id, position=0, created_at=now,
                                  text="Le cadre de vie s’est-il amélioré ?")
    db.add(question)
    db.flush()
    db.refresh(evaluation, ["questions"])
    survey = surveys.create_survey(db, evaluation, {
        "texts": {language: {"title": title, "intro": ""} for language, title in TITLE.items()},
        "opens_at": opens_at or now - timedelta(days=1),
        "closes_at": closes_at or now + timedelta(days=7),
        "once": once, "ask_profile": ask_profile}, actor=None, now=now)
    for kind, required, labels, options, minimum, maximum in ITEMS:
        texts = {language: {"label": label, "options": options.get(language, []),
                            "scale": SCALE[language] if kind == "scale" else []}
                 for language, label in labels.items()}
        surveys.add_item(db, survey, {"question_id": question.id, "kind": kind,
                                      "required": required, "texts": texts,
                                      "minimum": minimum, "maximum": maximum},
                         actor=None, now=now)
    return survey


def item_ids(survey: Survey) -> dict[str, int]:
    """The id of each item, by its kind."""
    return {item.kind: item.id for item in survey.items}


def full_answer(survey: Survey, **overrides: Any) -> dict[str, Any]:
    """A form answering every item: « Beaucoup », « Oui », the benches and the lighting,
    12 years, a word."""
    ids = item_ids(survey)
    return {f"item-{ids['scale']}": "4", f"item-{ids['single']}": "0",
            f"item-{ids['multiple']}": ["0", "2"], f"item-{ids['number']}": "12",
            f"item-{ids['text']}": "Plus de bancs, merci.", **overrides}
