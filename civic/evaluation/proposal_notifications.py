"""Mails of the proposed questions: the author learns the committee's decision and its
reason, in their language."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import force_locale

from civic.core import mail
from civic.core.i18n import _
from civic.evaluation.models import Decision, QuestionProposal


def decided(proposal: QuestionProposal) -> bool:
    """Tell the author what the committee decided; False for an account without an
    address (deleted), which is simply not told."""
    author = proposal.author
    if author is None or not author.email or author.deleted_at is not None:
        return False
    with force_locale(author.language):
        subjects = {
            Decision.KEPT: _("Votre question est retenue pour l’évaluation"),
            Decision.MERGED: _("Votre question rejoint une question de l’évaluation"),
            Decision.SET_ASIDE: _("Le comité d’évaluation a mis votre question de côté"),
        }
        mail.send(author.email, subjects[Decision(proposal.decision)],
                  render_template("evaluation/proposals/mail/decided.txt",
                                  proposal=proposal, user=author,
                                  link=url_for("evaluation.proposal",
                                               proposal_id=proposal.id, _external=True)),
                  kind="evaluation/proposals/mail/decided")
    return True
