"""Mails of the idea box, each in its recipient's language."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import render_template, url_for
from flask_babel import force_locale

from civic.core import mail
from civic.core.db import session
from civic.core.i18n import _
from civic.ideas.models import Forwarding, Idea

if TYPE_CHECKING:
    from civic.accounts.models import User


def _link(idea: Idea) -> str:
    return url_for("ideas.idea", idea_id=idea.id, _external=True)


def status_changed(idea: Idea, followers: list[Any], *, actor: User | None,
                   forwarding: Forwarding | None = None) -> int:
    """Tell the idea's followers its new status, and those who supported it, each as
    they chose for the idea's quartier (``outreach.notify``): a follower who chose
    nothing is told at once, as always; "once a week" reads it in the digest, "never"
    nothing. The person who acted is not told."""
    from civic.outreach import notify  # the outreach part builds on the idea box

    following = {user.id for user in followers}
    sent = 0
    for user in notify.answer_audience(session(), idea, followers):
        if actor is not None and user.id == actor.id:
            continue
        with force_locale(user.language):
            mail.send(user.email, _("Du nouveau pour l’idée « %(title)s »", title=idea.title),
                      render_template("ideas/mail/status.txt", idea=idea, user=user,
                                      forwarding=forwarding, link=_link(idea),
                                      following=user.id in following,
                                      preferences=url_for("outreach.preferences",
                                                          _external=True)),
                      kind="ideas/mail/status")
        sent += 1
    return sent


def forwarded(forwarding: Forwarding) -> None:
    """The signatory's referent learns what is asked, by when, and where to answer."""
    signatory = forwarding.signatory
    with force_locale("fr"):
        mail.send(signatory.referent_email,
                  _("Une idée d’habitants vous est transmise : « %(title)s »",
                    title=forwarding.idea.title),
                  render_template("ideas/mail/forwarded.txt", forwarding=forwarding,
                                  signatory=signatory, idea=forwarding.idea,
                                  link=url_for("ideas.answer_forwarding",
                                               forwarding_id=forwarding.id, _external=True),
                                  public=_link(forwarding.idea)),
                  kind="ideas/mail/forwarded")
