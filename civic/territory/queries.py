"""The read side of the territory."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, undefer

from civic.territory.models import Contract, Orientation, Quartier, Signatory


def current_contract(db: Session) -> Contract | None:
    """The contract this site serves (the first one created)."""
    return db.scalar(select(Contract).order_by(Contract.id).limit(1))


def quartiers(db: Session, *, with_perimeters: bool = False) -> list[Quartier]:
    """All quartiers by name; perimeters (large) only when asked for."""
    query = select(Quartier).order_by(Quartier.name)
    if with_perimeters:
        query = query.options(undefer(Quartier.perimeter))
    return list(db.scalars(query))


def quartier_by_id(db: Session, quartier_id: int | None) -> Quartier | None:
    return db.get(Quartier, quartier_id) if quartier_id is not None else None


def quartier_by_code(db: Session, code: str) -> Quartier | None:
    return db.scalar(select(Quartier).where(Quartier.code == code.upper())
                     .options(selectinload(Quartier.contract).selectinload(Contract.orientations),
                              selectinload(Quartier.contract).selectinload(Contract.signatories)))


def orientations(db: Session, contract: Contract) -> list[Orientation]:
    return list(db.scalars(select(Orientation).where(Orientation.contract_id == contract.id)
                           .order_by(Orientation.position, Orientation.id)))


def signatories(db: Session, contract: Contract) -> list[Signatory]:
    return list(db.scalars(select(Signatory).where(Signatory.contract_id == contract.id)
                           .order_by(Signatory.name)))
