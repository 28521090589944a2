"""Plain factory functions: they add and flush, never commit."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from civic.accounts.models import Role, RoleGrant, User
from civic.core.security import hash_password
from civic.territory.models import Contract, Orientation, Quartier, Signatory

NOW = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)
_seq = itertools.count(1)

SQUARE = {"type": "Polygon",
          "coordinates": [[[1.40, 43.57], [1.41, 43.57], [1.41, 43.58], [1.40, 43.58],
                           [1.40, 43.57]]]}


def make_contract(db: Session, **values: Any) -> Contract:
    contract = Contract(**{"name": "Contrat de ville de Testville", "start_year": 2024,
                           "end_year": 2030, "created_at": NOW, **values})
    db.add(contract)
    db.flush()
    return contract


def make_quartier(db: Session, contract: Contract, **values: Any) -> Quartier:
    n = next(_seq)
    quartier = Quartier(**{"contract": contract, "code": f"QN{n:06d}", "name": f"Quartier {n}",
                           "commune": "Testville", "population": 4200, "perimeter": SQUARE,
                           "created_at": NOW, "updated_at": NOW, **values})
    db.add(quartier)
    db.flush()
    return quartier


def make_orientation(db: Session, contract: Contract, **values: Any) -> Orientation:
    orientation = Orientation(**{"contract": contract, "name": f"Orientation {next(_seq)}",
                                 "description": "", "position": 0, **values})
    db.add(orientation)
    db.flush()
    return orientation


def make_signatory(db: Session, contract: Contract, **values: Any) -> Signatory:
    n = next(_seq)
    signatory = Signatory(**{"contract": contract, "name": f"Signataire {n}", "kind": "commune",
                             "referent_name": "Référente", "referent_email": f"ref{n}@example.org",
                             "commitment": "", **values})
    db.add(signatory)
    db.flush()
    return signatory


def make_user(db: Session, *, roles: list[tuple[Role, Any]] | None = None,
              confirmed: bool = True, **values: Any) -> User:
    n = next(_seq)
    user = User(**{"email": f"person{n}@example.org", "password_hash": _PASSWORD_HASH,
                   "display_name": f"Personne {n}", "language": "fr", "created_at": NOW,
                   "email_confirmed_at": NOW if confirmed else None, **values})
    db.add(user)
    db.flush()
    for role, scope in roles or []:
        db.add(RoleGrant(
            user=user, role=role.value, granted_at=NOW,
            quartier_id=scope.id if role in (Role.MODERATOR, Role.ANIMATOR) else None,
            signatory_id=scope.id if role == Role.SIGNATORY else None))
    db.flush()
    return user
