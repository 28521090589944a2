"""The reads of the evaluations and of the commitments' measures: each signatory's
commitments with their indicators, values and progress, in a few queries whatever their
number."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, selectinload

from civic.evaluation.models import KINDS, CommitmentIndicator, Evaluation
from civic.evaluation.progress import latest, progress
from civic.territory.models import Commitment, Orientation, Signatory


@dataclass
class Measure:
    indicator: CommitmentIndicator
    values: dict[int, Decimal]

    @property
    def latest(self) -> tuple[int, Decimal] | None:
        return latest(self.values)

    @property
    def progress(self) -> int | None:
        found = self.latest
        return progress(self.indicator.baseline, self.indicator.target,
                        found[1] if found else None)


@dataclass
class CommitmentMeasures:
    commitment: Commitment
    measures: list[Measure] = field(default_factory=list)


@dataclass
class SignatoryMeasures:
    signatory: Signatory
    commitments: list[CommitmentMeasures] = field(default_factory=list)


def board(db: Session, contract: Any, *, orientation_id: int | None = None
          ) -> list[SignatoryMeasures]:
    """Every signatory of the contract with its commitments (by orientation order) and
    their indicators."""
    commitments = list(db.scalars(
        select(Commitment).join(Signatory, Signatory.id == Commitment.signatory_id)
        .join(Orientation, Orientation.id == Commitment.orientation_id)
        .where(Signatory.contract_id == contract.id,
               *([Commitment.orientation_id == orientation_id] if orientation_id else []))
        .options(contains_eager(Commitment.signatory))
        .order_by(Signatory.name, Orientation.position, Commitment.id)))
    indicators = list(db.scalars(
        select(CommitmentIndicator)
        .where(CommitmentIndicator.commitment_id.in_([c.id for c in commitments]))
        .options(selectinload(CommitmentIndicator.values))
        .order_by(CommitmentIndicator.id)))
    by_commitment: dict[int, list[Measure]] = {}
    for indicator in indicators:
        by_commitment.setdefault(indicator.commitment_id, []).append(
            Measure(indicator, {v.year: v.value for v in indicator.values}))
    found: dict[int, SignatoryMeasures] = {}
    for commitment in commitments:
        entry = found.setdefault(commitment.signatory_id,
                                 SignatoryMeasures(commitment.signatory))
        entry.commitments.append(CommitmentMeasures(commitment,
                                                    by_commitment.get(commitment.id, [])))
    return list(found.values())


def evaluations(db: Session, contract: Any) -> list[Evaluation]:
    """The contract's evaluations, mid-term first."""
    return sorted(db.scalars(select(Evaluation).where(Evaluation.contract_id == contract.id)),
                  key=lambda e: KINDS.index(e.kind))


def measures_by_orientation(db: Session, contract: Any) -> dict[int, list[tuple[Signatory,
                                                                              Measure]]]:
    """Every measured commitment of the contract, by its orientation: what the questions
    of an evaluation put next to them."""
    found: dict[int, list[tuple[Signatory, Measure]]] = {}
    for entry in board(db, contract):
        for item in entry.commitments:
            for measure in item.measures:
                found.setdefault(item.commitment.orientation_id, []).append(
                    (entry.signatory, measure))
    return found
