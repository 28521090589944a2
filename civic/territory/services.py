"""Verbs that change the contract and its territory; each one is audited."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.core import audit
from civic.core.errors import RuleBroken
from civic.territory.geo import QpvFeature, Skipped, departement
from civic.territory.models import Commitment, Contract, Orientation, Quartier, Signatory

if TYPE_CHECKING:
    from civic.accounts.models import User


class TerritoryError(RuleBroken):
    """A rule of the territory was broken."""


def save_contract(db: Session, contract: Contract | None, values: dict[str, Any], *,
                  actor: User | None, now: datetime) -> Contract:
    if values["end_year"] < values["start_year"]:
        raise TerritoryError("period", "end_year")
    if contract is None:
        contract = Contract(created_at=now, **values)
        db.add(contract)
        db.flush()
        audit.record(db, actor=actor, action="territory.contract_created", target_type="contract",
                     target_id=contract.id, now=now, values=values)
        return contract
    changed = audit.changes(contract, values)
    db.flush()
    if changed:
        audit.record(db, actor=actor, action="territory.contract_updated",
                     target_type="contract", target_id=contract.id, now=now, changed=changed)
    return contract


def save_quartier(db: Session, contract: Contract, quartier: Quartier | None,
                  values: dict[str, Any], *, actor: User | None, now: datetime) -> Quartier:
    code = values["code"]
    clash = db.scalar(select(Quartier.id).where(Quartier.code == code))
    if clash is not None and (quartier is None or clash != quartier.id):
        raise TerritoryError("duplicate_code", "code")
    if quartier is None:
        quartier = Quartier(contract=contract, created_at=now, updated_at=now, **values)
        db.add(quartier)
        db.flush()
        audit.record(db, actor=actor, action="territory.quartier_created",
                     target_type="quartier", target_id=quartier.id, now=now,
                     values={k: v for k, v in values.items() if k != "perimeter"})
        return quartier
    changed = audit.changes(quartier, values)
    if changed:
        quartier.updated_at = now
        db.flush()
        if "perimeter" in changed:
            changed["perimeter"] = ["…", "…"]
        audit.record(db, actor=actor, action="territory.quartier_updated",
                     target_type="quartier", target_id=quartier.id, now=now, changed=changed)
    return quartier


def save_orientation(db: Session, contract: Contract, orientation: Orientation | None,
                     values: dict[str, Any], *, actor: User | None, now: datetime) -> Orientation:
    return _save_simple(db, contract, orientation, Orientation, "orientation", values,
                        actor=actor, now=now)


def save_signatory(db: Session, contract: Contract, signatory: Signatory | None,
                   values: dict[str, Any], *, actor: User | None, now: datetime) -> Signatory:
    return _save_simple(db, contract, signatory, Signatory, "signatory", values,
                        actor=actor, now=now)


def save_commitments(db: Session, signatory: Signatory, texts: dict[int, str], *,
                     actor: User | None, now: datetime) -> None:
    """Replace what the signatory commits to, orientation by orientation; an empty text
    removes the commitment."""
    existing = {c.orientation_id: c for c in signatory.commitments}
    changed: dict[str, list[str]] = {}
    for orientation_id, text in texts.items():
        text = text.strip()
        current = existing.get(orientation_id)
        before = current.text if current else ""
        if before == text:
            continue
        changed[str(orientation_id)] = [before, text]
        if not text and current is not None:
            signatory.commitments.remove(current)
        elif current is not None:
            current.text = text
        else:
            signatory.commitments.append(Commitment(orientation_id=orientation_id, text=text))
    db.flush()
    if changed:
        audit.record(db, actor=actor, action="territory.commitments_updated",
                     target_type="signatory", target_id=signatory.id, now=now, changed=changed)


def _save_simple(db: Session, contract: Contract, obj: Any, model: Any, kind: str,
                 values: dict[str, Any], *, actor: User | None, now: datetime) -> Any:
    if obj is None:
        obj = model(contract=contract, **values)
        db.add(obj)
        db.flush()
        audit.record(db, actor=actor, action=f"territory.{kind}_created", target_type=kind,
                     target_id=obj.id, now=now, values=values)
        return obj
    changed = audit.changes(obj, values)
    db.flush()
    if changed:
        audit.record(db, actor=actor, action=f"territory.{kind}_updated", target_type=kind,
                     target_id=obj.id, now=now, changed=changed)
    return obj


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    #: (code, its département, the contract's): imported, but worth a look.
    elsewhere: list[tuple[str, str, str]] = field(default_factory=list)


def _home_departement(db: Session, contract: Contract, features: list[QpvFeature]) -> str:
    """The contract's département: the one most of its quartiers (those already there,
    else those imported) are in; "" when none is known."""
    known = [departement({}, code) for code in db.scalars(
        select(Quartier.code).where(Quartier.contract_id == contract.id))]
    if not known:
        known = [f.departement for f in features if f.departement]
    counts = Counter(known).most_common(1)
    return counts[0][0] if counts else ""


def import_qpv(db: Session, contract: Contract, features: list[QpvFeature],
               skipped: list[Skipped], *, actor: User | None, now: datetime) -> ImportReport:
    """Create or update one quartier per feature, matched on the official code.

    A re-import updates name, commune and perimeter; it never duplicates a quartier
    and never touches the population, which the file does not carry. A quartier that
    belongs to another contract is skipped rather than moved.
    """
    report = ImportReport(skipped=list(skipped))
    home = _home_departement(db, contract, features)
    report.elsewhere = [(f.code, f.departement, home) for f in features
                        if home and f.departement and f.departement != home]
    existing = {q.code: q for q in db.scalars(
        select(Quartier).where(Quartier.code.in_([f.code for f in features])))}
    for position, feature in enumerate(features, start=1):
        values = {"name": feature.name[:120], "commune": feature.commune[:200],
                  "perimeter": feature.geometry}
        quartier = existing.get(feature.code)
        if quartier is None:
            quartier = Quartier(contract=contract, code=feature.code, population=None,
                                created_at=now, updated_at=now, **values)
            db.add(quartier)
            report.created.append(feature.code)
        elif quartier.contract_id != contract.id:
            report.skipped.append(Skipped(position, feature.code,
                                          "the quartier belongs to another contract"))
        elif audit.changes(quartier, values):
            quartier.updated_at = now
            report.updated.append(feature.code)
        else:
            report.unchanged.append(feature.code)
    db.flush()
    audit.record(db, actor=actor, action="territory.qpv_imported", target_type="contract",
                 target_id=contract.id, now=now, created=report.created,
                 updated=report.updated, skipped=[s.code for s in report.skipped])
    return report
