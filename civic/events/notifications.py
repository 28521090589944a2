"""Mails of events, each in the language the person signed up in. Every mail about a
signup carries its cancel link; confirmations and promotions carry the .ics file."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, render_template, url_for
from flask_babel import force_locale

from civic.core import clock, mail
from civic.core.i18n import _
from civic.core.security import sign
from civic.events import ical, services
from civic.events.labels import KINDS
from civic.events.models import Event, Signup

TOKEN_PURPOSE = "event-signup"  # noqa: S105  (a salt, not a secret)


def token(signup: Signup) -> str:
    return sign(TOKEN_PURPOSE, services.token_payload(signup))


def links(signup: Signup) -> dict[str, str]:
    value = token(signup)
    return {"cancel": url_for("events.cancel_signup", token=value, _external=True),
            "signup": url_for("events.signup_page", token=value, _external=True),
            "event": url_for("events.event", event_id=signup.event_id, _external=True)}


def describe(event: Event) -> str:
    """The text of a calendar entry, in the current language."""
    parts = [str(KINDS.get(event.kind, "")), event.description]
    if event.bring:
        parts.append(_("À apporter : %(what)s", what=event.bring))
    if event.cancelled_at:
        parts.insert(0, _("Annulé : %(reason)s", reason=event.cancel_reason))
    return "\n\n".join(p for p in parts if p)


def ics(events: list[Event], name: str, *, method: str = "PUBLISH",
        status: str | None = None) -> bytes:
    config = current_app.config
    return ical.calendar(events, name=name, timezone=config["TIMEZONE"],
                         domain=config.get("SERVER_NAME") or "civic.localhost",
                         url_of=lambda e: url_for("events.event", event_id=e.id,
                                                  _external=True),
                         describe=describe, now=clock.now(), method=method, status=status)


def _calendar_of(signup: Signup) -> tuple[str, str | None]:
    """(method, status) of the calendar a mail about this signup carries: the event
    as it is for a confirmed place, tentative on the waiting list, taken out of the
    calendar once the signup or the event is cancelled."""
    if signup.event.cancelled_at is not None or signup.status == "cancelled":
        return "CANCEL", "CANCELLED"
    if signup.status == "waiting":
        return "PUBLISH", "TENTATIVE"
    return "PUBLISH", None


def _send(signup: Signup, subject: str, template: str, *, attach: bool = False,
          **context: Any) -> bool:
    if not signup.email:
        return False
    with force_locale(signup.language):
        attachments = []
        if attach:
            method, status = _calendar_of(signup)
            attachments.append(("evenement.ics", f"text/calendar; method={method}",
                                ics([signup.event], signup.event.title, method=method,
                                    status=status)))
        mail.send(signup.email, subject,
                  render_template(template, signup=signup, event=signup.event,
                                  links=links(signup), **context),
                  attachments=attachments, kind=template.removesuffix(".txt"))
    return True


def signed_up(signup: Signup) -> bool:
    with force_locale(signup.language):
        title = signup.event.title
        subject = (_("Inscription confirmée : %(title)s", title=title)
                   if signup.status == "confirmed"
                   else _("Liste d’attente : %(title)s", title=title))
    return _send(signup, subject, "events/mail/signed_up.txt", attach=True)


def promoted(signup: Signup) -> bool:
    with force_locale(signup.language):
        subject = _("Une place s’est libérée : %(title)s", title=signup.event.title)
    return _send(signup, subject, "events/mail/promoted.txt", attach=True)


def cancelled(signup: Signup) -> bool:
    with force_locale(signup.language):
        subject = _("Désinscription confirmée : %(title)s", title=signup.event.title)
    return _send(signup, subject, "events/mail/cancelled.txt", attach=True)


def reminder(signup: Signup, now: datetime) -> bool:
    """The day before; or the same day, for someone who signed up after the last run."""
    zone = current_app.config["TIMEZONE"]
    today = clock.local_day(signup.event.starts_at, zone) == clock.local_day(now, zone)
    with force_locale(signup.language):
        subject = (_("C’est aujourd’hui : %(title)s", title=signup.event.title) if today
                   else _("C’est demain : %(title)s", title=signup.event.title))
    return _send(signup, subject, "events/mail/reminder.txt", attach=True, today=today)


def changed(signup: Signup, fields: list[str]) -> bool:
    with force_locale(signup.language):
        subject = _("Changement pour %(title)s", title=signup.event.title)
    return _send(signup, subject, "events/mail/changed.txt", attach=True, fields=fields)


def event_cancelled(signup: Signup) -> bool:
    with force_locale(signup.language):
        subject = _("Événement annulé : %(title)s", title=signup.event.title)
    return _send(signup, subject, "events/mail/event_cancelled.txt", attach=True)


def message(signup: Signup, subject: str, body: str, sender: str) -> bool:
    if not signup.email:
        return False
    with force_locale(signup.language):
        mail.send(signup.email, subject,
                  render_template("events/mail/message.txt", signup=signup,
                                  event=signup.event, body=body, sender=sender,
                                  links=links(signup)), kind="events/mail/message")
    return True
