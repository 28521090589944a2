"""The dashboard's filter: a year or two dates, a quartier, an orientation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from civic.core.forms import TEXT_FILTERS, PlainText, optional_int
from civic.core.i18n import _l

YEARS = (2000, 2100)


class ScopeForm(FlaskForm):
    class Meta:
        csrf = False

    annee = IntegerField(_l("Année"), validators=[Optional(), NumberRange(
        min=YEARS[0], max=YEARS[1], message=_l("Indiquez une année entre 2000 et 2100."))])
    du = DateField(_l("Du"), validators=[Optional()],
                   description=_l("Ou choisissez deux dates au lieu d’une année."))
    au = DateField(_l("Au"), validators=[Optional()])
    quartier = SelectField(_l("Quartier"), validate_choice=False)
    orientation = SelectField(_l("Orientation"), coerce=optional_int, validate_choice=False,
                              description=_l("Elle s’applique au FPH et aux idées."))


class OpenDataForm(FlaskForm):
    """The open-data grid: a calendar year, maybe one of its quarters, a quartier, an
    orientation. Choices are set by the view; a value off the grid is an error."""

    class Meta:
        csrf = False

    annee = SelectField(_l("Année"), coerce=optional_int, validate_choice=False)
    trimestre = SelectField(_l("Période de l’année"), coerce=optional_int,
                            validate_choice=False,
                            description=_l("Les chiffres sur les personnes ne se publient "
                                           "que pour l’année entière."))
    quartier = SelectField(_l("Quartier"), validate_choice=False)
    orientation = SelectField(_l("Orientation"), coerce=optional_int, validate_choice=False,
                              description=_l("Elle s’applique au FPH et aux idées."))


QUARTER_LABELS = {1: _l("Janvier à mars"), 2: _l("Avril à juin"),
                  3: _l("Juillet à septembre"), 4: _l("Octobre à décembre")}


class TokenForm(FlaskForm):
    name = StringField(_l("Nom du jeton"), filters=TEXT_FILTERS,
                       description=_l("Pour vous y retrouver, par exemple « tableur de la "
                                      "CAF »."),
                       validators=[DataRequired(message=_l("Ce champ est obligatoire.")),
                                   Length(max=80, message=_l("%(max)d caractères au plus.")),
                                   PlainText()])


class RevokeForm(FlaskForm):
    """A button that only needs its CSRF token."""
