"""The keyed fingerprint of a declared identity, so one person votes once per round.

Pure. The name is folded (case, accents, spaces, hyphens, apostrophes) and its words
are taken in any order, so that « Anne-Marie N'Diaye », « anne marie ndiaye » and
« NDIAYE Anne Marie » are the same person, on every channel; the birth date is part of
the identity. The fingerprint is an HMAC with the round's secret: without the
secret, which is destroyed some months after the results, nobody can tell whose it is.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from datetime import date

# Every dash and apostrophe a keyboard or a phone may type, on purpose.
_DROPPED = set(" -‐‑‒–—'’`´.,_\t")  # noqa: RUF001
#: Between two words of a name: spaces, dashes, dots, commas, underscores.
_BETWEEN = set(" -‐‑‒–—.,_")  # noqa: RUF001
#: Inside a word (N'Diaye, O'Neil): dropped without cutting it.
_APOSTROPHES = set("'’`´")  # noqa: RUF001


def normalise_name(name: str) -> str:
    """The name as the register compares it: folded, its words in alphabetical order
    and joined, so that neither their order nor what separates them matters."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    words: list[str] = []
    word: list[str] = []
    for c in decomposed:
        if unicodedata.combining(c) or c in _APOSTROPHES:
            continue
        if c in _BETWEEN or c.isspace():
            words.append("".join(word))
            word = []
        else:
            word.append(c)
    words.append("".join(word))
    return "".join(sorted(unicodedata.normalize("NFC", w) for w in words if w))


def legacy_normalise_name(name: str) -> str:
    """How names were folded before word order stopped mattering (the words joined in
    the order typed). Registers of rounds opened before then hold such fingerprints."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    kept = [c for c in decomposed if not unicodedata.combining(c) and c not in _DROPPED]
    return unicodedata.normalize("NFC", "".join(kept))


def fingerprint(secret: bytes, name: str, birth_date: date) -> str:
    message = f"{normalise_name(name)}|{birth_date.isoformat()}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def legacy_fingerprint(secret: bytes, name: str, birth_date: date) -> str:
    message = f"{legacy_normalise_name(name)}|{birth_date.isoformat()}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def age_on(birth_date: date, day: date) -> int:
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)
