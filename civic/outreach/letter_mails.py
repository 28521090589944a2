"""Mails about a quartier's letter: the confirmation link, and the reminder to an address
that reads the letter already. Each in the language asked for, each with the one-click
way out (RFC 8058) that every letter carries."""

from __future__ import annotations

from flask import current_app, render_template, url_for
from flask_babel import force_locale

from civic.core import mail
from civic.core.i18n import _
from civic.outreach import newsletter
from civic.outreach.digest import unsubscribe_headers
from civic.outreach.newsletter import Asked


def requested(asked: Asked) -> None:
    """The link that confirms the address, or, for an address confirmed already, how
    to leave (asking again changes nothing)."""
    subscription = asked.subscription
    leave = url_for("outreach.letter_unsubscribe", token=asked.token, _external=True)
    with force_locale(subscription.language):
        name = subscription.quartier.name
        if asked.already:
            subject = _("Vous recevez déjà la lettre du quartier %(name)s", name=name)
            template = "outreach/mail/letter_already.txt"
        else:
            subject = _("Confirmez : la lettre du quartier %(name)s", name=name)
            template = "outreach/mail/letter_confirm.txt"
        body = render_template(
            template, quartier=subscription.quartier, unsubscribe=leave,
            confirm=url_for("outreach.letter_confirm", token=asked.token, _external=True),
            hours=newsletter.confirm_hours(current_app.config))
        mail.send(subscription.email, subject, body, kind=template.removesuffix(".txt"),
                  headers=unsubscribe_headers(leave))
