"""Names and contacts of the people signed up are deleted some days after the event; the
event keeps its counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from civic.core.audit import AuditEntry
from civic.events import services
from civic.events.models import Event, Signup
from civic.events.services import Attendance, EventError
from tests import factories
from tests.factories import NOW

DAY = timedelta(days=1)


def ended_event(db: Any, quartier: Any, ended_ago: timedelta, **values: Any) -> Event:
    """An event of two hours that ended ``ended_ago`` before NOW."""
    return factories.make_event(db, quartier, starts_at=NOW - ended_ago - timedelta(hours=2),
                                **values)


def guest(db: Any, event: Any, party: int = 1, **values: Any) -> Signup:
    return factories.make_signup(db, event, party_size=party,
                                 now=event.starts_at - 3 * DAY, **values)


def signups_of(db: Any, event: Any) -> int:
    return int(db.scalar(select(func.count()).select_from(Signup)
                         .where(Signup.event_id == event.id)))


@pytest.fixture
def old(db: Any, quartier: Any, people: dict) -> Event:
    """Ended 40 days ago: 3 seats taken, 3 people waiting, 4 present (2 of them walk-ins)."""
    event = ended_event(db, quartier, 40 * DAY, capacity=3)
    services.cancel_signup(db, guest(db, event, email="gone@example.org"),
                           now=event.starts_at - 2 * DAY)
    family = guest(db, event, 2, email="family@example.org")
    guest(db, event, 1)
    guest(db, event, 2)
    guest(db, event, 1)
    services.take_attendance(db, event, Attendance(frozenset({family.id}), 2, ("Amina",),
                                                   {("gender", "woman"): 3}),
                             actor=people["animator"], now=event.starts_at + timedelta(hours=1))
    return event


def test_old_lists_go_and_their_counts_stay(db: Any, quartier: Any, old: Event) -> None:
    recent = ended_event(db, quartier, 5 * DAY)
    guest(db, recent, email="recent@example.org")
    coming = factories.make_event(db, quartier)
    guest(db, coming)
    assert signups_of(db, old) == 6  # 5 signed up (one cancelled) and a named walk-in

    assert services.purge(db, now=NOW, days=30) == [old.id]
    assert signups_of(db, old) == 0
    assert (old.seats_taken, old.waiting_kept, old.attendance, old.walk_ins) == (3, 3, 4, 2)
    assert old.purged_at == NOW
    assert services.figures_of(db, old) == {("gender", "woman"): 3}
    assert (signups_of(db, recent), recent.purged_at) == (1, None)
    assert (signups_of(db, coming), coming.purged_at) == (1, None)
    assert db.scalar(select(func.count()).select_from(AuditEntry)
                     .where(AuditEntry.action == "events.purge")) == 1


def test_purging_twice_changes_nothing_more(db: Any, old: Event) -> None:
    services.purge(db, now=NOW, days=30)
    assert services.purge(db, now=NOW + DAY, days=30) == []
    assert (old.purged_at, old.waiting_kept, old.seats_taken) == (NOW, 3, 3)
    assert db.scalar(select(func.count()).select_from(AuditEntry)
                     .where(AuditEntry.action == "events.purge")) == 1


def test_a_cancel_link_stops_working_once_the_names_are_gone(db: Any, quartier: Any) -> None:
    event = ended_event(db, quartier, 40 * DAY)
    payload = services.token_payload(guest(db, event, email="fatou@example.org"))
    services.purge(db, now=NOW, days=30)
    with pytest.raises(EventError, match="token_invalid"):
        services.by_token(db, payload, now=event.starts_at)


def test_the_delay_counts_from_the_end_of_the_event(db: Any, quartier: Any) -> None:
    just_kept = ended_event(db, quartier, 30 * DAY)
    just_gone = ended_event(db, quartier, 30 * DAY + timedelta(minutes=1))
    for event in (just_kept, just_gone):
        guest(db, event)
    assert services.purge(db, now=NOW, days=30) == [just_gone.id]
    assert (signups_of(db, just_kept), signups_of(db, just_gone)) == (1, 0)


def test_the_command_follows_the_retention_setting(app: Any, db: Any, quartier: Any,
                                                   monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)
    five_days = ended_event(db, quartier, 5 * DAY)
    two_days = ended_event(db, quartier, 2 * DAY)
    for event in (five_days, two_days):
        guest(db, event)
    ids = five_days.id, two_days.id
    runner = app.test_cli_runner()

    assert app.config["EVENT_SIGNUP_RETENTION_DAYS"] == 30
    kept = runner.invoke(args=["events", "purge-signups"])
    assert kept.exit_code == 0, kept.output
    assert "signups deleted for 0 events" in kept.output

    monkeypatch.setitem(app.config, "EVENT_SIGNUP_RETENTION_DAYS", 3)
    purged = runner.invoke(args=["events", "purge-signups"])
    assert purged.exit_code == 0, purged.output
    assert "signups deleted for 1 events" in purged.output
    five_days, two_days = (db.get(Event, i) for i in ids)
    assert (signups_of(db, five_days), five_days.purged_at) == (0, NOW)
    assert (signups_of(db, two_days), two_days.purged_at) == (1, None)
