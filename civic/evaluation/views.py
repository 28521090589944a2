"""Routes of the commitments' measures: thin; rules live in services and permissions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from civic.core import clock
from civic.core.db import session as db
from civic.core.forms import attach
from civic.core.i18n import _
from civic.core.permissions import require
from civic.evaluation import bp, queries, services
from civic.evaluation.forms import IndicatorForm, RemoveIndicatorForm, ValueForm
from civic.evaluation.messages import ERRORS
from civic.evaluation.models import CommitmentIndicator, IndicatorValue
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
