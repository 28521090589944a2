"""The report of an evaluation: per question, what the surveys say, what took place on
its orientations year by year, what the signatories promised and measured, what the
workshops concluded and what residents wrote; then the quartiers compared with each
other and with the whole contract.

It is public, so everything in it passes the secrecy threshold:

* survey results follow ``civic.evaluation.results`` (rounded while a survey runs,
  suppressed tables once published);
* the figures of the contract's years are those open data publishes for them: the
  years open data has published (``civic.pilotage.services.public_years``), the idea
  box and the FPH narrowed to an orientation as the open tables count them, and the
  contract's participants from the year's frozen release. The orientation never narrows
  a count of people (as in open data): only ideas and FPH money;
* a workshop's head count below the threshold is shown as « < 11 »;
* a commitment's missing yearly value stays missing, never zero.

``build`` reads the database (a bounded number of queries whatever the number of
answers, items or surveys); ``as_json`` and ``as_tables`` turn the report into the API's
answer and the exports' tables, without the database.

The steering part's indicators and services are imported where they are used: they read
the evaluation's models, so importing them with this module (which the evaluation's
routes import) would import them half-built.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from civic.accounts.models import AGE_BRACKETS, GENDERS
from civic.core import clock
from civic.core.i18n import _l
from civic.evaluation import queries, results, workshops
from civic.evaluation.models import Evaluation, EvaluationQuestion, Survey, Workshop
from civic.evaluation.queries import Measure
from civic.pilotage.scope import for_year
from civic.pilotage.tables import Column, Table
from civic.territory import queries as territory_queries
from civic.territory.models import Contract, Orientation, Signatory

NOT_SAID = _l("Non dit")
DIMENSION_TITLES: dict[str, Any] = {"quartier": _l("Par quartier"), "gender": _l("Par genre"),
                                    "age": _l("Par âge")}
#: The open-data cell of the contract's participants in a year's release.
PARTICIPANTS_CELL = ("participants_by_channel", None, None, "total", "people")


def labels(quartiers: Sequence[Any]) -> results.Labels:
    """The groups of the cross-tables in the reader's language: every quartier of the
    contract, every gender and age bracket, and « Non dit » last."""
    from civic.pilotage.indicators.participation import AGE_LABELS, GENDER_LABELS

    not_said = str(NOT_SAID)
    return results.Labels(
        titles={key: str(title) for key, title in DIMENSION_TITLES.items()},
        groups={"quartier": [*((str(q.id), q.name) for q in quartiers), (None, not_said)],
                "gender": [*((g, str(GENDER_LABELS[g])) for g in GENDERS), (None, not_said)],
                "age": [*((a, str(AGE_LABELS[a])) for a in AGE_BRACKETS), (None, not_said)]})


def surveys_of(db: Session, evaluation: Evaluation) -> list[Survey]:
    """The evaluation's surveys with their items, in two queries."""
    return list(db.scalars(select(Survey).where(Survey.evaluation_id == evaluation.id)
                           .options(selectinload(Survey.items))
                           .order_by(Survey.opens_at, Survey.id)))


def survey_results(db: Session, surveys: Sequence[Survey], *, threshold: int, language: str,
                   quartiers: Sequence[Any]) -> list[results.SurveyResults]:
    """The results of ``surveys``, each under its own regime: the published ones with
    their cross-tables, the running ones without."""
    published = [s for s in surveys if s.results_at is not None]
    running = [s for s in surveys if s.results_at is None]
    found = results.tally(db, published, cross=True)
    other = results.tally(db, running, cross=False)
    for name in ("choices", "respondents", "numbers", "responses", "quotations"):
        getattr(found, name).update(getattr(other, name))
    named = labels(quartiers)
    return [results.survey_results(s, found, threshold=threshold, language=language,
                                   labels=named) for s in surveys]


# --- The report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    """What took place on one orientation in one published year: the idea box's ideas
    and the FPH projects funded, as open data counts them."""

    year: int
    orientation: str
    posted: int
    published: int
    answered: int
    funded: int
    granted_cents: int


@dataclass(frozen=True)
class Commitment:
    """A measured commitment: its indicator, its value each year (None: missing)."""

    signatory: str
    orientation: str
    measure: Measure
    values: dict[int, Decimal | None]

    @property
    def indicator(self) -> Any:
        return self.measure.indicator


@dataclass(frozen=True)
class WorkshopLine:
    workshop: Workshop
    #: The head count, None when not counted or below the threshold.
    participants: int | None
    #: Whether a head count exists but is below the threshold.
    few: bool


@dataclass(frozen=True)
class QuestionReport:
    question: EvaluationQuestion
    #: (survey's results, this question's items in it), surveys with such items only.
    surveys: list[tuple[results.SurveyResults, list[results.ItemResult]]]
    activity: list[Activity]
    commitments: list[Commitment]
    workshops: list[WorkshopLine]
    #: (item label, text): the published free texts of the question's items.
    quotations: list[tuple[str, str]]


@dataclass(frozen=True)
class Report:
    evaluation: Evaluation
    contract: Contract
    threshold: int
    #: The years open data has published (the activity and the participants).
    years: list[int]
    #: The years of the commitments' values: from the earliest baseline to this year.
    value_years: list[int]
    #: (year, the contract's participants, None when hidden).
    participants: list[tuple[int, int | None]]
    surveys: list[results.SurveyResults]
    questions: list[QuestionReport]
    #: The published items whose quartiers can be compared (a cross-table by quartier).
    comparison: list[tuple[results.ItemResult, results.CrossTable]] = field(
        default_factory=list)


def build(db: Session, evaluation: Evaluation, *, now: datetime, timezone: str,
          threshold: int, settle_days: int, language: str) -> Report:
    """The report of ``evaluation`` as it stands at ``now``, in ``language``."""
    from civic.pilotage import services as pilotage_services

    contract = evaluation.contract
    quartiers = territory_queries.quartiers(db)
    surveys = survey_results(db, surveys_of(db, evaluation), threshold=threshold,
                             language=language, quartiers=quartiers)
    today = clock.local_day(now, timezone)
    years = pilotage_services.public_years(db, today, settle_days)
    orientations = {o.id: o for q in evaluation.questions for o in q.orientations}
    activity = _activity(db, years, list(orientations.values()), timezone)
    measures = queries.measures_by_orientation(db, contract)
    value_years = _value_years(contract, measures, today)
    held = workshops.by_question(db, evaluation)
    questions = [_question(q, surveys, activity, measures, value_years, held, threshold)
                 for q in evaluation.questions]
    comparison = [(item, table) for found in surveys if found.published
                  for item in found.items for table in item.crosstabs
                  if table.dimension == "quartier" and item.enough]
    return Report(evaluation, contract, threshold, years, value_years,
                  _participants(db, years, timezone=timezone, threshold=threshold, now=now),
                  surveys, questions, comparison)


def _question(question: EvaluationQuestion, surveys: Sequence[results.SurveyResults],
              activity: dict[int, list[Activity]], measures: dict[int, list[Any]],
              value_years: Sequence[int], held: dict[int, list[Workshop]],
              threshold: int) -> QuestionReport:
    mine = [(found, found.of_question(question.id)) for found in surveys]
    mine = [(found, items) for found, items in mine if items]
    quotations = [(item.label, text) for _found, items in mine for item in items
                  for text in item.quotations]
    return QuestionReport(
        question,
        [(found, [i for i in items if i.kind != "text"]) for found, items in mine],
        [line for o in question.orientations for line in activity.get(o.id, [])],
        [Commitment(signatory.name, o.name, measure,
                    {y: measure.values.get(y) for y in value_years})
         for o in question.orientations
         for signatory, measure in _by_signatory(measures.get(o.id, []))],
        [_workshop(w, threshold) for w in held.get(question.id, [])],
        quotations)


def _by_signatory(pairs: list[tuple[Signatory, Measure]]) -> list[tuple[Signatory, Measure]]:
    return sorted(pairs, key=lambda pair: (pair[0].name, pair[1].indicator.id))


def _workshop(workshop: Workshop, threshold: int) -> WorkshopLine:
    n = workshop.participants
    few = n is not None and 0 < n < threshold
    return WorkshopLine(workshop, None if few else n, few)


def _value_years(contract: Contract, measures: dict[int, list[Any]], today: date) -> list[int]:
    """From the earliest baseline (or the contract's first year) to the last year over
    or this one, within the contract."""
    baselines = [m.indicator.baseline_year for pairs in measures.values() for _s, m in pairs]
    first = min([contract.start_year, *baselines])
    last = min(contract.end_year, today.year)
    return list(range(first, last + 1))


def _activity(db: Session, years: Sequence[int], orientations: Sequence[Orientation],
              timezone: str) -> dict[int, list[Activity]]:
    """Per orientation, each published year's ideas (the open table of ideas by
    orientation, once a year) and funded FPH projects (the open table of FPH rounds,
    narrowed to the orientation)."""
    from civic.pilotage import indicators

    found: dict[int, list[Activity]] = {}
    for year in years:
        with indicators.one_page():
            ideas = indicators.ideas_by_orientation(db, for_year(year, timezone)).rows
            by_name = {str(row["orientation"]): row for row in ideas}
            for orientation in orientations:
                fph = indicators.fph_rounds(
                    db, for_year(year, timezone, orientation_id=orientation.id)).total
                row = by_name.get(orientation.name, {})
                found.setdefault(orientation.id, []).append(Activity(
                    year, orientation.name, int(row.get("posted", 0)),
                    int(row.get("published", 0)), int(row.get("answered", 0)),
                    int((fph or {}).get("funded", 0)), int((fph or {}).get("granted", 0))))
    return found


def _participants(db: Session, years: Sequence[int], *, timezone: str, threshold: int,
                  now: datetime) -> list[tuple[int, int | None]]:
    """The contract's participants in each published year, from the year's open-data
    release (built on its first reading, then frozen)."""
    from civic.pilotage import services as pilotage_services

    return [(year, pilotage_services.published(db, year, timezone=timezone,
                                               threshold=threshold, now=now)
             .shown.get(PARTICIPANTS_CELL)) for year in years]


# --- As the API answers it -------------------------------------------------------------------


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _row_json(row: results.Row, options: Sequence[str]) -> dict[str, Any]:
    found: dict[str, Any] = {"group": row.key, "label": row.label,
                             "respondents": row.respondents}
    if row.stats is not None:
        found["number"] = _stats_json(row.stats)
    else:
        found["answers"] = [{"option": name, "count": row.counts[j] if row.counts else None,
                             "share": row.shares[j] if row.shares else None}
                            for j, name in enumerate(options)]
    return found


def _stats_json(found: results.Stats) -> dict[str, Any]:
    return {"count": found.count, "q1": _number(found.q1), "median": _number(found.median),
            "q3": _number(found.q3)}


def item_json(item: results.ItemResult) -> dict[str, Any]:
    """An item's results for the API: counts and shares null where hidden (or, while
    its survey runs, where only rounded shares are given)."""
    return {
        "id": item.item.id, "kind": item.kind, "label": item.label, "options": item.options,
        "published": item.published, "enough": item.enough,
        "overall": _row_json(item.overall, item.options),
        "crosstabs": [{"dimension": t.dimension, "title": t.title,
                       "rows": [_row_json(r, item.options) for r in t.rows]}
                      for t in item.crosstabs],
        "quotations": item.quotations,
    }


def survey_json(found: results.SurveyResults, items: Sequence[results.ItemResult] | None = None,
                *, language: str = "fr") -> dict[str, Any]:
    survey = found.survey
    return {"id": survey.id, "title": survey.text(language, "title"),
            "opens_at": survey.opens_at.isoformat(), "closes_at": survey.closes_at.isoformat(),
            "published": found.published,
            "results_at": survey.results_at.isoformat() if survey.results_at else None,
            "responses": found.responses,
            "items": [item_json(i) for i in (found.items if items is None else items)]}


def as_json(report: Report, *, language: str = "fr",
            media: Callable[[str], str] = str) -> dict[str, Any]:
    """The report as the API serves it (``SCHEMAS`` describes it); ``media`` gives the
    address of a stored photo from its name."""
    evaluation = report.evaluation
    return {
        "id": evaluation.id, "kind": evaluation.kind, "title": evaluation.title,
        "purpose": evaluation.purpose, "starts_on": evaluation.starts_on.isoformat(),
        "ends_on": evaluation.ends_on.isoformat(), "contract": report.contract.name,
        "secrecy_threshold": report.threshold,
        "participants": [{"year": y, "participants": n} for y, n in report.participants],
        "questions": [{
            "id": q.question.id, "text": q.question.text,
            "orientations": [{"id": o.id, "name": o.name} for o in q.question.orientations],
            "surveys": [survey_json(found, items, language=language)
                        for found, items in q.surveys],
            "activity": [{"year": a.year, "orientation": a.orientation, "ideas_posted": a.posted,
                          "ideas_published": a.published, "ideas_answered": a.answered,
                          "fph_funded": a.funded, "fph_granted_cents": a.granted_cents}
                         for a in q.activity],
            "commitments": [_commitment_json(c) for c in q.commitments],
            "workshops": [{"title": w.workshop.event.title,
                           "starts_at": w.workshop.event.starts_at.isoformat(),
                           "participants": w.participants, "few_participants": w.few,
                           "conclusions": w.workshop.conclusions,
                           "photos": [{"url": media(p.photo), "caption": p.caption}
                                      for p in w.workshop.photos]} for w in q.workshops],
            "quotations": [{"item": label, "text": text} for label, text in q.quotations],
        } for q in report.questions],
        "quartier_comparison": [{"item": item.item.id, "label": item.label,
                                 "options": item.options,
                                 "contract": _row_json(item.overall, item.options),
                                 "quartiers": [_row_json(r, item.options) for r in table.rows]}
                                for item, table in report.comparison],
    }


def _commitment_json(commitment: Commitment) -> dict[str, Any]:
    indicator = commitment.indicator
    return {"signatory": commitment.signatory, "orientation": commitment.orientation,
            "indicator": indicator.label, "unit": indicator.unit,
            "baseline": float(indicator.baseline), "baseline_year": indicator.baseline_year,
            "target": float(indicator.target), "target_year": indicator.target_year,
            "values": [{"year": y, "value": _number(v)} for y, v in commitment.values.items()],
            "progress": commitment.measure.progress}


_NULLABLE_INT = {"type": ["integer", "null"]}
_NULLABLE_NUMBER = {"type": ["number", "null"]}
_STATS = {"type": "object", "required": ["count", "q1", "median", "q3"],
          "properties": {"count": _NULLABLE_INT, "q1": _NULLABLE_NUMBER,
                         "median": _NULLABLE_NUMBER, "q3": _NULLABLE_NUMBER}}
_ROW = {"type": "object", "required": ["group", "label", "respondents"], "properties": {
    "group": {"type": ["string", "null"],
              "description": "the quartier's id, the gender or the age bracket; null: the "
                             "whole survey, or people who did not say"},
    "label": {"type": "string"},
    "respondents": {"type": ["integer", "null"],
                    "description": "people who answered the item: null when fewer than the "
                                   "secrecy threshold (or its complement would give a hidden "
                                   "count back); while the survey runs, rounded down to a "
                                   "multiple of 10"},
    "answers": {"type": "array", "items": {
        "type": "object", "required": ["option", "count", "share"],
        "properties": {"option": {"type": "string"}, "count": _NULLABLE_INT,
                       "share": {"type": ["number", "null"],
                                 "description": "percent of the respondents; while the "
                                                "survey runs, rounded to a multiple of 5"}}}},
    "number": _STATS}}
_ITEM = {"type": "object",
         "required": ["id", "kind", "label", "options", "published", "enough", "overall",
                      "crosstabs", "quotations"],
         "properties": {
             "id": {"type": "integer"},
             "kind": {"enum": ["single", "multiple", "scale", "number", "text"]},
             "label": {"type": "string"}, "options": {"type": "array",
                                                      "items": {"type": "string"}},
             "published": {"type": "boolean"},
             "enough": {"type": "boolean",
                        "description": "whether the item has as many answers as the "
                                       "secrecy threshold: nothing is given otherwise"},
             "overall": {"$ref": "#/components/schemas/EvaluationRow"},
             "crosstabs": {"type": "array", "items": {
                 "type": "object", "required": ["dimension", "title", "rows"],
                 "properties": {"dimension": {"enum": list(results.DIMENSIONS)},
                                "title": {"type": "string"},
                                "rows": {"type": "array", "items": {
                                    "$ref": "#/components/schemas/EvaluationRow"}}}}},
             "quotations": {"type": "array", "items": {"type": "string"}}}}
_SURVEY = {"type": "object",
           "required": ["id", "title", "opens_at", "closes_at", "published", "results_at",
                        "responses", "items"],
           "properties": {
               "id": {"type": "integer"}, "title": {"type": "string"},
               "opens_at": {"type": "string"}, "closes_at": {"type": "string"},
               "published": {"type": "boolean",
                             "description": "the committee published the final results: "
                                            "full tables, never to change"},
               "results_at": {"type": ["string", "null"]},
               "responses": _NULLABLE_INT,
               "items": {"type": "array",
                         "items": {"$ref": "#/components/schemas/EvaluationItem"}}}}
_COMMITMENT = {"type": "object", "required": [
    "signatory", "orientation", "indicator", "unit", "baseline", "baseline_year", "target",
    "target_year", "values", "progress"], "properties": {
    "signatory": {"type": "string"}, "orientation": {"type": "string"},
    "indicator": {"type": "string"}, "unit": {"type": "string"},
    "baseline": {"type": "number"}, "baseline_year": {"type": "integer"},
    "target": {"type": "number"}, "target_year": {"type": "integer"},
    "values": {"type": "array", "items": {
        "type": "object", "required": ["year", "value"],
        "properties": {"year": {"type": "integer"},
                       "value": {"type": ["number", "null"],
                                 "description": "null: no value entered for the year "
                                                "(missing, not zero)"}}}},
    "progress": {"type": ["integer", "null"],
                 "description": "percent of the way from the baseline to the target"}}}
_QUESTION = {"type": "object", "required": [
    "id", "text", "orientations", "surveys", "activity", "commitments", "workshops",
    "quotations"], "properties": {
    "id": {"type": "integer"}, "text": {"type": "string"},
    "orientations": {"type": "array", "items": {
        "type": "object", "required": ["id", "name"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}},
    "surveys": {"type": "array", "items": {"$ref": "#/components/schemas/EvaluationSurvey"}},
    "activity": {"type": "array", "items": {
        "type": "object", "required": ["year", "orientation", "ideas_posted",
                                       "ideas_published", "ideas_answered", "fph_funded",
                                       "fph_granted_cents"],
        "properties": {"year": {"type": "integer"}, "orientation": {"type": "string"},
                       "ideas_posted": {"type": "integer"},
                       "ideas_published": {"type": "integer"},
                       "ideas_answered": {"type": "integer"},
                       "fph_funded": {"type": "integer"},
                       "fph_granted_cents": {"type": "integer"}}}},
    "commitments": {"type": "array", "items": _COMMITMENT},
    "workshops": {"type": "array", "items": {
        "type": "object", "required": ["title", "starts_at", "participants",
                                       "few_participants", "conclusions", "photos"],
        "properties": {"title": {"type": "string"}, "starts_at": {"type": "string"},
                       "participants": {"type": ["integer", "null"],
                                        "description": "null when not counted or fewer "
                                                       "than the secrecy threshold"},
                       "few_participants": {"type": "boolean"},
                       "conclusions": {"type": "string"},
                       "photos": {"type": "array", "items": {
                           "type": "object", "required": ["url", "caption"],
                           "properties": {"url": {"type": "string", "format": "uri"},
                                          "caption": {"type": "string",
                                                      "description": "what the photo "
                                                                     "shows"}}}}}}},
    "quotations": {"type": "array", "items": {
        "type": "object", "required": ["item", "text"],
        "properties": {"item": {"type": "string"}, "text": {"type": "string"}}}}}}
#: The JSON Schemas of the API's report, by name (``#/components/schemas/<name>``).
SCHEMAS: dict[str, Any] = {
    "EvaluationRow": _ROW,
    "EvaluationItem": _ITEM,
    "EvaluationSurvey": _SURVEY,
    "EvaluationReport": {
        "type": "object",
        "description": "An evaluation's report: per question, its surveys' results, the "
                       "ideas and FPH projects of its orientations in each year open data "
                       "published, the signatories' measured commitments, the workshops "
                       "and published quotations; then the quartiers compared. Every count "
                       "of people passes the secrecy threshold.",
        "required": ["id", "kind", "title", "purpose", "starts_on", "ends_on", "contract",
                     "secrecy_threshold", "participants", "questions",
                     "quartier_comparison"],
        "properties": {
            "id": {"type": "integer"}, "kind": {"enum": ["midterm", "final"]},
            "title": {"type": "string"}, "purpose": {"type": "string"},
            "starts_on": {"type": "string", "format": "date"},
            "ends_on": {"type": "string", "format": "date"},
            "contract": {"type": "string"}, "secrecy_threshold": {"type": "integer"},
            "participants": {"type": "array", "items": {
                "type": "object", "required": ["year", "participants"],
                "properties": {"year": {"type": "integer"},
                               "participants": {"type": ["integer", "null"]}}}},
            "questions": {"type": "array", "items": _QUESTION},
            "quartier_comparison": {"type": "array", "items": {
                "type": "object", "required": ["item", "label", "options", "contract",
                                               "quartiers"],
                "properties": {
                    "item": {"type": "integer"}, "label": {"type": "string"},
                    "options": {"type": "array", "items": {"type": "string"}},
                    "contract": {"$ref": "#/components/schemas/EvaluationRow"},
                    "quartiers": {"type": "array", "items": {
                        "$ref": "#/components/schemas/EvaluationRow"}}}}},
        }},
}


# --- As the exports write it -----------------------------------------------------------------


def _results_rows(report: Report) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                           list[dict[str, Any]]]:
    """The published counts (one row per table, group and answer), the published
    numbers (one row per table and group) and the running surveys' rounded shares."""
    counts: list[dict[str, Any]] = []
    numbers: list[dict[str, Any]] = []
    running: list[dict[str, Any]] = []
    for q in report.questions:
        for found, items in q.surveys:
            title = found.survey.text("fr", "title")
            for item in items:
                base = {"question": q.question.text, "survey": title, "item": item.label}
                if not item.published:
                    shares = item.overall.shares or [None]
                    running.extend({**base, "answer": option, "share": shares[j],
                                    "respondents": item.overall.respondents}
                                   for j, option in enumerate(item.options or [""]))
                    continue
                tables = [(str(_l("Ensemble")), [item.overall])] + [
                    (t.title, t.rows) for t in item.crosstabs]
                for table, rows in tables:
                    for row in rows:
                        cell = {**base, "table": table, "group": row.label,
                                "respondents": row.respondents}
                        if row.stats is not None:
                            numbers.append({**cell, "count": row.stats.count,
                                            "q1": _number(row.stats.q1),
                                            "median": _number(row.stats.median),
                                            "q3": _number(row.stats.q3)})
                        else:
                            counts.extend({**cell, "answer": option, "count": row.counts[j],
                                           "share": row.shares[j]}
                                          for j, option in enumerate(item.options))
    return counts, numbers, running


_Q = Column("question", _l("Question de l’évaluation"), "text")
_SURVEY_COLUMN = Column("survey", _l("Enquête"), "text")
_ITEM_COLUMN = Column("item", _l("Question de l’enquête"), "text")


def as_tables(report: Report) -> list[Table]:
    """The report's tables for the CSV and XLSX exports (keys are the sheets' names)."""
    counts, numbers, running = _results_rows(report)
    tables = [
        Table("resultats", _l("Résultats des enquêtes publiées"),
              _l("Pour chaque question d’une enquête dont les résultats sont publiés : le "
                 "nombre de personnes qui ont choisi chaque réponse et leur part, pour "
                 "l’ensemble puis par quartier, par genre et par âge. « < 11 » : moins de "
                 "personnes que le seuil du secret statistique, ou un chiffre caché pour "
                 "qu’on ne puisse pas le retrouver par soustraction."), (
                  _Q, _SURVEY_COLUMN, _ITEM_COLUMN, Column("table", _l("Tableau"), "text"),
                  Column("group", _l("Groupe"), "text"),
                  Column("answer", _l("Réponse"), "text"),
                  Column("count", _l("Personnes"), "people"),
                  Column("share", _l("Part des réponses (%)"), "percent"),
                  Column("respondents", _l("Personnes qui ont répondu"), "people")),
              counts),
        Table("nombres", _l("Réponses en nombre"),
              _l("Pour chaque question à réponse en nombre d’une enquête publiée : combien "
                 "ont répondu, le premier quartile, la médiane (la moitié a répondu moins) "
                 "et le troisième quartile."), (
                  _Q, _SURVEY_COLUMN, _ITEM_COLUMN, Column("table", _l("Tableau"), "text"),
                  Column("group", _l("Groupe"), "text"),
                  Column("count", _l("Personnes"), "people"),
                  Column("q1", _l("Premier quartile"), "number"),
                  Column("median", _l("Médiane"), "number"),
                  Column("q3", _l("Troisième quartile"), "number")),
              numbers),
        Table("en_cours", _l("Enquêtes en cours"),
              _l("Pendant une enquête, seules les parts de l’ensemble sont données, "
                 "arrondies à 5 % près, avec le nombre de réponses arrondi à la dizaine "
                 "inférieure ; rien sous le seuil du secret statistique."), (
                  _Q, _SURVEY_COLUMN, _ITEM_COLUMN, Column("answer", _l("Réponse"), "text"),
                  Column("share", _l("Part arrondie (%)"), "percent"),
                  Column("respondents", _l("Au moins tant de réponses"), "int")),
              running),
        _comparison_table(report),
        _commitments_table(report),
        Table("activite", _l("Idées et FPH sur les orientations"),
              _l("Pour chaque orientation des questions et chaque année publiée en données "
                 "ouvertes : les idées proposées, publiées et qui ont reçu une réponse, les "
                 "projets du FPH financés et le montant accordé."), (
                  _Q, Column("year", _l("Année"), "text"),
                  Column("orientation", _l("Orientation"), "text"),
                  Column("posted", _l("Idées proposées"), "int"),
                  Column("published", _l("Idées publiées"), "int"),
                  Column("answered", _l("Idées avec une réponse"), "int"),
                  Column("funded", _l("Projets FPH financés"), "int"),
                  Column("granted", _l("Montant accordé"), "money")),
              [{"question": q.question.text, "year": str(a.year), "orientation": a.orientation,
                "posted": a.posted, "published": a.published, "answered": a.answered,
                "funded": a.funded, "granted": a.granted_cents}
               for q in report.questions for a in q.activity]),
        Table("participants", _l("Participants au contrat"),
              _l("Les participants de tout le contrat chaque année, tels que les données "
                 "ouvertes les publient."), (
                  Column("year", _l("Année"), "text"),
                  Column("participants", _l("Participants"), "people")),
              [{"year": str(y), "participants": n} for y, n in report.participants]),
        Table("ateliers", _l("Ateliers"),
              _l("Les ateliers de chaque question : quand, combien de participants (« < 11 » "
                 "sous le seuil du secret statistique) et leurs conclusions."), (
                  _Q, Column("workshop", _l("Atelier"), "text"),
                  Column("date", _l("Date"), "date"),
                  Column("participants", _l("Participants"), "people"),
                  Column("conclusions", _l("Conclusions"), "text")),
              [{"question": q.question.text, "workshop": w.workshop.event.title,
                "date": w.workshop.event.starts_at.date().isoformat(),
                "participants": w.participants if w.participants is not None or w.few
                else "", "conclusions": w.workshop.conclusions}
               for q in report.questions for w in q.workshops]),
        Table("citations", _l("Citations"),
              _l("Les réponses libres publiées par la modération."), (
                  _Q, _ITEM_COLUMN, Column("text", _l("Citation"), "text")),
              [{"question": q.question.text, "item": label, "text": text}
               for q in report.questions for label, text in q.quotations]),
    ]
    return tables


def _comparison_table(report: Report) -> Table:
    """One row per answer of a published item; one column per quartier, then the whole
    contract: the share of the respondents who chose it (empty where hidden)."""
    quartiers: list[tuple[str | None, str]] = []
    for _item, table in report.comparison:
        for group in table.rows:
            if (group.key, group.label) not in quartiers:
                quartiers.append((group.key, group.label))
    columns = (_ITEM_COLUMN, Column("answer", _l("Réponse"), "text"),
               *(Column(f"q{n}", label, "percent") for n, (_key, label) in enumerate(quartiers)),
               Column("contract", _l("Ensemble du contrat"), "percent"))
    rows: list[dict[str, Any]] = []
    for item, table in report.comparison:
        shares = {(r.key, r.label): r for r in table.rows}
        for j, option in enumerate(item.options):
            row: dict[str, Any] = {"item": item.label, "answer": option,
                                   "contract": item.overall.shares[j]}
            for n, key in enumerate(quartiers):
                found = shares.get(key)
                row[f"q{n}"] = found.shares[j] if found is not None else None
            rows.append(row)
    return Table("quartiers", _l("Comparaison des quartiers"),
                 _l("Pour chaque réponse d’une enquête publiée : la part des personnes de "
                    "chaque quartier qui l’ont choisie, et celle de tout le contrat. Une case "
                    "vide : moins de personnes que le seuil du secret statistique."),
                 columns, rows)


def _commitments_table(report: Report) -> Table:
    years = report.value_years
    columns = (_Q, Column("signatory", _l("Signataire"), "text"),
               Column("indicator", _l("Indicateur"), "text"),
               Column("unit", _l("Unité"), "text"),
               Column("baseline", _l("Point de départ"), "number"),
               Column("baseline_year", _l("Année du point de départ"), "text"),
               *(Column(f"y{y}", str(y), "number", _l("Vide : pas de valeur saisie"))
                 for y in years),
               Column("target", _l("Objectif"), "number"),
               Column("target_year", _l("Année de l’objectif"), "text"),
               Column("progress", _l("Chemin parcouru (%)"), "percent"))
    rows = []
    for q in report.questions:
        for c in q.commitments:
            i = c.indicator
            row: dict[str, Any] = {
                "question": q.question.text, "signatory": c.signatory, "indicator": i.label,
                "unit": i.unit, "baseline": float(i.baseline),
                "baseline_year": str(i.baseline_year), "target": float(i.target),
                "target_year": str(i.target_year), "progress": c.measure.progress}
            row.update({f"y{y}": _number(v) for y, v in c.values.items()})
            rows.append(row)
    return Table("engagements", _l("Engagements mesurés"),
                 _l("Les indicateurs des engagements des signataires sur les orientations "
                    "des questions : la valeur de chaque année, vide quand elle manque (elle "
                    "ne compte pas pour zéro)."), columns, rows)
