"""Routes of the questions residents propose for an evaluation: the public list with its
supports, the form, and the committee's decisions. Thin: rules live in ``proposals``
and permissions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from civic.core import clock
from civic.core.db import session as db
from civic.core.extensions import account_key, limiter
from civic.core.forms import attach, blank_choice, choices
from civic.core.i18n import _
from civic.core.permissions import can, require
from civic.core.web import timezone, visitor
from civic.evaluation import bp, proposal_notifications, proposal_queries, proposals
from civic.evaluation.forms import KeepForm, MergeForm, ProposalForm, SetAsideForm
from civic.evaluation.lookup import evaluation_or_404
from civic.evaluation.messages import ERRORS
from civic.evaluation.models import Evaluation, EvaluationQuestion, QuestionProposal
from civic.evaluation.services import EvaluationError
from civic.territory import queries as territory_queries

Page = str | BaseResponse | tuple[str, int]


def _today() -> date:
    return clock.local_day(clock.now(), timezone())


def _proposal(proposal_id: int) -> QuestionProposal:
    found = db().get(QuestionProposal, proposal_id) or abort(404)
    evaluation_or_404(found.evaluation_id)
    return found


def _listed(found: QuestionProposal) -> str:
    return url_for("evaluation.proposals", evaluation_id=found.evaluation_id,
                   _anchor=f"proposition-{found.id}")


# --- The public list, the form, supports ---------------------------------------------------


@bp.route("/evaluation/<int:evaluation_id>/propositions", endpoint="proposals")
def proposal_list(evaluation_id: int) -> Page:
    found = evaluation_or_404(evaluation_id)
    today = _today()
    return render_template("evaluation/proposals/list.html", evaluation=found,
                           listing=proposal_queries.listing(db(), found, visitor()),
                           phase=proposal_queries.phase(found, today),
                           public_name=proposals.public_name)


@bp.route("/evaluation/propositions/<int:proposal_id>")
def proposal(proposal_id: int) -> Page:
    """A proposal's place in the list of its evaluation (links of mails and of the
    moderation queue)."""
    return redirect(_listed(_proposal(proposal_id)))


def _proposal_form(found: Evaluation) -> ProposalForm:
    form = ProposalForm(data={"quartier_id": current_user.quartier_id})
    form.quartier_id.choices = choices(blank_choice(_("Choisissez votre quartier")) + [
        (q.id, q.name) for q in territory_queries.quartiers(db())
        if q.contract_id == found.contract_id])
    form.show_name.choices = choices([
        ("anonymous", _("« un·e habitant·e »")),
        ("name", _("Mon nom affiché : %(name)s", name=current_user.display_name))])
    return form


@bp.route("/evaluation/<int:evaluation_id>/propositions/nouvelle", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], key_func=account_key)
@limiter.limit("30 per hour", methods=["POST"])
def propose(evaluation_id: int) -> Page:
    found = evaluation_or_404(evaluation_id)
    if current_user.is_authenticated and not can(current_user, "evaluation.propose_question",
                                                 found):
        flash(str(ERRORS["proposals_closed"]), "info")
        return redirect(url_for("evaluation.proposals", evaluation_id=found.id))
    require(current_user, "evaluation.propose_question", found)
    form = _proposal_form(found)
    if form.validate_on_submit():
        values = {"text": form.text.data, "why": form.why.data,
                  "quartier_id": form.quartier_id.data,
                  "show_name": form.show_name.data == "name"}
        try:
            new = proposals.propose(db(), found, values, author=current_user,
                                    now=clock.now(), today=_today())
        except EvaluationError as error:
            attach(form, error, ERRORS)
        else:
            flash(_("Merci ! Votre question est en ligne.") if new.is_published else
                  _("Merci ! Le conseil citoyen va relire votre question avant de la "
                    "publier."), "success")
            return redirect(_listed(new))
    return render_template("evaluation/proposals/form.html", form=form, evaluation=found), \
        400 if form.errors else 200


@bp.route("/evaluation/propositions/<int:proposal_id>/soutien", methods=["POST"])
@limiter.limit("120 per hour", key_func=account_key)
@limiter.limit("300 per hour")
def support(proposal_id: int) -> Page:
    found = _proposal(proposal_id)
    require(current_user, "evaluation.support_proposal", found)
    try:
        if request.form.get("action") == "remove":
            if proposals.withdraw_support(db(), found, current_user, now=clock.now(),
                                          today=_today()):
                flash(_("Votre soutien est retiré."), "success")
        elif proposals.support(db(), found, current_user, now=clock.now(), today=_today()):
            flash(_("Merci pour votre soutien !"), "success")
    except EvaluationError as error:
        flash(str(ERRORS[error.code]), "error")
    return redirect(_listed(found))


# --- The committee's decisions -------------------------------------------------------------


class DecisionForms(NamedTuple):
    keep: KeepForm
    merge: MergeForm
    set_aside: SetAsideForm


def _choices(evaluation: Evaluation) -> tuple[list[Any], list[Any]]:
    """The orientations a kept question may be tied to, and the questions a proposal may
    join: read once for a whole page of proposals."""
    return (choices((o.id, o.name) for o in territory_queries.orientations(
                db(), evaluation.contract)),
            choices(blank_choice(_("Choisissez une question")) + [
                (q.id, q.text) for q in evaluation.questions]))


def _decision_forms(found: QuestionProposal,
                    known: tuple[list[Any], list[Any]] | None = None) -> DecisionForms:
    """The three forms of one proposal, named after it so that a page holds many."""
    orientations, questions = known or _choices(found.evaluation)
    keep = KeepForm(prefix=f"garder-{found.id}", data={"text": found.text})
    keep.orientations.choices = orientations
    merge = MergeForm(prefix=f"regrouper-{found.id}")
    merge.question_id.choices = questions
    return DecisionForms(keep, merge, SetAsideForm(prefix=f"ecarter-{found.id}"))


@bp.route("/evaluation/<int:evaluation_id>/propositions/comite")
def committee(evaluation_id: int) -> Page:
    found = evaluation_or_404(evaluation_id)
    require(current_user, "evaluation.committee", found)
    listing = proposal_queries.listing(db(), found, None)
    known = _choices(found)
    return render_template("evaluation/proposals/committee.html", evaluation=found,
                           listing=listing,
                           forms={p.id: _decision_forms(p, known) for p in listing.waiting},
                           public_name=proposals.public_name)


@bp.route("/evaluation/propositions/<int:proposal_id>/decision")
def decision(proposal_id: int) -> Page:
    found = _proposal(proposal_id)
    require(current_user, "evaluation.committee", found.evaluation)
    return render_template("evaluation/proposals/decision.html", proposal=found,
                           evaluation=found.evaluation, forms=_decision_forms(found),
                           public_name=proposals.public_name)


def _keep(found: QuestionProposal, forms: DecisionForms) -> None:
    form = forms.keep
    proposals.keep(db(), found, form.text.data, form.orientations.data or [],
                   form.reason.data, actor=current_user, now=clock.now())


def _merge(found: QuestionProposal, forms: DecisionForms) -> None:
    chosen = forms.merge.question_id.data
    question = db().get(EvaluationQuestion, chosen) if chosen is not None else None
    proposals.merge(db(), found, question, forms.merge.reason.data, actor=current_user,
                    now=clock.now())


def _set_aside(found: QuestionProposal, forms: DecisionForms) -> None:
    proposals.set_aside(db(), found, forms.set_aside.reason.data, actor=current_user,
                        now=clock.now())


#: The decisions, by the word of their address: the form that carries it, and the verb.
DECISIONS: dict[str, tuple[str, Callable[[QuestionProposal, DecisionForms], None]]] = {
    "garder": ("keep", _keep),
    "regrouper": ("merge", _merge),
    "ecarter": ("set_aside", _set_aside),
}


@bp.route("/evaluation/propositions/<int:proposal_id>/decision/<any(garder, regrouper, "
          "ecarter):how>", methods=["POST"])
def decide(proposal_id: int, how: str) -> Page:
    found = _proposal(proposal_id)
    require(current_user, "evaluation.committee", found.evaluation)
    forms = _decision_forms(found)
    name, verb = DECISIONS[how]
    form = getattr(forms, name)
    if form.validate_on_submit():
        try:
            verb(found, forms)
        except EvaluationError as error:
            attach(form, error, ERRORS)
        else:
            told = proposal_notifications.decided(found)
            flash(_("La décision est enregistrée. L’auteur est prévenu par e-mail.") if told
                  else _("La décision est enregistrée."), "success")
            return redirect(url_for("evaluation.committee",
                                    evaluation_id=found.evaluation_id))
    return render_template("evaluation/proposals/decision.html", proposal=found,
                           evaluation=found.evaluation, forms=forms,
                           public_name=proposals.public_name), 400
