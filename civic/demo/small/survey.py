"""The demo's survey of the mid-term evaluation: eight items of every kind, tied to the
four questions, written in French, English and Arabic; open for three weeks already and
a month more, answered on every channel (online with an account or a printed code,
through a poster's QR code, at the permanence's tablet, on paper typed in from a
counted pile). The answers are mixed into the responses as the nightly job does, and
the conseil citoyen publishes a few free texts, so that results and quotations show."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from civic.accounts.models import AGE_BRACKETS, GENDERS, User
from civic.core import clock
from civic.core.db import session as db
from civic.demo.small.people import ANIMATOR, MODERATOR, PILOT, RESIDENT
from civic.evaluation import surveys, text_kind
from civic.evaluation.models import Evaluation, Survey, SurveyItem, SurveyText
from civic.moderation import registry
from civic.moderation import services as moderation
from civic.permanence.models import Permanence
from civic.territory.models import Quartier

TEXTS = {
    "fr": {"title": "Ce qui a changé dans le quartier",
           "intro": "Dix minutes pour dire ce qui a changé depuis 2024. Vos réponses sont "
                    "anonymes : personne ne saura ce que vous avez répondu."},
    "en": {"title": "What has changed in the neighbourhood",
           "intro": "Ten minutes to tell us what has changed since 2024. Your answers are "
                    "anonymous: nobody will know what you answered."},
    "ar": {"title": "ما الذي تغيّر في الحي",
           "intro": "عشر دقائق لتخبرونا بما تغيّر منذ 2024. إجاباتكم مجهولة الهوية: لن "
                    "يعرف أحد بماذا أجبتم."},
}

#: (question index, kind, required, {language: words}, minimum, maximum)
ITEMS: list[tuple[int, str, bool, dict[str, dict[str, Any]], int | None, int | None]] = [
    (0, "single", True, {
        "fr": {"label": "Depuis 2024, trouver un stage ou un emploi près du quartier, "
                        "c’est…",
               "options": ["Plus facile", "Pareil", "Plus difficile", "Je ne sais pas"]},
        "en": {"label": "Since 2024, finding an internship or a job near the "
                        "neighbourhood is…",
               "options": ["Easier", "About the same", "Harder", "I don’t know"]},
        "ar": {"label": "منذ 2024، إيجاد تدريب أو عمل قرب الحي أصبح…",
               "options": ["أسهل", "كما كان", "أصعب", "لا أعرف"]}}, None, None),
    (0, "scale", False, {
        "fr": {"label": "Les conseils de France Travail ou de la Mission locale vous ont-ils "
                        "aidé ?",
               "scale": ["Pas du tout", "Un peu", "Moyennement", "Beaucoup", "Énormément"]},
        "en": {"label": "Did the advice of France Travail or the Mission locale help you?",
               "scale": ["Not at all", "A little", "Somewhat", "A lot", "Very much"]},
        "ar": {"label": "هل ساعدتكم نصائح «فرانس ترافاي» أو «البعثة المحلية»؟",
               "scale": ["لا، إطلاقاً", "قليلاً", "إلى حدٍّ ما", "كثيراً", "كثيراً جداً"]}},
     None, None),
    (1, "scale", True, {
        "fr": {"label": "Comment trouvez-vous la propreté des rues et des halls "
                        "d’immeubles ?",
               "scale": ["Très sale", "Sale", "Moyenne", "Propre", "Très propre"]},
        "en": {"label": "How clean do you find the streets and the entrance halls of the "
                        "buildings?",
               "scale": ["Very dirty", "Dirty", "Average", "Clean", "Very clean"]},
        "ar": {"label": "كيف تجدون نظافة الشوارع ومداخل العمارات؟",
               "scale": ["متّسخة جداً", "متّسخة", "متوسطة", "نظيفة", "نظيفة جداً"]}},
     None, None),
    (1, "number", False, {
        "fr": {"label": "Ce mois-ci, combien de lampadaires en panne avez-vous vus près de "
                        "chez vous ?"},
        "en": {"label": "This month, how many broken street lights have you seen near your "
                        "home?"},
        "ar": {"label": "هذا الشهر، كم عمود إنارة معطّلاً رأيتم قرب منزلكم؟"}}, 0, 50),
    (2, "multiple", False, {
        "fr": {"label": "Où allez-vous pour vous faire aider dans vos démarches ?",
               "options": ["Au centre social", "À la mairie de quartier", "À France Services",
                           "À une association", "À la famille ou aux voisins", "Nulle part"]},
        "en": {"label": "Where do you go for help with forms and paperwork?",
               "options": ["The community centre", "The neighbourhood town hall",
                           "France Services", "An association", "Family or neighbours",
                           "Nowhere"]},
        "ar": {"label": "إلى أين تذهبون لطلب المساعدة في معاملاتكم الإدارية؟",
               "options": ["المركز الاجتماعي", "بلدية الحي", "«فرانس سيرفيس»", "جمعية",
                           "العائلة أو الجيران", "لا أذهب إلى أي مكان"]}}, None, None),
    (2, "single", True, {
        "fr": {"label": "Connaissez-vous les aides auxquelles votre famille a droit ?",
               "options": ["Oui, bien", "Un peu", "Non"]},
        "en": {"label": "Do you know which benefits your family is entitled to?",
               "options": ["Yes, well", "A little", "No"]},
        "ar": {"label": "هل تعرفون المساعدات التي يحقّ لعائلتكم الحصول عليها؟",
               "options": ["نعم، جيداً", "قليلاً", "لا"]}}, None, None),
    (3, "scale", True, {
        "fr": {"label": "Le soir, sur les places du quartier, vous vous sentez…",
               "scale": ["Pas du tout en sécurité", "Peu en sécurité", "Moyennement",
                         "Plutôt en sécurité", "Tout à fait en sécurité"]},
        "en": {"label": "In the evening, on the squares of the neighbourhood, you feel…",
               "scale": ["Not safe at all", "Not very safe", "Fairly safe", "Mostly safe",
                         "Completely safe"]},
        "ar": {"label": "في المساء، في ساحات الحي، تشعرون…",
               "scale": ["بعدم أمان تام", "بقليل من الأمان", "بأمان متوسط",
                         "بالأمان غالباً", "بأمان تام"]}}, None, None),
    (3, "text", False, {
        "fr": {"label": "Qu’est-ce qui vous aiderait à vous sentir plus en sécurité le "
                        "soir ?"},
        "en": {"label": "What would help you feel safer in the evening?"},
        "ar": {"label": "ما الذي قد يساعدكم على الشعور بأمان أكبر في المساء؟"}}, None, None),
]

#: How answers lean, by item position: the weight of each option or scale point.
LEANINGS: dict[int, list[int]] = {0: [3, 5, 3, 1], 1: [1, 3, 4, 3, 1], 2: [1, 3, 4, 3, 1],
                                  4: [5, 2, 4, 3, 3, 1], 5: [3, 5, 3], 6: [2, 4, 4, 3, 1]}
#: Free texts people wrote.
WORDS = [
    "Plus d’éclairage sur la place, surtout près de l’arrêt de bus.",
    "Des adultes présents le soir, des médiateurs.",
    "Que les commerces restent ouverts plus tard.",
    "Des bancs et de la lumière dans le square.",
    "Que la police passe à pied, pas seulement en voiture.",
]
#: Answers on each channel: online with an account or a printed code, from a poster's
#: QR code (with a code), at the tablet of today's permanence, on paper.
CHANNELS = {"online": 14, "poster": 6, "kiosk": 9, "paper": 10}


def seed(evaluation: Evaluation, mirail: Quartier, empalot: Quartier,
         users: dict[str, User], now: datetime) -> Survey:
    """The survey, built by the committee three weeks ago and answered since."""
    pilot = users[PILOT]
    opened = now - timedelta(days=21)
    survey = surveys.create_survey(db(), evaluation, {
        "texts": TEXTS, "opens_at": opened, "closes_at": now + timedelta(days=30),
        "once": True, "ask_profile": True}, actor=pilot, now=opened - timedelta(days=2))
    questions = evaluation.questions
    for q_index, kind, required, words, minimum, maximum in ITEMS:
        surveys.add_item(db(), survey, {
            "question_id": questions[q_index].id, "kind": kind, "required": required,
            "texts": words, "minimum": None if minimum is None else Decimal(minimum),
            "maximum": None if maximum is None else Decimal(maximum)},
            actor=pilot, now=opened - timedelta(days=2))
    _answer(survey, (mirail, empalot), users, now, random.Random(2026))
    surveys.mix(db(), survey, minimum=0)
    _quote(survey, mirail, users[MODERATOR], now)
    return survey


def answers_of(survey: Survey, rng: random.Random) -> dict[int, surveys.Parsed]:
    """One person's answers: the required items always, the others most of the time,
    a free text now and then."""
    found: dict[int, surveys.Parsed] = {}
    for position, item in enumerate(survey.items):
        if not item.required and rng.random() < (0.7 if item.kind == "text" else 0.2):
            continue
        found[item.id] = _one(item, position, rng)
    return found


def _one(item: SurveyItem, position: int, rng: random.Random) -> surveys.Parsed:
    weights = LEANINGS.get(position, [])
    if item.kind in ("single", "scale"):
        picked = rng.choices(range(len(weights)), weights)[0]
        return surveys.Parsed(choices=(picked + 1 if item.kind == "scale" else picked,))
    if item.kind == "multiple":
        chosen = {rng.choices(range(len(weights)), weights)[0] for _ in range(rng.randint(1, 3))}
        return surveys.Parsed(choices=tuple(sorted(chosen)))
    if item.kind == "number":
        return surveys.Parsed(number=Decimal(rng.choice((0, 0, 1, 1, 2, 3, 5))))
    return surveys.Parsed(text=rng.choice(WORDS))


def profile_of(quartiers: Sequence[Quartier], rng: random.Random) -> surveys.Profile:
    """What people chose to say about themselves; some say nothing."""
    if rng.random() < 0.25:
        return surveys.Profile()
    return surveys.Profile(quartier_id=rng.choice(quartiers).id, gender=rng.choice(GENDERS[:2]),
                           age_bracket=rng.choice(AGE_BRACKETS[1:]))


def _answer(survey: Survey, quartiers: Sequence[Quartier], users: dict[str, User],
            now: datetime, rng: random.Random) -> None:
    mirail = quartiers[0]
    animator = users[ANIMATOR]
    opened = survey.opens_at
    codes = surveys.print_codes(db(), survey, CHANNELS["online"] + CHANNELS["poster"],
                                quartier=mirail, actor=animator, now=opened)
    tablet = db().scalars(select(Permanence).where(Permanence.quartier_id == mirail.id)
                          .order_by(Permanence.starts_at)).first()
    pile = surveys.open_batch(db(), survey, mirail, "Permanence de la semaine dernière, "
                              "Maison de quartier de la Reynerie", CHANNELS["paper"],
                              actor=animator, now=now - timedelta(days=2))
    for channel, count in CHANNELS.items():
        for n in range(count):
            at = now if channel == "kiosk" else opened + (now - opened) * rng.random()
            how: dict[str, Any] = {}
            if channel == "online" and n == 0:
                how["user"] = users[RESIDENT]
            elif channel in ("online", "poster"):
                how["code"] = codes.pop()
            elif channel == "kiosk":
                how["permanence"] = tablet
            else:
                how["batch"], at = pile, now - timedelta(days=1)
            surveys.answer(db(), survey, answers_of(survey, rng), profile_of(quartiers, rng),
                           channel=channel, today=clock.local_day(at, "Europe/Paris"),
                           now=at, **how)
    surveys.close_batch(db(), pile, actor=animator, now=now - timedelta(hours=20))


def _quote(survey: Survey, mirail: Quartier, moderator: User, now: datetime) -> None:
    """The conseil citoyen of Grand Mirail publishes three of its quartier's free texts;
    the others wait in the moderators' queue (or the committee's, without a quartier)."""
    kind = registry.get(text_kind.KIND)
    assert kind is not None
    for text in db().scalars(select(SurveyText).where(
            SurveyText.survey_id == survey.id, SurveyText.quartier_id == mirail.id)
            .order_by(SurveyText.created_at, SurveyText.id).limit(3)).all():
        moderation.decide(db(), kind, text, "publish", actor=moderator, now=now)
