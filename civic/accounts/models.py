"""Accounts and the roles granted to them."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.db import Base


class Role(enum.StrEnum):
    PILOT = "pilot"
    SIGNATORY = "signatory"
    MODERATOR = "moderator"
    ANIMATOR = "animator"
    #: A member of the evaluation committee (conseil citoyen members, signatories'
    #: referents); pilots sit on it by right.
    EVALUATOR = "evaluator"


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
    #: Part of every login cookie (``get_id``): moved on at logout, a password change or
    #: reset, a role change or the account's deletion, which ends every session and every
    #: "remember me" cookie given before, on every device.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Since when the account has a second step at login (an app's codes or a security
    #: key); NULL: none. Roles take effect only with one (see ``active_roles``).
    second_factor_at: Mapped[datetime | None]

    quartier = relationship("Quartier", lazy="joined")
    roles: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", foreign_keys="RoleGrant.user_id", cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def is_active(self) -> bool:  # Flask-Login: deleted accounts cannot log in
        return self.deleted_at is None

    def get_id(self) -> str:  # Flask-Login: what the session and remember cookies hold
        return f"{self.id}:{self.session_generation}"

    @property
    def active_roles(self) -> list[RoleGrant]:
        """The grants that take effect. Every role opens personal data or counts, so a
        role waits for a second step at login: until then the account is a resident's."""
        return self.roles if self.second_factor_at is not None else []

    def has_role(self, role: Role, quartier_id: int | None = None,
                 signatory_id: int | None = None) -> bool:
        """Whether the role takes effect (every permission asks this)."""
        return _any_grant(self.active_roles, role, quartier_id, signatory_id)

    def holds_grant(self, role: Role, quartier_id: int | None = None,
                    signatory_id: int | None = None) -> bool:
        """Whether the role was granted, in effect or waiting for a second step."""
        return _any_grant(self.roles, role, quartier_id, signatory_id)

    def quartier_ids_for(self, role: Role) -> set[int]:
        return {g.quartier_id for g in self.active_roles
                if g.role == role and g.quartier_id is not None}


def _any_grant(grants: list[RoleGrant], role: Role, quartier_id: int | None,
               signatory_id: int | None) -> bool:
    for grant in grants:
        if grant.role != role:
            continue
        if quartier_id is not None and grant.quartier_id != quartier_id:
            continue
        if signatory_id is not None and grant.signatory_id != signatory_id:
            continue
        return True
    return False


class RoleGrant(Base):
    __tablename__ = "role_grants"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "quartier_id", "signatory_id"),
        CheckConstraint("role IN ('pilot', 'signatory', 'moderator', 'animator', 'evaluator')",
                        name="role"),
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


# --- Second step at login (civic/accounts/second_factor.py) ------------------------------


class TotpApp(Base):
    """The authenticator app of an account (codes that change every 30 seconds)."""

    __tablename__ = "totp_apps"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    #: The app's secret, encrypted with a key drawn from the site's secret key; NULL until
    #: a first code confirms it. Never shown again once confirmed.
    secret: Mapped[bytes | None] = mapped_column(LargeBinary(128))
    #: A secret being set up (the QR code on screen), encrypted likewise.
    pending: Mapped[bytes | None] = mapped_column(LargeBinary(128))
    #: The 30-second step of the last code accepted: a code never opens twice.
    last_step: Mapped[int | None]
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]


class RecoveryCode(Base):
    """A single-use code, for the day the phone or the key is lost."""

    __tablename__ = "recovery_codes"
    __table_args__ = (UniqueConstraint("user_id", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: HMAC-SHA256 (hex) of the code under a key drawn from the site's secret key; the code
    #: itself is shown once and kept nowhere.
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    #: When the code was used: it opens nothing after that.
    used_at: Mapped[datetime | None]


class SecurityKey(Base):
    """A security key or passkey (WebAuthn) registered by the person."""

    __tablename__ = "security_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The credential id the authenticator chose.
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1023), unique=True)
    #: Its public key (COSE), which checks every signature.
    public_key: Mapped[bytes] = mapped_column(LargeBinary(2048))
    #: The key's signature counter (0 to 2³²−1): one that goes back means a copied key.
    sign_count: Mapped[int] = mapped_column(BigInteger)
    #: The name the person gave it, e.g. « clé bleue » or « mon téléphone ».
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
