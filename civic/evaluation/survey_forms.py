"""The forms of the surveys: the committee's (a survey, its items in three languages,
printed codes, decisions on free texts) and the resident's (a printed code and the
optional profile; the items' answers are read by ``surveys.parse``)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from civic.accounts.forms import age_choices, gender_choices
from civic.core.forms import TEXT_FILTERS, NumberField, PlainText, choices
from civic.core.i18n import _l
from civic.evaluation.models import SURVEY_LANGUAGES
from civic.evaluation.surveys import (
    INTRO_MAX,
    LABEL_MAX,
    MAX_CODES,
    MAX_OPTIONS,
    OPTION_MAX,
    SCALE_POINTS,
    SCALE_WORD_MAX,
    TITLE_MAX,
)
from civic.moderation.services import REASON_MAX

#: How each language of a survey is written.
DIRECTIONS = {"fr": "ltr", "en": "ltr", "ar": "rtl"}
#: The languages in the committee's words, whole sentences for the translators.
LANGUAGE_NAMES = {"fr": _l("Français"), "en": _l("Anglais"), "ar": _l("Arabe")}
TITLE_LABELS = {"fr": _l("Titre en français"), "en": _l("Titre en anglais"),
                "ar": _l("Titre en arabe")}
INTRO_LABELS = {"fr": _l("Présentation en français (facultatif)"),
                "en": _l("Présentation en anglais (facultatif)"),
                "ar": _l("Présentation en arabe (facultatif)")}
LABEL_LABELS = {"fr": _l("La question en français"), "en": _l("La question en anglais"),
                "ar": _l("La question en arabe")}
OPTIONS_LABELS = {"fr": _l("Les choix en français, un par ligne"),
                  "en": _l("Les choix en anglais, un par ligne"),
                  "ar": _l("Les choix en arabe, un par ligne")}
SCALE_LEGENDS = {"fr": _l("Les cinq mots de l’échelle en français"),
                 "en": _l("Les cinq mots de l’échelle en anglais"),
                 "ar": _l("Les cinq mots de l’échelle en arabe")}

KIND_LABELS = {
    "single": _l("Un seul choix"),
    "multiple": _l("Plusieurs choix possibles"),
    "scale": _l("Une échelle de 1 à 5, avec un mot à chaque point"),
    "number": _l("Un nombre"),
    "text": _l("Un texte libre court"),
}

RULE_LABELS = {
    "once": _l("Une réponse par compte ou par code imprimé"),
    "open": _l("Ouverte : chacun répond sans compte, autant de fois qu’il veut"),
}

_required = _l("Ce champ est obligatoire.")
_too_long = _l("%(max)d caractères au plus.")


def _written_in(language: str) -> dict[str, str]:
    """``lang`` and ``dir`` of an input written in ``language``, whatever the page's."""
    return {"lang": language, "dir": DIRECTIONS[language]}


def _line(label: Any, maximum: int, language: str, *, required: bool = True) -> StringField:
    checks: list[Any] = [Length(max=maximum, message=_too_long), PlainText()]
    return StringField(label, [DataRequired(message=_required), *checks] if required
                       else [Optional(), *checks], filters=TEXT_FILTERS,
                       render_kw=_written_in(language))


class SurveyForm(FlaskForm):
    opens_at = DateTimeLocalField(_l("Ouverture"), [InputRequired(
        message=_l("Indiquez une date et une heure."))], format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("Clôture"), [InputRequired(
        message=_l("Indiquez une date et une heure."))], format="%Y-%m-%dT%H:%M")
    once = RadioField(_l("Qui peut répondre ?"), choices=choices(RULE_LABELS.items()),
                      default="once",
                      validators=[InputRequired(message=_l("Choisissez une option."))])
    ask_profile = BooleanField(
        _l("Poser les questions facultatives sur la personne (genre, âge, quartier)"),
        default=True,
        description=_l("Pour savoir si l’on entend toutes les parties du quartier."))


for _language in SURVEY_LANGUAGES:
    setattr(SurveyForm, f"title_{_language}", _line(TITLE_LABELS[_language], TITLE_MAX,
                                                     _language))
    setattr(SurveyForm, f"intro_{_language}", TextAreaField(
        INTRO_LABELS[_language],
        [Optional(), Length(max=INTRO_MAX, message=_too_long), PlainText(multiline=True)],
        filters=TEXT_FILTERS, render_kw=_written_in(_language)))


class ItemForm(FlaskForm):
    """One item; the template shows the fields of its kind, ``complete_for`` asks for
    them in every language."""

    question_id = SelectField(_l("Question de l’évaluation à laquelle elle répond"),
                              validate_choice=False,
                              validators=[InputRequired(message=_l("Choisissez une question."))])
    required = BooleanField(_l("Une réponse est obligatoire"))
    minimum = NumberField(_l("Plus petit nombre accepté (facultatif)"), [Optional()])
    maximum = NumberField(_l("Plus grand nombre accepté (facultatif)"), [Optional()])

    def complete_for(self, kind: str) -> bool:
        """Choices and scale words are needed by their kind only: each missing one is
        said next to its field, every language at once."""
        names: list[str] = []
        for language in SURVEY_LANGUAGES:
            if kind in ("single", "multiple"):
                names.append(f"options_{language}")
            if kind == "scale":
                names += [f"scale_{language}_{n}" for n in range(1, SCALE_POINTS + 1)]
        complete = True
        for name in names:
            field = self[name]
            if not (field.data or "").strip() and not field.errors:
                field.errors = [*field.errors, str(_required)]
                complete = False
        return complete


for _language in SURVEY_LANGUAGES:
    setattr(ItemForm, f"label_{_language}", _line(LABEL_LABELS[_language], LABEL_MAX,
                                                   _language))
    setattr(ItemForm, f"options_{_language}", TextAreaField(
        OPTIONS_LABELS[_language],
        [Optional(), Length(max=(OPTION_MAX + 1) * MAX_OPTIONS, message=_too_long),
         PlainText(multiline=True)], filters=TEXT_FILTERS, render_kw=_written_in(_language)))
    for _point in range(1, SCALE_POINTS + 1):
        setattr(ItemForm, f"scale_{_language}_{_point}", _line(
            _l("Mot du point %(n)d sur 5", n=_point), SCALE_WORD_MAX, _language,
            required=False))


class RemoveItemForm(FlaskForm):
    confirm = BooleanField(_l("Je retire cette question de l’enquête"),
                           [DataRequired(message=_l("Cochez la case pour confirmer."))])


class MoveItemForm(FlaskForm):
    """Up or down: the button pressed gives the step."""


class CodesForm(FlaskForm):
    quartier_id = SelectField(_l("Pour quel quartier ?"), validate_choice=False,
                              validators=[InputRequired(message=_l("Choisissez un quartier."))])
    count = IntegerField(
        _l("Nombre de codes"),
        [InputRequired(message=_l("Indiquez un nombre.")),
         NumberRange(min=1, max=MAX_CODES, message=_l("Entre 1 et 500 codes."))],
        description=_l("Un code par personne. Les codes sont imprimés par huit sur une "
                       "feuille A4, à découper."))


class VoidCodesForm(FlaskForm):
    confirm = BooleanField(_l("Les codes non utilisés de ce lot ne marcheront plus"),
                           [DataRequired(message=_l("Cochez la case pour confirmer."))])


class TextDecisionForm(FlaskForm):
    """One free text: publish it, or refuse it with a reason; the button pressed is the
    action."""

    action = HiddenField()
    reason = TextAreaField(
        _l("Raison du refus"), filters=TEXT_FILTERS,
        description=_l("Obligatoire pour refuser. Elle reste dans le journal."),
        validators=[Optional(), Length(max=REASON_MAX, message=_too_long),
                    PlainText(multiline=True)])


class AnswerForm(FlaskForm):
    """The code printed on paper and the optional profile. The answers to the items are
    fields of their own (``item-<id>``), checked by the survey's rules."""

    code = StringField(_l("Le code imprimé sur votre papier"), filters=TEXT_FILTERS,
                       validators=[Optional(), Length(max=40, message=_too_long)],
                       description=_l("Par exemple : ABCD-EFGH-JK."))
    gender = SelectField(_l("Genre (facultatif)"), choices=gender_choices,
                         validate_choice=False)
    age_bracket = SelectField(_l("Âge (facultatif)"), choices=age_choices,
                              validate_choice=False)
    quartier_id = SelectField(_l("Votre quartier (facultatif)"), validate_choice=False)

