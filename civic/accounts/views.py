"""Routes of the account pages: thin, the rules are in services."""

from __future__ import annotations

import json
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
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from civic.accounts import bp, notifications, queries, services
from civic.accounts.forms import (
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
from civic.core.extensions import limiter, login_manager
from civic.core.forms import attach, blank_choice, choices
from civic.core.i18n import _, _l, get_locale
from civic.core.permissions import can, require
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
}


@login_manager.user_loader
def _load_user(user_id: str) -> object:
    user = queries.user_by_id(db(), int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.is_active else None


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


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
        result = services.sign_up(
            db(), email=form.email.data, password=form.password.data,
            display_name=form.display_name.data, language=str(get_locale()),
            quartier_id=form.quartier_id.data, now=clock.now())
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
        user = services.authenticate(db(), form.email.data, form.password.data, now=clock.now())
        if user is None:
            form.password.errors.append(_("Adresse e-mail ou mot de passe incorrect."))
        elif user.email_confirmed_at is None:
            notifications.confirmation(user)
            form.email.errors.append(_("Confirmez d’abord votre adresse : nous venons de vous "
                                       "renvoyer le lien par e-mail."))
        else:
            login_user(user, remember=form.remember.data)
            session["lang"] = user.language
            target = form.next.data
            if not is_safe_redirect(target):  # an animator's tablet opens on its hub
                target = url_for("permanence.hub") if can(user, "permanence.hub") else \
                    url_for("territory.home")
            return redirect(target)
    return render_template("accounts/login.html", form=form)


@bp.route("/deconnexion", methods=["POST"])
def logout() -> Page:
    logout_user()
    flash(_("Vous êtes déconnecté·e."), "success")
    return redirect(url_for("territory.home"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password() -> Page:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.find_by_email(db(), form.email.data)
        if user is not None and user.is_active:
            notifications.password_reset(user, services.reset_fingerprint(user))
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
        services.reset_password(db(), user, form.password.data, now=clock.now())
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


@bp.route("/compte/mot-de-passe", methods=["POST"])
@login_required
def change_password() -> Page:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(db(), current_user, form.current_password.data,
                                     form.new_password.data)
        except services.AccountError as error:
            attach(form, error, ERRORS)
        else:
            flash(_("Votre mot de passe est changé."), "success")
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
