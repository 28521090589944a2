"""Forms of the contract set-up pages."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from civic.core.forms import TEXT_FILTERS, PlainText, choices, optional_int
from civic.core.i18n import _, _l
from civic.territory.geo import QPV_CODE, geometry_problem

_required = DataRequired(message=_l("Ce champ est obligatoire."))
_year = [InputRequired(message=_l("Indiquez une année, par exemple 2024.")),
         NumberRange(min=2000, max=2100, message=_l("Indiquez une année entre 2000 et 2100."))]


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def kind_choices() -> list[SelectChoice]:
    return choices([
        ("commune", _l("Commune")), ("epci", _l("Intercommunalité (EPCI)")),
        ("state", _l("État (préfecture)")), ("departement", _l("Département")),
        ("region", _l("Région")), ("caf", _l("Caisse d’allocations familiales (CAF)")),
        ("landlord", _l("Bailleur social")), ("france_travail", _l("France Travail")),
        ("ars", _l("Agence régionale de santé (ARS)")), ("other", _l("Autre partenaire")),
    ])


class ContractForm(FlaskForm):
    name = StringField(_l("Nom du contrat"), [_required, Length(max=200), PlainText()],
                       filters=TEXT_FILTERS)
    start_year = IntegerField(_l("Première année"), _year)
    end_year = IntegerField(_l("Dernière année"), _year)


class GeometryField(TextAreaField):
    """A GeoJSON Polygon or MultiPolygon, or a Feature holding one; empty is allowed."""

    geometry: dict[str, Any] | None = None

    def _value(self) -> str:
        if isinstance(self.data, dict):
            return json.dumps(self.data)
        return str(self.data or "")

    def pre_validate(self, form: Any) -> None:
        text = self._value().strip()
        self.geometry = None
        if not text:
            return
        try:
            value = json.loads(text)
        except ValueError as error:
            raise ValidationError(_l("Ce n’est pas du GeoJSON valide.")) from error
        if isinstance(value, dict) and value.get("type") == "Feature":
            value = value.get("geometry")
        if geometry_problem(value):
            raise ValidationError(_l("Il faut un polygone (Polygon ou MultiPolygon) "
                                     "en longitude et latitude."))
        self.geometry = value


class QuartierForm(FlaskForm):
    code = StringField(_l("Code officiel du QPV"), [
        _required, Regexp(QPV_CODE.pattern, message=_l("Le code ressemble à QN09301M ou QP031007."))
    ], filters=[_upper], description=_l("Par exemple QN09301M."))
    name = StringField(_l("Nom du quartier"), [_required, Length(max=120), PlainText()],
                       filters=TEXT_FILTERS)
    commune = StringField(_l("Commune"), [_required, Length(max=200), PlainText()],
                          filters=TEXT_FILTERS,
                          description=_l("S’il y en a deux, séparez-les par une virgule."))
    population = IntegerField(_l("Population (facultatif)"), [
        Optional(), NumberRange(min=0, max=1_000_000,
                                message=_l("Indiquez un nombre d’habitants entre 0 et 1 000 000."))
    ])
    perimeter = GeometryField(_l("Périmètre en GeoJSON (facultatif)"), [Length(max=2_000_000)],
                              description=_l("Pour plusieurs quartiers, utilisez plutôt "
                                             "l’import du fichier national."))


class OrientationForm(FlaskForm):
    name = StringField(_l("Nom de l’orientation"), [_required, Length(max=120), PlainText()],
                       filters=TEXT_FILTERS)
    description = TextAreaField(_l("Ce que le contrat prévoit"),
                                [Length(max=4000), PlainText(multiline=True)],
                                filters=TEXT_FILTERS)
    position = IntegerField(_l("Ordre d’affichage"), [
        InputRequired(message=_l("Indiquez un nombre.")), NumberRange(min=0, max=1000)],
        default=0)


class SignatoryForm(FlaskForm):
    name = StringField(_l("Nom du signataire"), [_required, Length(max=160), PlainText()],
                       filters=TEXT_FILTERS)
    kind = SelectField(_l("Type"), choices=kind_choices)
    referent_name = StringField(_l("Nom du ou de la référent·e"),
                                [_required, Length(max=120), PlainText()], filters=TEXT_FILTERS)
    referent_email = EmailField(_l("E-mail du ou de la référent·e"), [
        _required, Length(max=254),
        Email(message=_l("Cette adresse e-mail n’est pas valide."), check_deliverability=False),
    ], filters=TEXT_FILTERS)
    commitment = TextAreaField(_l("Ses engagements"), [Length(max=4000), PlainText(multiline=True)],
                               filters=TEXT_FILTERS)


def commitments_form(orientations: list[Any], current: dict[int, str]) -> FlaskForm:
    """One text box per orientation of the contract: what the signatory commits to."""

    class CommitmentsForm(FlaskForm):
        pass

    for orientation in orientations:
        setattr(CommitmentsForm, f"o{orientation.id}", TextAreaField(
            orientation.name, [Length(max=2000, message=_l("%(max)d caractères au plus.")),
                               PlainText(multiline=True)],
            filters=TEXT_FILTERS, default=current.get(orientation.id, "")))
    return CommitmentsForm()


#: Years a day of the journal's filter may be in (beyond, the period's arithmetic breaks).
JOURNAL_YEARS = (2000, 2100)
#: WTForms' own message for a value not in a select, translated by WTForms.
NOT_A_CHOICE = "Not a valid choice."


class JournalFilterForm(FlaskForm):
    """The journal's filter: a part of the site, a person, a period. Read from the
    query string (nothing is changed, so no CSRF token); the view sets the choices."""

    class Meta:
        csrf = False

    genre = SelectField(_l("Partie du site"), validate_choice=False, default="")
    personne = SelectField(_l("Personne"), coerce=optional_int, validate_choice=False)
    du = DateField(_l("Du"), validators=[Optional()])
    au = DateField(_l("Au"), validators=[Optional()])

    def narrowing(self) -> dict[str, Any]:
        """Validate, and return what the right values narrow the journal to; a wrong
        value gets its message next to its field and narrows nothing."""
        self.validate()
        kinds = {value for value, *_rest in self.genre.iter_choices() if value}
        people = {value for value, *_rest in self.personne.iter_choices() if value}
        for select, allowed in ((self.genre, kinds), (self.personne, people)):
            if select.data not in ("", None) and str(select.data) not in allowed and (
                    not select.errors):
                select.errors = [*select.errors, select.gettext(NOT_A_CHOICE)]
        for day in (self.du, self.au):
            if day.data and not day.errors and not (
                    JOURNAL_YEARS[0] <= day.data.year <= JOURNAL_YEARS[1]):
                day.errors = [*day.errors, _("Indiquez une année entre 2000 et 2100.")]
        first: date | None = self.du.data if not self.du.errors else None
        last: date | None = self.au.data if not self.au.errors else None
        if first and last and last < first:
            self.au.errors = [*self.au.errors, _("Cette date doit venir après la première.")]
            last = None
        return {
            "kinds": [self.genre.data] if self.genre.data and not self.genre.errors else [],
            "actor_id": self.personne.data if not self.personne.errors else None,
            "first_day": first,
            "last_day": last,
        }

    def query_args(self) -> dict[str, str]:
        """The right values as typed, for the links to other pages of the journal."""
        args: dict[str, str] = {}
        for name in ("genre", "personne", "du", "au"):
            field = self[name]
            if field.data not in ("", None) and not field.errors:
                args[name] = field.data.isoformat() if isinstance(field.data, date) else str(
                    field.data)
        return args
