"""Accounts and the roles granted to them."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.db import Base


class Role(enum.StrEnum):
    PILOT = "pilot"
    SIGNATORY = "signatory"
    MODERATOR = "moderator"
    ANIMATOR = "animator"


#: Roles that only make sense for given quartiers.
QUARTIER_ROLES = frozenset({Role.MODERATOR, Role.ANIMATOR})

GENDERS = ("woman", "man", "other")
AGE_BRACKETS = ("under_18", "18_24", "25_39", "40_54", "55_64", "65_plus")


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-cased login address; NULL once the account is deleted.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    #: Argon2id hash; NULL once the account is deleted.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    #: The only name shown publicly next to what the person posts.
    display_name: Mapped[str] = mapped_column(String(80))
    #: Interface language: fr, en or ar.
    language: Mapped[str] = mapped_column(String(5), default="fr")
    #: The quartier the person says they live in or care about (optional).
    quartier_id: Mapped[int | None] = mapped_column(ForeignKey("quartiers.id", ondelete="SET NULL"))
    #: Optional, for aggregated statistics only: woman, man, other.
    gender: Mapped[str | None] = mapped_column(String(10))
    #: Optional, for aggregated statistics only: one of AGE_BRACKETS.
    age_bracket: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime]
    #: When the person opened the confirmation link; login waits for it.
    email_confirmed_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    #: Set when the person deleted the account: personal data is gone, posts stay anonymous.
    deleted_at: Mapped[datetime | None]

    quartier = relationship("Quartier", lazy="joined")
    roles: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", foreign_keys="RoleGrant.user_id", cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def is_active(self) -> bool:  # Flask-Login: deleted accounts cannot log in
        return self.deleted_at is None

    def has_role(self, role: Role, quartier_id: int | None = None,
                 signatory_id: int | None = None) -> bool:
        for grant in self.roles:
            if grant.role != role:
                continue
            if quartier_id is not None and grant.quartier_id != quartier_id:
                continue
            if signatory_id is not None and grant.signatory_id != signatory_id:
                continue
            return True
        return False

    def quartier_ids_for(self, role: Role) -> set[int]:
        return {g.quartier_id for g in self.roles if g.role == role and g.quartier_id is not None}


class RoleGrant(Base):
    __tablename__ = "role_grants"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "quartier_id", "signatory_id"),
        CheckConstraint("role IN ('pilot', 'signatory', 'moderator', 'animator')", name="role"),
        CheckConstraint(
            "(role IN ('moderator', 'animator')) = (quartier_id IS NOT NULL)", name="quartier_scope"
        ),
        CheckConstraint("(role = 'signatory') = (signatory_id IS NOT NULL)",
                        name="signatory_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: One of Role.
    role: Mapped[str] = mapped_column(String(20))
    #: For moderators and animators: the quartier they act in.
    quartier_id: Mapped[int | None] = mapped_column(ForeignKey("quartiers.id", ondelete="CASCADE"))
    #: For signatories: the party of the contract they speak for.
    signatory_id: Mapped[int | None] = mapped_column(
        ForeignKey("signatories.id", ondelete="CASCADE")
    )
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime]

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])
    quartier = relationship("Quartier", lazy="joined")
    signatory = relationship("Signatory", lazy="joined")
