"""The second step at login: the codes of an authenticator app (TOTP), single-use recovery
codes, and security keys or passkeys (WebAuthn).

Every role opens personal data, counts, exports or moderation, so a role takes effect only
once its account has a second step (``User.active_roles``): a password alone is never
enough for them. Residents may add one too.

What is kept: the app's secret encrypted with a key drawn from the site's secret key (a
copy of the database alone gives no codes), never shown again once confirmed; the step of
the last code taken, so that a code never opens twice; recovery codes as keyed hashes; the
public keys of security keys with their signature counters. Changing the site's secret key
(``CIVIC_SECRET_KEY``) makes apps and recovery codes unusable: a pilot then resets them.

No Flask here: the views pass the keys, the relying party (the site's address) and ``now``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from urllib.parse import urlsplit

import nacl.exceptions
import nacl.secret
import pyotp
from sqlalchemy import CursorResult, delete, func, or_, select, update
from sqlalchemy.orm import Session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from civic.accounts.models import RecoveryCode, SecurityKey, TotpApp, User
from civic.accounts.services import register_personal_data
from civic.core import audit
from civic.core.errors import RuleBroken

#: Codes of the app: 6 digits, a new one every 30 seconds.
TOTP_DIGITS = 6
TOTP_PERIOD = 30
#: The code of the step just before or after is taken too (a phone's clock drifts, and
#: typing takes time): three codes open at a time, each once.
TOTP_WINDOW = 1
#: Recovery codes handed out at a time, each of 3 groups of 4 characters of an alphabet
#: without look-alikes (0/O, 1/I/L): about 59 bits each.
RECOVERY_COUNT = 10
RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECOVERY_GROUPS = 3
RECOVERY_GROUP_SIZE = 4
#: How long the browser has to answer a security key's challenge, in milliseconds.
WEBAUTHN_TIMEOUT_MS = 120_000


class SecondFactorError(RuleBroken):
    """A rule about the second step was broken (a wrong code, a refused key...)."""


# --- Keys and the site's identity ------------------------------------------------------


@dataclass(frozen=True)
class Keys:
    """Keys drawn from the site's secret key: one encrypts the apps' secrets, the other
    hashes the recovery codes."""

    secret_box: bytes
    recovery: bytes

    @classmethod
    def derive(cls, secret_key: str) -> Keys:
        def subkey(purpose: bytes) -> bytes:
            return hmac.new(secret_key.encode(), purpose, hashlib.sha256).digest()

        return cls(subkey(b"civic.second_factor.totp"), subkey(b"civic.second_factor.recovery"))


@dataclass(frozen=True)
class RelyingParty:
    """The site as security keys know it: its host name and its origin."""

    id: str
    origin: str
    name: str

    @classmethod
    def from_base_url(cls, base_url: str, name: str = "civic") -> RelyingParty:
        parts = urlsplit(base_url)
        host = (parts.hostname or "localhost").lower()
        port = f":{parts.port}" if parts.port else ""
        return cls(id=host, origin=f"{parts.scheme}://{host}{port}", name=name)


# --- State of an account ---------------------------------------------------------------


def has_second_factor(user: User) -> bool:
    return user.second_factor_at is not None


def must_enrol(user: User) -> bool:
    """An account granted a role that waits for a second step."""
    return bool(user.roles) and user.second_factor_at is None


@dataclass(frozen=True)
class Status:
    """What the security page shows."""

    app: bool
    keys: list[SecurityKey]
    codes_left: int

    @property
    def enrolled(self) -> bool:
        return self.app or bool(self.keys)


def status(db: Session, user: User) -> Status:
    app = db.get(TotpApp, user.id)
    return Status(app=app is not None and app.secret is not None, keys=keys_of(db, user),
                  codes_left=recovery_codes_left(db, user))


def keys_of(db: Session, user: User) -> list[SecurityKey]:
    return list(db.scalars(select(SecurityKey).where(SecurityKey.user_id == user.id)
                           .order_by(SecurityKey.id)))


def _enrolled(db: Session, user: User, now: datetime, how: str) -> bool:
    """Mark the account as having a second step; whether it is its first one."""
    first = user.second_factor_at is None
    if first:
        user.second_factor_at = now
    db.flush()
    audit.record(db, actor=user, action="accounts.second_factor_added", target_type="user",
                 target_id=user.id, now=now, how=how)
    return first


def _refresh(db: Session, user: User) -> None:
    """Without an app or a key, the account has no second step left (nor recovery codes)."""
    db.flush()
    app = db.get(TotpApp, user.id)
    if (app is not None and app.secret is not None) or keys_of(db, user):
        return
    user.second_factor_at = None
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.flush()


# --- The app's codes (TOTP) ------------------------------------------------------------


def _seal(keys: Keys, secret: str) -> bytes:
    return bytes(nacl.secret.SecretBox(keys.secret_box).encrypt(secret.encode()))


def _open(keys: Keys, sealed: bytes) -> str | None:
    try:
        return nacl.secret.SecretBox(keys.secret_box).decrypt(sealed).decode()
    except nacl.exceptions.CryptoError:  # the site's secret key changed
        return None


def give_app(db: Session, user: User, keys: Keys, secret: str, *, now: datetime) -> None:
    """An app already set up with ``secret``, for accounts made by a command (the demo's
    staff, whose secret the command shows once): their roles take effect at once."""
    app = db.get(TotpApp, user.id)
    if app is None:
        app = TotpApp(user_id=user.id, created_at=now)
        db.add(app)
    app.secret, app.pending, app.confirmed_at, app.last_step = _seal(keys, secret), None, now, None
    if user.second_factor_at is None:
        user.second_factor_at = now
    db.flush()


def start_app(db: Session, user: User, keys: Keys, *, now: datetime) -> str:
    """The secret to show as a QR code: the one being set up, or a new one. An app already
    confirmed keeps working until a code of the new one confirms it."""
    app = db.get(TotpApp, user.id)
    if app is None:
        app = TotpApp(user_id=user.id, created_at=now)
        db.add(app)
    secret = _open(keys, app.pending) if app.pending is not None else None
    if secret is None:
        secret = pyotp.random_base32()
        app.pending = _seal(keys, secret)
    db.flush()
    return secret


def app_uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://`` address the QR code holds."""
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD).provisioning_uri(
        name=account, issuer_name=issuer)


def _clean_code(code: str) -> str:
    return "".join(code.split())


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code ``code`` is, within the window, else ``None``."""
    code = _clean_code(code)
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD)
    current = totp.timecode(now)
    found = None
    for step in range(current - TOTP_WINDOW, current + TOTP_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def _rows(db: Session, statement: Any, changed: object | None = None) -> int:
    """Run an UPDATE or DELETE; how many rows it changed. ``changed``, a loaded object
    the statement may have changed, is read again from the database next time."""
    result = db.execute(statement.execution_options(synchronize_session=False))
    if changed is not None:
        db.expire(changed)
    return int(cast(CursorResult[Any], result).rowcount)


def _take_step(db: Session, app: TotpApp, step: int) -> bool:
    """Record ``step`` as used, unless it or a later one already was: one statement, so
    that two requests with the same code cannot both pass."""
    return _rows(db, update(TotpApp)
                 .where(TotpApp.user_id == app.user_id,
                        or_(TotpApp.last_step.is_(None), TotpApp.last_step < step))
                 .values(last_step=step), app) == 1


def confirm_app(db: Session, user: User, code: str, keys: Keys, *, now: datetime) -> bool:
    """Confirm the app being set up with one of its codes. Returns whether it is the
    account's first second step (then the caller hands out recovery codes)."""
    app = db.get(TotpApp, user.id)
    secret = _open(keys, app.pending) if app is not None and app.pending is not None else None
    step = _matching_step(secret, code, now) if secret is not None else None
    if app is None or step is None:
        raise SecondFactorError("wrong_code", "code")
    app.secret, app.pending, app.confirmed_at, app.last_step = app.pending, None, now, step
    return _enrolled(db, user, now, "app")


def check_app_code(db: Session, user: User, code: str, keys: Keys, *, now: datetime) -> bool:
    """A code of the confirmed app, at the second step: each opens once."""
    app = db.get(TotpApp, user.id)
    secret = _open(keys, app.secret) if app is not None and app.secret is not None else None
    step = _matching_step(secret, code, now) if secret is not None else None
    return app is not None and step is not None and _take_step(db, app, step)


def remove_app(db: Session, user: User, *, now: datetime) -> None:
    db.execute(delete(TotpApp).where(TotpApp.user_id == user.id))
    audit.record(db, actor=user, action="accounts.second_factor_removed", target_type="user",
                 target_id=user.id, now=now, how="app")
    _refresh(db, user)


# --- Recovery codes --------------------------------------------------------------------


def _normalise_recovery(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def _digest(keys: Keys, code: str) -> str:
    return hmac.new(keys.recovery, _normalise_recovery(code).encode(), hashlib.sha256).hexdigest()


def _new_recovery_code() -> str:
    groups = ("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP_SIZE))
              for _ in range(RECOVERY_GROUPS))
    return "-".join(groups)


def new_recovery_codes(db: Session, user: User, keys: Keys, *, now: datetime) -> list[str]:
    """Ten new codes, shown once; the ones handed out before stop working."""
    if not has_second_factor(user):
        raise SecondFactorError("not_enrolled")
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_COUNT)]
    db.add_all([RecoveryCode(user_id=user.id, digest=_digest(keys, code), created_at=now)
                for code in codes])
    db.flush()
    audit.record(db, actor=user, action="accounts.recovery_codes_made", target_type="user",
                 target_id=user.id, now=now)
    return codes


def recovery_codes_left(db: Session, user: User) -> int:
    return db.scalar(select(func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def use_recovery_code(db: Session, user: User, code: str, keys: Keys, *, now: datetime) -> bool:
    """A recovery code opens once (one statement: two requests cannot both use it)."""
    if not _normalise_recovery(code):
        return False
    used = _rows(db, update(RecoveryCode)
                 .where(RecoveryCode.user_id == user.id,
                        RecoveryCode.digest == _digest(keys, code),
                        RecoveryCode.used_at.is_(None))
                 .values(used_at=now))
    if used != 1:
        return False
    audit.record(db, actor=user, action="accounts.recovery_code_used", target_type="user",
                 target_id=user.id, now=now, left=recovery_codes_left(db, user))
    return True


# --- Security keys (WebAuthn) ----------------------------------------------------------


@dataclass(frozen=True)
class Challenge:
    """What the browser is asked to sign: the options (JSON for navigator.credentials)
    and the challenge the answer must carry."""

    options: str
    challenge: bytes


def _user_handle(user: User) -> bytes:
    return f"civic-{user.id}".encode()


def _descriptors(keys: list[SecurityKey]) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=key.credential_id) for key in keys]


def registration_challenge(db: Session, user: User, rp: RelyingParty) -> Challenge:
    options = generate_registration_options(
        rp_id=rp.id, rp_name=rp.name, user_id=_user_handle(user),
        user_name=user.email or str(user.id), user_display_name=user.display_name,
        timeout=WEBAUTHN_TIMEOUT_MS, attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=_descriptors(keys_of(db, user)))
    return Challenge(options_to_json(options), options.challenge)


def register_key(db: Session, user: User, rp: RelyingParty, credential: str | dict[str, Any],
                 challenge: bytes, name: str, *, now: datetime) -> bool:
    """Keep a key whose answer carries our challenge, for our site. Returns whether it is
    the account's first second step."""
    try:
        verified = verify_registration_response(
            credential=_as_json(credential), expected_challenge=challenge,
            expected_rp_id=rp.id, expected_origin=rp.origin)
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise SecondFactorError("key_refused") from error
    known = db.scalar(select(SecurityKey.id).where(
        SecurityKey.credential_id == verified.credential_id))
    if known is not None:
        raise SecondFactorError("key_known")
    db.add(SecurityKey(user_id=user.id, credential_id=verified.credential_id,
                       public_key=verified.credential_public_key,
                       sign_count=verified.sign_count, name=name.strip()[:80], created_at=now))
    return _enrolled(db, user, now, "key")


def login_challenge(db: Session, user: User, rp: RelyingParty) -> Challenge:
    options = generate_authentication_options(
        rp_id=rp.id, timeout=WEBAUTHN_TIMEOUT_MS,
        allow_credentials=_descriptors(keys_of(db, user)),
        user_verification=UserVerificationRequirement.PREFERRED)
    return Challenge(options_to_json(options), options.challenge)


def check_key(db: Session, user: User, rp: RelyingParty, credential: str | dict[str, Any],
              challenge: bytes, *, issued_at: datetime, now: datetime) -> bool:
    """An answer of one of the account's keys to a challenge issued at ``issued_at``.

    The same answer never opens twice: the key then records ``now``, and only challenges
    issued after its last use are taken. A signature counter that goes back (a copied
    key) is refused by the library."""
    text = _as_json(credential)
    try:
        raw_id = parse_authentication_credential_json(text).raw_id
    except (WebAuthnException, ValueError, KeyError, TypeError):
        return False
    key = db.scalar(select(SecurityKey).where(SecurityKey.user_id == user.id,
                                              SecurityKey.credential_id == raw_id))
    if key is None:
        return False
    try:
        verified = verify_authentication_response(
            credential=text, expected_challenge=challenge, expected_rp_id=rp.id,
            expected_origin=rp.origin, credential_public_key=key.public_key,
            credential_current_sign_count=key.sign_count)
    except (WebAuthnException, ValueError, KeyError, TypeError):
        return False
    return _rows(db, update(SecurityKey)
                 .where(SecurityKey.id == key.id, SecurityKey.sign_count == key.sign_count,
                        or_(SecurityKey.last_used_at.is_(None),
                            SecurityKey.last_used_at < issued_at))
                 .values(sign_count=verified.new_sign_count, last_used_at=now), key) == 1


def _as_json(credential: str | dict[str, Any]) -> str:
    return credential if isinstance(credential, str) else json.dumps(credential)


def remove_key(db: Session, user: User, key_id: int, *, now: datetime) -> None:
    key = db.get(SecurityKey, key_id)
    if key is None or key.user_id != user.id:
        raise SecondFactorError("unknown_key")
    db.delete(key)
    audit.record(db, actor=user, action="accounts.second_factor_removed", target_type="user",
                 target_id=user.id, now=now, how="key")
    _refresh(db, user)


# --- Loss: a pilot resets another account ----------------------------------------------


def _remove_everything(db: Session, user: User) -> None:
    db.execute(delete(TotpApp).where(TotpApp.user_id == user.id))
    db.execute(delete(SecurityKey).where(SecurityKey.user_id == user.id))
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.second_factor_at = None
    db.flush()


def reset(db: Session, user: User, *, actor: User, now: datetime) -> None:
    """Forget the account's app, keys and recovery codes: its roles wait until it sets up
    a second step again, which the next login asks for. Never one's own (whoever holds a
    pilot's session would then need the password alone)."""
    if actor.id == user.id:
        raise SecondFactorError("own_reset", "email")
    if user.deleted_at is not None:
        raise SecondFactorError("deleted", "email")
    _remove_everything(db, user)
    audit.record(db, actor=actor, action="accounts.second_factor_reset", target_type="user",
                 target_id=user.id, now=now)


# --- "My data" -------------------------------------------------------------------------


def personal_data(db: Session, user: User) -> dict[str, Any]:
    """What the second step keeps about the person (never a secret or a code)."""
    state = status(db, user)
    app = db.get(TotpApp, user.id)
    return {
        "since": user.second_factor_at.isoformat() if user.second_factor_at else None,
        "app_confirmed_at": (app.confirmed_at.isoformat()
                             if app is not None and app.confirmed_at else None),
        "security_keys": [{"name": k.name, "created_at": k.created_at.isoformat(),
                           "last_used_at": k.last_used_at.isoformat() if k.last_used_at
                           else None} for k in state.keys],
        "recovery_codes_left": state.codes_left,
    }


register_personal_data("second_factor", personal_data, erase=_remove_everything)
