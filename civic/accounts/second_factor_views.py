"""Routes of the second step at login: the step itself, the account's security page
(app, security keys, recovery codes) and a pilot's reset. The rules are in
``civic.accounts.second_factor``.

After a right password, an account with a second step is only *on its way*: the signed
session holds its id for ``PENDING_SECONDS`` under ``PENDING``, which no other page reads
(Flask-Login knows nothing of it), and ``complete_login`` runs once a code or a key
answered.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from flask import (
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response as BaseResponse

from civic.accounts import bp, queries, second_factor, services
from civic.accounts.forms import (
    AppCodeForm,
    DeleteAccountForm,
    KeyAnswerForm,
    RecoveryCodeForm,
    ResetSecondFactorForm,
    SecurityKeyForm,
)
from civic.accounts.models import User
from civic.accounts.second_factor import RelyingParty, SecondFactorError
from civic.core import clock
from civic.core.db import session as db
from civic.core.extensions import account_key, limiter
from civic.core.i18n import _, _l
from civic.core.permissions import can, require
from civic.core.qr import qr_svg
from civic.core.security import is_safe_redirect, no_store, verify_password

Page = str | BaseResponse | tuple[str, int] | tuple[BaseResponse, int]

#: The session key of a login waiting for its second step, and how long it waits.
PENDING = "second_step"
PENDING_SECONDS = 5 * 60
#: The session key of the challenge a security key must sign.
CHALLENGE = "webauthn"
CHALLENGE_SECONDS = second_factor.WEBAUTHN_TIMEOUT_MS // 1000 + 60
#: Wrong codes for one account, wherever they come from (on top of the address limit).
ACCOUNT_LIMIT = "5 per minute;20 per hour"

#: When this browser last proved it is the account's owner (a login, or the password
#: typed again); changes to the second step need it within RECENT_SECONDS.
RECENT = "civic.authenticated_at"
RECENT_SECONDS = 10 * 60

ERRORS = {
    "wrong_code": _l("Ce code ne marche pas. Tapez le code affiché en ce moment."),
    "key_refused": _l("La clé n’a pas pu être ajoutée. Réessayez."),
    "key_known": _l("Cette clé est déjà enregistrée."),
    "unknown_key": _l("Cette clé n’existe pas."),
    "not_enrolled": _l("Activez d’abord la connexion en deux étapes."),
    "own_reset": _l("Vous ne pouvez pas réinitialiser votre propre compte : demandez à "
                    "un·e autre pilote."),
    "deleted": _l("Ce compte a été supprimé."),
    "unknown_account": _l("Aucun compte n’utilise cette adresse."),
}


def _keys() -> second_factor.Keys:
    return second_factor.Keys.derive(str(current_app.config["SECRET_KEY"]))


def _rp() -> RelyingParty:
    return RelyingParty.from_base_url(str(current_app.config["BASE_URL"]))


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _pending_key() -> str:
    state = session.get(PENDING)
    return f"second-step:{state.get('id') if isinstance(state, dict) else None}"


def _failed(response: BaseResponse) -> bool:
    return response.status_code >= 400


def _no_pending() -> bool:
    return not isinstance(session.get(PENDING), dict)


# --- The end of a login ----------------------------------------------------------------


def after_password(user: User, *, remember: bool, target: str) -> BaseResponse:
    """A right password: the second step if the account has one, else logged in."""
    if not second_factor.has_second_factor(user):
        return complete_login(user, remember=remember, target=target)
    session[PENDING] = {"id": user.id, "remember": bool(remember),
                        "next": target if is_safe_redirect(target) else "",
                        "until": clock.now().timestamp() + PENDING_SECONDS}
    return redirect(url_for("accounts.second_step"))


def complete_login(user: User, *, remember: bool, target: str) -> BaseResponse:
    """The end of every login, after the password alone or after the second step. An
    account granted a role without a second step goes to set one up."""
    session.pop(PENDING, None)
    session.pop(CHALLENGE, None)
    login_user(user, remember=remember)
    session[RECENT] = clock.now().timestamp()
    session["lang"] = user.language
    if second_factor.must_enrol(user):
        flash(_("Votre rôle demande une connexion en deux étapes. Activez-la ici : "
                "en attendant, votre compte est celui d’un·e habitant·e."), "info")
        return redirect(url_for("accounts.security"))
    if not is_safe_redirect(target):  # an animator's tablet opens on its hub
        target = url_for("permanence.hub") if can(user, "permanence.hub") else \
            url_for("territory.home")
    return redirect(target)


def _pending() -> tuple[User | None, dict[str, Any]]:
    """The account waiting for its second step, and the login's choices."""
    state = session.get(PENDING)
    if not isinstance(state, dict) or not isinstance(state.get("id"), int) \
            or not isinstance(state.get("until"), int | float):
        return None, {}
    if state["until"] < clock.now().timestamp():
        session.pop(PENDING, None)
        return None, {}
    user = queries.user_by_id(db(), state["id"])
    if user is None or not user.is_active or not second_factor.has_second_factor(user):
        return None, {}
    return user, state


def _expired() -> BaseResponse:
    flash(_("La connexion a pris trop de temps. Recommencez."), "info")
    return redirect(url_for("accounts.login"))


def _finish(user: User, state: dict[str, Any]) -> BaseResponse:
    return complete_login(user, remember=bool(state.get("remember")),
                          target=str(state.get("next") or ""))


# --- The second step -------------------------------------------------------------------


def _second_step_page(user: User, code_form: AppCodeForm, recovery_form: RecoveryCodeForm,
                      status: int = 200) -> tuple[str, int]:
    state = second_factor.status(db(), user)
    return render_template("accounts/second_step.html", code_form=code_form,
                           recovery_form=recovery_form, key_form=KeyAnswerForm(formdata=None),
                           has_app=state.app, has_keys=bool(state.keys),
                           open_recovery=bool(recovery_form.errors)), status


@bp.route("/connexion/deuxieme-etape", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(ACCOUNT_LIMIT, key_func=_pending_key, methods=["POST"], deduct_when=_failed,
               exempt_when=_no_pending)
def second_step() -> Page:
    user, state = _pending()
    if user is None:
        return _expired()
    form = AppCodeForm()
    if form.validate_on_submit():
        if second_factor.check_app_code(db(), user, form.code.data, _keys(), now=clock.now()):
            return _finish(user, state)
        form.code.errors.append(str(ERRORS["wrong_code"]))
    status = 400 if form.errors else 200
    return _second_step_page(user, form, RecoveryCodeForm(formdata=None), status)


@bp.route("/connexion/deuxieme-etape/secours", methods=["POST"])
@limiter.limit(_login_limit)
@limiter.limit(ACCOUNT_LIMIT, key_func=_pending_key, deduct_when=_failed,
               exempt_when=_no_pending)
def second_step_recovery() -> Page:
    user, state = _pending()
    if user is None:
        return _expired()
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        if second_factor.use_recovery_code(db(), user, form.recovery_code.data, _keys(),
                                           now=clock.now()):
            left = second_factor.recovery_codes_left(db(), user)
            complete_login(user, remember=bool(state.get("remember")), target="")
            flash(_("Code de secours accepté. Il vous en reste %(n)s. Téléphone perdu ? "
                    "Installez l’application à nouveau ici.", n=left), "info")
            return redirect(url_for("accounts.security"))
        form.recovery_code.errors.append(_("Ce code de secours ne marche pas, ou il a "
                                           "déjà servi."))
    return _second_step_page(user, AppCodeForm(formdata=None), form, 400)


def _new_challenge(purpose: str, challenge: second_factor.Challenge) -> BaseResponse:
    session[CHALLENGE] = {"purpose": purpose, "at": clock.now().timestamp(),
                          "challenge": base64.urlsafe_b64encode(challenge.challenge).decode()}
    response = current_app.response_class(challenge.options, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _challenge(purpose: str) -> tuple[bytes, datetime] | None:
    """The challenge issued for ``purpose`` and when, if still fresh; used once."""
    state = session.pop(CHALLENGE, None)
    if not isinstance(state, dict) or state.get("purpose") != purpose \
            or not isinstance(state.get("at"), int | float):
        return None
    issued_at = datetime.fromtimestamp(state["at"], UTC)
    if (clock.now() - issued_at).total_seconds() > CHALLENGE_SECONDS:
        return None
    return base64.urlsafe_b64decode(str(state.get("challenge", ""))), issued_at


@bp.route("/connexion/deuxieme-etape/cle/defi", methods=["POST"])
@limiter.limit(_login_limit)
def second_step_key_options() -> Page:
    user, _state = _pending()
    if user is None:
        return jsonify(error=_("La connexion a pris trop de temps. Recommencez.")), 400
    return _new_challenge("login", second_factor.login_challenge(db(), user, _rp()))


@bp.route("/connexion/deuxieme-etape/cle", methods=["POST"])
@limiter.limit(_login_limit)
@limiter.limit(ACCOUNT_LIMIT, key_func=_pending_key, deduct_when=_failed,
               exempt_when=_no_pending)
def second_step_key() -> Page:
    user, state = _pending()
    form = KeyAnswerForm()
    if user is None or not form.validate_on_submit():
        return jsonify(error=_("La connexion a pris trop de temps. Recommencez.")), 400
    issued = _challenge("login")
    if issued is None or not second_factor.check_key(
            db(), user, _rp(), form.credential.data or "", issued[0], issued_at=issued[1],
            now=clock.now()):
        return jsonify(error=_("Cette clé n’a pas été reconnue. Réessayez, ou tapez un code.")), 400
    return jsonify(next=_finish(user, state).location)


# --- The account's security page -------------------------------------------------------


def _recent() -> bool:
    at = session.get(RECENT)
    return isinstance(at, int | float) and 0 <= clock.now().timestamp() - at <= RECENT_SECONDS


def recent_login_required(view: Callable[..., Page]) -> Callable[..., Page]:
    """The view changes how the account proves it is its owner: a session cookie copied
    from a browser must not be enough. Without a login or the password typed in the
    last ten minutes, the password is asked again first."""

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Page:
        if _recent():
            return view(*args, **kwargs)
        if request.is_json or request.path.endswith(("/defi", "/cle")):
            return jsonify(error=_("Retapez d’abord votre mot de passe : rechargez la "
                                   "page.")), 401
        return redirect(url_for("accounts.confirm_password",
                                next=url_for("accounts.security")))

    return checked


@bp.route("/compte/confirmer", methods=["GET", "POST"])
@login_required
@limiter.limit(ACCOUNT_LIMIT, methods=["POST"], key_func=account_key)
def confirm_password() -> Page:
    """The password typed again, before a change to the second step."""
    form = DeleteAccountForm()
    target = request.args.get("next", "")
    if form.validate_on_submit():
        if verify_password(current_user.password_hash, form.password.data):
            session[RECENT] = clock.now().timestamp()
            return redirect(target if is_safe_redirect(target)
                            else url_for("accounts.security"))
        form.password.errors.append(_("Ce n’est pas le bon mot de passe."))
    return render_template("accounts/confirm_password.html", form=form), \
        400 if form.errors else 200


@bp.route("/compte/deuxieme-etape")
@login_required
@recent_login_required
def security() -> Page:
    return render_template("accounts/security.html",
                           status=second_factor.status(db(), current_user),
                           waiting=second_factor.must_enrol(current_user),
                           key_form=SecurityKeyForm(formdata=None))


@bp.route("/compte/deuxieme-etape/application", methods=["GET", "POST"])
@login_required
@recent_login_required
def enrol_app() -> Page:
    keys, now = _keys(), clock.now()
    secret = second_factor.start_app(db(), current_user, keys, now=now)
    form = AppCodeForm()
    if form.validate_on_submit():
        try:
            first = second_factor.confirm_app(db(), current_user, form.code.data, keys, now=now)
        except SecondFactorError as error:
            form.code.errors.append(str(ERRORS[error.code]))
        else:
            flash(_("C’est fait : l’application vous donnera un code à chaque connexion."),
                  "success")
            if first:
                return _recovery_codes_page(first=True)
            return redirect(url_for("accounts.security"))
    uri = second_factor.app_uri(secret, current_user.email or str(current_user.id),
                                f"civic {_rp().id}")
    return no_store(render_template(
        "accounts/enrol_app.html", form=form, qr=qr_svg(uri),
        secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4))),
        400 if form.errors else 200)


def _recovery_codes_page(*, first: bool) -> BaseResponse:
    codes = second_factor.new_recovery_codes(db(), current_user, _keys(), now=clock.now())
    return no_store(render_template("accounts/recovery_codes.html", codes=codes, first=first))


@bp.route("/compte/deuxieme-etape/codes", methods=["POST"])
@login_required
@recent_login_required
def new_recovery_codes() -> Page:
    if not second_factor.has_second_factor(current_user):
        flash(str(ERRORS["not_enrolled"]), "error")
        return redirect(url_for("accounts.security"))
    return _recovery_codes_page(first=False)


@bp.route("/compte/deuxieme-etape/application/retirer", methods=["POST"])
@login_required
@recent_login_required
def remove_app() -> Page:
    if KeyAnswerForm().validate_on_submit():  # the CSRF token only
        second_factor.remove_app(db(), current_user, now=clock.now())
        flash(_("L’application est retirée."), "success")
    return redirect(url_for("accounts.security"))


@bp.route("/compte/deuxieme-etape/cle/defi", methods=["POST"])
@login_required
@recent_login_required
def key_options() -> Page:
    return _new_challenge("register",
                          second_factor.registration_challenge(db(), current_user, _rp()))


@bp.route("/compte/deuxieme-etape/cle", methods=["POST"])
@login_required
@recent_login_required
def add_key() -> Page:
    form = SecurityKeyForm()
    issued = _challenge("register")
    if not form.validate_on_submit():
        return jsonify(error=" ".join(str(e) for errors in form.errors.values()
                                      for e in errors)), 400
    try:
        if issued is None or not form.credential.data:
            raise SecondFactorError("key_refused")
        first = second_factor.register_key(db(), current_user, _rp(), form.credential.data,
                                           issued[0], form.name.data, now=clock.now())
    except SecondFactorError as error:
        return jsonify(error=str(ERRORS[error.code])), 400
    flash(_("La clé « %(name)s » est ajoutée.", name=form.name.data), "success")
    if first:
        flash(_("Créez maintenant vos codes de secours, pour le jour où vous perdrez la clé."),
              "info")
    return jsonify(next=url_for("accounts.security"))


@bp.route("/compte/deuxieme-etape/cle/<int:key_id>/retirer", methods=["POST"])
@login_required
@recent_login_required
def remove_key(key_id: int) -> Page:
    if KeyAnswerForm().validate_on_submit():  # the CSRF token only
        try:
            second_factor.remove_key(db(), current_user, key_id, now=clock.now())
        except SecondFactorError as error:
            flash(str(ERRORS[error.code]), "error")
        else:
            flash(_("La clé est retirée."), "success")
    return redirect(url_for("accounts.security"))


# --- Loss: a pilot resets another account ----------------------------------------------


@bp.route("/admin/deuxieme-etape", methods=["POST"])
def reset_second_factor() -> Page:
    require(current_user, "accounts.manage_roles")
    form = ResetSecondFactorForm(prefix="reset")
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("accounts.roles"))
    user = services.find_by_email(db(), form.email.data)
    try:
        if user is None:
            raise SecondFactorError("unknown_account")
        second_factor.reset(db(), user, actor=current_user, now=clock.now())
    except SecondFactorError as error:
        flash(str(ERRORS[error.code]), "error")
    else:
        flash(_("La connexion en deux étapes de %(name)s est réinitialisée : elle lui sera "
                "demandée à sa prochaine connexion.", name=user.display_name), "success")
    return redirect(url_for("accounts.roles"))
