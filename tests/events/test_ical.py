"""Events as iCalendar: what a phone's calendar reads back from the .ics file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from civic.events import notifications, services
from civic.events.services import EDITABLE
from tests import factories
from tests.factories import NOW


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


def ics(app: Any, events: list[Any], name: str = "Les Tilleuls") -> bytes:
    with app.test_request_context():
        return notifications.ics(events, name)


def parsed(app: Any, events: list[Any]) -> Calendar:
    calendar = Calendar.from_ical(ics(app, events))
    assert isinstance(calendar, Calendar)
    return calendar


def only_event(app: Any, event: Any) -> Any:
    [item] = parsed(app, [event]).walk("VEVENT")
    return item


@pytest.mark.parametrize(("starts_at", "local"), [
    (NOW, "20260314T110000"),  # winter: UTC+1
    (datetime(2026, 7, 1, 10, 0, tzinfo=UTC), "20260701T120000"),  # summer: UTC+2
    (datetime(2026, 6, 30, 22, 30, tzinfo=UTC), "20260701T003000"),  # already the next day
])
def test_times_are_written_in_paris_local_time_with_their_zone(
        app: Any, db: Any, quartier: Any, starts_at: datetime, local: str) -> None:
    event = factories.make_event(db, quartier, starts_at=starts_at)
    assert f"DTSTART;TZID=Europe/Paris:{local}" in ics(app, [event]).decode()
    item = only_event(app, event)
    assert item["DTSTART"].params["TZID"] == "Europe/Paris"
    assert item["DTEND"].params["TZID"] == "Europe/Paris"
    assert item.decoded("DTSTART") == event.starts_at
    assert item.decoded("DTEND") == event.ends_at


def test_the_calendar_carries_the_paris_time_zone_for_every_year_it_covers(
        app: Any, db: Any, quartier: Any) -> None:
    """A phone that does not know Europe/Paris still places the hours right."""
    events = [factories.make_event(db, quartier),
              factories.make_event(db, quartier,
                                   starts_at=datetime(2027, 7, 1, 10, 0, tzinfo=UTC))]
    calendar = parsed(app, events)
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Paris"
    assert calendar["X-WR-TIMEZONE"] == "Europe/Paris"
    tz = zone.to_tz(lookup_tzid=False)
    for day, hours in (((2026, 3, 14), 1), ((2026, 7, 1), 2), ((2027, 1, 10), 1),
                       ((2027, 7, 1), 2)):
        assert datetime(*day, 12, 0, tzinfo=tz).utcoffset() == timedelta(hours=hours), day


def test_an_event_says_what_where_and_where_to_read_more(app: Any, db: Any,
                                                         quartier: Any) -> None:
    event = factories.make_event(db, quartier, title="Repas partagé de printemps",
                                 kind="meal", place="Jardin partagé",
                                 address="12 rue des Lilas", bring="un plat à partager",
                                 latitude=43.575, longitude=1.405)
    item = only_event(app, event)
    assert str(item["SUMMARY"]) == "Repas partagé de printemps"
    assert str(item["LOCATION"]) == "Jardin partagé, 12 rue des Lilas"
    assert str(item["URL"]).endswith(f"/evenements/{event.id}")
    assert "un plat à partager" in str(item["DESCRIPTION"])
    assert (item["GEO"].latitude, item["GEO"].longitude) == (43.575, 1.405)
    assert str(item["STATUS"]) == "CONFIRMED"
    assert item.decoded("DTSTAMP") == NOW  # RFC 5545: in UTC


def test_a_place_without_address_is_the_location_alone(app: Any, db: Any,
                                                      quartier: Any) -> None:
    event = factories.make_event(db, quartier, place="Square Abbal", address="")
    item = only_event(app, event)
    assert str(item["LOCATION"]) == "Square Abbal"
    assert "GEO" not in item


def test_an_edit_keeps_the_uid_and_moves_the_sequence(app: Any, db: Any, quartier: Any,
                                                      people: dict) -> None:
    event = factories.make_event(db, quartier)
    before = only_event(app, event)
    values = {name: getattr(event, name) for name in EDITABLE}
    later = event.starts_at + timedelta(hours=1)
    services.edit(db, event, {**values, "title": "Café du samedi", "starts_at": later,
                              "ends_at": later + timedelta(hours=2)},
                  actor=people["animator"], now=NOW)
    after = only_event(app, event)
    assert str(after["UID"]) == str(before["UID"]) == f"{event.uid}@civic.localhost"
    assert (before["SEQUENCE"], after["SEQUENCE"]) == (0, 1)
    assert str(after["SUMMARY"]) == "Café du samedi"
    assert after.decoded("DTSTART") == later
    assert after.decoded("LAST-MODIFIED") == NOW
    services.edit(db, event, {**values, "title": "Café du dimanche", "starts_at": later,
                              "ends_at": later + timedelta(hours=2)},
                  actor=people["animator"], now=NOW)
    again = only_event(app, event)
    assert (str(again["UID"]), again["SEQUENCE"]) == (str(before["UID"]), 2)


def test_a_cancelled_event_stays_in_the_calendar_as_cancelled(app: Any, db: Any,
                                                             quartier: Any,
                                                             people: dict) -> None:
    event = factories.make_event(db, quartier)
    uid = str(only_event(app, event)["UID"])
    services.cancel_event(db, event, "Salle inondée", actor=people["animator"], now=NOW)
    item = only_event(app, event)
    assert (str(item["UID"]), str(item["STATUS"]), item["SEQUENCE"]) == (uid, "CANCELLED", 1)
    assert str(item["DESCRIPTION"]).startswith("Annulé : Salle inondée")


def test_every_event_of_a_feed_is_there_under_one_time_zone(app: Any, db: Any,
                                                            quartier: Any) -> None:
    events = [factories.make_event(db, quartier, starts_at=NOW + timedelta(days=d))
              for d in (1, 2, 3)]
    calendar = parsed(app, events)
    assert len(calendar.walk("VTIMEZONE")) == 1
    assert [str(i["UID"]) for i in calendar.walk("VEVENT")] == [
        f"{e.uid}@civic.localhost" for e in events]
    assert str(calendar["X-WR-CALNAME"]) == "Les Tilleuls"


def test_an_empty_list_is_still_a_valid_calendar(app: Any) -> None:
    raw = ics(app, [], "Rien pour l’instant")
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n")
    assert raw.endswith(b"END:VCALENDAR\r\n")
    calendar = Calendar.from_ical(raw)
    assert (str(calendar["VERSION"]), str(calendar["PRODID"])) == (
        "2.0", "-//civic//contrat de ville//FR")
    assert calendar.walk("VEVENT") == []
    assert str(calendar["X-WR-CALNAME"]) == "Rien pour l’instant"
