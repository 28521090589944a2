"""Mails of moderation: the author learns what was decided, in their language."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import force_locale

from civic.core import mail
from civic.core.i18n import _
from civic.core.web import base_url
from civic.moderation.registry import Kind


def decided(kind: Kind, obj: Any, action: str) -> None:
    """Publication, rejection (with the reason), hiding or restoring."""
    author = kind.author(obj)
    if author is None or not author.email or action == "edit_title":
        return
    item = kind.describe(obj)
    with force_locale(author.language):
        subjects = {
            "publish": _("Votre message est en ligne"),
            "restore": _("Votre message est de nouveau en ligne"),
            "reject": _("Votre message n’a pas été publié"),
            "hide": _("Votre message a été masqué"),
        }
        mail.send(author.email, subjects[action],
                  render_template("moderation/mail/decided.txt", item=item, action=action,
                                  user=author, link=base_url() + kind.url(obj)),
                  kind="moderation/mail/decided")
