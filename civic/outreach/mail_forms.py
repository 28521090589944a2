"""Forms of the mail a resident chooses: the preferences (three radios per topic and
quartier), the letter's request, and the pilots' export. Shape and format only: the
services decide the rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length

from civic.core.forms import TEXT_FILTERS, HoneypotField, PlainText, choices, optional_int
from civic.core.i18n import LANGUAGE_NAMES, _l
from civic.outreach.newsletter import REASON_MAX
from civic.outreach.topics import FREQUENCY_LABELS, TOPIC_LABELS, TOPICS


def field_name(quartier_id: int, topic: str) -> str:
    return f"q{quartier_id}_{topic}"


class PreferencesForm(FlaskForm):
    """One radio group per shown quartier and topic; made for the quartiers shown."""

    #: (quartier id, topic) → the field's name, in the order of the page.
    names: dict[tuple[int, str], str]


def preferences_form(quartier_ids: Iterable[int], current: Mapping[tuple[int, str], str],
                     **kwargs: Any) -> PreferencesForm:
    """The form for these quartiers, each radio group set to ``current`` (the stored
    choice or the default). An unknown value is left to the service to refuse, with its
    message next to the group."""

    class Form(PreferencesForm):
        pass

    names: dict[tuple[int, str], str] = {}
    for quartier_id in quartier_ids:
        for topic in TOPICS:
            name = field_name(quartier_id, topic)
            names[(quartier_id, topic)] = name
            setattr(Form, name, RadioField(TOPIC_LABELS[topic], validate_choice=False,
                                           choices=choices(FREQUENCY_LABELS.items()),
                                           default=current[(quartier_id, topic)]))
    form = Form(**kwargs)
    form.names = names
    return form


class AddQuartierForm(FlaskForm):
    """Sent by GET: which quartier to add to the page (nothing is saved yet)."""

    class Meta:
        csrf = False

    quartier = SelectField(_l("Ajouter un quartier"), coerce=optional_int,
                           validate_choice=False)


_email = [
    DataRequired(message=_l("Indiquez votre adresse e-mail.")),
    Length(max=254, message=_l("Cette adresse est trop longue.")),
    Email(message=_l("Cette adresse e-mail n’est pas valide. Exemple : nom@example.org"),
          check_deliverability=False),
]


class LetterForm(FlaskForm):
    email = EmailField(_l("Votre adresse e-mail"), _email, filters=TEXT_FILTERS,
                       description=_l("Nous n’en faisons rien d’autre que vous envoyer la "
                                      "lettre. Vous pourrez arrêter en un clic."))
    quartier_id = SelectField(_l("Le quartier"), coerce=optional_int,
                              validators=[InputRequired(message=_l("Choisissez un quartier."))])
    language = SelectField(_l("La langue de la lettre"),
                           choices=choices(LANGUAGE_NAMES.items()),
                           validators=[InputRequired(message=_l("Choisissez une langue."))])
    website = HoneypotField(_l("Ne remplissez pas ce champ"))


class ButtonForm(FlaskForm):
    """A button and its CSRF token (confirming an address, leaving a quartier)."""


class ExportForm(FlaskForm):
    reason = TextAreaField(
        _l("Pourquoi avez-vous besoin de ces adresses ?"), filters=TEXT_FILTERS,
        description=_l("Cette raison est gardée dans le journal, avec le nombre d’adresses."),
        validators=[DataRequired(message=_l("Écrivez la raison de cet export.")),
                    Length(max=REASON_MAX, message=_l("%(max)d caractères au plus.")),
                    PlainText(multiline=True)])
