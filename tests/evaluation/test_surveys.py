"""The surveys' rules through the service: items checked in three languages, every kind
of answer checked against hostile values, the structure frozen by the first answer, one
answer per account (even at the same instant) or per printed code, and the secret of
who answered what against whoever reads the database or the logs."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from civic.accounts.models import Role
from civic.core.audit import AuditEntry
from civic.core.db import Base
from civic.evaluation import services, surveys, text_kind
from civic.evaluation.models import (
    Evaluation,
    Survey,
    SurveyAnswer,
    SurveyCode,
    SurveyInbox,
    SurveyItem,
    SurveyParticipation,
    SurveyResponse,
    SurveyText,
)
from civic.moderation import queries as moderation_queries
from civic.moderation.models import State
from civic.moderation.services import ModerationError
from civic.permanence import codes as code_format
from civic.territory.models import Quartier
from tests import factories
from tests.evaluation.conftest import NOW

TODAY = date(2026, 3, 14)
LANGUAGES = ("fr", "en", "ar")
WORDS = {"fr": ["Pas du tout", "Un peu", "Moyennement", "Beaucoup", "Tout à fait"],
         "en": ["Not at all", "A little", "Somewhat", "A lot", "Completely"],
         "ar": ["إطلاقاً", "قليلاً", "متوسط", "كثيراً", "تماماً"]}
OPTIONS = {"fr": ["Le bus", "Le tram", "À pied"], "en": ["Bus", "Tram", "On foot"],
           "ar": ["الحافلة", "الترام", "مشياً"]}


# --- Building blocks, shared with the pages' tests ---------------------------------------


def survey_texts(title: str = "Vivre au quartier", **changes: Any) -> dict[str, Any]:
    texts: dict[str, Any] = {
        "fr": {"title": title, "intro": "Dix minutes pour dire ce qui a changé."},
        "en": {"title": "Living here", "intro": "Ten minutes."},
        "ar": {"title": "العيش في الحي", "intro": "عشر دقائق."}}
    for language, values in changes.items():
        texts[language] = {**texts[language], **values}
    return texts


def make_evaluation(db: Any, contract: Any) -> Evaluation:
    orientation = factories.make_orientation(db, contract, name="Mobilités")
    evaluation = services.open_evaluation(db, contract, {
        "kind": "midterm", "title": "Mi-parcours 2026", "purpose": "",
        "starts_on": date(2026, 3, 1), "ends_on": date(2026, 10, 31)}, actor=None, now=NOW)
    services.add_question(db, evaluation, "Se déplace-t-on mieux qu’avant ?",
                          [orientation.id], actor=None, now=NOW)
    services.add_question(db, evaluation, "Le quartier est-il plus agréable ?",
                          [orientation.id], actor=None, now=NOW)
    return evaluation


def make_survey(db: Any, evaluation: Evaluation, *, once: bool = True,
                ask_profile: bool = True, opens: int = -1, closes: int = 9,
                title: str = "Vivre au quartier") -> Survey:
    return surveys.create_survey(db, evaluation, {
        "texts": survey_texts(title), "opens_at": NOW + timedelta(days=opens),
        "closes_at": NOW + timedelta(days=closes), "once": once,
        "ask_profile": ask_profile}, actor=None, now=NOW)


def item_texts(kind: str, label: str = "Comment venez-vous ?") -> dict[str, Any]:
    labels = {"fr": label, "en": "How do you come?", "ar": "كيف تأتي؟"}
    texts: dict[str, Any] = {}
    for language in LANGUAGES:
        entry: dict[str, Any] = {"label": labels[language]}
        if kind in ("single", "multiple"):
            entry["options"] = OPTIONS[language]
        if kind == "scale":
            entry["scale"] = WORDS[language]
        texts[language] = entry
    return texts


def add(db: Any, survey: Survey, kind: str, *, required: bool = False,
        label: str = "Comment venez-vous ?", **values: Any) -> SurveyItem:
    return surveys.add_item(db, survey, {
        "question_id": survey.evaluation.questions[0].id, "kind": kind,
        "required": required, "texts": item_texts(kind, label), **values},
        actor=None, now=NOW)


def give(db: Any, survey: Survey, answers: dict[SurveyItem, Any], *, user: Any = None,
         code: str | None = None, channel: str = "online", profile: dict | None = None
         ) -> None:
    """Answer as the page does: parse what a form sends, then record it."""
    raw = {f"item-{item.id}": value for item, value in answers.items()}
    parsed, found = surveys.parse(survey, {**raw, **(profile or {})},
                                  set(db.scalars(select(Quartier.id))))
    surveys.answer(db, survey, parsed, found, channel=channel, today=TODAY, now=NOW,
                   user=user, code=code)


@pytest.fixture(autouse=True)
def _app_context(app: Flask, request: pytest.FixtureRequest) -> Iterator[None]:
    """The waiting answers are sealed with a key drawn from the site's secret: services
    called outside a request need the app. (A test of the pages leaves it to each
    request, whose context must not outlive it.)"""
    if "client" in request.fixturenames:
        yield
        return
    with app.app_context():
        yield


@pytest.fixture
def evaluation(db: Any, contract: Any) -> Evaluation:
    return make_evaluation(db, contract)


@pytest.fixture
def survey(db: Any, evaluation: Evaluation) -> Survey:
    return make_survey(db, evaluation)


# --- Building ----------------------------------------------------------------------------


@pytest.mark.parametrize(("changes", "code", "field"), [
    ({"en": {"title": "   "}}, "title_required", "title_en"),
    ({"ar": {"title": None}}, "title_required", "title_ar"),
    ({"fr": {"title": "x" * 161}}, "too_long", "title_fr"),
    ({"ar": {"intro": "ب" * 2001}}, "too_long", "intro_ar"),
])
def test_a_survey_is_written_in_the_three_languages(
        db: Any, evaluation: Evaluation, changes: dict, code: str, field: str) -> None:
    with pytest.raises(surveys.SurveyError) as refused:
        surveys.create_survey(db, evaluation, {
            "texts": survey_texts(**changes), "opens_at": NOW,
            "closes_at": NOW + timedelta(days=1), "once": True}, actor=None, now=NOW)
    assert (refused.value.code, refused.value.field) == (code, field)


def test_a_survey_closes_after_it_opens_and_its_creation_is_in_the_journal(
        db: Any, evaluation: Evaluation, people: dict) -> None:
    with pytest.raises(surveys.SurveyError) as refused:
        surveys.create_survey(db, evaluation, {"texts": survey_texts(), "opens_at": NOW,
                                               "closes_at": NOW, "once": True},
                              actor=people["pilot"], now=NOW)
    assert (refused.value.code, refused.value.field) == ("closes_before_opening", "closes_at")
    made = make_survey(db, evaluation)
    assert made.text("ar", "title") == "العيش في الحي"
    assert db.scalar(select(AuditEntry.action).where(
        AuditEntry.target_type == "survey")) == "evaluation.survey_created"


def _item_texts(kind: str, language: str, **entry: Any) -> dict[str, Any]:
    texts = item_texts(kind)
    texts[language] = {**texts[language], **entry}
    return texts


@pytest.mark.parametrize(("kind", "texts", "code", "field"), [
    ("single", _item_texts("single", "ar", label=""), "label_required", "label_ar"),
    ("text", _item_texts("text", "en", label="y" * 301), "too_long", "label_en"),
    ("single", _item_texts("single", "en", options=["Bus"]), "too_few_options", "options_en"),
    ("multiple", _item_texts("multiple", "fr", options=[str(n) for n in range(13)]),
     "too_many_options", "options_fr"),
    ("single", _item_texts("single", "fr", options=["Bus", "BUS"]), "same_option_twice",
     "options_fr"),
    ("single", _item_texts("single", "ar", options=["أ", "ب"]), "options_differ",
     "options_en"),
    ("scale", _item_texts("scale", "en", scale=WORDS["en"][:4]), "scale_words", "scale_en"),
    ("scale", _item_texts("scale", "ar", scale=[*WORDS["ar"][:4], " "]), "scale_words",
     "scale_ar"),
    ("scale", _item_texts("scale", "fr", scale=[*WORDS["fr"][:4], "z" * 41]), "too_long",
     "scale_fr"),
])
def test_every_item_is_checked_in_every_language(
        db: Any, survey: Survey, kind: str, texts: dict, code: str, field: str) -> None:
    with pytest.raises(surveys.SurveyError) as refused:
        surveys.add_item(db, survey, {"question_id": survey.evaluation.questions[0].id,
                                      "kind": kind, "texts": texts}, actor=None, now=NOW)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert survey.items == []


def test_an_item_answers_a_question_of_its_own_evaluation_with_sane_bounds(
        db: Any, survey: Survey, contract: Any) -> None:
    other = factories.make_contract(db, name="Ailleurs")
    elsewhere = make_evaluation(db, other).questions[0]
    cases = [({"question_id": elsewhere.id}, "unknown_question", "question_id"),
             ({"kind": "ranking"}, "unknown_item_kind", "kind"),
             ({"kind": "number", "minimum": Decimal(10), "maximum": Decimal(10)},
              "maximum_not_above_minimum", "maximum"),
             ({"kind": "number", "maximum": Decimal("1e13")}, "number_too_large", "maximum")]
    for changes, code, field in cases:
        values = {"question_id": survey.evaluation.questions[0].id, "kind": "number",
                  "texts": item_texts("number"), **changes}
        with pytest.raises(surveys.SurveyError) as refused:
            surveys.add_item(db, survey, values, actor=None, now=NOW)
        assert (refused.value.code, refused.value.field) == (code, field)


# --- Answering: every kind against hostile values ----------------------------------------


@pytest.fixture
def every_kind(db: Any, survey: Survey) -> dict[str, SurveyItem]:
    return {"single": add(db, survey, "single"), "multiple": add(db, survey, "multiple"),
            "scale": add(db, survey, "scale"),
            "number": add(db, survey, "number", minimum=Decimal(0), maximum=Decimal(120)),
            "text": add(db, survey, "text"),
            "required": add(db, survey, "single", required=True)}


@pytest.mark.parametrize(("kind", "raw", "code"), [
    ("single", "3", "unknown_option"),  # three options: 0, 1, 2
    ("single", "-1", "unknown_option"),
    ("single", "1; DROP TABLE survey_answers", "unknown_option"),
    ("single", ["0", "1"], "unknown_option"),  # two answers to a single choice
    ("single", "9" * 40, "unknown_option"),
    ("multiple", ["0", "0"], "unknown_option"),
    ("multiple", ["1", "99"], "unknown_option"),
    ("scale", "0", "unknown_option"),
    ("scale", "6", "unknown_option"),
    ("scale", "2.5", "unknown_option"),
    ("number", "douze", "not_a_number"),
    ("number", "NaN", "not_a_number"),
    ("number", "-Infinity", "not_a_number"),
    ("number", "1e400", "not_a_number"),
    ("number", "9" * 30, "not_a_number"),
    ("number", ["1", "2"], "not_a_number"),
    ("number", "12,345", "too_many_decimals"),
    ("number", "-0,5", "below_minimum"),
    ("number", "120,01", "above_maximum"),
    ("number", "1 200", "above_maximum"),
    ("text", "é" * 1001, "too_long"),
    ("required", "", "answer_required"),
    ("required", ["", "  "], "answer_required"),
])
def test_hostile_answers_are_refused_next_to_their_item(
        every_kind: dict[str, SurveyItem], kind: str, raw: Any, code: str) -> None:
    item = every_kind[kind]
    with pytest.raises(surveys.SurveyError) as refused:
        surveys.parse_item(item, raw)
    assert (refused.value.code, refused.value.field) == (code, f"item-{item.id}")


@pytest.mark.parametrize(("kind", "raw", "expected"), [
    ("single", " 2 ", surveys.Parsed(choices=(2,))),
    ("multiple", ["2", "0"], surveys.Parsed(choices=(0, 2))),
    ("scale", "5", surveys.Parsed(choices=(5,))),
    ("number", "12,5", surveys.Parsed(number=Decimal("12.5"))),
    ("number", "0", surveys.Parsed(number=Decimal(0))),
    ("text", "  <b>Le bus</b> passe\n  enfin  ", surveys.Parsed(
        text="<b>Le bus</b> passe\nenfin")),
    ("text", " \n ", surveys.Parsed()),
    ("single", "", surveys.Parsed()),
])
def test_right_answers_are_read_as_typed(
        every_kind: dict[str, SurveyItem], kind: str, raw: Any,
        expected: surveys.Parsed) -> None:
    assert surveys.parse_item(every_kind[kind], raw) == expected


def test_every_wrong_field_is_named_at_once_and_a_blank_form_is_refused(
        every_kind: dict[str, SurveyItem], survey: Survey, quartier: Any) -> None:
    with pytest.raises(surveys.AnswerErrors) as wrong:
        surveys.parse(survey, {f"item-{every_kind['number'].id}": "-3",
                               f"item-{every_kind['scale'].id}": "9",
                               "item-999999": "0",  # not an item of this survey: ignored
                               "gender": "robot", "age_bracket": "12_13",
                               "quartier_id": str(quartier.id + 1000)}, {quartier.id})
    assert wrong.value.errors == {
        f"item-{every_kind['number'].id}": "below_minimum",
        f"item-{every_kind['scale'].id}": "unknown_option",
        f"item-{every_kind['required'].id}": "answer_required",
        "gender": "unknown_option", "age_bracket": "unknown_option",
        "quartier_id": "unknown_option"}
    with pytest.raises(surveys.AnswerErrors) as blank:
        surveys.parse(survey, {}, {quartier.id})
    assert blank.value.errors == {f"item-{every_kind['required'].id}": "answer_required"}


def test_a_form_with_nothing_answered_is_refused(db: Any, survey: Survey) -> None:
    add(db, survey, "text")
    with pytest.raises(surveys.AnswerErrors) as wrong:
        surveys.parse(survey, {}, ())
    assert wrong.value.errors == {"form": "nothing_answered"}


# --- The structure is frozen by the first answer ------------------------------------------


def test_after_the_first_answer_only_the_wording_changes(
        db: Any, survey: Survey, people: dict) -> None:
    choice = add(db, survey, "single")
    number = add(db, survey, "number", maximum=Decimal(10))
    give(db, survey, {choice: "1"}, user=people["resident"])
    for attempt in (lambda: add(db, survey, "text"),
                    lambda: surveys.remove_item(db, choice, actor=None, now=NOW)):
        with pytest.raises(surveys.SurveyError) as refused:
            attempt()
        assert refused.value.code == "items_fixed_by_answers"
    fewer = item_texts("single")
    for language in LANGUAGES:
        fewer[language]["options"] = fewer[language]["options"][:2]
    question = survey.evaluation.questions[0].id
    changes = [{"texts": fewer}, {"question_id": survey.evaluation.questions[1].id},
               {"required": True}]
    for change in changes:
        with pytest.raises(surveys.SurveyError) as refused:
            surveys.update_item(db, choice, {"question_id": question,
                                             "texts": item_texts("single"), **change},
                                actor=None, now=NOW)
        assert refused.value.code == "items_fixed_by_answers"
    with pytest.raises(surveys.SurveyError) as bounds:
        surveys.update_item(db, number, {"question_id": question, "texts": item_texts("number"),
                                         "maximum": Decimal(20)}, actor=None, now=NOW)
    assert bounds.value.code == "items_fixed_by_answers"
    # The words may still be corrected: a typo in the French label.
    reworded = item_texts("single", label="Comment venez-vous ici ?")
    surveys.update_item(db, choice, {"question_id": question, "texts": reworded},
                        actor=None, now=NOW)
    assert choice.words("fr")["label"] == "Comment venez-vous ici ?"
    with pytest.raises(surveys.SurveyError) as rule:
        surveys.update_survey(db, survey, {"texts": survey_texts(), "opens_at": survey.opens_at,
                                           "closes_at": survey.closes_at, "once": False},
                              actor=None, now=NOW)
    assert (rule.value.code, rule.value.field) == ("rules_fixed_by_answers", "once")


def test_items_move_up_and_down_and_the_first_stays_first(db: Any, survey: Survey) -> None:
    first, second, third = (add(db, survey, "text", label=f"Question {n}") for n in range(3))
    surveys.move_item(db, third, -1)
    assert [i.id for i in survey.items] == [first.id, third.id, second.id]
    surveys.move_item(db, first, -1)  # already first: nothing moves
    surveys.move_item(db, second, 1)  # already last
    assert [i.id for i in survey.items] == [first.id, third.id, second.id]


# --- One answer per account, or per printed code -------------------------------------------


def test_an_account_answers_a_once_survey_once(db: Any, survey: Survey, people: dict) -> None:
    item = add(db, survey, "scale")
    give(db, survey, {item: "4"}, user=people["resident"])
    with pytest.raises(surveys.SurveyError) as again:
        give(db, survey, {item: "1"}, user=people["resident"])
    assert again.value.code == "already_answered"
    assert surveys.has_answered(db, survey, people["resident"])
    assert not surveys.has_answered(db, survey, people["pilot"])
    with pytest.raises(surveys.SurveyError) as nobody:
        give(db, survey, {item: "1"})
    assert (nobody.value.code, nobody.value.field) == ("account_or_code", "code")


def test_an_open_survey_answered_twice_counts_the_person_once(
        db: Any, evaluation: Evaluation, people: dict) -> None:
    survey = make_survey(db, evaluation, once=False)
    item = add(db, survey, "number")
    give(db, survey, {item: "3"}, user=people["resident"])
    give(db, survey, {item: "5"}, user=people["resident"])
    give(db, survey, {item: "8"})  # without an account: open to anyone
    surveys.mix(db, survey, minimum=0)
    register = db.scalars(select(SurveyParticipation).where(
        SurveyParticipation.survey_id == survey.id)).all()
    assert sorted((r.user_id or 0) for r in register) == [0, people["resident"].id]
    assert sorted(db.scalars(select(SurveyAnswer.number))) == [3, 5, 8]
    assert surveys.answer_count(db, survey) == 3


def test_a_printed_code_is_spent_once_and_a_mistyped_one_is_told_apart(
        db: Any, survey: Survey, quartier: Any, people: dict) -> None:
    item = add(db, survey, "single")
    first, second = surveys.print_codes(db, survey, 2, quartier=quartier,
                                        actor=people["animator"], now=NOW)
    assert {c.quartier_id for c in db.scalars(select(SurveyCode))} == {quartier.id}
    give(db, survey, {item: "0"}, code=code_format.grouped(first).lower())
    with pytest.raises(surveys.SurveyError) as spent:
        give(db, survey, {item: "1"}, code=first)
    assert (spent.value.code, spent.value.field) == ("code_unknown_or_used", "code")
    swapped = second[1] + second[0] + second[2:]
    mistakes = [second[:-1] + ("A" if second[-1] != "A" else "B"), second[:5], "🙂" * 10]
    if swapped != second:
        mistakes.append(swapped)
    for mistake in mistakes:
        with pytest.raises(surveys.SurveyError) as typo:
            give(db, survey, {item: "1"}, code=mistake)
        assert (typo.value.code, typo.value.field) == ("code_mistyped", "code")
    assert surveys.void_codes(db, survey, 1, actor=people["pilot"], now=NOW) == 1
    with pytest.raises(surveys.SurveyError) as voided:
        give(db, survey, {item: "1"}, code=second)
    assert voided.value.code == "code_unknown_or_used"
    other = make_survey(db, survey.evaluation, title="Une autre")
    add(db, other, "single")
    with pytest.raises(surveys.SurveyError) as elsewhere:
        give(db, other, {other.items[0]: "0"}, code=first)
    assert elsewhere.value.code == "code_unknown_or_used"
    assert db.scalar(select(func.count()).select_from(SurveyParticipation)) == 1
    with pytest.raises(surveys.SurveyError) as count:
        surveys.print_codes(db, survey, 501, quartier=quartier, actor=None, now=NOW)
    assert (count.value.code, count.value.field) == ("code_count", "count")


def test_a_closed_or_not_yet_open_survey_takes_no_answer(
        db: Any, evaluation: Evaluation, people: dict) -> None:
    for opens, closes in ((1, 9), (-9, -1)):
        survey = make_survey(db, evaluation, opens=opens, closes=closes, title=f"{opens}")
        item = add(db, survey, "text")
        with pytest.raises(surveys.SurveyError) as closed:
            give(db, survey, {item: "Bonjour"}, user=people["resident"])
        assert closed.value.code == "survey_closed"


# --- At the same instant, on real connections (PostgreSQL) -------------------------------


@pytest.fixture
def committed(app: Flask) -> Iterator[tuple[Any, int, int, int]]:
    engine = app.extensions["civic.engine"]
    if engine.dialect.name != "postgresql":
        pytest.skip("two writers at the same instant: PostgreSQL's row locks")
    with Session(engine) as setup:
        contract = factories.make_contract(setup)
        survey = make_survey(setup, make_evaluation(setup, contract))
        item = add(setup, survey, "scale")
        resident = factories.make_user(setup)
        setup.commit()
        ids = survey.id, item.id, resident.id
    try:
        yield engine, *ids
    finally:
        with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())


def _answer_in_own_connection(app: Flask, engine: Any, survey_id: int, item_id: int,
                              user_id: int, barrier: threading.Barrier,
                              outcomes: list[str]) -> None:
    from civic.accounts.models import User

    with app.app_context(), Session(engine) as session:
        found = session.get(Survey, survey_id)
        assert found is not None
        parsed, profile = surveys.parse(found, {f"item-{item_id}": "3"}, ())
        barrier.wait(timeout=30)
        try:
            surveys.answer(session, found, parsed, profile, channel="online", today=TODAY,
                           now=NOW, user=session.get(User, user_id))
            session.commit()
            outcomes.append("answered")
        except surveys.SurveyError as error:
            session.rollback()
            outcomes.append(error.code)
        except Exception as error:  # reported by the assertion, not lost
            outcomes.append(repr(error))


def test_two_submissions_at_once_by_one_account_make_one_answer(
        app: Flask, committed: tuple[Any, int, int, int]) -> None:
    engine, survey_id, item_id, user_id = committed
    barrier = threading.Barrier(3)
    outcomes: list[str] = []
    threads = [threading.Thread(target=_answer_in_own_connection,
                                args=(app, engine, survey_id, item_id, user_id, barrier,
                                      outcomes)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["already_answered", "already_answered", "answered"]
    with Session(engine) as check:
        assert check.scalar(select(func.count()).select_from(SurveyParticipation)) == 1
        assert check.scalar(select(func.count()).select_from(SurveyInbox)) == 1


# --- The attacker who reads the whole database, and the logs --------------------------------


def _columns(db: Any, table: str) -> dict[str, str]:
    return {c["name"]: str(c["type"]).upper()
            for c in inspect(db.connection()).get_columns(table)}


def test_the_answers_hold_no_account_and_no_moment(db: Any) -> None:
    """What an answer is stored as, whatever it says: no column that names a person or
    dates the answer (a free text keeps the day of its mix, at midnight, for moderators)."""
    for table in ("survey_responses", "survey_answers", "survey_inbox", "survey_texts"):
        columns = _columns(db, table)
        assert not [c for c in columns if "user" in c or "author" in c or "account" in c]
        moments = {c for c, kind in columns.items() if "TIME" in kind}
        assert moments <= ({"created_at", "moderated_at"} if table == "survey_texts"
                           else set()), table
    assert "moderated_by_id" in _columns(db, "survey_texts")  # the moderator, not the author


RUNS = 24


def test_three_residents_answers_cannot_be_told_apart_by_reading_the_database(
        db: Any, evaluation: Evaluation, quartier: Any) -> None:
    """The attacker knows the three accounts and reads every table. In each run, three
    residents answer one after the other, each a number of their own and a sentence of
    their own: the sealed inbox shows none of it, and once mixed, the responses sorted by
    id line up with the order of answering no more often than chance (1 run in 6)."""
    residents = [factories.make_user(db, display_name=f"Habitante {n}", quartier_id=quartier.id)
                 for n in range(3)]
    in_order = 0
    for run in range(RUNS):
        survey = make_survey(db, evaluation, title=f"Enquête {run}")
        number, sentence = add(db, survey, "number"), add(db, survey, "text")
        for n, resident in enumerate(residents):
            give(db, survey, {number: str(100 * run + n), sentence: f"Phrase-{run}-{n}"},
                 user=resident, profile={"gender": "woman"})
        sealed = json.dumps([row.payload for row in db.scalars(select(SurveyInbox).where(
            SurveyInbox.survey_id == survey.id))])
        assert f"Phrase-{run}-" not in sealed
        assert f'"{100 * run}"' not in sealed
        surveys.mix(db, survey, minimum=0)
        by_id = [int(a.number) for a in db.scalars(
            select(SurveyAnswer).join(SurveyResponse).where(
                SurveyResponse.survey_id == survey.id).order_by(SurveyResponse.id))]
        assert sorted(by_id) == [100 * run + n for n in range(3)]
        in_order += by_id == [100 * run + n for n in range(3)]
        texts = db.scalars(select(SurveyText).where(SurveyText.survey_id == survey.id)).all()
        assert {t.created_at for t in texts} == {NOW.replace(hour=0)}
    # By chance 4 runs in 24; 12 or more about once in 20 000 tries… and every time when
    # ids follow the order of answering.
    assert in_order < RUNS // 2
    register = db.scalars(select(SurveyParticipation)).all()
    assert {r.user_id for r in register} == {r.id for r in residents}
    assert {r.answered_on for r in register} == {TODAY}  # a day, never a moment


def test_a_free_text_is_dated_by_its_mix_not_by_the_day_its_author_answered(
        db: Any, survey: Survey, quartier: Any) -> None:
    """The attacker reads the register (who answered, which day) and the free texts. On
    a quiet day one resident answered alone: had the text kept its day, that day's text
    would be hers. Texts carry the day they were mixed, the same for all of a mix."""
    sentence = add(db, survey, "text")
    days = [TODAY + timedelta(days=n) for n in range(3)]
    for n, day in enumerate(days):
        resident = factories.make_user(db, quartier_id=quartier.id)
        parsed, profile = surveys.parse(survey, {f"item-{sentence.id}": f"Texte {n}"}, ())
        surveys.answer(db, survey, parsed, profile, channel="online", today=day,
                       now=NOW + timedelta(days=n), user=resident)
    mixed = NOW + timedelta(days=5)
    surveys.mix(db, survey, minimum=0, now=mixed)
    register = {r.user_id: r.answered_on for r in db.scalars(
        select(SurveyParticipation).where(SurveyParticipation.survey_id == survey.id))}
    assert sorted(register.values()) == days  # one person a day: each day names one
    texts = db.scalars(select(SurveyText).where(SurveyText.survey_id == survey.id)).all()
    assert sorted(t.body for t in texts) == ["Texte 0", "Texte 1", "Texte 2"]
    assert {t.created_at.date() for t in texts} == {mixed.date()}
    assert not {t.created_at.date() for t in texts} & set(days)


def test_the_logs_of_answering_hold_none_of_the_answers(
        app: Flask, client: Any, login_as: Any, db: Any, evaluation: Evaluation,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    survey = make_survey(db, evaluation)
    number, sentence = add(db, survey, "number"), add(db, survey, "text")
    choice = add(db, survey, "single")
    for n in range(3):
        resident = factories.make_user(db, display_name=f"Votante {n}")
        answered = login_as(resident).post(f"/enquetes/{survey.id}", data={
            f"item-{number.id}": f"{4240 + n}", f"item-{sentence.id}": f"Zanzibar-77{n}",
            f"item-{choice.id}": "2", "gender": "woman"})
        assert answered.status_code == 302
    # Every field of every record, but for the logging module's own clock and process
    # numbers, in whose digits a number like 4241 can show up by chance.
    own = {"created", "msecs", "relativeCreated", "thread", "process", "taskName"}
    logged = "\n".join(f"{r.getMessage()} "
                       f"{ {k: v for k, v in r.__dict__.items() if k not in own} }"
                       for r in caplog.records)
    assert caplog.records  # the access lines were captured
    for secret in ("Zanzibar", "4240", "4241", "4242", "woman"):
        assert secret not in logged


# --- Free texts in moderation --------------------------------------------------------------


def test_free_texts_wait_for_their_quartier_s_moderators_or_the_committee(
        db: Any, survey: Survey, quartier: Any, other_quartier: Any, people: dict) -> None:
    item = add(db, survey, "text")
    from_account = factories.make_user(db, quartier_id=quartier.id)
    give(db, survey, {item: "Le square est enfin éclairé."}, user=from_account)
    give(db, survey, {item: "On manque de bancs."}, user=factories.make_user(db))
    surveys.mix(db, survey, minimum=0)
    texts = {t.body: t for t in db.scalars(select(SurveyText))}
    assert texts["Le square est enfin éclairé."].quartier_id == quartier.id
    assert texts["On manque de bancs."].quartier_id is None
    assert {t.moderation for t in texts.values()} == {State.PENDING}
    queue = moderation_queries.queue(db, {quartier.id}, NOW)
    assert [e.item.text for e in queue.pending if e.kind.name == "survey_text"] == [
        "Le square est enfin éclairé."]
    assert [e.item.text for e in moderation_queries.queue(db, {other_quartier.id}, NOW)
            .pending if e.kind.name == "survey_text"] == []
    assert [t.body for t in text_kind.committee_pending(db, survey)] == ["On manque de bancs."]
    loose = texts["On manque de bancs."]
    refusals = [("publish", people["moderator"], "", "forbidden"),
                ("reject", people["pilot"], "  ", "reason_required"),
                ("hide", people["pilot"], "", "action")]
    for action, actor, reason, code in refusals:
        with pytest.raises(ModerationError) as refused:
            text_kind.committee_decide(db, loose, action, reason=reason, actor=actor, now=NOW)
        assert refused.value.code == code
    with pytest.raises(ModerationError) as theirs:
        text_kind.committee_decide(db, texts["Le square est enfin éclairé."], "publish",
                                   actor=people["pilot"], now=NOW)
    assert theirs.value.code == "forbidden"
    evaluator = factories.make_user(db, roles=[(Role.EVALUATOR, None)])
    text_kind.committee_decide(db, loose, "publish", actor=evaluator, now=NOW)
    assert loose.moderation == State.PUBLISHED
    with pytest.raises(ModerationError) as twice:
        text_kind.committee_decide(db, loose, "reject", reason="Doublon", actor=evaluator,
                                   now=NOW)
    assert twice.value.code == "state"
    entry = db.scalars(select(AuditEntry).where(AuditEntry.target_type == "survey_text")).one()
    assert (entry.action, entry.actor_id, entry.details["after"]) == (
        "moderation.publish", evaluator.id, "published")

