"""Mails of the FPH, in the recipient's language."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import render_template, url_for
from flask_babel import force_locale

from civic.budget.models import Project, Round
from civic.core import mail
from civic.core.i18n import _

if TYPE_CHECKING:
    from civic.accounts.models import User


def reviewed(project: Project) -> None:
    """Tell the author what the committee decided."""
    author = project.author
    if author is None or not author.email:
        return
    with force_locale(author.language):
        mail.send(author.email, _("Votre projet « %(title)s »", title=project.title),
                  render_template("budget/mail/reviewed.txt", project=project, user=author,
                                  link=url_for("budget.project_page", project_id=project.id,
                                               _external=True)),
                  kind="budget/mail/reviewed")


def trustee_named(round_: Round, people: list[Any]) -> None:
    """Tell each trustee where to receive their share of the count key."""
    link = url_for("budget.trustee", round_id=round_.id, _external=True)
    for person in people:
        if person is None or not person.email:
            continue
        with force_locale(person.language):
            mail.send(person.email,
                      _("Vous êtes garant de l’urne « %(title)s »", title=round_.title),
                      render_template("budget/mail/trustee_named.txt", round=round_,
                                      user=person, link=link),
                      kind="budget/mail/trustee_named")


def receipt(round_: Round, user: User, code: str) -> None:
    """A copy of the ballot's receipt, which says nothing of the choices."""
    if not user.email:
        return
    with force_locale(user.language):
        mail.send(user.email, _("Votre vote est dans l’urne : « %(title)s »", title=round_.title),
                  render_template("budget/mail/receipt.txt", round=round_, user=user,
                                  code=code, link=url_for("budget.receipt", _external=True)),
                  kind="budget/mail/receipt")
