"""Mails of the FPH, in the recipient's language."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import force_locale

from civic.budget.models import Project
from civic.core import mail
from civic.core.i18n import _


def reviewed(project: Project) -> None:
    """Tell the author what the committee decided."""
    author = project.author
    if author is None or not author.email:
        return
    with force_locale(author.language):
        mail.send(author.email, _("Votre projet « %(title)s »", title=project.title),
                  render_template("budget/mail/reviewed.txt", project=project, user=author,
                                  link=url_for("budget.project_page", project_id=project.id,
                                               _external=True)))
