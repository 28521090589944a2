"""A quartier's letter, without an account: asking for it, confirming the address,
leaving it; what pilots see of it.

Double opt-in: asking writes the address unconfirmed and sends a link; only the owner
of the mailbox, by opening it within ``LETTER_CONFIRM_HOURS`` (48 by default), makes the
address receive letters. Asking again sends a new link (the old one stops working), at
most as often as the site sends sign-up mails to one address. Asking for an address
already confirmed changes nothing and sends a reminder of how to leave: the page answers
the same either way, so that nobody learns who reads which letter.

Leaving deletes the address. It answers the same whether the link was known or not, and
the second time as the first.

Pilots see how many confirmed addresses each quartier has; the addresses themselves only
in an export made with a written reason, which the audit log keeps with the count (never
the addresses).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from civic.core import audit
from civic.core.db import insert_once
from civic.core.errors import RuleBroken
from civic.outreach.models import LetterSubscription
from civic.territory.models import Quartier

#: Hours a confirmation link works, unless ``LETTER_CONFIRM_HOURS`` says otherwise.
CONFIRM_HOURS = 48
#: The per-address count of mails (``accounts.throttle``) that letter requests use.
THROTTLE_PURPOSE = "letter"
#: The longest reason a pilot may give for an export.
REASON_MAX = 500


class LetterError(RuleBroken):
    """A request about a letter was refused."""


def confirm_hours(config: Mapping[str, Any]) -> int:
    return int(config.get("LETTER_CONFIRM_HOURS", CONFIRM_HOURS))


# --- Tokens ---------------------------------------------------------------------------


def token_of(seed: bytes, secret: str) -> str:
    """The link's token: the subscription's random seed keyed with the site's secret."""
    digest = hmac.new(secret.encode(), b"civic.letter\0" + seed, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def fingerprint(token: str) -> str:
    """What the database keeps of a token, to find its subscription."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _new_token(subscription: LetterSubscription, secret: str) -> str:
    subscription.token_seed = secrets.token_bytes(32)
    token = token_of(subscription.token_seed, secret)
    subscription.token_hash = fingerprint(token)
    return token


def find(db: Session, token: str) -> LetterSubscription | None:
    if not token or len(token) > 100:
        return None
    return db.scalar(select(LetterSubscription).where(
        LetterSubscription.token_hash == fingerprint(token)))


def normalise(address: str) -> str:
    return unicodedata.normalize("NFKC", address).strip().lower()


# --- Asking, confirming, leaving ------------------------------------------------------


@dataclass(frozen=True)
class Asked:
    """What asking did: a confirmation link to send, or (``already``) a reminder to an
    address that reads the letter already. ``token`` goes in the mail's links."""

    subscription: LetterSubscription
    token: str
    already: bool


def _check(values: Mapping[str, Any], languages: Collection[str]) -> tuple[str, Quartier, str]:
    address = normalise(str(values.get("email") or ""))
    if not address or "@" not in address or len(address) > 254:
        raise LetterError("email", "email")
    quartier = values.get("quartier")
    if not isinstance(quartier, Quartier):
        raise LetterError("quartier", "quartier_id")
    language = values.get("language")
    if language not in languages:
        raise LetterError("language", "language")
    return address, quartier, str(language)


def subscribe(db: Session, values: Mapping[str, Any], *, secret: str,
              languages: Collection[str], now: datetime, guard: Any = None) -> Asked:
    """Ask for ``values["quartier"]``'s letter at ``values["email"]`` in
    ``values["language"]``. ``guard``: the per-address mail throttle."""
    address, quartier, language = _check(values, languages)
    wait = guard.mail_wait(THROTTLE_PURPOSE, address, now=now) if guard is not None else 0
    if wait:
        raise LetterError("too_many", "email", seconds=wait)
    query = select(LetterSubscription).where(LetterSubscription.email == address,
                                             LetterSubscription.quartier_id == quartier.id)
    found = db.scalar(query)
    if found is None:
        found = LetterSubscription(email=address, quartier_id=quartier.id, language=language,
                                   created_at=now, asked_at=now, confirmed_at=None)
        token = _new_token(found, secret)
        if insert_once(db, found):
            return Asked(found, token, already=False)
        found = db.scalar(query)  # asked at the same instant from elsewhere
        assert found is not None
    if found.confirmed_at is not None:
        return Asked(found, token_of(found.token_seed, secret), already=True)
    token = _new_token(found, secret)
    found.language, found.asked_at = language, now
    db.flush()
    return Asked(found, token, already=False)


#: What a confirmation link found.
CONFIRMED, ALREADY, EXPIRED, UNKNOWN = "confirmed", "already", "expired", "unknown"


def _state(found: LetterSubscription | None, now: datetime, hours: int) -> str:
    if found is None:
        return UNKNOWN
    if found.confirmed_at is not None:
        return ALREADY
    if now >= found.asked_at + timedelta(hours=hours):
        return EXPIRED
    return CONFIRMED


def check_link(db: Session, token: str, *, now: datetime, hours: int) -> str:
    """What ``confirm`` would find, without confirming (the page before the button)."""
    return _state(find(db, token), now, hours)


def confirm(db: Session, token: str, *, now: datetime, hours: int) -> str:
    """Confirm the address of this link if it is still valid: ``CONFIRMED`` (or
    ``ALREADY`` the second time), ``EXPIRED`` after ``hours``, ``UNKNOWN``."""
    found = find(db, token)
    state = _state(found, now, hours)
    if found is not None and state == CONFIRMED:
        found.confirmed_at = now
        db.flush()
    return state


def unsubscribe(db: Session, token: str) -> None:
    """The address leaves the letter and is forgotten; nothing says whether it was
    there, and a second time does the same."""
    if token and len(token) <= 100:
        db.execute(delete(LetterSubscription).where(
            LetterSubscription.token_hash == fingerprint(token)))
        db.flush()


def forget_unconfirmed(db: Session, *, now: datetime, hours: int) -> int:
    """Addresses never confirmed are forgotten once their link has expired."""
    done = db.execute(delete(LetterSubscription).where(
        LetterSubscription.confirmed_at.is_(None),
        LetterSubscription.asked_at < now - timedelta(hours=hours)))
    return int(getattr(done, "rowcount", 0))


# --- What pilots see ------------------------------------------------------------------


def counts(db: Session) -> list[tuple[Quartier, int]]:
    """Every quartier with its number of confirmed addresses, by name."""
    confirmed = (select(LetterSubscription.quartier_id, func.count().label("n"))
                 .where(LetterSubscription.confirmed_at.is_not(None))
                 .group_by(LetterSubscription.quartier_id).subquery())
    rows = db.execute(select(Quartier, func.coalesce(confirmed.c.n, 0))
                      .outerjoin(confirmed, confirmed.c.quartier_id == Quartier.id)
                      .order_by(Quartier.name))
    return [(quartier, int(n)) for quartier, n in rows]


def export(db: Session, quartier: Quartier, reason: str, *, actor: Any,
           now: datetime) -> list[LetterSubscription]:
    """The confirmed addresses of a quartier's letter, for a reason the pilot writes;
    the audit log keeps the reason and the count, never the addresses."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise LetterError("reason_required", "reason")
    if len(reason) > REASON_MAX:
        raise LetterError("reason_long", "reason")
    found = list(db.scalars(select(LetterSubscription).where(
        LetterSubscription.quartier_id == quartier.id,
        LetterSubscription.confirmed_at.is_not(None)).order_by(LetterSubscription.email)))
    audit.record(db, actor=actor, action="outreach.letter_exported", target_type="quartier",
                 target_id=quartier.id, now=now, reason=reason, count=len(found))
    return found
