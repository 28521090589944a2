"""``python -m civic.core.catalogues``: after an extraction, give every plural message of
the French catalogue its own two forms.

French is the source language, so its catalogue is otherwise left untranslated. But
gettext only applies a catalogue's plural rule to messages the catalogue holds: without
them it falls back to « one if n == 1 », and French would read « 0 soutiens ». With the
forms copied in, French's rule (``n > 1``) gives « 0 soutien ».
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po, write_po

FRENCH = Path(__file__).resolve().parents[2] / "translations" / "fr" / "LC_MESSAGES" / \
    "messages.po"


def fill_french_plurals(path: Path = FRENCH) -> int:
    """Copy msgid and msgid_plural into each empty plural entry; returns how many."""
    with path.open("rb") as source:
        catalogue = read_po(source)
    filled = 0
    for message in catalogue:
        if isinstance(message.id, tuple) and not all(message.string or ()):
            message.string = (message.id[0], message.id[1])
            filled += 1
    with path.open("wb") as target:
        write_po(target, catalogue, sort_output=True, include_lineno=False, width=76)
    return filled


if __name__ == "__main__":
    print(f"{fill_french_plurals()} French plural messages filled")
