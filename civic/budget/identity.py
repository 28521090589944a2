"""The keyed fingerprint of a declared identity, so one person votes once per round.

Pure. The name is folded (case, accents, spaces, hyphens, apostrophes) so that
« Anne-Marie N'Diaye » and « anne marie ndiaye » are the same person; the birth date is
part of the identity. The fingerprint is an HMAC with the round's secret: without the
secret, which is destroyed some months after the results, nobody can tell whose it is.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from datetime import date

# Every dash and apostrophe a keyboard or a phone may type, on purpose.
_DROPPED = set(" -‐‑‒–—'’`´.,_\t")  # noqa: RUF001


def normalise_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    kept = [c for c in decomposed if not unicodedata.combining(c) and c not in _DROPPED]
    return unicodedata.normalize("NFC", "".join(kept))


def fingerprint(secret: bytes, name: str, birth_date: date) -> str:
    message = f"{normalise_name(name)}|{birth_date.isoformat()}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def age_on(birth_date: date, day: date) -> int:
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)
