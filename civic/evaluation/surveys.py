"""The evaluation's surveys: the committee builds them from typed items written in
French, English and Arabic; residents answer online (with or without an account, or
through a poster's link), at a permanence's tablet, or on paper typed in later.

What keeps an answer secret: the register (``SurveyParticipation``) says who answered,
never what; the answers (``SurveyResponse``) say what, never who, when or in what
order (random ids, no moment, no account); a free text is kept apart from the rest of
its response and waits for moderation; nothing of an answer is logged or audited.

What keeps "one answer per account or per printed code": the register's unique
(survey, account) and a code spent by one conditional UPDATE, both in the answer's own
transaction, so two submissions at once make one answer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import nacl.secret
from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from civic.accounts.models import AGE_BRACKETS, GENDERS
from civic.core import audit, clock
from civic.core.db import delete_count, insert_once
from civic.core.errors import RuleBroken
from civic.evaluation.models import (
    ITEM_KINDS,
    SURVEY_CHANNELS,
    SURVEY_LANGUAGES,
    Evaluation,
    PaperBatch,
    Survey,
    SurveyAnswer,
    SurveyCode,
    SurveyInbox,
    SurveyItem,
    SurveyParticipation,
    SurveyResponse,
    SurveyText,
)
from civic.permanence import codes as code_format

if TYPE_CHECKING:
    from civic.accounts.models import User

#: A scale has this many points, each with its word (1 = the worst, 5 = the best).
SCALE_POINTS = 5
#: Choices of a single or multiple item.
MIN_OPTIONS, MAX_OPTIONS = 2, 12
TITLE_MAX, INTRO_MAX, LABEL_MAX, OPTION_MAX, SCALE_WORD_MAX = 160, 2000, 300, 120, 40
#: A free-text answer: short, as the issue asks.
TEXT_MAX = 1000
#: The largest number an answer may give (the column holds 12 digits before the point).
NUMBER_LIMIT = Decimal("999999999999")
#: Codes printed in one go.
MAX_CODES = 500


class SurveyError(RuleBroken):
    pass


@dataclass
class AnswerErrors(Exception):
    """Every wrong answer of a submitted form at once: {field: code}, where the field is
    ``item-<id>`` or a profile field, so the form shows each message next to its own
    question and keeps the rest."""

    errors: dict[str, str] = field(default_factory=dict)


def _words(text: Any) -> str:
    return " ".join(str(text or "").split())


# --- Building ----------------------------------------------------------------------------


def _check_survey_texts(texts: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    clean: dict[str, dict[str, str]] = {}
    for language in SURVEY_LANGUAGES:
        given = texts.get(language) or {}
        title = _words(given.get("title"))
        intro = str(given.get("intro") or "").strip()
        if not title:
            raise SurveyError("title_required", f"title_{language}")
        if len(title) > TITLE_MAX:
            raise SurveyError("too_long", f"title_{language}")
        if len(intro) > INTRO_MAX:
            raise SurveyError("too_long", f"intro_{language}")
        clean[language] = {"title": title, "intro": intro}
    return clean


def _check_dates(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        raise SurveyError("closes_before_opening", "closes_at")


def create_survey(db: Session, evaluation: Evaluation, values: Mapping[str, Any], *,
                  actor: User | None, now: datetime) -> Survey:
    """``values``: texts ({language: {title, intro}}), opens_at, closes_at, once,
    ask_profile."""
    texts = _check_survey_texts(values["texts"])
    _check_dates(values["opens_at"], values["closes_at"])
    survey = Survey(evaluation_id=evaluation.id, texts=texts, opens_at=values["opens_at"],
                    closes_at=values["closes_at"], once=bool(values["once"]),
                    ask_profile=bool(values.get("ask_profile", True)), created_at=now)
    db.add(survey)
    db.flush()
    audit.record(db, actor=actor, action="evaluation.survey_created", target_type="survey",
                 target_id=survey.id, now=now, title=texts["fr"]["title"],
                 once=survey.once)
    return survey


def has_answers(db: Session, survey: Survey) -> bool:
    return db.scalar(select(SurveyParticipation.id).where(
        SurveyParticipation.survey_id == survey.id).limit(1)) is not None


def update_survey(db: Session, survey: Survey, values: Mapping[str, Any], *,
                  actor: User | None, now: datetime) -> None:
    """Wording and dates may change at any time before the results; whether it is
    answered once or openly, and whether it asks the profile, only before the first
    answer (the answers already given were asked under the old rule)."""
    if survey.results_at is not None:
        raise SurveyError("results_published")
    texts = _check_survey_texts(values["texts"])
    _check_dates(values["opens_at"], values["closes_at"])
    answered = has_answers(db, survey)
    if answered and (bool(values["once"]) != survey.once
                     or bool(values.get("ask_profile", True)) != survey.ask_profile):
        raise SurveyError("rules_fixed_by_answers", "once")
    changed = {}
    for name, value in (("texts", texts), ("opens_at", values["opens_at"]),
                        ("closes_at", values["closes_at"]), ("once", bool(values["once"])),
                        ("ask_profile", bool(values.get("ask_profile", True)))):
        if getattr(survey, name) != value:
            changed[name] = [str(getattr(survey, name)), str(value)]
            setattr(survey, name, value)
    db.flush()
    if changed:
        audit.record(db, actor=actor, action="evaluation.survey_changed",
                     target_type="survey", target_id=survey.id, now=now, changed=changed)


def _check_options(given: Mapping[str, Any], language: str) -> list[str]:
    options = [o for o in (_words(o) for o in given.get("options") or []) if o]
    if len(options) < MIN_OPTIONS:
        raise SurveyError("too_few_options", f"options_{language}")
    if len(options) > MAX_OPTIONS:
        raise SurveyError("too_many_options", f"options_{language}")
    if any(len(o) > OPTION_MAX for o in options):
        raise SurveyError("too_long", f"options_{language}")
    if len({o.casefold() for o in options}) != len(options):
        raise SurveyError("same_option_twice", f"options_{language}")
    return options


def _check_scale(given: Mapping[str, Any], language: str) -> list[str]:
    scale = [_words(w) for w in given.get("scale") or []]
    if len(scale) != SCALE_POINTS or not all(scale):
        raise SurveyError("scale_words", f"scale_{language}")
    if any(len(w) > SCALE_WORD_MAX for w in scale):
        raise SurveyError("too_long", f"scale_{language}")
    return scale


def _check_item_texts(kind: str, texts: Mapping[str, Mapping[str, Any]]
                      ) -> dict[str, dict[str, Any]]:
    """The label in every language; the options of a choice item (the same number in
    every language); the five words of a scale."""
    clean: dict[str, dict[str, Any]] = {}
    for language in SURVEY_LANGUAGES:
        given = texts.get(language) or {}
        label = _words(given.get("label"))
        if not label:
            raise SurveyError("label_required", f"label_{language}")
        if len(label) > LABEL_MAX:
            raise SurveyError("too_long", f"label_{language}")
        entry: dict[str, Any] = {"label": label}
        if kind in ("single", "multiple"):
            entry["options"] = _check_options(given, language)
        if kind == "scale":
            entry["scale"] = _check_scale(given, language)
        clean[language] = entry
    if len({len(entry.get("options", [])) for entry in clean.values()}) > 1:
        raise SurveyError("options_differ", "options_en")
    return clean


def _check_bounds(kind: str, minimum: Decimal | None, maximum: Decimal | None
                  ) -> tuple[Decimal | None, Decimal | None]:
    if kind != "number":
        return None, None
    for name, bound in (("minimum", minimum), ("maximum", maximum)):
        if bound is not None and abs(bound) > NUMBER_LIMIT:
            raise SurveyError("number_too_large", name)
    if minimum is not None and maximum is not None and maximum <= minimum:
        raise SurveyError("maximum_not_above_minimum", "maximum")
    return minimum, maximum


def _check_structure_open(db: Session, survey: Survey) -> None:
    if has_answers(db, survey):
        raise SurveyError("items_fixed_by_answers")


def add_item(db: Session, survey: Survey, values: Mapping[str, Any], *,
             actor: User | None, now: datetime) -> SurveyItem:
    """``values``: question_id (a question of the survey's evaluation), kind, required,
    texts ({language: {label, options, scale}}), minimum, maximum."""
    _check_structure_open(db, survey)
    kind = values["kind"]
    if kind not in ITEM_KINDS:
        raise SurveyError("unknown_item_kind", "kind")
    question_ids = {q.id for q in survey.evaluation.questions}
    if values["question_id"] not in question_ids:
        raise SurveyError("unknown_question", "question_id")
    texts = _check_item_texts(kind, values["texts"])
    minimum, maximum = _check_bounds(kind, values.get("minimum"), values.get("maximum"))
    position = max((i.position for i in survey.items), default=-1) + 1
    item = SurveyItem(survey_id=survey.id, question_id=values["question_id"], kind=kind,
                      position=position, required=bool(values.get("required")),
                      texts=texts, minimum=minimum, maximum=maximum)
    db.add(item)
    db.flush()
    db.refresh(survey, ["items"])
    audit.record(db, actor=actor, action="evaluation.survey_item_added",
                 target_type="survey", target_id=survey.id, now=now, item=item.id,
                 kind=kind, label=texts["fr"]["label"])
    return item


def update_item(db: Session, item: SurveyItem, values: Mapping[str, Any], *,
                actor: User | None, now: datetime) -> None:
    """Before the first answer anything may change but the kind; after it, only the
    wording, and a choice item keeps its number of options (answers point to them)."""
    survey = item.survey
    if survey.results_at is not None:
        raise SurveyError("results_published")
    answered = has_answers(db, survey)
    texts = _check_item_texts(item.kind, values["texts"])
    if values["question_id"] not in {q.id for q in survey.evaluation.questions}:
        raise SurveyError("unknown_question", "question_id")
    if answered and (len(texts["fr"].get("options", [])) != len(item.words("fr")["options"])
                     or values["question_id"] != item.question_id
                     or bool(values.get("required")) != item.required):
        raise SurveyError("items_fixed_by_answers")
    minimum, maximum = _check_bounds(item.kind, values.get("minimum"), values.get("maximum"))
    if answered and (minimum, maximum) != (item.minimum, item.maximum):
        raise SurveyError("items_fixed_by_answers")
    before = item.words("fr")["label"]
    item.texts, item.minimum, item.maximum = texts, minimum, maximum
    item.question_id, item.required = values["question_id"], bool(values.get("required"))
    db.flush()
    audit.record(db, actor=actor, action="evaluation.survey_item_changed",
                 target_type="survey", target_id=survey.id, now=now, item=item.id,
                 label=[before, texts["fr"]["label"]])


def remove_item(db: Session, item: SurveyItem, *, actor: User | None, now: datetime) -> None:
    survey = item.survey
    _check_structure_open(db, survey)
    audit.record(db, actor=actor, action="evaluation.survey_item_removed",
                 target_type="survey", target_id=survey.id, now=now, item=item.id,
                 label=item.words("fr")["label"])
    db.delete(item)
    db.flush()
    db.refresh(survey, ["items"])


def move_item(db: Session, item: SurveyItem, step: int, *, actor: User | None = None,
              now: datetime | None = None) -> None:
    """Up (-1) or down (+1) one place; the order residents read the items in. Journaled
    when ``now`` is given (the committee's pages give it)."""
    items = list(item.survey.items)
    index = items.index(item)
    other = index + step
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items):
        each.position = position
    db.flush()
    db.refresh(item.survey, ["items"])
    if now is not None:
        audit.record(db, actor=actor, action="evaluation.survey_item_moved",
                     target_type="survey", target_id=item.survey_id, now=now, item=item.id,
                     position=[index + 1, other + 1])


# --- Answering ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    """One item's answer, checked: choices (option indices or the scale point), a
    number, or a text; empty when the item was left blank."""

    choices: tuple[int, ...] = ()
    number: Decimal | None = None
    text: str = ""

    @property
    def blank(self) -> bool:
        return not self.choices and self.number is None and not self.text


def _as_index(raw: Any, size: int) -> int | None:
    try:
        value = int(str(raw).strip())
    except ValueError:
        return None
    return value if 0 <= value < size else None


def _parse_choices(item: SurveyItem, values: list[str], name: str) -> Parsed:
    options = len(item.words("fr")["options"])
    if item.kind == "scale":
        options = SCALE_POINTS + 1
    indices = [_as_index(v, options) for v in values]
    wrong = any(i is None for i in indices) or len(set(indices)) != len(indices)
    if wrong or (item.kind != "multiple" and len(indices) != 1) or (
            item.kind == "scale" and indices == [0]):
        raise SurveyError("unknown_option", name)
    return Parsed(choices=tuple(sorted(i for i in indices if i is not None)))


def _parse_number(item: SurveyItem, values: list[str], name: str) -> Parsed:
    if len(values) != 1:
        raise SurveyError("not_a_number", name)
    typed = values[0].strip().replace(",", ".").replace("\u202f", "").replace(" ", "")
    try:
        number = Decimal(typed)
    except InvalidOperation:
        raise SurveyError("not_a_number", name) from None
    if not number.is_finite() or abs(number) > NUMBER_LIMIT:
        raise SurveyError("not_a_number", name)
    if number != number.quantize(Decimal("0.01")):
        raise SurveyError("too_many_decimals", name)
    if item.minimum is not None and number < item.minimum:
        raise SurveyError("below_minimum", name, minimum=item.minimum)
    if item.maximum is not None and number > item.maximum:
        raise SurveyError("above_maximum", name, maximum=item.maximum)
    return Parsed(number=number)


def parse_item(item: SurveyItem, raw: Any) -> Parsed:
    """``raw`` as a form gives it: a string, or a list of strings for a multiple item.
    Raises SurveyError("…", "item-<id>")."""
    name = f"item-{item.id}"
    values = [str(v) for v in (raw if isinstance(raw, list | tuple) else [raw])
              if v is not None and str(v).strip() != ""]
    if not values:
        if item.required:
            raise SurveyError("answer_required", name)
        return Parsed()
    if item.kind in ("single", "multiple", "scale"):
        return _parse_choices(item, values, name)
    if item.kind == "number":
        return _parse_number(item, values, name)
    text = "\n".join(line.strip() for line in values[0].strip().splitlines()).strip()
    if len(text) > TEXT_MAX:
        raise SurveyError("too_long", name)
    if any(_invisible(char) for char in text):
        # A NUL byte would be refused by PostgreSQL when the answer is mixed in; a
        # direction override would disguise the text in the moderators' queue.
        raise SurveyError("invisible_characters", name)
    return Parsed(text=text)


def _invisible(char: str) -> bool:
    """Control and format characters, but for tabs, new lines and the marks that
    right-to-left and joined scripts need."""
    return (unicodedata.category(char) in {"Cc", "Cf"}
            and char not in {"\n", "\t", "\u200e", "\u200f", "\u200c", "\u200d"})


@dataclass(frozen=True)
class Profile:
    """What a person chose to say about themselves; each part optional."""

    quartier_id: int | None = None
    gender: str | None = None
    age_bracket: str | None = None


def parse_profile(raw: Mapping[str, Any], quartier_ids: Collection[int]) -> Profile:
    """Unknown values are refused (a tampered form), empty ones mean "prefer not to
    say"."""
    errors: dict[str, str] = {}
    gender = str(raw.get("gender") or "").strip() or None
    age = str(raw.get("age_bracket") or "").strip() or None
    quartier_raw = str(raw.get("quartier_id") or "").strip()
    quartier_id: int | None = None
    if gender is not None and gender not in GENDERS:
        errors["gender"] = "unknown_option"
    if age is not None and age not in AGE_BRACKETS:
        errors["age_bracket"] = "unknown_option"
    if quartier_raw:
        try:
            quartier_id = int(quartier_raw)
        except ValueError:
            quartier_id = None
        if quartier_id not in quartier_ids:
            errors["quartier_id"] = "unknown_option"
            quartier_id = None
    if errors:
        raise AnswerErrors(errors)
    return Profile(quartier_id=quartier_id, gender=gender, age_bracket=age)


def parse(survey: Survey, raw: Mapping[str, Any], quartier_ids: Collection[int]
          ) -> tuple[dict[int, Parsed], Profile]:
    """Every item of the form and the profile, checked together: raises AnswerErrors
    naming each wrong field, so nothing typed is lost to the first mistake."""
    errors: dict[str, str] = {}
    parsed: dict[int, Parsed] = {}
    for item in survey.items:
        try:
            parsed[item.id] = parse_item(item, raw.get(f"item-{item.id}"))
        except SurveyError as error:
            errors[error.field or f"item-{item.id}"] = error.code
    profile = Profile()
    if survey.ask_profile:
        try:
            profile = parse_profile(raw, quartier_ids)
        except AnswerErrors as wrong:
            errors.update(wrong.errors)
    if errors:
        raise AnswerErrors(errors)
    if all(p.blank for p in parsed.values()):
        raise AnswerErrors({"form": "nothing_answered"})
    return parsed, profile


def _spend_code(db: Session, survey: Survey, code: str) -> None:
    typed = code_format.normalise(code)
    if not code_format.well_formed(typed):
        raise SurveyError("code_mistyped", "code")
    spent = delete_count(db, update(SurveyCode).where(
        SurveyCode.digest == code_format.digest(typed), SurveyCode.survey_id == survey.id,
        SurveyCode.spent.is_(False), SurveyCode.void.is_(False)).values(spent=True))
    if not spent:
        raise SurveyError("code_unknown_or_used", "code")


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _check_channel(survey: Survey, channel: str, now: datetime,
                   batch: PaperBatch | None) -> None:
    if channel not in SURVEY_CHANNELS:
        raise SurveyError("unknown_channel")
    if channel == "paper":
        if batch is None or batch.survey_id != survey.id:
            raise SurveyError("paper_needs_batch")
        if not survey.takes_paper(now):
            raise SurveyError("survey_closed")
    elif not survey.is_open(now):
        raise SurveyError("survey_closed")


def _store(db: Session, survey: Survey, parsed: Mapping[int, Parsed], profile: Profile, *,
           channel: str, quartier_id: int | None) -> None:
    """Into the inbox, to be mixed with others' answers (``mix``): neither the moment
    nor the day goes with them."""
    answers: list[list[Any]] = []
    texts: list[list[Any]] = []
    for item_id, given in parsed.items():
        answers.extend([item_id, rank, choice, None] for rank, choice in enumerate(given.choices))
        if given.number is not None:
            answers.append([item_id, 0, None, str(given.number)])
        if given.text:
            texts.append([item_id, given.text])
    db.add(SurveyInbox(id=secrets.token_hex(16), survey_id=survey.id, payload=_seal({
        "channel": channel, "quartier_id": profile.quartier_id, "gender": profile.gender,
        "age_bracket": profile.age_bracket,
        "text_quartier_id": quartier_id, "answers": answers, "texts": texts})))
    db.flush()


def _inbox_box() -> nacl.secret.SecretBox:
    """The inbox's key, drawn from the site's secret key: a dump or a backup of the
    database alone does not read the answers waiting there."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return nacl.secret.SecretBox(hmac.new(secret, b"civic survey inbox",
                                          hashlib.sha256).digest())


def _seal(payload: dict[str, Any]) -> dict[str, Any]:
    sealed = _inbox_box().encrypt(json.dumps(payload).encode())
    return {"sealed": base64.b64encode(bytes(sealed)).decode()}


def _unseal(stored: Mapping[str, Any]) -> dict[str, Any]:
    opened = _inbox_box().decrypt(base64.b64decode(stored["sealed"]))
    return dict(json.loads(opened))


def mix(db: Session, survey: Survey, *, minimum: int, now: datetime | None = None) -> int:
    """Move the waiting answers into the responses, in a random order, with fresh
    random ids, in the caller's transaction (one of its own: the job's, or the
    publication's), once at least ``minimum`` are waiting. Says how many moved.

    Every response of a mix then carries the same transaction stamp, and the register
    lines of those ``minimum`` or more people are all the stamps can point to. A
    ``minimum`` of 0 moves whatever waits (the results' publication does it, then
    mixes every response of the survey again, so that a last small group is not left
    alone).

    Free texts are dated with the day of the mix (``now``'s), never the day they were
    written: on a day when one person answered, the register's day would name the
    author of the text of that day.
    """
    waiting = list(db.scalars(select(SurveyInbox).where(SurveyInbox.survey_id == survey.id)
                              .with_for_update(skip_locked=True)))
    if not waiting or len(waiting) < minimum:
        return 0
    secrets.SystemRandom().shuffle(waiting)
    mixed_on = _local_midnight((now or clock.now()).date())
    for row in waiting:
        _write_response(db, survey, _unseal(row.payload), mixed_on)
    db.execute(delete(SurveyInbox).where(SurveyInbox.id.in_([row.id for row in waiting])))
    db.flush()
    return len(waiting)


def _write_response(db: Session, survey: Survey, payload: Mapping[str, Any],
                    mixed_on: datetime) -> None:
    response = SurveyResponse(id=secrets.token_hex(16), survey_id=survey.id,
                              channel=payload["channel"], quartier_id=payload["quartier_id"],
                              gender=payload["gender"], age_bracket=payload["age_bracket"])
    db.add(response)
    for item_id, rank, choice, number in payload["answers"]:
        db.add(SurveyAnswer(response_id=response.id, item_id=item_id, rank=rank,
                            choice=choice,
                            number=Decimal(number) if number is not None else None))
    for item_id, body in payload["texts"]:
        db.add(SurveyText(survey_id=survey.id, item_id=item_id,
                          quartier_id=payload["text_quartier_id"], body=body,
                          created_at=mixed_on))


def remix_all(db: Session, survey: Survey) -> None:
    """Every response of the survey written again, in a random order and with fresh
    ids, in one transaction: no response keeps the stamp of the small group it came
    with. Free texts keep their ids (moderators' decisions point to them) but are
    written again too, so that they carry this transaction's stamp as well."""
    responses = list(db.scalars(select(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id)))
    rows: list[dict[str, Any]] = [
        {"channel": r.channel, "quartier_id": r.quartier_id, "gender": r.gender,
         "age_bracket": r.age_bracket,
         "answers": [[a.item_id, a.rank, a.choice, a.number] for a in r.answers]}
        for r in responses]
    for old in responses:
        for each in old.answers:
            db.expunge(each)
        db.expunge(old)
    mine = select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id)
    db.execute(delete(SurveyAnswer).where(SurveyAnswer.response_id.in_(mine)),
               execution_options={"synchronize_session": False})
    db.execute(delete(SurveyResponse).where(SurveyResponse.survey_id == survey.id),
               execution_options={"synchronize_session": False})
    secrets.SystemRandom().shuffle(rows)
    for row in rows:
        fresh = SurveyResponse(id=secrets.token_hex(16), survey_id=survey.id,
                               channel=row["channel"], quartier_id=row["quartier_id"],
                               gender=row["gender"], age_bracket=row["age_bracket"])
        db.add(fresh)
        for item_id, rank, choice, number in row["answers"]:
            db.add(SurveyAnswer(response_id=fresh.id, item_id=item_id, rank=rank,
                                choice=choice, number=number))
    db.execute(update(SurveyText).where(SurveyText.survey_id == survey.id)
               .values(body=SurveyText.body),
               execution_options={"synchronize_session": False})
    db.flush()


def answer(db: Session, survey: Survey, parsed: Mapping[int, Parsed], profile: Profile, *,
           channel: str, today: date, now: datetime, user: User | None = None,
           code: str | None = None, permanence: Any = None,
           batch: PaperBatch | None = None) -> None:
    """Record one person's answers, in the caller's transaction.

    Online and through a poster, a survey answered "once" takes an account (once per
    account) or a printed code (spent here); at the kiosk the animator's handover is
    the check, one handover for one person; on paper, each form is one line of its
    counted pile, and a code printed on it is spent too. On a SurveyError the caller
    rolls the transaction back (a code may have been spent).

    The answers wait in the inbox until ``mix`` moves them into the responses (the job
    ``evaluation.mix_answers``, or the results' publication); tests that read responses
    call ``mix(db, survey, minimum=0)`` first.
    """
    _check_channel(survey, channel, now, batch)
    account = user if channel in ("online", "poster") else None
    if code:
        _spend_code(db, survey, code)
    elif survey.once and channel in ("online", "poster") and account is None:
        raise SurveyError("account_or_code", "code")
    if batch is not None and not delete_count(db, update(PaperBatch).where(
            PaperBatch.id == batch.id, PaperBatch.closed_at.is_(None),
            PaperBatch.entered < PaperBatch.counted).values(entered=PaperBatch.entered + 1)):
        raise SurveyError("batch_full")
    # The register's quartier never comes from the answers of someone it names: the
    # profile stays with the anonymous response.
    quartier_id = ((batch.quartier_id if batch is not None else None)
                   or getattr(permanence, "quartier_id", None)
                   or (getattr(account, "quartier_id", None) if account is not None
                       else profile.quartier_id))
    register = SurveyParticipation(
        id=secrets.token_hex(16), survey_id=survey.id,
        user_id=account.id if account is not None and not code else None, channel=channel,
        answered_on=today, quartier_id=quartier_id,
        permanence_id=getattr(permanence, "id", None) or (
            batch.permanence_id if batch is not None else None))
    if not insert_once(db, register) and survey.once:
        raise SurveyError("already_answered")
    # An open survey answered again by the same account: the register counts the person
    # once; the new answers count as answers.
    _store(db, survey, parsed, profile, channel=channel, quartier_id=quartier_id)
    if batch is not None:
        db.refresh(batch, ["entered"])


def has_answered(db: Session, survey: Survey, user: User | None) -> bool:
    if user is None:
        return False
    return db.scalar(select(SurveyParticipation.id).where(
        SurveyParticipation.survey_id == survey.id,
        SurveyParticipation.user_id == user.id)) is not None


def answer_count(db: Session, survey: Survey) -> int:
    """Responses given, mixed or still waiting to be."""
    mixed = db.scalar(select(func.count()).select_from(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id))
    waiting = db.scalar(select(func.count()).select_from(SurveyInbox).where(
        SurveyInbox.survey_id == survey.id))
    return int(mixed or 0) + int(waiting or 0)


# --- Printed codes -----------------------------------------------------------------------


def print_codes(db: Session, survey: Survey, count: int, *, quartier: Any,
                permanence: Any = None, actor: User | None, now: datetime) -> list[str]:
    """``count`` new single-use codes, returned once to be printed: only their hashes
    are kept. Audited with the batch, the quartier and the count."""
    if not 1 <= count <= MAX_CODES:
        raise SurveyError("code_count", "count")
    if survey.results_at is not None or now >= survey.closes_at:
        raise SurveyError("survey_closed")
    batch = int(db.scalar(select(func.max(SurveyCode.batch)).where(
        SurveyCode.survey_id == survey.id)) or 0) + 1
    printed: list[str] = []
    while len(printed) < count:
        code = code_format.generate()
        if insert_once(db, SurveyCode(digest=code_format.digest(code), survey_id=survey.id,
                                      batch=batch, quartier_id=getattr(quartier, "id", None),
                                      permanence_id=getattr(permanence, "id", None))):
            printed.append(code)
    audit.record(db, actor=actor, action="evaluation.survey_codes_printed",
                 target_type="survey", target_id=survey.id, now=now, batch=batch,
                 count=count, quartier=getattr(quartier, "name", None),
                 permanence=getattr(permanence, "id", None))
    return printed


def void_codes(db: Session, survey: Survey, batch: int, *, actor: User | None,
               now: datetime) -> int:
    """A lost print run: its unspent codes stop working. Says how many."""
    voided = delete_count(db, update(SurveyCode).where(
        SurveyCode.survey_id == survey.id, SurveyCode.batch == batch,
        SurveyCode.spent.is_(False), SurveyCode.void.is_(False)).values(void=True))
    audit.record(db, actor=actor, action="evaluation.survey_codes_voided",
                 target_type="survey", target_id=survey.id, now=now, batch=batch,
                 count=voided)
    return voided


# --- Paper piles -------------------------------------------------------------------------


def open_batch(db: Session, survey: Survey, quartier: Any, label: str, counted: int, *,
               permanence: Any = None, actor: User | None, now: datetime) -> PaperBatch:
    """A pile of paper forms, counted by hand before any is typed in."""
    if not survey.takes_paper(now):
        raise SurveyError("survey_closed")
    label = _words(label)
    if not label:
        raise SurveyError("batch_label_required", "label")
    if len(label) > TITLE_MAX:
        raise SurveyError("too_long", "label")
    if not 1 <= counted <= 10_000:
        raise SurveyError("counted_range", "counted")
    batch = PaperBatch(survey_id=survey.id, quartier_id=quartier.id,
                       permanence_id=getattr(permanence, "id", None), label=label,
                       counted=counted, created_by_id=getattr(actor, "id", None),
                       created_at=now)
    db.add(batch)
    db.flush()
    audit.record(db, actor=actor, action="evaluation.paper_batch_opened",
                 target_type="survey", target_id=survey.id, now=now, pile=batch.id,
                 quartier=quartier.name, pile_label=label, counted=counted)
    return batch


def recount(db: Session, batch: PaperBatch, counted: int, *, actor: User | None,
            now: datetime) -> None:
    """The pile was counted again: the new count may not fall below the forms
    already typed in, checked by the UPDATE that sets it (a form typed in at the same
    moment is counted whichever comes first)."""
    if batch.closed_at is not None:
        raise SurveyError("batch_closed")
    if not 1 <= counted <= 10_000:
        raise SurveyError("counted_range", "counted")
    before = batch.counted
    if not delete_count(db, update(PaperBatch).where(
            PaperBatch.id == batch.id, PaperBatch.closed_at.is_(None),
            PaperBatch.entered <= counted).values(counted=counted)):
        db.refresh(batch, ["entered", "closed_at"])
        if batch.closed_at is not None:
            raise SurveyError("batch_closed")
        raise SurveyError("count_below_entered", "counted", entered=batch.entered)
    db.refresh(batch, ["counted", "entered"])
    audit.record(db, actor=actor, action="evaluation.paper_batch_recounted",
                 target_type="survey", target_id=batch.survey_id, now=now, pile=batch.id,
                 counted=[before, counted])


def close_batch(db: Session, batch: PaperBatch, *, actor: User | None, now: datetime) -> None:
    """Reconciled: as many forms typed in as counted by hand."""
    if batch.closed_at is not None:
        return
    # One UPDATE checks and closes: no form typed in or recount slips in between.
    closed = delete_count(db, update(PaperBatch).where(
        PaperBatch.id == batch.id, PaperBatch.closed_at.is_(None),
        PaperBatch.entered == PaperBatch.counted).values(closed_at=now))
    db.refresh(batch, ["entered", "counted", "closed_at"])
    if not closed and batch.closed_at is None:
        raise SurveyError("batch_not_reconciled", missing=batch.counted - batch.entered)
    if not closed:
        return
    audit.record(db, actor=actor, action="evaluation.paper_batch_closed",
                 target_type="survey", target_id=batch.survey_id, now=now, pile=batch.id,
                 counted=batch.counted)
