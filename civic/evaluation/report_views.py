"""Routes of the surveys' results and of the evaluation's report: a survey's public
results, the committee's publication of its final results (after a page saying it cannot
be undone), and the report as a page printable on A4, a workbook and CSV files. Thin: the
figures come from ``results`` and ``report``, which keep them under the secrecy
threshold."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from babel.numbers import format_decimal
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse
from wtforms import BooleanField
from wtforms.validators import DataRequired

from civic.core import clock
from civic.core.db import session as db
from civic.core.forms import attach
from civic.core.i18n import _, _l, get_locale
from civic.core.permissions import can, require
from civic.core.web import timezone
from civic.evaluation import bp, report, results
from civic.evaluation.lookup import evaluation_or_404, survey_or_404
from civic.evaluation.messages import ERRORS
from civic.evaluation.models import Evaluation
from civic.pilotage import charts, export
from civic.territory import queries as territory_queries

Page = str | BaseResponse | tuple[str, int]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PublishForm(FlaskForm):
    confirm = BooleanField(
        _l("Je publie les résultats pour de bon : plus aucune réponse ne sera prise, même "
           "sur papier, et les chiffres ne changeront plus"),
        [DataRequired(message=_l("Cochez la case pour confirmer."))])


def _threshold() -> int:
    return int(current_app.config["SMALL_CELL_THRESHOLD"])


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else "fr"


def _hidden() -> str:
    return _("< %(n)d", n=_threshold())



@dataclass(frozen=True)
class Cells:
    """How the tables of results write a cell: a count (« < 11 » with its explanation
    where hidden), a share, a number (« — » where there is none)."""

    write: Callable[[Any], str]
    hidden: Markup

    def count(self, value: Any) -> str:
        return self.hidden if value is None else self.write(value)

    def percent(self, value: Any) -> str:
        return "—" if value is None else f"{self.write(value)} %"

    def number(self, value: Any) -> str:
        return "—" if value is None else self.write(value)


def cells() -> Cells:
    title = _("Moins de personnes que le seuil du secret statistique, ou caché pour qu’on "
              "ne puisse pas le retrouver par soustraction")
    return Cells(number_format(), Markup('<span title="{}">{}</span>').format(title, _hidden()))


def number_format() -> Callable[[Any], str]:
    """The site's way of writing a number (the ``format_number`` filter's), remembered
    for each value: a page of results writes thousands of counts and shares, and
    formatting each anew is most of its time."""
    locale = str(get_locale())

    @functools.lru_cache(maxsize=4096)
    def write(value: Any) -> str:
        return str(format_decimal(value, locale=locale))

    return write


def item_charts(items: Sequence[results.ItemResult]) -> dict[int, Markup]:
    """A bar of each answer's share, for the items of choices that have enough answers
    (the table next to it holds every figure)."""
    rtl = _language() == "ar"
    write = number_format()
    drawn: dict[int, Markup] = {}
    for item in items:
        if not (item.counted and item.enough and item.overall.shares):
            continue
        description = (_("Part des personnes qui ont choisi chaque réponse.") if item.published
                       else _("Part des personnes qui ont choisi chaque réponse, arrondie à "
                              "5 % près."))
        drawn[item.item.id] = charts.bar_chart(
            item.label, item.options,
            [charts.Series(_("Part des réponses"), list(item.overall.shares))],
            description=description, horizontal=True, rtl=rtl,
            value_format=lambda value: f"{write(value)} %",
            id_prefix=f"chart-item-{item.item.id}")
    return drawn


# --- A survey's results ------------------------------------------------------------------


@bp.route("/evaluation/enquetes/<int:survey_id>/resultats")
def survey_results(survey_id: int) -> Page:
    """Public: while the survey runs, rounded shares; once published, the full tables."""
    survey = survey_or_404(survey_id)
    [found] = report.survey_results(db(), [survey], threshold=_threshold(),
                                    language=_language(),
                                    quartiers=territory_queries.quartiers(db()))
    now = clock.now()
    return render_template("evaluation/report/results.html", survey=survey, results=found,
                           charts=item_charts(found.items), hidden=_hidden(),
                           cell=cells(),
                           title=survey.text(_language(), "title"),
                           closed=now >= survey.closes_at,
                           may_publish=survey.results_at is None and now >= survey.closes_at
                           and can(current_user, "evaluation.committee", survey))


@bp.route("/evaluation/enquetes/<int:survey_id>/publier", methods=["GET", "POST"])
def publish_results(survey_id: int) -> Page:
    survey = survey_or_404(survey_id)
    require(current_user, "evaluation.committee", survey)
    if survey.results_at is not None:
        flash(_("Les résultats de cette enquête sont déjà publiés."), "info")
        return redirect(url_for("evaluation.survey_results", survey_id=survey.id))
    form = PublishForm()
    if form.validate_on_submit():
        try:
            results.publish_results(db(), survey, actor=current_user, now=clock.now())
        except results.ResultsError as error:
            attach(form, error, ERRORS)
        else:
            flash(_("Les résultats sont publiés. Ils ne changeront plus."), "success")
            return redirect(url_for("evaluation.survey_results", survey_id=survey.id))
    piles = results.open_piles(db(), survey)
    return render_template("evaluation/report/publish.html", form=form, survey=survey,
                           title=survey.text(_language(), "title"), piles=piles,
                           closed=clock.now() >= survey.closes_at), \
        400 if form.errors else 200


# --- The evaluation's report ---------------------------------------------------------------


def _report(evaluation: Evaluation) -> report.Report:
    return report.build(db(), evaluation, now=clock.now(), timezone=timezone(),
                        threshold=_threshold(),
                        settle_days=int(current_app.config["OPEN_DATA_SETTLE_DAYS"]),
                        language=_language())


@bp.route("/evaluation/<int:evaluation_id>/rapport")
def evaluation_report(evaluation_id: int) -> Page:
    """Public, printable on A4: everything in it passes the secrecy threshold."""
    evaluation = evaluation_or_404(evaluation_id)
    built = _report(evaluation)
    items = [item for found in built.surveys for item in found.items]
    return render_template("evaluation/report/report.html", report=built,
                           evaluation=evaluation, charts=item_charts(items),
                           cell=cells(),
                           hidden=_hidden(), language=_language(),
                           today=clock.local_day(clock.now(), timezone()))


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/evaluation/<int:evaluation_id>/rapport.xlsx")
def report_workbook(evaluation_id: int) -> Response:
    """Every table of the report, a sheet each, then what each column holds."""
    tables = report.as_tables(_report(evaluation_or_404(evaluation_id)))
    body = export.xlsx_bytes(tables, hidden=_hidden(), columns_title=_("Colonnes"),
                             heading=[_("Colonne"), _("Libellé"), _("Ce qu’elle compte")])
    return _download(body, XLSX, f"rapport-evaluation-{evaluation_id}.xlsx")


@bp.route("/evaluation/<int:evaluation_id>/rapport.csv")
def report_csv(evaluation_id: int) -> Response:
    """One table of the report (``?tableau=``, the published results by default); with
    ``?sep=;`` for a French spreadsheet (semicolons, decimal commas, columns named)."""
    tables = {t.key: t for t in report.as_tables(_report(evaluation_or_404(evaluation_id)))}
    key = request.args.get("tableau", "resultats")
    if key not in tables:
        abort(404)
    separator = ";" if request.args.get("sep") in (";", "semicolon", "pv") else ","
    body = export.csv_bytes(tables[key], hidden=_hidden(), separator=separator,
                            labels=separator == ";")
    return _download(body, "text/csv; charset=utf-8",
                     f"rapport-evaluation-{evaluation_id}-{key}.csv")
