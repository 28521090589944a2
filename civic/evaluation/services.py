"""Measuring the commitments: indicators defined by pilots, yearly values entered by
the signatories' referents. Every change is audited."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.core import audit
from civic.core.db import insert_once
from civic.core.errors import RuleBroken
from civic.evaluation.models import (
    KINDS,
    CommitmentIndicator,
    Evaluation,
    EvaluationQuestion,
    IndicatorValue,
)
from civic.territory.models import Orientation

if TYPE_CHECKING:
    from civic.accounts.models import User
    from civic.territory.models import Commitment

#: The fields of an indicator, as the form gives them.
FIELDS = ("label", "unit", "baseline", "baseline_year", "target", "target_year")


class EvaluationError(RuleBroken):
    pass


def _check_indicator(values: dict[str, Any]) -> None:
    if values["target_year"] <= values["baseline_year"]:
        raise EvaluationError("target_not_after_baseline", "target_year")
    if Decimal(values["target"]) == Decimal(values["baseline"]):
        raise EvaluationError("target_is_baseline", "target")


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """What the journal keeps of an indicator's fields (no Decimal in JSON)."""
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}


def add_indicator(db: Session, commitment: Commitment, values: dict[str, Any], *,
                  actor: User | None, now: datetime) -> CommitmentIndicator:
    _check_indicator(values)
    indicator = CommitmentIndicator(commitment_id=commitment.id, created_at=now,
                                    **{k: values[k] for k in FIELDS})
    db.add(indicator)
    db.flush()
    audit.record(db, actor=actor, action="evaluation.indicator_added",
                 target_type="commitment_indicator", target_id=indicator.id, now=now,
                 signatory_id=commitment.signatory_id, **_plain(
                     {k: values[k] for k in FIELDS}))
    return indicator


def update_indicator(db: Session, indicator: CommitmentIndicator, values: dict[str, Any],
                     *, actor: User | None, now: datetime) -> None:
    _check_indicator(values)
    changed = {k: [str(getattr(indicator, k)), str(values[k])] for k in FIELDS
               if getattr(indicator, k) != values[k]}
    first = min((v.year for v in indicator.values), default=None)
    if first is not None and values["baseline_year"] > first:
        raise EvaluationError("values_before_baseline", "baseline_year")
    for k in FIELDS:
        setattr(indicator, k, values[k])
    db.flush()
    if changed:
        audit.record(db, actor=actor, action="evaluation.indicator_changed",
                     target_type="commitment_indicator", target_id=indicator.id, now=now,
                     changed=changed)


def remove_indicator(db: Session, indicator: CommitmentIndicator, *, actor: User | None,
                     now: datetime) -> None:
    audit.record(db, actor=actor, action="evaluation.indicator_removed",
                 target_type="commitment_indicator", target_id=indicator.id, now=now,
                 label=indicator.label, values=len(indicator.values))
    db.delete(indicator)
    db.flush()


def record_value(db: Session, indicator: CommitmentIndicator, year: int, value: Decimal,
                 source: str, *, actor: User | None, now: datetime) -> IndicatorValue:
    """The value of ``year``: entered, or corrected when the year has one already."""
    if year < indicator.baseline_year:
        raise EvaluationError("before_baseline", "year")
    if year > now.year:
        raise EvaluationError("future_year", "year")
    source = " ".join(source.split())
    if not source:
        raise EvaluationError("source_required", "source")
    row = IndicatorValue(indicator_id=indicator.id, year=year, value=value, source=source,
                         entered_by_id=getattr(actor, "id", None), entered_at=now)
    if insert_once(db, row):
        audit.record(db, actor=actor, action="evaluation.value_entered",
                     target_type="commitment_indicator", target_id=indicator.id, now=now,
                     year=year, value=str(value), source=source)
        db.refresh(indicator, ["values"])
        return row
    found = db.scalars(select(IndicatorValue).where(
        IndicatorValue.indicator_id == indicator.id, IndicatorValue.year == year)).one()
    changed = {"value": [str(found.value), str(value)], "source": [found.source, source]}
    found.value, found.source = value, source
    found.entered_by_id, found.entered_at = getattr(actor, "id", None), now
    db.flush()
    audit.record(db, actor=actor, action="evaluation.value_corrected",
                 target_type="commitment_indicator", target_id=indicator.id, now=now,
                 year=year, changed=changed)
    return found


# --- Evaluations and their questions -----------------------------------------------------

#: The fields of an evaluation, as the form gives them.
EVALUATION_FIELDS = ("kind", "title", "purpose", "starts_on", "ends_on", "proposals_until")


def _check_evaluation(db: Session, contract_id: int, values: dict[str, Any],
                      evaluation: Evaluation | None = None) -> None:
    if values["kind"] not in KINDS:
        raise EvaluationError("unknown_kind", "kind")
    if values["ends_on"] <= values["starts_on"]:
        raise EvaluationError("ends_before_start", "ends_on")
    last = values.get("proposals_until")
    if last is not None and not values["starts_on"] <= last <= values["ends_on"]:
        raise EvaluationError("proposals_outside", "proposals_until")
    twin = db.scalar(select(Evaluation.id).where(Evaluation.contract_id == contract_id,
                                                 Evaluation.kind == values["kind"]))
    if twin is not None and (evaluation is None or twin != evaluation.id):
        raise EvaluationError("kind_taken", "kind")


def open_evaluation(db: Session, contract: Any, values: dict[str, Any], *,
                    actor: User | None, now: datetime) -> Evaluation:
    """A mid-term or final evaluation of the contract (one of each); without
    ``proposals_until``, residents propose no questions."""
    values = {"proposals_until": None, **values}
    _check_evaluation(db, contract.id, values)
    evaluation = Evaluation(contract_id=contract.id, created_at=now,
                            **{k: values[k] for k in EVALUATION_FIELDS})
    db.add(evaluation)
    db.flush()
    audit.record(db, actor=actor, action="evaluation.opened", target_type="evaluation",
                 target_id=evaluation.id, now=now, kind=values["kind"],
                 title=values["title"])
    return evaluation


def update_evaluation(db: Session, evaluation: Evaluation, values: dict[str, Any], *,
                      actor: User | None, now: datetime) -> None:
    values = {"proposals_until": evaluation.proposals_until, **values}
    _check_evaluation(db, evaluation.contract_id, values, evaluation)
    changed = {k: [str(getattr(evaluation, k)), str(values[k])] for k in EVALUATION_FIELDS
               if getattr(evaluation, k) != values[k]}
    for k in EVALUATION_FIELDS:
        setattr(evaluation, k, values[k])
    db.flush()
    if changed:
        audit.record(db, actor=actor, action="evaluation.changed", target_type="evaluation",
                     target_id=evaluation.id, now=now, changed=changed)


def _orientations(db: Session, evaluation: Evaluation, ids: list[int]) -> list[Orientation]:
    found = list(db.scalars(select(Orientation).where(
        Orientation.id.in_(ids), Orientation.contract_id == evaluation.contract_id)))
    if not found or len(found) != len(set(ids)):
        raise EvaluationError("orientation_required", "orientations")
    return found


def add_question(db: Session, evaluation: Evaluation, text: str, orientation_ids: list[int],
                 *, actor: User | None, now: datetime) -> EvaluationQuestion:
    """A question of the evaluation, tied to one or more orientations of its contract."""
    orientations = _orientations(db, evaluation, orientation_ids)
    question = EvaluationQuestion(evaluation_id=evaluation.id, text=" ".join(text.split()),
                                  position=len(evaluation.questions), created_at=now,
                                  orientations=orientations)
    db.add(question)
    db.flush()
    db.refresh(evaluation, ["questions"])
    audit.record(db, actor=actor, action="evaluation.question_added",
                 target_type="evaluation", target_id=evaluation.id, now=now,
                 text=question.text, orientations=sorted(o.id for o in orientations))
    return question


def update_question(db: Session, question: EvaluationQuestion, text: str,
                    orientation_ids: list[int], *, actor: User | None, now: datetime) -> None:
    orientations = _orientations(db, question.evaluation, orientation_ids)
    before = [question.text, sorted(o.id for o in question.orientations)]
    question.text = " ".join(text.split())
    question.orientations = orientations
    db.flush()
    after = [question.text, sorted(o.id for o in orientations)]
    if after != before:
        audit.record(db, actor=actor, action="evaluation.question_changed",
                     target_type="evaluation", target_id=question.evaluation_id, now=now,
                     changed={"text": [before[0], after[0]]} if before[0] != after[0] else {},
                     orientations=after[1])


def remove_question(db: Session, question: EvaluationQuestion, *, actor: User | None,
                    now: datetime) -> None:
    """Only a question nothing answers yet: a survey's items and the workshops hold
    what residents said about it, and would go with it."""
    from civic.evaluation.models import SurveyItem, Workshop

    for model in (SurveyItem, Workshop):
        if db.scalar(select(model.question_id).where(
                model.question_id == question.id).limit(1)) is not None:
            raise EvaluationError("question_in_use")
    audit.record(db, actor=actor, action="evaluation.question_removed",
                 target_type="evaluation", target_id=question.evaluation_id, now=now,
                 text=question.text)
    evaluation = question.evaluation
    db.delete(question)
    db.flush()
    db.refresh(evaluation, ["questions"])
