"""The forms of the evaluations, their questions, and the commitments' measures."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from civic.core.forms import TEXT_FILTERS, NumberField, PlainText, choices
from civic.core.i18n import _l

_required = DataRequired(message=_l("Ce champ est obligatoire."))
_number = [InputRequired(message=_l("Indiquez un nombre."))]


def _year() -> list[object]:
    return [InputRequired(message=_l("Indiquez une année, par exemple 2024.")),
            NumberRange(min=2000, max=2100, message=_l("Indiquez une année entre 2000 et "
                                                       "2100."))]


class IndicatorForm(FlaskForm):
    label = StringField(_l("Ce qu’on mesure"), [_required, Length(max=160), PlainText()],
                        filters=TEXT_FILTERS,
                        description=_l("Par exemple : stages proposés aux jeunes du "
                                       "quartier."))
    unit = StringField(_l("Unité"), [_required, Length(max=40), PlainText()],
                       filters=TEXT_FILTERS,
                       description=_l("Par exemple : stages, %, logements."))
    baseline = NumberField(_l("Point de départ"), _number)
    baseline_year = IntegerField(_l("Année du point de départ"), _year())
    target = NumberField(_l("Objectif"), _number)
    target_year = IntegerField(_l("Année de l’objectif"), _year())


class ValueForm(FlaskForm):
    year = IntegerField(_l("Année"), _year())
    value = NumberField(_l("Valeur"), _number)
    source = TextAreaField(_l("D’où vient ce chiffre ?"),
                           [_required, Length(max=500), PlainText(multiline=True)],
                           filters=TEXT_FILTERS,
                           description=_l("Par exemple : bilan annuel de la Mission "
                                          "locale, page 12."))


class RemoveIndicatorForm(FlaskForm):
    confirm = BooleanField(_l("Je supprime cet indicateur et toutes ses valeurs"),
                           [DataRequired(message=_l("Cochez la case pour confirmer."))])


KIND_LABELS = {"midterm": _l("Évaluation à mi-parcours"), "final": _l("Évaluation finale")}


class EvaluationForm(FlaskForm):
    kind = SelectField(_l("Quelle évaluation"), choices=choices(KIND_LABELS.items()))
    title = StringField(_l("Titre"), [_required, Length(max=160), PlainText()],
                        filters=TEXT_FILTERS)
    purpose = TextAreaField(_l("À quoi elle sert"), [Length(max=2000),
                                                      PlainText(multiline=True)],
                            filters=TEXT_FILTERS,
                            description=_l("En mots de tous les jours : ce qu’on veut savoir, "
                                           "et ce qu’on en fera."))
    starts_on = DateField(_l("Début"), [InputRequired(message=_l("Indiquez une date."))])
    ends_on = DateField(_l("Fin"), [InputRequired(message=_l("Indiquez une date."))])


class QuestionForm(FlaskForm):
    text = TextAreaField(_l("La question"), [_required, Length(max=500),
                                             PlainText(multiline=True)],
                         filters=TEXT_FILTERS,
                         description=_l("Par exemple : les jeunes du quartier trouvent-ils "
                                        "plus facilement un stage ?"))
    orientations = SelectMultipleField(_l("Orientations du contrat concernées"), coerce=int,
                                       widget=ListWidget(prefix_label=False),
                                       option_widget=CheckboxInput())


class RemoveQuestionForm(FlaskForm):
    confirm = BooleanField(_l("Je supprime cette question"),
                           [DataRequired(message=_l("Cochez la case pour confirmer."))])
