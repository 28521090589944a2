"""The mails of the account pages, written in the recipient's language."""

from __future__ import annotations

from collections.abc import Callable

from flask import render_template, url_for
from flask_babel import force_locale

from civic.accounts.models import User
from civic.core import mail
from civic.core.i18n import _
from civic.core.security import sign


def _send(user: User, subject: Callable[[], str], template: str, **context: object) -> None:
    """Subject and body are rendered in the recipient's language, not the visitor's."""
    assert user.email is not None
    with force_locale(user.language):
        mail.send(user.email, subject(),
                  render_template(f"accounts/mail/{template}.txt", user=user, **context),
                  kind=f"accounts/mail/{template}")


def confirmation(user: User) -> None:
    token = sign("confirm", {"id": user.id, "email": user.email})
    _send(user, lambda: _("Confirmez votre adresse e-mail"), "confirm",
          link=url_for("accounts.confirm", token=token, _external=True))


def already_registered(user: User) -> None:
    _send(user, lambda: _("Quelqu’un a voulu créer un compte avec votre adresse"),
          "already_registered", login=url_for("accounts.login", _external=True),
          forgot=url_for("accounts.forgot_password", _external=True))


def no_account(email: str, language: str) -> None:
    """Answer a reset asked for an address without an account, so that asking for one
    does the same work and says the same whether the account exists."""
    with force_locale(language):
        mail.send(email, _("Choisir un nouveau mot de passe"),
                  render_template("accounts/mail/no_account.txt",
                                  signup=url_for("accounts.signup", _external=True),
                                  forgot=url_for("accounts.forgot_password", _external=True)),
                  kind="accounts/mail/no_account")


def password_reset(user: User, fingerprint: str) -> None:
    token = sign("reset", {"id": user.id, "fp": fingerprint})
    _send(user, lambda: _("Choisir un nouveau mot de passe"), "reset",
          link=url_for("accounts.reset_password", token=token, _external=True))
