"""The read side of accounts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from civic.accounts.models import RoleGrant, User


def user_by_id(db: Session, user_id: int) -> User | None:
    """One query for the account and its roles (this runs on every logged-in request)."""
    return db.scalars(select(User).where(User.id == user_id)
                      .options(joinedload(User.roles))).unique().one_or_none()


def role_grants(db: Session) -> list[RoleGrant]:
    """Every grant with its account, quartier and signatory, for the roles page."""
    return list(db.scalars(
        select(RoleGrant).join(RoleGrant.user)
        .options(joinedload(RoleGrant.user))
        .order_by(RoleGrant.role, User.display_name, RoleGrant.id)
    ).unique())


def grant_by_id(db: Session, grant_id: int) -> RoleGrant | None:
    return db.get(RoleGrant, grant_id)
