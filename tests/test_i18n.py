"""French is the source; English and Arabic are complete, real and up to date."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
#: Words that are the same in French and in the target language.
SAME_EVERYWHERE = {"France Travail", "—", "civic"}
SAME_IN_ENGLISH = SAME_EVERYWHERE | {"Code", "Action", ("%(num)s point", "%(num)s points"),
                                      "Date", "Total", "Participants", "Latitude", "Longitude",
                                      "Pile", "%(title)s — %(day)s, %(place)s"}
ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")


def catalogue(language: str) -> Catalog:
    with (ROOT / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=language)


def messages(cat: Catalog) -> list:
    return [m for m in cat if m.id]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_catalogue_is_complete_and_not_fuzzy(language: str) -> None:
    missing = [m.id for m in messages(catalogue(language))
               if not m.string or m.fuzzy or (isinstance(m.string, tuple) and not all(m.string))]
    assert missing == []


@pytest.mark.parametrize("language", ["en", "ar"])
def test_placeholders_survive_translation(language: str) -> None:
    def names(text: object) -> list[str]:
        return sorted(PLACEHOLDER.findall(str(text)))

    wrong = []
    for m in messages(catalogue(language)):
        if isinstance(m.id, tuple):  # plural forms may leave the number out ("one point")
            allowed = set(names(m.id))
            if not all(set(names(form)) <= allowed for form in m.string) or not any(
                    names(form) for form in m.string):
                wrong.append(m.id)
        elif names(m.id) != names(m.string):
            wrong.append(m.id)
    assert wrong == []


def test_english_is_not_a_copy_of_the_french() -> None:
    copies = [m.id for m in messages(catalogue("en"))
              if m.string == m.id and m.id not in SAME_IN_ENGLISH]
    assert copies == []


def test_arabic_is_written_in_arabic() -> None:
    not_arabic = [m.id for m in messages(catalogue("ar"))
                  if m.id not in SAME_EVERYWHERE and not ARABIC_LETTER.search(str(m.string))]
    assert not_arabic == []


def test_no_message_is_missing_from_the_catalogues(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run([str(pybabel), "extract", "-F", "babel.cfg", "-k", "_l", "--no-location",
                    "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as f:
        extracted = {m.id for m in read_po(f) if m.id}
    for language in ("fr", "en", "ar"):
        known = {m.id for m in catalogue(language) if m.id}
        assert sorted(extracted - known, key=str) == [], (
            f"run `make extract` and translate the new messages in {language}")


def test_french_plurals_follow_the_french_rule(app: Any) -> None:
    """0 and 1 take the singular in French: the catalogue holds its plural messages."""
    plurals = [m for m in messages(catalogue("fr")) if isinstance(m.id, tuple)]
    assert plurals, "run `make extract`"
    assert all(m.string == m.id for m in plurals), "run `make extract`"
    from flask_babel import force_locale, ngettext

    with app.test_request_context(), force_locale("fr"):
        assert ngettext("%(num)d soutien", "%(num)d soutiens", 0) == "0 soutien"
        assert ngettext("%(num)d soutien", "%(num)d soutiens", 2) == "2 soutiens"
