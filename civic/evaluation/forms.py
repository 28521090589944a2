"""The forms of the evaluations, their questions, and the commitments' measures."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from civic.core.forms import TEXT_FILTERS, NumberField, PlainText, choices, optional_int
from civic.core.i18n import _l
from civic.evaluation.proposals import QUESTION_MAX, REASON_MAX, TEXT_MAX, TEXT_MIN, WHY_MAX
from civic.evaluation.workshops import CAPTION_MAX, CONCLUSIONS_MAX, PARTICIPANTS_MAX

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
    proposals_until = DateField(
        _l("Dernier jour pour proposer des questions (facultatif)"), [Optional()],
        description=_l("Les habitants proposent des questions du début jusqu’à ce jour "
                       "compris. Laissez vide pour ne pas ouvrir les propositions."))


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


# --- Workshops ---------------------------------------------------------------------------


class AttachWorkshopForm(FlaskForm):
    event_id = SelectField(_l("L’atelier"), coerce=optional_int, validate_choice=False,
                           validators=[InputRequired(message=_l("Choisissez un atelier."))],
                           description=_l("Les événements de type « atelier » du contrat "
                                          "qui ne travaillent pas encore sur une question."))


class DetachWorkshopForm(FlaskForm):
    pass


class WorkshopForm(FlaskForm):
    conclusions = TextAreaField(
        _l("Les conclusions de l’atelier"),
        [_required, Length(max=CONCLUSIONS_MAX, message=_l("%(max)d caractères au plus.")),
         PlainText(multiline=True)], filters=TEXT_FILTERS,
        description=_l("Ce que les participants ont dit et proposé, en quelques phrases. "
                       "Ne citez personne par son nom."))
    participants = IntegerField(
        _l("Nombre de participants"), [Optional(), NumberRange(
            min=0, max=PARTICIPANTS_MAX,
            message=_l("Indiquez un nombre entre 0 et 10 000."))],
        description=_l("Laissez vide si personne ne les a comptés."))


class WorkshopPhotoForm(FlaskForm):
    photo = FileField(_l("Une photo des tableaux ou des affiches"),
                      description=_l("La position et la date de la photo sont effacées."),
                      validators=[FileRequired(message=_l("Choisissez une photo.")),
                                  FileAllowed(["jpg", "jpeg", "png", "webp", "heic", "gif"],
                                              _l("Envoyez une photo (JPEG, PNG ou WebP)."))])
    caption = StringField(_l("Ce que montre la photo"),
                          [_required, Length(max=CAPTION_MAX,
                                             message=_l("%(max)d caractères au plus.")),
                           PlainText()], filters=TEXT_FILTERS,
                          description=_l("Pour les personnes qui ne voient pas l’image. Par "
                                         "exemple : « Le tableau des idées pour le square »."))


class RemovePhotoForm(FlaskForm):
    pass


# --- Questions residents propose, and the committee's decisions -------------------------


class ProposalForm(FlaskForm):
    text = TextAreaField(
        _l("Votre question"),
        [DataRequired(message=_l("Écrivez votre question.")),
         Length(min=TEXT_MIN, max=TEXT_MAX,
                message=_l("Entre %(min)d et %(max)d caractères.")),
         PlainText(multiline=True)], filters=TEXT_FILTERS,
        description=_l("Ce que l’évaluation devrait chercher à savoir, en une phrase. Par "
                       "exemple : les jeunes trouvent-ils plus facilement un stage "
                       "qu’avant ?"))
    why = TextAreaField(
        _l("Pourquoi cette question compte pour vous (facultatif)"),
        [Length(max=WHY_MAX, message=_l("%(max)d caractères au plus.")),
         PlainText(multiline=True)], filters=TEXT_FILTERS)
    quartier_id = SelectField(
        _l("Votre quartier"), coerce=optional_int, validate_choice=False,
        description=_l("Le conseil citoyen de ce quartier relit votre question avant "
                       "qu’elle soit publiée."))
    show_name = RadioField(
        _l("Comment signer votre question"), default="anonymous",
        choices=choices([("anonymous", _l("« un·e habitant·e »")),
                         ("name", _l("Mon nom affiché"))]))


def _decision_reason(label: object) -> TextAreaField:
    return TextAreaField(
        label, [DataRequired(message=_l("Écrivez la raison du comité : elle sera "
                                        "publique.")),
                Length(max=REASON_MAX, message=_l("%(max)d caractères au plus.")),
                PlainText(multiline=True)], filters=TEXT_FILTERS,
        description=_l("Elle est publiée avec la proposition et envoyée à son auteur."))


class KeepForm(FlaskForm):
    text = TextAreaField(
        _l("La question, dans les mots du comité"),
        [DataRequired(message=_l("Écrivez la question, dans les mots du comité.")),
         Length(max=QUESTION_MAX, message=_l("%(max)d caractères au plus.")),
         PlainText(multiline=True)], filters=TEXT_FILTERS)
    orientations = SelectMultipleField(_l("Orientations du contrat concernées"), coerce=int,
                                       widget=ListWidget(prefix_label=False),
                                       option_widget=CheckboxInput())
    reason = _decision_reason(_l("Pourquoi le comité la garde"))


class MergeForm(FlaskForm):
    question_id = SelectField(_l("La question de l’évaluation qui demande la même chose"),
                              coerce=optional_int, validate_choice=False)
    reason = _decision_reason(_l("Pourquoi le comité les rapproche"))


class SetAsideForm(FlaskForm):
    reason = _decision_reason(_l("Pourquoi le comité la met de côté"))
