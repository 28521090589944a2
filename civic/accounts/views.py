"""Routes of the account pages: thin, the rules are in services."""

from __future__ import annotations

import json
import math
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from civic.accounts import bp, notifications, queries, second_factor_views, services, throttle
from civic.accounts.forms import (
    PASSWORD_MIN,
    ChangePasswordForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    GrantRoleForm,
    LanguageForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SignUpForm,
    role_labels,
)
from civic.accounts.models import Role, User
from civic.core import clock
from civic.core.db import session as db
from civic.core.extensions import account_key, limiter, login_manager
from civic.core.forms import attach, blank_choice, choices, is_db_int, show_error
from civic.core.i18n import _, _l, get_locale, ngettext
from civic.core.permissions import require
from civic.core.security import is_safe_redirect, unsign
from civic.territory import queries as territory_queries

Page = str | BaseResponse | tuple[str, int]

ERRORS = {
    "wrong_password": _l("Ce mot de passe n’est pas le bon."),
    "quartier_required": _l("Choisissez le quartier où cette personne agira."),
    "signatory_required": _l("Choisissez le signataire que cette personne représente."),
    "already_granted": _l("Ce compte a déjà ce rôle."),
    "deleted": _l("Ce compte a été supprimé."),
    "last_pilot": _l("Il doit rester au moins un·e pilote."),
    "unknown_account": _l("Aucun compte n’utilise cette adresse."),
    "password_short": _l("Le mot de passe doit faire au moins %(min)d caractères.",
                         min=PASSWORD_MIN),
    "password_personal": _l("Ce mot de passe contient votre nom ou votre adresse e-mail : "
                            "choisissez-en un autre, que personne ne peut deviner."),
    "password_common": _l("Ce mot de passe est trop courant : choisissez-en un autre, par "
                          "exemple trois mots qui vont ensemble."),
    "password_simple": _l("Ce mot de passe est trop facile à deviner (une suite ou une "
                          "répétition de touches) : choisissez-en un autre, par exemple trois "
                          "mots qui vont ensemble."),
}


@login_manager.user_loader
def _load_user(login_id: str) -> object:
    """The account of a session or remember cookie, if the cookie is of its current
    generation: one logged out, reset or changed since is refused."""
    user_id, _sep, generation = login_id.partition(":")
    generation = generation or "0"  # a cookie given before generations: the first one
    if not (is_db_int(user_id) and is_db_int(generation)):
        return None
    user = queries.user_by_id(db(), int(user_id))
    if user is None or not user.is_active or user.session_generation != int(generation):
        return None
    return user


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@bp.record_once
def _keep_throttle(state: BlueprintSetupState) -> None:
    """Each app its own connection to the store of per-account counters."""
    state.app.extensions["civic.throttle"] = throttle.from_config(state.app.config)


def _throttle() -> throttle.Throttle:
    guard: throttle.Throttle = current_app.extensions["civic.throttle"]
    return guard


def _refused(form: Any, error: services.AccountError) -> int:
    """A service's refusal next to its field; the status of the page that shows it."""
    if error.code != "too_many":
        attach(form, error, ERRORS)
        return 400
    minutes = max(1, math.ceil(error.details["seconds"] / 60))
    show_error(form, error.field, ngettext("Trop d’essais : réessayez dans %(num)d minute.",
                                           "Trop d’essais : réessayez dans %(num)d minutes.",
                                           minutes))
    return 429


def _quartier_choices(none_label: object) -> list[SelectChoice]:
    return choices(blank_choice(none_label)
                   + [(q.id, q.name) for q in territory_queries.quartiers(db())])


@bp.route("/inscription", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def signup() -> Page:
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    form = SignUpForm()
    form.quartier_id.choices = _quartier_choices(_("Je ne sais pas encore"))
    if form.validate_on_submit():
        try:
            result = services.sign_up(
                db(), email=form.email.data, password=form.password.data,
                display_name=form.display_name.data, language=str(get_locale()),
                quartier_id=form.quartier_id.data, now=clock.now(), guard=_throttle())
        except services.AccountError as error:
            status = _refused(form, error)
            return render_template("accounts/signup.html", form=form), status
        if result.created:
            notifications.confirmation(result.user)
        else:
            notifications.already_registered(result.user)
        return redirect(url_for("accounts.check_mail"))
    return render_template("accounts/signup.html", form=form)


@bp.route("/inscription/verifiez-vos-mails")
def check_mail() -> Page:
    return render_template("accounts/check_mail.html")


def _token_user(purpose: str, token: str, max_age: int) -> tuple[User | None, dict[str, Any]]:
    """The account a signed link was made for, with the link's payload."""
    payload = unsign(purpose, token, max_age)
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), int):
        return None, {}
    return queries.user_by_id(db(), payload["id"]), payload


@bp.route("/confirmer/<token>")
def confirm(token: str) -> Page:
    user, payload = _token_user("confirm", token, current_app.config["CONFIRM_MAX_AGE"])
    if user is None or not services.confirm_email(db(), user, payload.get("email", ""),
                                                  now=clock.now()):
        return render_template("accounts/link_invalid.html"), 400
    flash(_("Votre adresse est confirmée. Vous pouvez vous connecter."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Page:
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.log_in(db(), _throttle(), form.email.data, form.password.data,
                                   now=clock.now())
        except services.AccountError as error:
            status = _refused(form, error)
            return render_template("accounts/login.html", form=form), status
        if user is None:
            form.password.errors.append(_("Adresse e-mail ou mot de passe incorrect."))
        elif user.email_confirmed_at is None:
            notifications.confirmation(user)
            form.email.errors.append(_("Confirmez d’abord votre adresse : nous venons de vous "
                                       "renvoyer le lien par e-mail."))
        else:  # the second step if the account has one, else logged in
            return second_factor_views.after_password(user, remember=form.remember.data,
                                                      target=form.next.data)
    return render_template("accounts/login.html", form=form)


@bp.route("/deconnexion", methods=["POST"])
def logout() -> Page:
    if current_user.is_authenticated:
        services.end_sessions(current_user)
    logout_user()
    flash(_("Vous êtes déconnecté·e."), "success")
    return redirect(url_for("territory.home"))


@bp.route("/compte/deconnexion-partout", methods=["POST"])
@login_required
def logout_everywhere() -> Page:
    """A phone lost, a shared computer: every session of the account ends, this one too."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    services.end_sessions(current_user)
    logout_user()
    flash(_("Vous êtes déconnecté·e sur tous vos appareils."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password() -> Page:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_request(db(), _throttle(), form.email.data, now=clock.now())
        except services.AccountError as error:
            status = _refused(form, error)
            return render_template("accounts/forgot_password.html", form=form), status
        # A mail either way: the same answer, the same work, whether the account exists.
        if user is not None:
            notifications.password_reset(user, services.reset_fingerprint(user))
        else:
            notifications.no_account(form.email.data, str(get_locale()))
        return render_template("accounts/check_mail.html", reset=True)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str) -> Page:
    user, payload = _token_user("reset", token, current_app.config["RESET_MAX_AGE"])
    if user is None or not user.is_active or payload.get("fp") != services.reset_fingerprint(user):
        return render_template("accounts/link_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(db(), user, form.password.data, now=clock.now(),
                                    guard=_throttle())
        except services.AccountError as error:
            status = _refused(form, error)
            return render_template("accounts/reset_password.html", form=form), status
        flash(_("Votre mot de passe est changé. Vous pouvez vous connecter."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/compte", methods=["GET", "POST"])
@login_required
def profile() -> Page:
    form = ProfileForm(obj=current_user)
    form.quartier_id.choices = _quartier_choices(_("Aucun"))
    if form.validate_on_submit():
        services.update_profile(db(), current_user, {
            "display_name": form.display_name.data, "language": form.language.data,
            "quartier_id": form.quartier_id.data, "gender": form.gender.data or None,
            "age_bracket": form.age_bracket.data or None})
        session["lang"] = form.language.data
        flash(_("Votre profil est enregistré."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form,
                           password_form=ChangePasswordForm(), delete_form=DeleteAccountForm())


#: Guesses of the current password by whoever holds a logged-in browser.
GUESS_LIMIT = "5 per minute;20 per hour"


@bp.route("/compte/mot-de-passe", methods=["POST"])
@login_required
@limiter.limit(GUESS_LIMIT, key_func=account_key)
def change_password() -> Page:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(db(), current_user, form.current_password.data,
                                     form.new_password.data)
        except services.AccountError as error:
            attach(form, error, ERRORS)
        else:
            # Every other device is logged out; this one carries on, as it was.
            remembered = current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies
            login_user(current_user._get_current_object(), remember=remembered)
            flash(_("Votre mot de passe est changé. Vos autres appareils sont déconnectés."),
                  "success")
            return redirect(url_for("accounts.profile"))
    profile_form = ProfileForm(obj=current_user, formdata=None)
    profile_form.quartier_id.choices = _quartier_choices(_("Aucun"))
    return render_template("accounts/profile.html", form=profile_form, password_form=form,
                           delete_form=DeleteAccountForm(formdata=None)), 400


@bp.route("/compte/mes-donnees.json")
@login_required
def export_data() -> Response:
    require(current_user, "account.edit", current_user)
    body = json.dumps(services.export_data(db(), current_user), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="civic-mes-donnees.json"',
        "Cache-Control": "no-store"})


@bp.route("/compte/supprimer", methods=["POST"])
@login_required
@limiter.limit(GUESS_LIMIT, key_func=account_key)
def delete_account() -> Page:
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_account(db(), current_user, form.password.data, now=clock.now())
        except services.AccountError as error:
            attach(form, error, ERRORS)
        else:
            logout_user()
            flash(_("Votre compte est supprimé. Ce que vous avez publié reste, sans votre nom."),
                  "success")
            return redirect(url_for("territory.home"))
    profile_form = ProfileForm(obj=current_user, formdata=None)
    profile_form.quartier_id.choices = _quartier_choices(_("Aucun"))
    return render_template("accounts/profile.html", form=profile_form,
                           password_form=ChangePasswordForm(formdata=None), delete_form=form), 400


@bp.route("/langue", methods=["POST"])
def set_language() -> Page:
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    session["lang"] = form.lang.data
    services.set_language(db(), current_user if current_user.is_authenticated else None,
                          form.lang.data)
    target = form.next.data
    return redirect(target if is_safe_redirect(target) else url_for("territory.home"))


@bp.route("/admin/roles", methods=["GET", "POST"])
def roles() -> Page:
    require(current_user, "accounts.manage_roles")
    form = GrantRoleForm()
    form.quartier_id.choices = _quartier_choices(_("—"))
    contract = territory_queries.current_contract(db())
    signatories = territory_queries.signatories(db(), contract) if contract else []
    form.signatory_id.choices = choices(blank_choice(_("—"))
                                        + [(s.id, s.name) for s in signatories])
    status = 200
    if form.validate_on_submit():
        user = services.find_by_email(db(), form.email.data)
        try:
            if user is None:
                raise services.AccountError("unknown_account", "email")
            services.grant_role(db(), user, Role(form.role.data),
                                quartier_id=form.quartier_id.data,
                                signatory_id=form.signatory_id.data,
                                actor=current_user, now=clock.now())
        except services.AccountError as error:
            attach(form, error, ERRORS)
        else:
            flash(_("Le rôle est attribué à %(name)s.", name=user.display_name), "success")
            return redirect(url_for("accounts.roles"))
    if form.errors:
        status = 400
    return render_template("accounts/roles.html", form=form, grants=queries.role_grants(db()),
                           role_labels=role_labels()), status


@bp.route("/admin/roles/<int:grant_id>/retirer", methods=["POST"])
def revoke_role(grant_id: int) -> Page:
    require(current_user, "accounts.manage_roles")
    grant = queries.grant_by_id(db(), grant_id) or abort(404)
    try:
        services.revoke_role(db(), grant, actor=current_user, now=clock.now())
    except services.AccountError as error:
        flash(str(ERRORS[error.code]), "error")
    else:
        flash(_("Le rôle est retiré."), "success")
    return redirect(url_for("accounts.roles"))
