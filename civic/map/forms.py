"""Forms of the quartier map: shape and format; services decide the rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    DateField,
    FloatField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from civic.core.forms import (
    TEXT_FILTERS,
    CoordinateField,
    HoneypotField,
    PlainText,
    blank_choice,
    choices,
    optional_int,
)
from civic.core.i18n import _l
from civic.map.labels import CATEGORIES, POLARITIES
from civic.map.services import TEXT_MAX

_required = DataRequired(message=_l("Ce champ est obligatoire."))


def _at_most(n: int) -> Length:
    return Length(max=n, message=_l("%(max)d caractères au plus."))


class PointForm(FlaskForm):
    polarity = RadioField(_l("Ce que vous signalez"), choices=choices(POLARITIES.items()),
                          validators=[InputRequired(message=_l("Choisissez + ou −."))])
    # No subject chosen in advance: a hurried post would land under the first one.
    category = SelectField(_l("Sujet"), choices=choices(
        [*blank_choice(_l("Choisissez un sujet")), *CATEGORIES.items()]),
        validators=[InputRequired(message=_l("Choisissez un sujet."))])
    text = TextAreaField(_l("Ce que vous voyez"), filters=TEXT_FILTERS,
                         description=_l("Quelques mots suffisent. Ne citez personne."),
                         validators=[_required, _at_most(TEXT_MAX), PlainText(multiline=True)])
    latitude = CoordinateField()
    longitude = CoordinateField()
    landmark_id = SelectField(_l("Près de"), coerce=optional_int, validate_choice=False,
                              description=_l("Sans carte, choisissez le lieu le plus proche."))
    photo = FileField(_l("Une photo (facultatif)"),
                      description=_l("La position et la date de la photo sont effacées."),
                      validators=[FileAllowed(["jpg", "jpeg", "png", "webp", "heic", "gif"],
                                              _l("Envoyez une photo (JPEG, PNG ou WebP)."))])
    website = HoneypotField(_l("Ne remplissez pas ce champ"))


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    polarity = SelectField(_l("Quels points ?"), validate_choice=False)
    category = SelectField(_l("Sujet"), validate_choice=False)
    period = SelectField(_l("Période"), validate_choice=False)


class ToIdeaForm(FlaskForm):
    title = StringField(_l("Titre de l’idée"), filters=TEXT_FILTERS,
                        description=_l("Une phrase claire : elle sera suivie et recevra une "
                                       "réponse comme toute idée."),
                        validators=[_required, _at_most(120), PlainText()])


class WalkForm(FlaskForm):
    title = StringField(_l("Nom de la marche"), filters=TEXT_FILTERS,
                        validators=[_required, _at_most(120), PlainText()])
    day = DateField(_l("Jour"), validators=[InputRequired(message=_l("Indiquez le jour."))])
    time = TimeField(_l("Heure de départ"),
                     validators=[InputRequired(message=_l("Indiquez l’heure."))])
    meeting_point = StringField(_l("Point de rendez-vous"), filters=TEXT_FILTERS,
                                validators=[_required, _at_most(200), PlainText()])
    route = TextAreaField(_l("Parcours"), filters=TEXT_FILTERS,
                          description=_l("Les rues et les places, dans l’ordre."),
                          validators=[Optional(), _at_most(2000), PlainText(multiline=True)])
    participants = IntegerField(
        _l("Nombre de participants"), validators=[Optional(), NumberRange(
            min=0, max=10_000, message=_l("Indiquez un nombre entre 0 et 10000."))])


class LandmarkForm(FlaskForm):
    name = StringField(_l("Nom du lieu"), filters=TEXT_FILTERS,
                       description=_l("Par exemple : « École Didier-Daurat », « Arrêt de bus "
                                      "Reynerie »."),
                       validators=[_required, _at_most(120), PlainText()])
    latitude = FloatField(_l("Latitude"), validators=[InputRequired(
        message=_l("Écrivez un nombre, par exemple 43.5745."))])
    longitude = FloatField(_l("Longitude"), validators=[InputRequired(
        message=_l("Écrivez un nombre, par exemple 1.4028."))])
