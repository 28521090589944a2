"""Forms of the account pages: shape and format only; services decide the rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length

from civic.accounts import passwords
from civic.accounts.models import AGE_BRACKETS, GENDERS, Role
from civic.core.forms import TEXT_FILTERS, PlainText, choices, optional_int
from civic.core.i18n import LANGUAGE_NAMES, _l

PASSWORD_MIN = passwords.MIN_LENGTH
PASSWORD_MAX = 200

_email = [
    DataRequired(message=_l("Indiquez votre adresse e-mail.")),
    Length(max=254, message=_l("Cette adresse est trop longue.")),
    Email(message=_l("Cette adresse e-mail n’est pas valide. Exemple : nom@example.org"),
          check_deliverability=False),
]
_new_password = [
    DataRequired(message=_l("Choisissez un mot de passe.")),
    Length(min=PASSWORD_MIN,
           message=_l("Le mot de passe doit faire au moins %(min)d caractères.", min=PASSWORD_MIN)),
    Length(max=PASSWORD_MAX, message=_l("Le mot de passe doit faire %(max)d caractères au plus.",
                                        max=PASSWORD_MAX)),
]
#: The rule, said before the field (services.check_new_password applies it).
_password_rule = _l("Au moins %(min)d caractères. Pas un mot de passe courant, ni votre nom, "
                    "ni votre adresse e-mail. Le plus simple : trois mots qui vont ensemble, "
                    "séparés par des espaces.", min=PASSWORD_MIN)
_display_name = [
    DataRequired(message=_l("Indiquez le nom à afficher.")),
    Length(max=80, message=_l("80 caractères au plus.")),
    PlainText(),
]


GENDER_LABELS = {"woman": _l("Femme"), "man": _l("Homme"), "other": _l("Autre")}
AGE_LABELS = {"under_18": _l("Moins de 18 ans"), "18_24": _l("18 à 24 ans"),
              "25_39": _l("25 à 39 ans"), "40_54": _l("40 à 54 ans"),
              "55_64": _l("55 à 64 ans"), "65_plus": _l("65 ans et plus")}


def gender_choices() -> list[SelectChoice]:
    return choices([("", _l("Je préfère ne pas le dire"))]
                   + [(g, GENDER_LABELS[g]) for g in GENDERS])


def age_choices() -> list[SelectChoice]:
    return choices([("", _l("Je préfère ne pas le dire"))]
                   + [(a, AGE_LABELS[a]) for a in AGE_BRACKETS])


def role_labels() -> dict[str, str]:
    return {Role.MODERATOR.value: _l("Membre du conseil citoyen (modération)"),
            Role.ANIMATOR.value: _l("Animateur ou animatrice"),
            Role.SIGNATORY.value: _l("Référent·e d’un signataire"),
            Role.EVALUATOR.value: _l("Membre du comité d’évaluation"),
            Role.PILOT.value: _l("Pilote du contrat")}


def role_choices() -> list[SelectChoice]:
    return choices(role_labels().items())


def language_choices() -> list[SelectChoice]:
    return choices(LANGUAGE_NAMES.items())


class SignUpForm(FlaskForm):
    display_name = StringField(_l("Nom affiché"), _display_name, filters=TEXT_FILTERS,
                               description=_l("Un prénom ou un pseudo suffit. "
                                              "C’est le seul nom que les autres verront."))
    email = EmailField(_l("Adresse e-mail"), _email, filters=TEXT_FILTERS)
    password = PasswordField(_l("Mot de passe"), _new_password, description=_password_rule)
    quartier_id = SelectField(_l("Votre quartier (facultatif)"), coerce=optional_int,
                              validate_choice=True)


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), _email, filters=TEXT_FILTERS)
    password = PasswordField(_l("Mot de passe"), [
        DataRequired(message=_l("Indiquez votre mot de passe.")), Length(max=200)])
    remember = BooleanField(_l("Rester connecté·e sur cet appareil"))
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), _email, filters=TEXT_FILTERS)


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("Nouveau mot de passe"), _new_password,
                             description=_password_rule)


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Nom affiché"), _display_name, filters=TEXT_FILTERS)
    language = SelectField(_l("Langue du site"), choices=language_choices,
                           validators=[InputRequired(message=_l("Choisissez une langue."))])
    quartier_id = SelectField(_l("Votre quartier"), coerce=optional_int)
    gender = SelectField(_l("Genre (facultatif)"), choices=gender_choices)
    age_bracket = SelectField(_l("Âge (facultatif)"), choices=age_choices)


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Mot de passe actuel"), [
        DataRequired(message=_l("Indiquez votre mot de passe actuel.")), Length(max=200)])
    new_password = PasswordField(_l("Nouveau mot de passe"), _new_password,
                                 description=_password_rule)


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Votre mot de passe, pour confirmer"), [
        DataRequired(message=_l("Indiquez votre mot de passe pour confirmer.")),
        Length(max=200)])


class LanguageForm(FlaskForm):
    lang = SelectField(_l("Langue"), choices=language_choices)
    next = HiddenField()


class GrantRoleForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail du compte"), _email, filters=TEXT_FILTERS)
    role = SelectField(_l("Rôle"), choices=role_choices)
    quartier_id = SelectField(_l("Quartier (modération, animation)"), coerce=optional_int)
    signatory_id = SelectField(_l("Signataire (référent·e)"), coerce=optional_int)


# --- Second step at login (civic/accounts/second_factor_views.py) -------------------------


class AppCodeForm(FlaskForm):
    code = StringField(_l("Code à 6 chiffres"), [
        DataRequired(message=_l("Tapez le code que montre l’application.")),
        Length(max=20, message=_l("Le code a 6 chiffres."))], filters=TEXT_FILTERS,
        description=_l("Ouvrez l’application de codes sur votre téléphone."))


class RecoveryCodeForm(FlaskForm):
    recovery_code = StringField(_l("Code de secours"), [
        DataRequired(message=_l("Tapez un de vos codes de secours.")),
        Length(max=40, message=_l("Ce code est trop long."))], filters=TEXT_FILTERS,
        description=_l("Un des 10 codes que vous avez imprimés ou téléchargés. "
                       "Exemple : ABCD-EFGH-JKMN"))


class SecurityKeyForm(FlaskForm):
    name = StringField(_l("Nom de la clé"), [
        DataRequired(message=_l("Donnez un nom à la clé.")),
        Length(max=80, message=_l("80 caractères au plus.")), PlainText()],
        filters=TEXT_FILTERS,
        description=_l("Pour la reconnaître, par exemple « clé bleue » ou « mon téléphone »."))
    credential = HiddenField()


class KeyAnswerForm(FlaskForm):
    """The answer of a security key at the second step (filled by static/js/webauthn.js)."""

    credential = HiddenField()


class ResetSecondFactorForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail de la personne"), _email, filters=TEXT_FILTERS)
