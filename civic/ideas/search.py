"""Search that behaves the same on SQLite and PostgreSQL: the text is stored lower-cased,
without accents or Arabic short vowels, and every word of the query must appear in it.

Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import re
import unicodedata

MAX_TERMS = 8
_WORD = re.compile(r"\w+", re.UNICODE)


def normalise(text: str) -> str:
    """« Éclairage RUE Négrier » → « eclairage rue negrier »; Arabic loses its harakat."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_WORD.findall(bare))


def terms(query: str) -> list[str]:
    """The words of a query, normalised, at most MAX_TERMS, without repeats."""
    seen: list[str] = []
    for word in normalise(query).split():
        if word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


def like_pattern(term: str) -> str:
    """A LIKE pattern that finds ``term`` anywhere, with % and _ taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
