"""Throttling per account: failed logins, sign-ups and reset mails are counted for an
e-mail address, whatever network address they come from.

After ``free_tries`` failed logins for one address, each further try must wait 2, 4,
8… seconds after the last failure, up to ``max_delay``: no wall that locks a person out
for good, but a guesser spread over a thousand addresses gets a few tries an hour.
A successful login starts the count again. Sign-ups and reset mails for one address are
limited by fixed windows (``mail_limit``, in the ``limits`` syntax: ``3 per hour``).

The counters live in the store of the rate limiter (the ``limits`` library, the same
``RATELIMIT_STORAGE_URI``: memory:// on one machine, Redis for several), so every app
machine sees the same counts. Keys are a keyed hash (HMAC-SHA-256) of the normalised
address: someone who reads Redis learns nothing of who tried. Known and unknown
addresses are counted alike, so no answer tells which addresses have an account.

No Flask here: the store, the secret and ``now`` are arguments.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

#: Kinds of per-address limits on mail, each counted on its own.
SIGN_UP, RESET = "signup", "reset"
_LONGEST_EXPONENT = 30


@dataclass(frozen=True)
class Rules:
    #: Failed logins for one address before the first wait.
    free_tries: int = 5
    #: The longest wait between two tries, in seconds.
    max_delay: int = 15 * 60
    #: How long failures are remembered, from the first one, in seconds.
    memory: int = 24 * 3600
    #: Sign-ups and reset mails for one address (``limits`` syntax, ``;`` between limits).
    mail_limit: str = "3 per hour;10 per day"


def delay(failures: int, rules: Rules) -> int:
    """Seconds to wait after the ``failures``-th failure in a row: none for the first
    ``free_tries - 1``, then 2, 4, 8… up to ``max_delay``."""
    if failures < rules.free_tries:
        return 0
    exponent = min(failures - rules.free_tries + 1, _LONGEST_EXPONENT)
    return int(min(rules.max_delay, 2**exponent))


def normalise(email: str) -> str:
    return unicodedata.normalize("NFKC", email).strip().casefold()


class Throttle:
    """The per-account counters of one app, in ``storage``."""

    def __init__(self, storage: Storage, secret: bytes, rules: Rules | None = None, *,
                 enabled: bool = True) -> None:
        self.storage = storage
        self.rules = rules or Rules()
        self.enabled = enabled
        self._secret = secret
        self._mail_limits: list[RateLimitItem] = parse_many(self.rules.mail_limit)
        self._windows = FixedWindowRateLimiter(storage)

    def key(self, purpose: str, email: str) -> str:
        """``civic/<purpose>/<keyed hash of the address>``: never the address itself."""
        digest = hmac.new(self._secret, f"{purpose}\0{normalise(email)}".encode(),
                          hashlib.sha256).hexdigest()
        return f"civic/{purpose}/{digest[:32]}"

    def login_wait(self, email: str, *, now: datetime) -> int:
        """Seconds before the next login try for this address (0: it may try now)."""
        if not self.enabled:
            return 0
        until = self.storage.get(self.key("login-wait", email))
        left = until - math.floor(now.timestamp())
        # Two failures at the same instant may have added their times: never beyond the cap.
        return max(0, min(left, self.rules.max_delay))

    def login_failed(self, email: str, *, now: datetime) -> int:
        """Count a failure; the wait it brings, in seconds."""
        if not self.enabled:
            return 0
        failures = self.storage.incr(self.key("login-failures", email), self.rules.memory)
        wait = delay(failures, self.rules)
        if wait:
            key = self.key("login-wait", email)
            self.storage.clear(key)
            # The counter holds the moment the wait ends; the store forgets it soon after.
            self.storage.incr(key, wait + 60, amount=math.floor(now.timestamp()) + wait)
        return wait

    def login_succeeded(self, email: str) -> None:
        if self.enabled:
            self.storage.clear(self.key("login-failures", email))
            self.storage.clear(self.key("login-wait", email))

    def mail_wait(self, purpose: str, email: str, *, now: datetime) -> int:
        """Count one mail of ``purpose`` for this address; if it is one too many, the
        seconds before the next one is allowed (nothing is counted then)."""
        if not self.enabled:
            return 0
        identity = self.key(purpose, email)
        for item in self._mail_limits:
            if not self._windows.test(item, identity):
                reset = self._windows.get_window_stats(item, identity).reset_time
                return max(1, min(math.ceil(reset - now.timestamp()), item.get_expiry()))
        for item in self._mail_limits:
            self._windows.hit(item, identity)
        return 0


def from_config(config: Mapping[str, Any]) -> Throttle:
    """The throttle of an app: its own connection to the rate limiter's store, and a
    secret derived from ``SECRET_KEY`` (the same on every machine)."""
    storage = storage_from_string(config["RATELIMIT_STORAGE_URI"],
                                  **config.get("RATELIMIT_STORAGE_OPTIONS", {}))
    if not isinstance(storage, Storage):
        raise TypeError("RATELIMIT_STORAGE_URI must name a synchronous store (not async+…)")
    secret = hmac.new(str(config["SECRET_KEY"]).encode(), b"civic.accounts.throttle",
                      hashlib.sha256).digest()
    rules = Rules(free_tries=int(config.get("LOGIN_FREE_TRIES", Rules.free_tries)),
                  max_delay=int(config.get("LOGIN_MAX_DELAY", Rules.max_delay)),
                  mail_limit=str(config.get("ACCOUNT_MAIL_RATE_LIMIT", Rules.mail_limit)))
    return Throttle(storage, secret, rules, enabled=bool(config["RATELIMIT_ENABLED"]))
