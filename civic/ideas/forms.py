"""Forms of the idea box: shape and format; services decide the rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from civic.core.forms import (
    TEXT_FILTERS,
    CoordinateField,
    HoneypotField,
    PlainText,
    optional_int,
)
from civic.core.i18n import _l
from civic.ideas.services import BODY_MAX, COMMENT_MAX, RESPONSE_MAX, TITLE_MAX

_required = DataRequired(message=_l("Ce champ est obligatoire."))


def _at_most(n: int) -> Length:
    return Length(max=n, message=_l("%(max)d caractères au plus."))


class IdeaForm(FlaskForm):
    title = StringField(_l("Votre idée en une phrase"), filters=TEXT_FILTERS,
                        description=_l("Par exemple : « Des bancs à l’ombre près de l’école »."),
                        validators=[_required, _at_most(TITLE_MAX), PlainText()])
    body = TextAreaField(_l("Expliquez"), filters=TEXT_FILTERS,
                         description=_l("Ce qui ne va pas ou ce qui manque, et ce que vous "
                                        "proposez. Ne citez personne par son nom."),
                         validators=[_required, _at_most(BODY_MAX), PlainText(multiline=True)])
    orientation_id = SelectField(_l("Thème"), coerce=optional_int, validate_choice=False)
    place = StringField(_l("Où ? (facultatif)"), filters=TEXT_FILTERS,
                        description=_l("Une rue, un bâtiment, une place."),
                        validators=[Optional(), _at_most(200), PlainText()])
    latitude = CoordinateField()
    longitude = CoordinateField()
    photo = FileField(_l("Une photo (facultatif)"),
                      description=_l("La position et la date de la photo sont effacées."),
                      validators=[FileAllowed(["jpg", "jpeg", "png", "webp", "heic", "gif"],
                                              _l("Envoyez une photo (JPEG, PNG ou WebP)."))])
    website = HoneypotField(_l("Ne remplissez pas ce champ"))


class IdeaForSomeoneForm(IdeaForm):
    author_name = StringField(
        _l("Nom de la personne, tel qu’il sera affiché"), filters=TEXT_FILTERS,
        description=_l("Un prénom ou un surnom suffit. Demandez-lui son accord."),
        validators=[_required, _at_most(80), PlainText()])


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Votre commentaire"), filters=TEXT_FILTERS,
                         validators=[_required, _at_most(COMMENT_MAX), PlainText(multiline=True)])
    parent_id = HiddenField()
    website = HoneypotField(_l("Ne remplissez pas ce champ"))


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Chercher"), filters=TEXT_FILTERS,
                    validators=[Optional(), _at_most(100)])
    orientation = SelectField(_l("Thème"), coerce=optional_int, validate_choice=False)
    status = SelectField(_l("Où en est-elle ?"), validate_choice=False)
    sort = SelectField(_l("Trier"), validate_choice=False)


class AnswerForm(FlaskForm):
    status = SelectField(_l("Réponse"), validate_choice=False)
    response = TextAreaField(
        _l("Réponse officielle, publiée sur la page de l’idée"), filters=TEXT_FILTERS,
        description=_l("Écrivez pour les habitants : des phrases courtes, sans sigles. "
                       "Si ce n’est pas réalisable, dites pourquoi."),
        validators=[Optional(), _at_most(RESPONSE_MAX), PlainText(multiline=True)])
    signatory_id = SelectField(_l("Transmettre à"), coerce=optional_int, validate_choice=False)
    due_on = DateField(_l("Réponse attendue le"), validators=[Optional()],
                       description=_l("Date affichée publiquement sur la page de l’idée."))
    message = TextAreaField(_l("Message pour le ou la référent·e du signataire"),
                            filters=TEXT_FILTERS,
                            validators=[Optional(), _at_most(2000), PlainText(multiline=True)])


class ForwardingAnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Votre réponse, publiée sur la page de l’idée"), filters=TEXT_FILTERS,
        description=_l("Écrivez pour les habitants : ce qui sera fait, par qui, quand ; "
                       "ou pourquoi ce n’est pas possible."),
        validators=[_required, _at_most(RESPONSE_MAX), PlainText(multiline=True)])
