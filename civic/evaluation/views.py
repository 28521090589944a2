"""Routes of the evaluations and of the commitments' measures: thin; rules live in
services and permissions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from civic.core import clock
from civic.core.db import session as db
from civic.core.forms import attach, choices
from civic.core.i18n import _
from civic.core.permissions import require
from civic.core.web import timezone
from civic.evaluation import bp, proposal_queries, queries, services, workshops
from civic.evaluation.forms import (
    EvaluationForm,
    IndicatorForm,
    QuestionForm,
    RemoveIndicatorForm,
    RemoveQuestionForm,
    ValueForm,
)
from civic.evaluation.lookup import evaluation_or_404
from civic.evaluation.messages import ERRORS
from civic.evaluation.models import (
    CommitmentIndicator,
    Evaluation,
    EvaluationQuestion,
    IndicatorValue,
)
from civic.territory import queries as territory_queries
from civic.territory.models import Commitment

Page = str | BaseResponse | tuple[str, int]


@bp.route("/engagements")
def commitments() -> Page:
    require(current_user, "evaluation.read_commitments")
    contract = territory_queries.current_contract(db()) or abort(404)
    return render_template("evaluation/commitments.html", contract=contract,
                           board=queries.board(db(), contract),
                           this_year=clock.now().year)


def _values(form: IndicatorForm) -> dict[str, object]:
    return {name: getattr(form, name).data for name in services.FIELDS}


@bp.route("/engagements/<int:commitment_id>/indicateur", methods=["GET", "POST"])
def add_indicator(commitment_id: int) -> Page:
    commitment = db().get(Commitment, commitment_id) or abort(404)
    require(current_user, "evaluation.define_indicator", commitment)
    form = IndicatorForm()
    if form.validate_on_submit():
        try:
            services.add_indicator(db(), commitment, _values(form), actor=current_user,
                                   now=clock.now())
        except services.EvaluationError as error:
            attach(form, error, ERRORS)
        else:
            flash(_("L’indicateur est ajouté."), "success")
            return redirect(url_for("evaluation.commitments",
                                    _anchor=f"engagement-{commitment.id}"))
    return render_template("evaluation/indicator_form.html", form=form,
                           commitment=commitment, indicator=None), \
        400 if form.errors else 200


@bp.route("/engagements/indicateurs/<int:indicator_id>", methods=["GET", "POST"])
def edit_indicator(indicator_id: int) -> Page:
    indicator = db().get(CommitmentIndicator, indicator_id) or abort(404)
    require(current_user, "evaluation.define_indicator", indicator.commitment)
    form = IndicatorForm(obj=indicator)
    if form.validate_on_submit():
        try:
            services.update_indicator(db(), indicator, _values(form), actor=current_user,
                                      now=clock.now())
        except services.EvaluationError as error:
            attach(form, error, ERRORS)
        else:
            flash(_("L’indicateur est enregistré."), "success")
            return redirect(url_for("evaluation.commitments",
                                    _anchor=f"indicateur-{indicator.id}"))
    return render_template("evaluation/indicator_form.html", form=form,
                           commitment=indicator.commitment, indicator=indicator,
                           remove=RemoveIndicatorForm(prefix="remove")), \
        400 if form.errors else 200


@bp.route("/engagements/indicateurs/<int:indicator_id>/supprimer", methods=["POST"])
def remove_indicator(indicator_id: int) -> Page:
    indicator = db().get(CommitmentIndicator, indicator_id) or abort(404)
    require(current_user, "evaluation.define_indicator", indicator.commitment)
    remove = RemoveIndicatorForm(prefix="remove")
    if not remove.validate_on_submit():
        return render_template("evaluation/indicator_form.html",
                               form=IndicatorForm(obj=indicator, formdata=None),
                               commitment=indicator.commitment, indicator=indicator,
                               remove=remove), 400
    services.remove_indicator(db(), indicator, actor=current_user, now=clock.now())
    flash(_("L’indicateur est supprimé."), "success")
    return redirect(url_for("evaluation.commitments"))


@bp.route("/engagements/indicateurs/<int:indicator_id>/valeur", methods=["GET", "POST"])
def enter_value(indicator_id: int) -> Page:
    indicator = db().get(CommitmentIndicator, indicator_id) or abort(404)
    require(current_user, "evaluation.enter_value", indicator)
    last_year = clock.now().year - 1
    form = ValueForm(year=max(last_year, indicator.baseline_year))
    if form.validate_on_submit() and form.value.data is not None:
        try:
            services.record_value(db(), indicator, form.year.data, form.value.data,
                                  form.source.data, actor=current_user, now=clock.now())
        except services.EvaluationError as error:
            attach(form, error, ERRORS)
        else:
            flash(_("La valeur de %(year)d est enregistrée.", year=form.year.data),
                  "success")
            return redirect(url_for("evaluation.commitments",
                                    _anchor=f"indicateur-{indicator.id}"))
    known: dict[int, IndicatorValue] = {v.year: v for v in indicator.values}
    return render_template("evaluation/value_form.html", form=form, indicator=indicator,
                           known=known), 400 if form.errors else 200


# --- Evaluations and their questions -----------------------------------------------------


def _evaluation_values(form: EvaluationForm) -> dict[str, object]:
    return {name: getattr(form, name).data for name in services.EVALUATION_FIELDS}


@bp.route("/evaluation")
def evaluations() -> Page:
    contract = territory_queries.current_contract(db()) or abort(404)
    return render_template("evaluation/list.html", contract=contract,
                           evaluations=queries.evaluations(db(), contract),
                           today=clock.local_day(clock.now(), timezone()))


@bp.route("/evaluation/nouvelle", methods=["GET", "POST"])
def open_evaluation() -> Page:
    require(current_user, "evaluation.manage")
    contract = territory_queries.current_contract(db()) or abort(404)
    form = EvaluationForm()
    if form.validate_on_submit():
        try:
            evaluation = services.open_evaluation(db(), contract, _evaluation_values(form),
                                                  actor=current_user, now=clock.now())
        except services.EvaluationError as error:
            attach(form, error, ERRORS)
        else:
            flash(_("L’évaluation est ouverte. Ajoutez maintenant ses questions."),
                  "success")
            return redirect(url_for("evaluation.evaluation", evaluation_id=evaluation.id))
    return render_template("evaluation/evaluation_form.html", form=form, evaluation=None), \
        400 if form.errors else 200


@bp.route("/evaluation/<int:evaluation_id>")
def evaluation(evaluation_id: int) -> Page:
    found = evaluation_or_404(evaluation_id)
    return render_template("evaluation/evaluation.html", evaluation=found,
                           measures=queries.measures_by_orientation(db(), found.contract),
                           workshops_by_question=workshops.by_question(db(), found),
                           credits=proposal_queries.credits(db(), found),
                           today=clock.local_day(clock.now(), timezone()))


@bp.route("/evaluation/<int:evaluation_id>/modifier", methods=["GET", "POST"])
def edit_evaluation(evaluation_id: int) -> Page:
    found = db().get(Evaluation, evaluation_id) or abort(404)
    require(current_user, "evaluation.manage", found)
    form = EvaluationForm(obj=found)
    if form.validate_on_submit():
        try:
            services.update_evaluation(db(), found, _evaluation_values(form),
                                       actor=current_user, now=clock.now())
        except services.EvaluationError as error:
            attach(form, error, ERRORS)
        else:
            flash(_("L’évaluation est enregistrée."), "success")
            return redirect(url_for("evaluation.evaluation", evaluation_id=found.id))
    return render_template("evaluation/evaluation_form.html", form=form, evaluation=found), \
        400 if form.errors else 200


def _question_form(found: Evaluation, **kwargs: object) -> QuestionForm:
    form = QuestionForm(**kwargs)
    form.orientations.choices = choices((o.id, o.name) for o in territory_queries.orientations(
        db(), found.contract))
    return form


@bp.route("/evaluation/<int:evaluation_id>/questions/nouvelle", methods=["GET", "POST"])
def add_question(evaluation_id: int) -> Page:
    found = db().get(Evaluation, evaluation_id) or abort(404)
    require(current_user, "evaluation.committee", found)
    form = _question_form(found)
    if form.validate_on_submit():
        try:
            services.add_question(db(), found, form.text.data, form.orientations.data or [],
                                  actor=current_user, now=clock.now())
        except services.EvaluationError as error:
            attach(form, error, ERRORS)
        else:
            flash(_("La question est ajoutée."), "success")
            return redirect(url_for("evaluation.evaluation", evaluation_id=found.id))
    return render_template("evaluation/question_form.html", form=form, evaluation=found,
                           question=None), 400 if form.errors else 200


@bp.route("/evaluation/questions/<int:question_id>", methods=["GET", "POST"])
def edit_question(question_id: int) -> Page:
    question = db().get(EvaluationQuestion, question_id) or abort(404)
    require(current_user, "evaluation.committee", question.evaluation)
    form = _question_form(question.evaluation, obj=question,
                          data={"orientations": [o.id for o in question.orientations]})
    if form.validate_on_submit():
        try:
            services.update_question(db(), question, form.text.data,
                                     form.orientations.data or [], actor=current_user,
                                     now=clock.now())
        except services.EvaluationError as error:
            attach(form, error, ERRORS)
        else:
            flash(_("La question est enregistrée."), "success")
            return redirect(url_for("evaluation.evaluation",
                                    evaluation_id=question.evaluation_id,
                                    _anchor=f"question-{question.id}"))
    return render_template("evaluation/question_form.html", form=form,
                           evaluation=question.evaluation, question=question,
                           remove=RemoveQuestionForm(prefix="remove")), \
        400 if form.errors else 200


@bp.route("/evaluation/questions/<int:question_id>/supprimer", methods=["POST"])
def remove_question(question_id: int) -> Page:
    question = db().get(EvaluationQuestion, question_id) or abort(404)
    require(current_user, "evaluation.committee", question.evaluation)
    remove = RemoveQuestionForm(prefix="remove")
    if not remove.validate_on_submit():
        form = _question_form(question.evaluation, obj=question, formdata=None,
                              data={"orientations": [o.id for o in question.orientations]})
        return render_template("evaluation/question_form.html", form=form,
                               evaluation=question.evaluation, question=question,
                               remove=remove), 400
    evaluation_id = question.evaluation_id
    try:
        services.remove_question(db(), question, actor=current_user, now=clock.now())
    except services.EvaluationError as error:
        flash(ERRORS[error.code], "error")
        return redirect(url_for("evaluation.edit_question", question_id=question.id))
    flash(_("La question est supprimée."), "success")
    return redirect(url_for("evaluation.evaluation", evaluation_id=evaluation_id))
