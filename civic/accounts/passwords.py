"""The password rule: long enough, not common, not the person's own name or address.

Pure: no Flask, no database. ``problem(password, personal)`` returns the code of the
first rule the password breaks, or ``None``; the pages show each code's message next to
the field. The rule follows what the ANSSI and NIST SP 800-63B ask of a password chosen
by a person: a minimum length, a check against passwords known to attackers, and no
composition rules (no "one capital, one digit") that push people to ``Soleil2024!``.

The list of common passwords, ``data/common-passwords.txt``, is zxcvbn's list of 30 000
(MIT licence; its header names the source). A password is also refused when, once the
digits and signs around it are taken off, it is such a password (``soleil2024!!``), or
when it is a run or a repetition of keys (``abcdefghijkl``, ``azertyuiop12``,
``123456789012``, ``aaaaaaaaaaaa``): these are the first things an attacker tries.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib import resources
from itertools import pairwise

#: The shortest password accepted, in characters.
MIN_LENGTH = 12
#: Names and address parts shorter than this are not looked for in the password.
MIN_PERSONAL = 3

TOO_SHORT = "password_short"
PERSONAL = "password_personal"
COMMON = "password_common"
SIMPLE = "password_simple"

#: Keys in a row, in both directions: alphabet, digits, French and English keyboards.
_RUNS = ("abcdefghijklmnopqrstuvwxyzabc", "012345678901234567890",
         "azertyuiop", "qsdfghjklm", "wxcvbn", "qwertyuiop", "asdfghjkl", "zxcvbnm",
         "&é\"'(-è_çà", "azqswxedcrfvtgbyhnujikolpm", "qazwsxedcrfvtgbyhnujmikolp",
         "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "1a2z3e4r5t6y7u8i9o0p",
         "1q2w3e4r5t6y7u8i9o0p", "qweasdzxc", "azeqsdwxc")
_SEQUENCES = _RUNS + tuple(run[::-1] for run in _RUNS)
#: What people put around a word to make it "strong": digits, signs, spaces.
_DECORATION = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_WORD = re.compile(r"[^\W\d_]+")
#: A core this short is not called a run of keys (``abc`` in ``Abc-7391-8264``).
_SHORTEST_RUN = 4
#: A password typed with fewer different keys than this is refused (``ababbaabab12``).
_FEWEST_KEYS = 5


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list, lower case."""
    text = resources.files("civic.accounts").joinpath("data/common-passwords.txt").read_text(
        encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def fold(text: str) -> str:
    """Lower case without accents: ``Éloïse`` → ``eloise``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def problem(password: str, personal: Iterable[str | None] = ()) -> str | None:
    """The code of the first rule ``password`` breaks, else ``None``.

    ``personal``: the person's name, display name and e-mail address; a password that
    contains one of their words of at least ``MIN_PERSONAL`` letters is refused.
    """
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    folded = fold(password)
    if any(word in folded for word in personal_words(personal)):
        return PERSONAL
    cores = _cores(folded)
    if any(core in common_passwords() for core in cores):
        return COMMON
    if len(set(folded)) < _FEWEST_KEYS or any(is_simple(core) for core in cores):
        return SIMPLE
    return None


def personal_words(values: Iterable[str | None]) -> set[str]:
    """The words of a name or of an address's local part worth looking for: ``Jean-Marc
    Ôzil`` → jean, marc, ozil, jeanmarc, jeanmarcozil; ``j.dupont@example.org`` → dupont,
    jdupont (``j`` is too short)."""
    words: set[str] = set()
    for value in values:
        if not value:
            continue
        local = fold(value).split("@", 1)[0]
        parts = _WORD.findall(local)
        words.update(parts)
        words.add("".join(parts))
        words.update(a + b for a, b in pairwise(parts))
    return {w for w in words if len(w) >= MIN_PERSONAL}


def _cores(folded: str) -> set[str]:
    """The password as typed, without its spaces, and without the digits and signs
    around it (``  Soleil 2024 !`` → ``soleil``)."""
    compact = "".join(folded.split())
    cores = {folded, compact, _DECORATION.sub("", folded), _DECORATION.sub("", compact)}
    return {core for core in cores if core}


def is_simple(text: str) -> bool:
    """A repetition (``aaaa…``, ``abcabc…``) or keys in a row (``abcdef``, ``azerty``,
    ``98765``); ``text`` is folded."""
    if _is_repetition(text):
        return True
    return len(text) >= _SHORTEST_RUN and any(text in run for run in _SEQUENCES)


def _is_repetition(text: str) -> bool:
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return True
    return False
