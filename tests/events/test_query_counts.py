"""The pages of events and of permanence hours send the same number of queries whatever
the data."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest

from civic.events.models import Event
from civic.permanence.models import Closure, WeeklySlot
from tests import factories
from tests.factories import NOW
from tests.test_query_counts import queries_for


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


def test_event_pages_do_not_grow_with_events_and_signups(login_as: Any, db: Any,
                                                         people: dict, contract: Any,
                                                         quartier: Any,
                                                         count_queries: Any) -> None:
    signatory = factories.make_signatory(db, contract)
    event = factories.make_event(db, quartier, people["animator"], capacity=200,
                                 signatory_id=signatory.id, organiser="Centre social",
                                 starts_at=NOW + timedelta(minutes=30))
    factories.make_signup(db, event, people["animator"])

    def add_data(times: int) -> None:
        current = db.get(Event, event.id)  # requests end the session that loaded it
        for n in range(times):
            author = factories.make_user(db)
            other = factories.make_quartier(db, contract)
            for where in (quartier, other, None):
                factories.make_event(db, where, author, signatory_id=signatory.id,
                                     starts_at=NOW + timedelta(days=1 + n, hours=n))
                factories.make_event(db, where, author, starts_at=NOW - timedelta(days=3 + n))
            factories.make_event(db, quartier, author, moderation="pending")
            factories.make_event(db, quartier, cancelled_at=NOW, cancel_reason="Pluie")
            factories.make_signup(db, current, name=f"Personne {n}",
                                  email=f"p{times}.{n}@example.org", childcare=bool(n % 2),
                                  interpretation="arabe")
            factories.make_signup(db, current, author)
            db.add(WeeklySlot(quartier_id=quartier.id, weekday=n % 7, starts=time(9),
                              ends=time(12), place="Maison de quartier", created_at=NOW))
            db.add(Closure(quartier_id=quartier.id, first_day=date(2026, 3, 16 + n),
                           last_day=date(2026, 3, 16 + n), label="Fermé"))
            db.flush()

    client = login_as(people["animator"])
    code = quartier.code
    urls = ["/evenements", "/evenements?quand=passes", f"/quartiers/{code}/evenements",
            "/evenements/calendrier", f"/quartiers/{code}/evenements/calendrier",
            "/evenements.ics", f"/quartiers/{code}/evenements.ics", f"/evenements/{event.id}",
            f"/evenements/{event.id}.ics", f"/evenements/{event.id}/inscrits",
            f"/evenements/{event.id}/presences", "/evenements/gerer",
            f"/quartiers/{code}", f"/quartiers/{code}/permanences"]
    add_data(1)
    before = {url: queries_for(client, url, count_queries) for url in urls}
    add_data(6)
    assert {url: queries_for(client, url, count_queries) for url in urls} == before


def test_the_public_event_page_does_not_grow_with_signups(client: Any, db: Any,
                                                          quartier: Any,
                                                          count_queries: Any) -> None:
    event = factories.make_event(db, quartier, capacity=None)
    urls = [f"/evenements/{event.id}", f"/evenements/{event.id}/inscription",
            f"/quartiers/{quartier.code}"]
    factories.make_signup(db, event)
    before = {url: queries_for(client, url, count_queries) for url in urls}
    event = db.get(Event, event.id)  # the requests ended the session that loaded it
    for n in range(8):
        factories.make_signup(db, event, name=f"Personne {n}")
        factories.make_event(db, quartier, title=f"Autre {n}")
    assert {url: queries_for(client, url, count_queries) for url in urls} == before
