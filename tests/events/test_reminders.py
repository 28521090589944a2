"""The daily reminder: each confirmed person with an e-mail hears once, the day before
(Paris time), with the calendar file and the link to cancel."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import select

from civic.core.security import unsign
from civic.events import notifications, services
from civic.events.cli import end_of_tomorrow, send_reminders
from civic.events.models import Event, Signup
from tests import factories
from tests.factories import NOW

# NOW is Saturday 14 March 2026, 11:00 in Paris; tomorrow ends at Monday 00:00 in Paris,
# which is Sunday 23:00 UTC.
TOMORROW_EVENING = datetime(2026, 3, 15, 17, 0, tzinfo=UTC)
TOMORROW_LATE = datetime(2026, 3, 15, 22, 30, tzinfo=UTC)  # 23:30 in Paris
AFTER_MIDNIGHT = datetime(2026, 3, 15, 23, 30, tzinfo=UTC)  # Monday 00:30 in Paris


def guest(db: Any, event: Any, email: str | None, **values: Any) -> Signup:
    return factories.make_signup(db, event, name=email or "Sans e-mail", email=email,
                                 now=event.starts_at - timedelta(days=3), **values)


@pytest.fixture
def planned(db: Any, quartier: Any, people: dict) -> dict[str, Any]:
    """Events around tomorrow, and who signed up for them how."""
    tomorrow = factories.make_event(db, quartier, starts_at=TOMORROW_EVENING, capacity=3)
    gone = guest(db, tomorrow, "gone@example.org")
    services.cancel_signup(db, gone, now=NOW - timedelta(days=1))
    awa = guest(db, tomorrow, "awa@example.org")
    account = factories.make_signup(db, tomorrow, people["resident"],
                                    now=NOW - timedelta(days=2))
    guest(db, tomorrow, None)  # phone only
    waiting = guest(db, tomorrow, "waiting@example.org")
    assert waiting.status == "waiting"

    today = factories.make_event(db, quartier, starts_at=NOW + timedelta(hours=5))
    late = factories.make_event(db, quartier, starts_at=TOMORROW_LATE)
    after = factories.make_event(db, quartier, starts_at=AFTER_MIDNIGHT)
    next_week = factories.make_event(db, quartier)
    called_off = factories.make_event(db, quartier, starts_at=TOMORROW_EVENING)
    hidden = factories.make_event(db, quartier, starts_at=TOMORROW_EVENING)
    started = factories.make_event(db, quartier, starts_at=NOW - timedelta(minutes=30))
    for event, email in ((today, "today@example.org"), (late, "late@example.org"),
                         (after, "after@example.org"), (next_week, "week@example.org"),
                         (called_off, "off@example.org"), (hidden, "hidden@example.org"),
                         (started, "started@example.org")):
        guest(db, event, email)
    services.cancel_event(db, called_off, "Salle inondée", actor=None, now=NOW)
    hidden.moderation = "hidden"
    db.flush()
    return {"tomorrow": tomorrow, "awa": awa, "account": account, "today": today,
            "resident": people["resident"], "after": after}


DUE = {"awa@example.org", "today@example.org", "late@example.org"}


def recipients(outbox: Any) -> list[str]:
    return sorted(str(m["To"]) for m in outbox.messages)


@pytest.mark.parametrize(("now", "end"), [
    (NOW, datetime(2026, 3, 15, 23, 0, tzinfo=UTC)),
    # 00:30 on 2 July in Paris: tomorrow is the 3rd, in summer time.
    (datetime(2026, 7, 1, 22, 30, tzinfo=UTC), datetime(2026, 7, 3, 22, 0, tzinfo=UTC)),
    # Tomorrow the clocks go forward, or back: midnight after it is in the new time.
    (datetime(2026, 3, 28, 10, 0, tzinfo=UTC), datetime(2026, 3, 29, 22, 0, tzinfo=UTC)),
    (datetime(2026, 10, 24, 10, 0, tzinfo=UTC), datetime(2026, 10, 25, 23, 0, tzinfo=UTC)),
])
def test_the_end_of_tomorrow_is_midnight_in_paris(now: datetime, end: datetime) -> None:
    assert end_of_tomorrow(now, "Europe/Paris") == end


def test_every_confirmed_person_with_an_email_is_reminded_once(app: Any, db: Any,
                                                               planned: dict,
                                                               outbox: Any) -> None:
    with app.app_context():
        assert send_reminders(NOW) == 4
    expected = sorted([*DUE, planned["resident"].email])
    assert recipients(outbox) == expected
    reminded = db.scalars(select(Signup.email).where(Signup.reminded_at == NOW))
    assert sorted(reminded) == expected

    with app.app_context():
        assert send_reminders(NOW + timedelta(hours=1)) == 0
    assert recipients(outbox) == expected


def test_the_reminder_carries_the_calendar_file_and_the_cancel_link(app: Any, db: Any,
                                                                    planned: dict,
                                                                    outbox: Any) -> None:
    with app.app_context():
        send_reminders(NOW)
    [mail] = [m for m in outbox.messages if m["To"] == "awa@example.org"]
    event = planned["tomorrow"]
    assert mail["Subject"] == f"C’est demain : {event.title}"
    [attachment] = list(mail.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content_type()) == (
        "evenement.ics", "text/calendar")
    calendar = Calendar.from_ical(attachment.get_content())
    [item] = calendar.walk("VEVENT")
    assert str(item["UID"]) == f"{event.uid}@civic.localhost"
    assert item.decoded("DTSTART") == TOMORROW_EVENING

    body = outbox.body(mail)
    assert event.place in body
    token = re.search(r"/evenements/annulation/(\S+)", body)
    assert token is not None
    with app.test_request_context():
        payload = unsign(notifications.TOKEN_PURPOSE, token.group(1), 3600)
    assert services.by_token(db, payload, now=NOW).id == planned["awa"].id


def test_the_day_after_the_next_events_get_their_turn(app: Any, db: Any, planned: dict,
                                                      outbox: Any) -> None:
    with app.app_context():
        send_reminders(NOW)
    with app.app_context():
        assert send_reminders(NOW + timedelta(days=1)) == 1
    assert "after@example.org" in recipients(outbox)
    assert "week@example.org" not in recipients(outbox)


def test_a_place_given_after_the_reminder_run_is_reminded_at_the_next(
        app: Any, db: Any, planned: dict, outbox: Any) -> None:
    with app.app_context():
        send_reminders(NOW)
    event = db.get(Event, planned["today"].id)
    factories.make_signup(db, event, name="Late", email="late-comer@example.org", now=NOW)
    with app.app_context():
        assert send_reminders(NOW + timedelta(hours=1)) == 1
    assert recipients(outbox).count("late-comer@example.org") == 1


def test_the_command_sends_them_and_is_safe_to_run_twice(app: Any, db: Any, planned: dict,
                                                         outbox: Any,
                                                         monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["events", "send-reminders"])
    assert first.exit_code == 0, first.output
    assert "4 reminders sent" in first.output
    again = runner.invoke(args=["events", "send-reminders"])
    assert again.exit_code == 0, again.output
    assert "0 reminders sent" in again.output
    assert len(outbox.messages) == 4


def test_someone_who_signed_up_after_the_last_run_is_reminded_the_same_day(
        app: Any, db: Any, quartier: Any, outbox: Any) -> None:
    """The morning run finds an event of this very evening: the mail says today."""
    evening = datetime(2026, 3, 14, 18, 0, tzinfo=UTC)  # 19:00 in Paris, same day as NOW
    event = factories.make_event(db, quartier, starts_at=evening)
    factories.make_signup(db, event, name="Samir", email="samir@example.org",
                          now=NOW - timedelta(hours=1))
    with app.app_context():
        assert send_reminders(NOW) == 1
    [mail] = outbox.messages
    assert mail["Subject"] == f"C’est aujourd’hui : {event.title}"
    assert "on vous attend aujourd’hui" in outbox.body(mail)
