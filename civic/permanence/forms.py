"""Forms of the animator's tablet and of vote codes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from civic.budget.forms import DeclarationForm
from civic.core.forms import TEXT_FILTERS, PlainText, optional_int
from civic.core.i18n import _l


class PermanenceForm(FlaskForm):
    quartier_id = SelectField(_l("Quartier"), coerce=optional_int,
                              validators=[InputRequired(message=_l("Choisissez un quartier."))])
    place = StringField(_l("Lieu"), [DataRequired(message=_l("Indiquez le lieu.")),
                                     Length(max=200), PlainText()], filters=TEXT_FILTERS,
                        description=_l("Par exemple : Maison de quartier, salle 2."))
    day = DateField(_l("Jour"), [InputRequired(message=_l("Indiquez le jour."))])
    starts = TimeField(_l("De"), [InputRequired(message=_l("Indiquez l’heure de début."))])
    ends = TimeField(_l("À"), [InputRequired(message=_l("Indiquez l’heure de fin."))])


class KioskDeclarationForm(DeclarationForm):
    checked = BooleanField(_l("J’ai vérifié la déclaration avec la personne"))


class CodesForm(FlaskForm):
    count = IntegerField(_l("Nombre de codes à imprimer"), [
        InputRequired(message=_l("Indiquez un nombre.")),
        NumberRange(min=1, max=2000, message=_l("Entre 1 et 2000 codes à la fois."))],
        default=50)


class CodeVoteForm(DeclarationForm):
    code = StringField(_l("Votre code de vote"), [
        DataRequired(message=_l("Indiquez le code écrit sur votre lettre.")), Length(max=30)],
        filters=TEXT_FILTERS, description=_l("10 lettres et chiffres, par exemple ABCD-EFGH-JK."))


class PaperVoidForm(FlaskForm):
    """Ask for a paper ballot entered by mistake to be taken out of the box."""

    receipt = StringField(_l("Reçu du bulletin"), filters=TEXT_FILTERS,
                          description=_l("Il s’affiche après chaque saisie, par exemple "
                                         "« 4F2A-91C3-07BE-55D0 »."),
                          validators=[DataRequired(message=_l("Ce champ est obligatoire.")),
                                      Length(max=40, message=_l("%(max)d caractères au plus."))])
    reason = StringField(_l("Pourquoi l’annuler ?"), filters=TEXT_FILTERS,
                         description=_l("Par exemple « saisi deux fois »."),
                         validators=[DataRequired(message=_l("Ce champ est obligatoire.")),
                                     Length(max=300, message=_l("%(max)d caractères au plus.")),
                                     PlainText()])
