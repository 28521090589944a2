"""Single-use vote codes: 9 random characters and a check character. Pure.

The alphabet leaves out look-alikes (0/O, 1/I/L), so a code read aloud or copied from
paper is typed right more often; the check character tells a mistyped code (a wrong
character, or two swapped) from a real one already used.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
BODY = 9
_INDEX = {c: i for i, c in enumerate(ALPHABET)}


def _weighted(code: str) -> int:
    return sum((position + 1) * _INDEX[c] for position, c in enumerate(code))


def check_character(body: str) -> str:
    """The character that makes the weighted sum of the whole code 0 modulo 31.

    31 is prime and the weights 1…10 are distinct, so any single wrong character and any
    swap of two neighbours (the check character included) changes the sum.
    """
    inverse_of_ten = pow(BODY + 1, -1, len(ALPHABET))
    return ALPHABET[(-_weighted(body) * inverse_of_ten) % len(ALPHABET)]


def generate() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY))
    return body + check_character(body)


def normalise(typed: str) -> str:
    """Upper case, without spaces or dashes: ``abcd-efgh-jk`` → ``ABCDEFGHJK``."""
    return "".join(c for c in typed.upper() if c.isalnum())


def well_formed(code: str) -> bool:
    if len(code) != BODY + 1 or any(c not in _INDEX for c in code):
        return False
    return _weighted(code) % len(ALPHABET) == 0


def digest(code: str) -> str:
    """What is stored: the SHA-256 of the normalised code (codes are never kept)."""
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def grouped(code: str) -> str:
    """``ABCDEFGHJK`` → ``ABCD-EFGH-JK``, easier to read on a letter."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))
