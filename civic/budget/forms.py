"""Forms of the FPH pages: shape and format; services decide the rules."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import FieldList
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from civic.core.forms import TEXT_FILTERS, EurosField, PlainText, choices, optional_int
from civic.core.i18n import _l

_required = DataRequired(message=_l("Ce champ est obligatoire."))
_amount = [InputRequired(message=_l("Indiquez un montant."))]
_count = [InputRequired(message=_l("Indiquez un nombre.")),
          NumberRange(min=0, max=1000, message=_l("Indiquez un nombre entre 0 et 1000."))]
_photo = FileAllowed(["jpg", "jpeg", "png", "webp", "heic", "gif"],
                     _l("Envoyez une photo (JPEG, PNG ou WebP)."))
BUDGET_LINES = 6


def method_choices() -> list[SelectChoice]:
    return choices([
        ("approval", _l("Approbation : on choisit quelques projets")),
        ("knapsack", _l("Dans l’enveloppe : on choisit des projets sans dépasser l’enveloppe")),
        ("cumulative", _l("Points : on répartit des points entre les projets")),
    ])


def rule_choices() -> list[SelectChoice]:
    return choices([
        ("greedy", _l("Les plus soutenus d’abord, tant que l’enveloppe le permet")),
        ("equal-shares", _l("Parts égales : chaque votant pèse autant dans l’enveloppe")),
    ])


def carrier_choices() -> list[SelectChoice]:
    return choices([("residents", _l("Un groupe d’habitants")),
                    ("association", _l("Une association du quartier"))])


def follow_up_choices() -> list[SelectChoice]:
    return choices([("to_start", _l("Pas encore commencé")), ("in_progress", _l("En cours")),
                    ("done", _l("Terminé")), ("abandoned", _l("Abandonné"))])


class FundForm(FlaskForm):
    quartier_id = SelectField(_l("Quartier"), coerce=optional_int,
                              validators=[InputRequired(message=_l("Choisissez un quartier."))])
    year = IntegerField(_l("Année"), [
        InputRequired(message=_l("Indiquez une année, par exemple 2026.")),
        NumberRange(min=2000, max=2100, message=_l("Indiquez une année entre 2000 et 2100."))])
    envelope_cents = EurosField(_l("Enveloppe de l’année (€)"), _amount)
    cap_cents = EurosField(_l("Montant maximum par projet (€)"), _amount)
    min_project_cents = EurosField(_l("Montant minimum par projet (€)"), _amount, default=0)
    min_age = IntegerField(_l("Âge minimum pour voter"), [
        InputRequired(message=_l("Indiquez un âge.")),
        NumberRange(min=0, max=120, message=_l("Indiquez un âge entre 0 et 120."))], default=16)
    rules_text = TextAreaField(_l("Règles du fonds, pour les porteurs de projet"),
                               [Length(max=4000), PlainText(multiline=True)], filters=TEXT_FILTERS)
    vote_method = SelectField(_l("Façon de voter"), choices=method_choices)
    approval_min = IntegerField(_l("Approbation : projets à choisir au minimum"), _count, default=1)
    approval_max = IntegerField(_l("Approbation : projets à choisir au maximum"),
                                [Optional(), NumberRange(min=1, max=1000)],
                                description=_l("Laissez vide pour ne pas fixer de limite."))
    points_total = IntegerField(_l("Points : nombre de points par votant"), _count, default=10)
    points_max = IntegerField(_l("Points : maximum sur un seul projet"), _count, default=5)
    tally_rule = SelectField(_l("Règle de calcul des résultats"), choices=rule_choices)
    min_score = IntegerField(_l("Score minimum pour être financé"), _count, default=1,
                             description=_l("Avec 1, un projet sans aucune voix n’est jamais "
                                            "financé. Mettez 0 pour le permettre."))


class RoundForm(FlaskForm):
    title = StringField(_l("Titre de la session"), [_required, Length(max=120), PlainText()],
                        filters=TEXT_FILTERS, description=_l("Par exemple : Appel à projets 2026"))
    submission_starts_at = DateTimeLocalField(_l("Début des propositions"), [_required],
                                              format="%Y-%m-%dT%H:%M")
    review_starts_at = DateTimeLocalField(_l("Début de l’examen par le comité"), [_required],
                                          format="%Y-%m-%dT%H:%M")
    vote_starts_at = DateTimeLocalField(_l("Ouverture du vote"), [_required],
                                        format="%Y-%m-%dT%H:%M")
    vote_ends_at = DateTimeLocalField(_l("Clôture du vote"), [_required], format="%Y-%m-%dT%H:%M")
    follow_up_starts_at = DateTimeLocalField(_l("Début du suivi des projets"), [_required],
                                             format="%Y-%m-%dT%H:%M")


class BudgetLineForm(Form):
    label = StringField(_l("Dépense"), [Optional(), Length(max=120), PlainText()],
                        filters=TEXT_FILTERS)
    amount_cents = EurosField(_l("Montant (€)"))


class ProjectForm(FlaskForm):
    title = StringField(_l("Titre du projet"), [_required, Length(max=120), PlainText()],
                        filters=TEXT_FILTERS, description=_l("En quelques mots."))
    summary = TextAreaField(_l("Résumé"), [_required, Length(max=300, message=_l(
        "300 caractères au plus.")), PlainText(multiline=True)], filters=TEXT_FILTERS,
        description=_l("Une ou deux phrases : elles apparaîtront sur le bulletin de vote."))
    description = TextAreaField(_l("Description"), [_required, Length(max=6000),
                                                     PlainText(multiline=True)],
                                filters=TEXT_FILTERS,
                                description=_l("Ce que vous voulez faire, pour qui, quand."))
    # Added up from the budget lines when left empty (the page adds them up as they are
    # typed); a figure typed here must then equal their total.
    amount_cents = EurosField(_l("Montant demandé (€)"), [Optional()],
                              description=_l("Le total des dépenses, calculé pour vous."))
    lines = FieldList(FormField(BudgetLineForm), min_entries=BUDGET_LINES,
                      max_entries=BUDGET_LINES)
    orientation_id = SelectField(_l("Thème du contrat de ville"), coerce=optional_int)
    carrier_kind = RadioField(_l("Qui mène le projet ?"), choices=carrier_choices,
                              validators=[InputRequired(message=_l("Choisissez une réponse."))])
    carrier_name = StringField(_l("Nom du groupe ou de l’association"),
                               [_required, Length(max=120), PlainText()], filters=TEXT_FILTERS)
    contact = StringField(_l("Téléphone ou e-mail pour vous joindre"),
                          [_required, Length(max=254), PlainText()], filters=TEXT_FILTERS,
                          description=_l("Seul le comité le voit."))
    place = StringField(_l("Où ? (facultatif)"), [Length(max=200), PlainText()],
                        filters=TEXT_FILTERS, description=_l("Une rue, une place, un bâtiment."))
    # Set by a tap on the map (hidden fields), or by a place of the list below.
    latitude = StringField(_l("Latitude (facultatif)"), [Optional(), Length(max=20)])
    longitude = StringField(_l("Longitude (facultatif)"), [Optional(), Length(max=20)])
    landmark_id = SelectField(_l("Ou un lieu connu du quartier"), coerce=optional_int,
                              validate_choice=False)
    photo = FileField(_l("Photo (facultatif)"), [_photo],
                      description=_l("Les informations cachées de la photo, comme le lieu, "
                                     "sont effacées."))

    def budget_lines(self) -> list[dict[str, Any]]:
        return [{"label": entry.form.label.data, "amount_cents": entry.form.amount_cents.data}
                for entry in self.lines
                if entry.form.label.data or entry.form.amount_cents.data]


class ReviewForm(FlaskForm):
    within_cap = BooleanField(_l("Le montant respecte le plafond du fonds"))
    in_quartier = BooleanField(_l("Le projet se passe dans le quartier ou le concerne"))
    fund_rules = BooleanField(_l("Le projet respecte les règles du fonds"))
    carried_locally = BooleanField(_l("Il est mené par des habitants ou une association du "
                                       "quartier"))
    decision = RadioField(_l("Décision"), choices=lambda: choices([
        ("admit", _l("Retenir pour le vote")),
        ("changes", _l("Demander des modifications")),
        ("merge", _l("Fusionner avec un projet proche")),
        ("reject", _l("Refuser")),
    ]), validators=[InputRequired(message=_l("Choisissez une décision."))])
    merge_into = SelectField(_l("Projet avec lequel fusionner"), coerce=optional_int)
    message = TextAreaField(_l("Message à l’auteur"), [Length(max=2000), PlainText(multiline=True)],
                            filters=TEXT_FILTERS,
                            description=_l("Obligatoire pour une demande de modifications ou un "
                                           "refus. La raison d’un refus est publique."))


class DeclarationForm(FlaskForm):
    name = StringField(_l("Vos prénom et nom"), [_required, Length(max=120), PlainText()],
                       filters=TEXT_FILTERS,
                       description=_l("Ils servent seulement à vérifier que chacun vote une fois. "
                                      "Ils ne sont jamais liés à votre vote."))
    birth_date = DateField(_l("Votre date de naissance"), [
        InputRequired(message=_l("Indiquez votre date de naissance."))])
    lives_in_quartier = BooleanField(_l("Je déclare sur l’honneur habiter le quartier"))


class ReceiptForm(FlaskForm):
    code = StringField(_l("Code du reçu"), [_required, Length(max=40), PlainText()],
                       filters=TEXT_FILTERS, description=_l("Par exemple : 3F2A-91BC-0D4E-77A1"))


class FollowUpForm(FlaskForm):
    follow_up = SelectField(_l("Avancement"), choices=follow_up_choices)
    spent_cents = EurosField(_l("Montant dépensé (€)"))


class UpdateForm(FlaskForm):
    text = TextAreaField(_l("Nouvelles du projet"), [_required, Length(max=4000),
                                                     PlainText(multiline=True)],
                         filters=TEXT_FILTERS)
    photo = FileField(_l("Photo (facultatif)"), [_photo])


class TrusteesForm(FlaskForm):
    """The bureau de vote: who holds a share of the count key, and how many open it."""

    trustees = SelectMultipleField(_l("Garants de l’urne"), coerce=int,
                                   widget=ListWidget(prefix_label=False),
                                   option_widget=CheckboxInput())
    needed = SelectField(_l("Parts nécessaires pour ouvrir l’urne"), coerce=int,
                         choices=choices((n, str(n)) for n in range(2, 8)), default=2)


SHARE_FILE_BYTES = 4096


class CountForm(FlaskForm):
    """The trustees' shares, typed or as the downloaded files (``share_1``… added by
    ``count_form``)."""

    def shares(self, needed: int) -> list[str]:
        """Each trustee's share: the typed text, else the chosen file's."""
        found = []
        for n in range(1, needed + 1):
            text = getattr(self, f"share_{n}").data or ""
            upload = getattr(self, f"file_{n}").data
            if not text.strip() and upload:
                text = upload.read(SHARE_FILE_BYTES).decode("utf-8", "replace")
            found.append(text)
        return found


def count_form(needed: int) -> CountForm:
    """A count form with one share (text and file) per trustee needed."""

    class Form(CountForm):
        pass

    for n in range(1, needed + 1):
        setattr(Form, f"share_{n}", TextAreaField(
            _l("Part de clé du garant %(n)s", n=n), [Optional(), Length(max=400)],
            render_kw={"rows": 3, "autocomplete": "off", "spellcheck": "false",
                       "autocapitalize": "characters"}))
        setattr(Form, f"file_{n}", FileField(_l("ou son fichier (.txt)")))
    return Form()


class ConfirmForm(FlaskForm):
    """The button of a page that asks before doing what cannot be undone."""
