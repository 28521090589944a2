"""Verbs on accounts: sign-up, confirmation, login, reset, profile, export, deletion, roles.

Services take the database session, the acting person and ``now`` as arguments and
never read Flask globals, so the command line and tests call them directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, lazyload

from civic.accounts import passwords
from civic.accounts.models import QUARTIER_ROLES, Role, RoleGrant, User
from civic.accounts.throttle import RESET, SIGN_UP, Throttle
from civic.core import audit
from civic.core.errors import RuleBroken
from civic.core.security import hash_password, needs_rehash, verify_password

#: Parts that hold personal data register a section of the "my data" export here.
PersonalDataSection = Callable[[Session, User], Any]
_personal_data_sections: dict[str, PersonalDataSection] = {}


def register_personal_data(name: str, section: PersonalDataSection,
                           erase: Callable[[Session, User], None] | None = None) -> None:
    """A part's section of the "my data" export, and what it erases when the account is
    deleted (what the person posted stays, without what identifies them)."""
    _personal_data_sections[name] = section
    if erase is not None:
        _erasers[name] = erase


_erasers: dict[str, Callable[[Session, User], None]] = {}


class AccountError(RuleBroken):
    """A rule about accounts was broken."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(User.email == normalise_email(email)))


@dataclass(frozen=True)
class SignUp:
    """What happened: a new account, or an attempt on an address already taken."""

    user: User
    created: bool


def check_new_password(password: str, *personal: str | None,
                       field: str = "password") -> None:
    """Refuse a password that is short, common, or made of the person's name or address
    (``passwords.problem``); the error's code is the rule it breaks."""
    code = passwords.problem(password, personal)
    if code is not None:
        raise AccountError(code, field)


def _within_mail_limit(guard: Throttle | None, purpose: str, email: str, now: datetime) -> None:
    wait = guard.mail_wait(purpose, email, now=now) if guard is not None else 0
    if wait:
        raise AccountError("too_many", "email", seconds=wait)


def sign_up(db: Session, *, email: str, password: str, display_name: str, language: str,
            quartier_id: int | None, now: datetime, guard: Throttle | None = None) -> SignUp:
    """Create an unconfirmed account, or return the existing one without touching it.

    The caller answers both cases with the same words (no account enumeration) and
    mails the owner of an existing address instead of a confirmation link. Both cases
    do the same work, the Argon2 hash of the password included, so that the time of the
    answer does not tell either; the rules and limits are checked before either.
    """
    check_new_password(password, display_name, email)
    _within_mail_limit(guard, SIGN_UP, email, now)
    password_hash = hash_password(password)
    existing = find_by_email(db, email)
    if existing is not None:
        return SignUp(existing, created=False)
    user = User(email=normalise_email(email), password_hash=password_hash,
                display_name=display_name.strip(), language=language, quartier_id=quartier_id,
                created_at=now)
    db.add(user)
    db.flush()
    return SignUp(user, created=True)


def confirm_email(db: Session, user: User, email: str, *, now: datetime) -> bool:
    """Confirm the address the link was made for; a changed address needs a new link."""
    if user.deleted_at is not None or user.email != email:
        return False
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now
        db.flush()
    return True


def authenticate(db: Session, email: str, password: str, *, now: datetime) -> User | None:
    """The account if the password matches, else ``None`` (same time either way)."""
    user = find_by_email(db, email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        return None
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.email_confirmed_at is not None:
        user.last_login_at = now
    db.flush()
    return user


def log_in(db: Session, guard: Throttle, email: str, password: str, *,
           now: datetime) -> User | None:
    """``authenticate`` for an address that is not waiting after failed tries; the
    same refusal for known and unknown addresses, whatever the password."""
    wait = guard.login_wait(email, now=now)
    if wait:
        raise AccountError("too_many", "password", seconds=wait)
    user = authenticate(db, email, password, now=now)
    if user is None:
        guard.login_failed(email, now=now)
    else:
        guard.login_succeeded(email)
    return user


def reset_request(db: Session, guard: Throttle, email: str, *, now: datetime) -> User | None:
    """The account a reset link goes to, if the address has a live one; past the limit
    of mails for the address, refused alike for known and unknown addresses."""
    _within_mail_limit(guard, RESET, email, now)
    # Without its roles, which an unknown address would not cost: the same queries.
    user = db.scalar(select(User).where(User.email == normalise_email(email))
                     .options(lazyload(User.roles)))
    return user if user is not None and user.is_active else None


def reset_fingerprint(user: User) -> str:
    """Changes with the password, so a reset link works once."""
    return (user.password_hash or "")[-16:]


def end_sessions(user: User) -> None:
    """Every session and "remember me" cookie given to the account so far stops working,
    on every device (they carry the generation, ``User.get_id``)."""
    user.session_generation = (user.session_generation or 0) + 1


def reset_password(db: Session, user: User, password: str, *, now: datetime,
                   guard: Throttle | None = None) -> None:
    """A new password from a mailed link; the holder of the mailbox need not wait after
    the failed logins that made them ask for it."""
    check_new_password(password, user.display_name, user.email)
    if guard is not None and user.email:
        guard.login_succeeded(user.email)
    user.password_hash = hash_password(password)
    end_sessions(user)
    # Whoever holds the reset link holds the mailbox: the address is confirmed.
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now
    db.flush()


def change_password(db: Session, user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise AccountError("wrong_password", "current_password")
    check_new_password(new, user.display_name, user.email, field="new_password")
    user.password_hash = hash_password(new)
    end_sessions(user)
    db.flush()


PROFILE_FIELDS = ("display_name", "language", "quartier_id", "gender", "age_bracket")


def update_profile(db: Session, user: User, values: dict[str, Any]) -> None:
    for name in PROFILE_FIELDS:
        if name in values:
            setattr(user, name, values[name])
    db.flush()


def set_language(db: Session, user: User | None, language: str) -> None:
    if user is not None:
        user.language = language
        db.flush()


def export_data(db: Session, user: User) -> dict[str, Any]:
    """Everything civic holds about the person, as plain JSON-ready data."""
    data: dict[str, Any] = {
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "language": user.language,
            "quartier": user.quartier.code if user.quartier else None,
            "gender": user.gender,
            "age_bracket": user.age_bracket,
            "created_at": user.created_at.isoformat(),
            "email_confirmed_at": _iso(user.email_confirmed_at),
            "last_login_at": _iso(user.last_login_at),
        },
        "roles": [
            {"role": g.role,
             "quartier": g.quartier.code if g.quartier else None,
             "signatory": g.signatory.name if g.signatory else None,
             "granted_at": g.granted_at.isoformat()}
            for g in user.roles
        ],
    }
    for name, section in sorted(_personal_data_sections.items()):
        data[name] = section(db, user)
    return data


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def delete_account(db: Session, user: User, password: str, *, now: datetime) -> None:
    """Erase personal data; what the person posted stays, signed by nobody."""
    if not verify_password(user.password_hash, password):
        raise AccountError("wrong_password", "password")
    user.email = None
    user.password_hash = None
    user.display_name = ""
    user.gender = None
    user.age_bracket = None
    user.quartier_id = None
    user.deleted_at = now
    user.roles.clear()
    end_sessions(user)
    for erase in _erasers.values():
        erase(db, user)
    db.flush()
    audit.record(db, actor=None, action="accounts.deleted", target_type="user",
                 target_id=user.id, now=now)


def grant_role(db: Session, user: User, role: Role, *, quartier_id: int | None,
               signatory_id: int | None, actor: User | None, now: datetime) -> RoleGrant:
    if user.deleted_at is not None:
        raise AccountError("deleted", "email")
    if role in QUARTIER_ROLES and quartier_id is None:
        raise AccountError("quartier_required", "quartier_id")
    if role == Role.SIGNATORY and signatory_id is None:
        raise AccountError("signatory_required", "signatory_id")
    quartier_id = quartier_id if role in QUARTIER_ROLES else None
    signatory_id = signatory_id if role == Role.SIGNATORY else None
    if user.holds_grant(role, quartier_id=quartier_id, signatory_id=signatory_id):
        raise AccountError("already_granted", "role")
    grant = RoleGrant(user=user, role=role.value, quartier_id=quartier_id,
                      signatory_id=signatory_id, granted_by_id=getattr(actor, "id", None),
                      granted_at=now)
    db.add(grant)
    end_sessions(user)
    db.flush()
    audit.record(db, actor=actor, action="accounts.role_granted", target_type="user",
                 target_id=user.id, now=now, role=role.value, quartier_id=quartier_id,
                 signatory_id=signatory_id)
    return grant


def revoke_role(db: Session, grant: RoleGrant, *, actor: User | None, now: datetime) -> None:
    if grant.role == Role.PILOT and _pilot_count(db) <= 1:
        raise AccountError("last_pilot", "role")
    audit.record(db, actor=actor, action="accounts.role_revoked", target_type="user",
                 target_id=grant.user_id, now=now, role=grant.role,
                 quartier_id=grant.quartier_id, signatory_id=grant.signatory_id)
    end_sessions(grant.user)
    grant.user.roles.remove(grant)
    db.flush()


def _pilot_count(db: Session) -> int:
    return db.scalar(select(func.count(RoleGrant.id)).where(RoleGrant.role == Role.PILOT)) or 0
