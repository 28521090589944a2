"""The forms of a survey at the tablet and on paper.

The animator's forms (handing the tablet over, opening, recounting and closing a pile)
are Flask-WTF forms. A survey's own items vary from one survey to the next: they are
read by ``civic.evaluation.surveys.parse`` and shown through the display-ready rows
built here, each with its kept answer and the message of its mistake.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from civic.accounts.forms import AGE_LABELS, GENDER_LABELS
from civic.accounts.models import AGE_BRACKETS, GENDERS
from civic.core.forms import TEXT_FILTERS, PlainText, choices, optional_int
from civic.core.i18n import LANGUAGE_NAMES, _, _l
from civic.evaluation.messages import ERRORS
from civic.evaluation.models import Survey, SurveyItem
from civic.evaluation.surveys import SCALE_POINTS

#: The most forms counted in one pile (the service's bound).
COUNTED_MAX = 10_000
#: What a printed code field takes (a code is 10 characters, dashes and spaces aside).
CODE_MAX = 30


class HandoverForm(FlaskForm):
    """The animator's screen: the resident's language, and the animator's word that
    the tablet goes to one new person."""

    language = SelectField(_l("Langue de la personne"), choices=lambda: choices(
        LANGUAGE_NAMES.items()), default="fr",
        description=_l("L’enquête s’affiche dans cette langue. La personne peut en "
                       "changer sur la tablette."))
    checked = BooleanField(_l("J’ai présenté l’enquête à la personne et je lui donne la "
                              "tablette"),
                           [DataRequired(message=_l("Cochez la case pour donner la "
                                                    "tablette."))])


def _counted(label: Any) -> IntegerField:
    return IntegerField(label, [
        InputRequired(message=_l("Indiquez un nombre.")),
        NumberRange(min=1, max=COUNTED_MAX,
                    message=_l("Entre 1 et 10 000 questionnaires."))])


class BatchForm(FlaskForm):
    """A pile of paper forms, counted by hand before any is typed in."""

    label = StringField(_l("D’où vient la pile"), [
        DataRequired(message=_l("Dites d’où vient la pile, par exemple « Permanence du "
                                "12 mars ».")),
        Length(max=160, message=_l("%(max)d caractères au plus.")), PlainText()],
        filters=TEXT_FILTERS,
        description=_l("Par exemple : permanence du 12 mars, maison de quartier."))
    counted = _counted(_l("Nombre de questionnaires comptés à la main"))
    permanence_id = SelectField(_l("Permanence (facultatif)"), coerce=optional_int)


class RecountForm(FlaskForm):
    counted = _counted(_l("Nouveau nombre de questionnaires comptés"))


class CloseBatchForm(FlaskForm):
    pass


# --- A survey's items, ready to show ------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    text: str
    checked: bool = False


@dataclass(frozen=True)
class ItemRow:
    """One item as a form shows it: numbered as on the printed form, with what was
    answered and the message of its mistake, if any."""

    number: int
    name: str
    kind: str
    label: str
    required: bool
    choices: list[Choice] = field(default_factory=list)
    #: A number or a text as it was typed.
    typed: str = ""
    #: The bounds of a number, in words.
    hint: str = ""
    error: str = ""


def _figure(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",")


def _bounds(item: SurveyItem) -> str:
    if item.minimum is not None and item.maximum is not None:
        return _("Un nombre entre %(min)s et %(max)s.", min=_figure(item.minimum),
                 max=_figure(item.maximum))
    if item.minimum is not None:
        return _("Un nombre, %(min)s au moins.", min=_figure(item.minimum))
    if item.maximum is not None:
        return _("Un nombre, %(max)s au plus.", max=_figure(item.maximum))
    return ""


def _choices(item: SurveyItem, language: str, kept: list[str]) -> list[Choice]:
    words = item.words(language)
    if item.kind == "scale":
        return [Choice(str(point), f"{point} — {word}", str(point) in kept)
                for point, word in zip(range(1, SCALE_POINTS + 1), words["scale"],
                                       strict=False)]
    if item.kind in ("single", "multiple"):
        return [Choice(str(index), text, str(index) in kept)
                for index, text in enumerate(words["options"])]
    return []


def message(code: str) -> str:
    """The words of an error code, in the language being rendered."""
    return str(ERRORS.get(code) or ERRORS["unknown_option"])


def item_rows(survey: Survey, language: str, raw: Mapping[str, list[str]],
              errors: Mapping[str, str]) -> list[ItemRow]:
    """The survey's items in ``language`` (French where a text is missing), with the
    answers ``raw`` kept and the messages of ``errors`` ({field: code})."""
    rows = []
    for number, item in enumerate(survey.items, start=1):
        name = f"item-{item.id}"
        kept = [str(v) for v in raw.get(name, [])]
        rows.append(ItemRow(
            number=number, name=name, kind=item.kind, label=item.words(language)["label"],
            required=item.required, choices=_choices(item, language, kept),
            typed=kept[0] if kept and item.kind in ("number", "text") else "",
            hint=_bounds(item) if item.kind == "number" else "",
            error=message(errors[name]) if name in errors else ""))
    return rows


@dataclass(frozen=True)
class ProfileRow:
    name: str
    label: str
    choices: list[Choice]
    error: str = ""


def profile_rows(raw: Mapping[str, list[str]], errors: Mapping[str, str],
                 quartiers: Iterable[Any]) -> list[ProfileRow]:
    """The optional profile questions, "prefer not to say" first, with what was chosen."""
    def kept(name: str) -> str:
        return (raw.get(name) or [""])[0]

    def select(name: str, label: Any, pairs: Iterable[tuple[Any, Any]]) -> ProfileRow:
        options = [Choice("", _("Je préfère ne pas le dire"), kept(name) == "")]
        options += [Choice(str(value), str(text), kept(name) == str(value))
                    for value, text in pairs]
        return ProfileRow(name, str(label), options,
                          message(errors[name]) if name in errors else "")

    return [
        select("gender", _l("Genre (facultatif)"), ((g, GENDER_LABELS[g]) for g in GENDERS)),
        select("age_bracket", _l("Âge (facultatif)"),
               ((a, AGE_LABELS[a]) for a in AGE_BRACKETS)),
        select("quartier_id", _l("Votre quartier (facultatif)"),
               ((q.id, q.name) for q in quartiers)),
    ]


def raw_answers(form: Any) -> dict[str, list[str]]:
    """A submitted form as lists of values, as ``surveys.parse`` takes them: one value
    as a string, several (a multiple item) as a list."""
    return {key: list(values) for key, values in form.lists()}


def for_parse(raw: Mapping[str, list[str]]) -> dict[str, Any]:
    return {key: values[0] if len(values) == 1 else values for key, values in raw.items()}
