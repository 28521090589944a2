"""Forms of the moderation workspace and of reports."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from civic.core.forms import TEXT_FILTERS, PlainText, blank_choice, choices
from civic.core.i18n import _l
from civic.moderation.reasons import REJECTION_TEMPLATES, REPORT_REASONS
from civic.moderation.services import REASON_MAX, TITLE_MAX


def _templates() -> list:
    return choices(blank_choice(_l("Écrire ma propre raison"))
                   + list(REJECTION_TEMPLATES.items()))


class DecisionForm(FlaskForm):
    """One post: publish, reject, hide or restore; the button pressed is the action."""

    action = HiddenField()
    template = SelectField(_l("Raison type"), choices=_templates(), validate_choice=False)
    reason = TextAreaField(
        _l("Raison, lue par l’auteur et par tous"),
        description=_l("Obligatoire pour refuser ou masquer. Choisissez une raison type "
                       "ou écrivez la vôtre, avec des mots simples."),
        filters=TEXT_FILTERS,
        validators=[Optional(), Length(max=REASON_MAX, message=_l(
            "%(max)d caractères au plus.")), PlainText(multiline=True)])


class TitleForm(FlaskForm):
    title = StringField(
        _l("Titre plus clair"), filters=TEXT_FILTERS,
        description=_l("Le titre d’origine reste affiché sous le nouveau titre."),
        validators=[DataRequired(message=_l("Ce champ est obligatoire.")),
                    Length(max=TITLE_MAX, message=_l("%(max)d caractères au plus.")),
                    PlainText()])


class BulkForm(FlaskForm):
    items = SelectMultipleField(_l("Publications choisies"), choices=[], validate_choice=False)
    action = SelectField(_l("Action"), choices=choices([
        ("publish", _l("Publier")), ("reject", _l("Refuser"))]))
    template = SelectField(_l("Raison type"), choices=_templates(), validate_choice=False)
    reason = TextAreaField(
        _l("Raison du refus"), filters=TEXT_FILTERS,
        validators=[Optional(), Length(max=REASON_MAX, message=_l(
            "%(max)d caractères au plus.")), PlainText(multiline=True)])


class ReportForm(FlaskForm):
    reason = RadioField(_l("Pourquoi ce message pose-t-il problème ?"),
                        choices=choices(REPORT_REASONS.items()),
                        validators=[DataRequired(message=_l("Choisissez une raison."))])
    comment = TextAreaField(
        _l("Précisez si vous voulez (facultatif)"), filters=TEXT_FILTERS,
        validators=[Optional(), Length(max=500, message=_l("%(max)d caractères au plus.")),
                    PlainText(multiline=True)])


class ModeForm(FlaskForm):
    mode = RadioField(_l("Quand les messages des habitants sont-ils publiés ?"), choices=choices([
        ("pre", _l("Après relecture par le conseil citoyen")),
        ("post", _l("Tout de suite ; le conseil citoyen relit ensuite")),
    ]), validators=[DataRequired(message=_l("Choisissez une option."))])
