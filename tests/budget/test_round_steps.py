"""A pilot moves a round on, and its dates stay editable: the audit's dead ends.

Moving from proposals to review to vote within a minute set those dates to seconds
apart; the dates form, saved unchanged, then said « Cette date doit venir après la
précédente », and changing a date said the vote had started: a vote could not be
extended. And the buttons that cannot be undone acted at once, without naming what
they did."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from civic.budget.models import Round
from civic.core.audit import AuditEntry
from tests import factories
from tests.factories import NOW


@pytest.fixture
def clock(monkeypatch: Any) -> dict[str, Any]:
    now = {"at": NOW}
    monkeypatch.setattr("civic.core.clock.now", lambda: now["at"])
    return now


def form_values(page: str) -> dict[str, str]:
    """The dates form as the browser would send it back, unchanged."""
    values = {}
    for tag in re.findall(r"<input [^>]*>", page):
        name, value = re.search(r'name="(\w+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value and name[1] in {"title", "submission_starts_at", "review_starts_at",
                                          "vote_starts_at", "vote_ends_at",
                                          "follow_up_starts_at"}:
            values[name[1]] = value[1]
    return values


def test_dates_save_unchanged_after_moving_on_by_hand(login_as: Any, db: Any, people: dict,
                                                      quartier: Any, clock: dict) -> None:
    fund = factories.make_fund(db, quartier)
    round_ = factories.make_round(db, fund, "submission")
    factories.make_project(db, round_)
    factories.make_box(db, round_)  # the trustees have their shares: the vote may open
    pilot = login_as(people["pilot"])
    url = f"/admin/fph/sessions/{round_.id}/avancer"
    for seconds in (10, 40):  # review, then vote, within a minute
        clock["at"] = NOW + timedelta(seconds=seconds)
        pilot.post(url)
    round_ = db.get(Round, round_.id)
    assert round_.phase(clock["at"]) == "vote"
    stored = (round_.review_starts_at, round_.vote_starts_at)
    assert stored[1] - stored[0] == timedelta(seconds=30)

    edit = f"/admin/fph/fonds/{fund.id}/sessions/{round_.id}"
    page = pilot.get(edit).get_data(as_text=True)
    values = form_values(page)
    assert values.keys() >= {"title", "vote_starts_at", "vote_ends_at"}
    assert "Cette date est passée : elle reste telle quelle." in page
    assert re.search(r'id="vote_starts_at" name="vote_starts_at" readonly', page)
    assert len(values) == 6
    assert "vous pouvez reculer sa clôture pour le prolonger" in page
    saved = pilot.post(edit, data=values)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    round_ = db.get(Round, round_.id)
    assert (round_.review_starts_at, round_.vote_starts_at) == stored  # to the second

    # The vote is extended by two days: saved, and in the log.
    later = round_.vote_ends_at + timedelta(days=2)
    local = later + timedelta(hours=1)  # Paris is UTC+1 in March
    extended = pilot.post(edit, data={
        **values, "vote_ends_at": local.strftime("%Y-%m-%dT%H:%M"),
        "follow_up_starts_at": (local + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")})
    assert extended.status_code == 302
    assert db.get(Round, round_.id).vote_ends_at == later.replace(second=0, microsecond=0)
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "budget.round_updated")
                       ).all()[-1]
    assert set(entry.details["changed"]) == {"vote_ends_at", "follow_up_starts_at"}


def test_a_passed_date_or_a_close_in_the_past_is_said_next_to_its_field(
        login_as: Any, db: Any, people: dict, quartier: Any, clock: dict) -> None:
    fund = factories.make_fund(db, quartier)
    round_ = factories.make_round(db, fund, "vote")
    pilot = login_as(people["pilot"])
    edit = f"/admin/fph/fonds/{fund.id}/sessions/{round_.id}"
    values = form_values(pilot.get(edit).get_data(as_text=True))
    moved = pilot.post(edit, data={**values, "vote_starts_at": "2026-03-01T09:00"})
    assert moved.status_code == 400
    assert re.search(r'<p class="error" id="vote_starts_at-error">Cette date est passée',
                     moved.get_data(as_text=True))
    past = pilot.post(edit, data={**values, "vote_ends_at": "2026-03-14T09:00"})
    assert past.status_code == 400
    assert re.search(r'<p class="error" id="vote_ends_at-error">Choisissez une date à venir',
                     past.get_data(as_text=True))
    assert 'value="2026-03-14T09:00"' in past.get_data(as_text=True)  # kept as typed


@pytest.mark.parametrize(("phase", "step", "warned"), [
    ("upcoming", "Ouvrir les propositions", "ne pourra plus changer"),
    ("submission", "Clore les propositions et passer à l’examen",
     "On ne peut pas rouvrir les propositions."),
    ("review", "Ouvrir le vote", "On ne peut pas revenir à l’examen."),
    ("vote", "Clore le vote", "On ne peut pas rouvrir le vote"),
    ("results", "Passer au suivi des projets", "on ne peut pas revenir en arrière"),
])
def test_moving_on_names_the_step_and_asks_first(login_as: Any, db: Any, people: dict,
                                                 quartier: Any, clock: dict, phase: str,
                                                 step: str, warned: str) -> None:
    round_ = factories.make_round(db, factories.make_fund(db, quartier), phase)
    if phase == "review":
        factories.make_box(db, round_)
    pilot = login_as(people["pilot"])
    funds = pilot.get("/admin/fph").get_data(as_text=True)
    url = f"/admin/fph/sessions/{round_.id}/avancer"
    assert f'href="{url}">{step}' in funds
    page = pilot.get(url)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"<h1>{step}</h1>" in text
    assert warned in text
    assert db.get(Round, round_.id).phase(NOW) == phase  # asking did nothing
    done = pilot.post(url, follow_redirects=True)
    assert "C’est fait" in done.get_data(as_text=True)
    assert db.get(Round, round_.id).phase(NOW) != phase


def test_publishing_the_results_asks_first(login_as: Any, db: Any, people: dict,
                                           quartier: Any, clock: dict) -> None:
    round_ = factories.make_round(db, factories.make_fund(db, quartier), "counting")
    round_.results = {"selected": [], "projects": [], "envelope_cents": 0, "spent_cents": 0,
                      "left_cents": 0, "voters": 0, "population": None, "turnout": {}}
    round_.count_started_at = round_.count_confirmed_at = NOW
    db.flush()
    pilot = login_as(people["pilot"])
    results = pilot.get(f"/fph/{round_.id}/resultats").get_data(as_text=True)
    assert f'href="/fph/{round_.id}/publier">Publier les résultats' in results
    page = pilot.get(f"/fph/{round_.id}/publier").get_data(as_text=True)
    assert "ils ne pourront plus changer" in page
    assert db.get(Round, round_.id).results_published_at is None
    pilot.post(f"/fph/{round_.id}/publier")
    assert db.get(Round, round_.id).results_published_at == NOW
