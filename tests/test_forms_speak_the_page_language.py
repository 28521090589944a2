"""Every form, sent wrong in English or Arabic, answers in that language: not one
French sentence of the catalogues on the page (the error banner was French on every
English and Arabic page, its template folder being skipped by the extraction)."""

from __future__ import annotations

import re
from functools import cache
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from tests import factories
from tests.factories import NOW

CATALOGUES = Path(__file__).resolve().parents[1] / "translations"


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


@cache
def french_sentences() -> frozenset[str]:
    """The catalogue's French sentences (three words or more) that the other languages
    translate differently."""
    with (CATALOGUES / "en" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        english = read_po(handle)
    found = set()
    for message in english:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for text in ids:
            plain = re.sub(r"%\([a-z_]+\)[sd]", "\0", text or "")
            for piece in plain.split("\0"):
                piece = " ".join(piece.split())
                if len(piece.split()) >= 3 and len(piece) >= 15:
                    found.add(piece)
    return frozenset(found)


def french_on(page: Any) -> list[str]:
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", page.get_data(as_text=True))).split())
    return sorted(s for s in french_sentences() if s in text)


@pytest.fixture
def places(db: Any, quartier: Any, people: dict) -> dict[str, Any]:
    fund = factories.make_fund(db, quartier)
    proposals = factories.make_round(db, fund, "submission")
    voting = factories.make_round(db, factories.make_fund(db, quartier, year=2025), "vote")
    factories.make_project(db, voting)
    return {"quartier": quartier, "fund": fund, "proposals": proposals, "voting": voting,
            "event": factories.make_event(db, quartier, title="Rencontre du jeudi"),
            "permanence": factories.make_permanence(db, quartier, people["animator"])}


#: (who, path, form sent): each form sent empty or wrong.
FORMS = [
    (None, "/inscription", {}),
    (None, "/connexion", {"email": "x", "password": ""}),
    (None, "/mot-de-passe-oublie", {"email": "pas une adresse"}),
    ("resident", "/quartiers/{code}/idees/proposer", {"title": ""}),
    ("resident", "/quartiers/{code}/carte/ajouter", {"latitude": "99", "longitude": "x"}),
    (None, "/evenements/{event}/inscription", {"party_size": "0"}),
    ("resident", "/compte/mot-de-passe", {"new_password": "court"}),
    ("resident", "/fph/{proposals}/proposer", {"title": ""}),
    ("resident", "/fph/{voting}/voter", {"step": "review"}),
    ("animator", "/evenements/nouveau", {"title": ""}),
    ("animator", "/permanence/{permanence}/papier/{voting}", {"part": "void"}),
    ("pilot", "/admin/fph/fonds/nouveau", {"year": "abc"}),
    ("pilot", "/admin/fph/fonds/{fund}/sessions/nouvelle", {"title": ""}),
    ("pilot", "/admin/quartiers/nouveau", {"code": "?"}),
]


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize(("who", "path", "sent"), FORMS, ids=[f[1] for f in FORMS])
def test_a_form_sent_wrong_answers_in_the_page_language(
        client: Any, login_as: Any, db: Any, people: dict, places: dict, language: str,
        who: str | None, path: str, sent: dict[str, str]) -> None:
    url = path.format(code=places["quartier"].code, event=places["event"].id,
                      proposals=places["proposals"].id, voting=places["voting"].id,
                      permanence=places["permanence"].id, fund=places["fund"].id)
    if who is None:
        browser = client
        headers = {"Accept-Language": language}
    else:
        people[who].language = language
        db.flush()
        browser = login_as(people[who])
        headers = {}
    page = browser.post(url, data=sent, headers=headers)
    assert page.status_code in (200, 400), (url, page.status_code)
    assert f'<html lang="{language}"' in page.get_data(as_text=True), url
    assert re.search(r'class="error(-summary)?"', page.get_data(as_text=True)), url
    assert french_on(page) == [], url


def test_the_banner_is_translated(client: Any, db: Any) -> None:
    page = client.post("/inscription", data={}, headers={"Accept-Language": "en"})
    assert "The form has errors." in page.get_data(as_text=True)
