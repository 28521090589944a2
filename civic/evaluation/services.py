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
from civic.evaluation.models import CommitmentIndicator, IndicatorValue

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
