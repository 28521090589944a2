"""Messages that said something else than what was wrong, found by walking the site:
each says now what the person can act on."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from civic.accounts.forms import PASSWORD_MIN
from tests import factories
from tests.factories import NOW


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)  # Saturday 14 March, 11:00


def error_of(page: Any, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error">([^<]+)</p>',
                      page.get_data(as_text=True))
    assert found, page.get_data(as_text=True)[:2000]
    return found[1]


def test_a_password_too_long_is_told_it_is_too_long(client: Any, db: Any) -> None:
    long = client.post("/inscription", data={"display_name": "Lina",
                                             "email": "lina@example.org",
                                             "password": "mot " * 50 + "x", "quartier_id": ""})
    assert error_of(long, "password") == "Le mot de passe doit faire 200 caractères au plus."
    short = client.post("/inscription", data={"display_name": "Lina",
                                              "email": "lina@example.org",
                                              "password": "court", "quartier_id": ""})
    assert error_of(short, "password") == (
        f"Le mot de passe doit faire au moins {PASSWORD_MIN} caractères.")


def test_an_event_today_at_a_passed_hour_is_told_the_hour(login_as: Any, people: dict,
                                                          quartier: Any) -> None:
    client = login_as(people["animator"])
    form = {"kind": "cafe", "title": "Café", "description": "", "place": "Maison",
            "address": "", "capacity": "", "quartier_id": str(quartier.id),
            "start": "09:00", "end": "10:00"}
    today = client.post("/evenements/nouveau", data={**form, "day": "2026-03-14"})
    assert today.status_code == 400
    assert error_of(today, "start") == (
        "Cette heure est déjà passée aujourd’hui : choisissez une heure à venir.")
    yesterday = client.post("/evenements/nouveau", data={**form, "day": "2026-03-13"})
    assert error_of(yesterday, "day") == "Ce jour est déjà passé."


def test_the_vote_page_before_the_vote_says_when_it_opens(login_as: Any, db: Any,
                                                         people: dict, quartier: Any) -> None:
    review = factories.make_round(db, factories.make_fund(db, quartier), "review")
    client = login_as(people["resident"])
    page = client.get(f"/fph/{review.id}/voter", follow_redirects=True)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Le vote n’est pas encore ouvert : il ouvre le 17/03/2026 11:00." in text
    closed = factories.make_round(db, factories.make_fund(db, quartier, year=2025), "counting")
    after = client.get(f"/fph/{closed.id}/voter", follow_redirects=True)
    assert "Le vote est clos." in after.get_data(as_text=True)


def test_an_answer_the_same_day_says_so(client: Any, db: Any, quartier: Any,
                                        signatory: Any) -> None:
    from civic.ideas.models import Forwarding

    idea = factories.make_idea(db, quartier, None, status="forwarded")
    db.add(Forwarding(idea_id=idea.id, signatory_id=signatory.id,
                      forwarded_at=NOW - timedelta(days=3), due_on=date(2026, 3, 30),
                      answer="Nous venons.", answered_at=NOW - timedelta(days=3, hours=-2)))
    db.flush()
    page = client.get("/qui-fait-quoi").get_data(as_text=True)
    assert "Répondu le jour même" in page
    assert "la moitié des réponses arrivent le jour même" in page
    assert "en 0 jour" not in page
