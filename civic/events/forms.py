"""Forms of events: shape and format; services decide the rules."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from civic.accounts.forms import AGE_LABELS, GENDER_LABELS
from civic.accounts.models import AGE_BRACKETS, GENDERS
from civic.core.forms import TEXT_FILTERS, HoneypotField, PlainText, choices, optional_int
from civic.core.i18n import _l
from civic.events.labels import KINDS, WEEKDAYS
from civic.events.models import PARTY_MAX
from civic.events.services import CAPACITY_MAX

_required = DataRequired(message=_l("Ce champ est obligatoire."))


def _optional_id(value: Any) -> int | None:
    """``optional_int`` for a row's id: a number no row can have is refused, not looked up
    (SQLite cannot even bind it)."""
    number = optional_int(value)
    if number is not None and number <= 0:
        raise ValueError(value)
    return number


#: Arabic-Indic and Persian digits, as phones in Arabic type them, read as 0–9.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)


def _western_digits(value: Any) -> Any:
    return value.translate(_DIGITS) if isinstance(value, str) else value


def _at_most(n: int) -> Length:
    return Length(max=n, message=_l("%(max)d caractères au plus."))


def _text(label: str, n: int, *, required: bool = False, multiline: bool = False,
          description: str = "") -> StringField:
    validators = [_required if required else Optional(), _at_most(n),
                  PlainText(multiline=multiline)]
    kind = TextAreaField if multiline else StringField
    return kind(label, filters=TEXT_FILTERS, validators=validators, description=description)


class EventForm(FlaskForm):
    quartier_id = SelectField(_l("Quartier"), coerce=_optional_id)
    kind = SelectField(_l("Type d’événement"), choices=choices(KINDS.items()),
                       validators=[InputRequired(message=_l("Choisissez un type."))])
    title = _text(_l("Titre"), 120, required=True,
                  description=_l("Par exemple : « Café des habitants de la rentrée »."))
    description = _text(_l("Ce qui va se passer"), 3000, multiline=True)
    day = DateField(_l("Jour"), validators=[InputRequired(message=_l("Indiquez le jour."))])
    start = TimeField(_l("Heure de début"),
                      validators=[InputRequired(message=_l("Indiquez l’heure."))])
    end = TimeField(_l("Heure de fin"),
                    validators=[InputRequired(message=_l("Indiquez l’heure."))])
    place = _text(_l("Lieu"), 120, required=True,
                  description=_l("Le nom que tout le monde connaît : « Maison de quartier »."))
    address = _text(_l("Adresse"), 200)
    landmark_id = SelectField(_l("Sur la carte, près de"), coerce=_optional_id,
                              validate_choice=False,
                              description=_l("Pour montrer le lieu sur une petite carte."))
    organiser = _text(_l("Qui organise"), 120,
                      description=_l("Une association, un service, un groupe d’habitants."))
    signatory_id = SelectField(_l("Partenaire du contrat qui organise"), coerce=_optional_id)
    bring = _text(_l("À apporter"), 300,
                  description=_l("Par exemple : un plat à partager, une pièce d’identité."))
    step_free = BooleanField(_l("Accessible sans marche (fauteuil, poussette)"))
    childcare = BooleanField(_l("Garde d’enfants sur place"))
    interpretation = _text(_l("Interprétariat en"), 120,
                           description=_l("Les langues, par exemple : arabe, anglais. "
                                          "Laissez vide s’il n’y en a pas."))
    capacity = IntegerField(
        _l("Nombre de places"),
        description=_l("Laissez vide s’il n’y a pas de limite."),
        validators=[Optional(), NumberRange(min=1, max=CAPACITY_MAX, message=_l(
            "Indiquez un nombre entre 1 et %(max)d.", max=CAPACITY_MAX))])
    website = HoneypotField(_l("Ne remplissez pas ce champ"))


class SignupForm(FlaskForm):
    name = _text(_l("Votre nom ou prénom"), 80,
                 description=_l("Seuls les organisateurs le verront."))
    phone = StringField(_l("Téléphone"), filters=[*TEXT_FILTERS, _western_digits], validators=[
        Optional(), _at_most(30),
        Regexp(r"^\+?[0-9 .()-]{6,30}$", message=_l("Écrivez un numéro, par exemple "
                                                   "06 12 34 56 78."))])
    email = StringField(_l("E-mail"), filters=TEXT_FILTERS, validators=[
        Optional(), _at_most(254), Email(message=_l("Cette adresse e-mail n’est pas valide."))],
        description=_l("Pour recevoir la confirmation, le rappel et le lien d’annulation."))
    party_size = SelectField(_l("Combien de personnes, vous compris ?"), coerce=int,
                             choices=choices((n, str(n)) for n in range(1, PARTY_MAX + 1)),
                             default=1)
    childcare = BooleanField(_l("J’ai besoin d’une garde d’enfants"))
    step_free = BooleanField(_l("J’ai besoin d’un accès sans marche"))
    interpretation = _text(_l("J’ai besoin d’un interprète en"), 40,
                           description=_l("Écrivez la langue. Laissez vide sinon."))
    consent = BooleanField(_l("J’accepte d’être contacté·e au sujet de cet événement, et "
                              "seulement de celui-ci."))
    share = RadioField(_l("Ce que la personne qui propose l’événement peut voir"),
                       choices=choices([("", _l("Seulement mon nom")),
                                        ("phone", _l("Mon nom et mon téléphone")),
                                        ("email", _l("Mon nom et mon e-mail"))]), default="",
                       validators=[Optional()])
    website = HoneypotField(_l("Ne remplissez pas ce champ"))


class CancelEventForm(FlaskForm):
    reason = _text(_l("Pourquoi l’événement est annulé"), 300, required=True,
                   description=_l("Ce texte est envoyé aux personnes inscrites."))


class MessageForm(FlaskForm):
    subject = _text(_l("Objet"), 120, required=True)
    body = _text(_l("Message"), 3000, required=True, multiline=True)


def _figure(label: str) -> IntegerField:
    return IntegerField(label, validators=[Optional(), NumberRange(
        min=0, max=CAPACITY_MAX, message=_l("Indiquez un nombre entre 0 et %(max)d.",
                                            max=CAPACITY_MAX))])


class AttendanceForm(FlaskForm):
    walk_ins = IntegerField(_l("Personnes venues sans inscription"), default=0, validators=[
        Optional(), NumberRange(min=0, max=CAPACITY_MAX, message=_l(
            "Indiquez un nombre entre 0 et %(max)d.", max=CAPACITY_MAX))])
    walk_in_names = _text(_l("Leurs noms, s’ils veulent les donner"), 4000, multiline=True,
                          description=_l("Un nom par ligne."))


for _value in GENDERS:
    setattr(AttendanceForm, f"gender_{_value}", _figure(GENDER_LABELS[_value]))
for _value in AGE_BRACKETS:
    setattr(AttendanceForm, f"age_{_value}", _figure(AGE_LABELS[_value]))


class SlotForm(FlaskForm):
    weekday = SelectField(_l("Jour de la semaine"), coerce=int,
                          choices=choices(WEEKDAYS.items()))
    starts = TimeField(_l("De"), validators=[InputRequired(message=_l("Indiquez l’heure."))])
    ends = TimeField(_l("À"), validators=[InputRequired(message=_l("Indiquez l’heure."))])
    place = _text(_l("Lieu"), 120, required=True)
    address = _text(_l("Adresse"), 200)
    host = _text(_l("Qui vous reçoit"), 120,
                 description=_l("Par exemple : « Samira, adulte-relais »."))
    topics = _text(_l("Pour quoi venir"), 200,
                   description=_l("Par exemple : aide aux démarches, vote FPH, idées."))


class ClosureForm(FlaskForm):
    first_day = DateField(_l("Du"), validators=[InputRequired(message=_l("Indiquez le jour."))])
    last_day = DateField(_l("Au"), validators=[InputRequired(message=_l("Indiquez le jour."))])
    label = _text(_l("Pourquoi"), 120, description=_l("Par exemple : vacances de Noël."))


class ConfirmForm(FlaskForm):
    """A button that only needs its CSRF token."""
