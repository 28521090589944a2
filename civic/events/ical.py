"""Events as iCalendar (RFC 5545) with the ``icalendar`` package: one event for the
confirmation mail, a feed per quartier or for the whole contract for phone calendars.

Times are written in the site's time zone (Europe/Paris) with its VTIMEZONE, so a
phone abroad still shows the right local hour. The UID is the event's own, kept
across edits; SEQUENCE moves at each edit, and a cancelled event stays in the feed
with STATUS:CANCELLED so that calendars remove it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone
from icalendar import Event as VEvent

PRODID = "-//civic//contrat de ville//FR"


def calendar(events: Sequence[Any], *, name: str, timezone: str, domain: str,
             url_of: Callable[[Any], str], describe: Callable[[Any], str],
             now: datetime, method: str = "PUBLISH", status: str | None = None) -> bytes:
    """The calendar of these events. ``url_of`` and ``describe`` give each event's page
    and its text (in the reader's language). ``status`` overrides each event's own
    (TENTATIVE for a place on the waiting list); ``method`` CANCEL with status CANCELLED
    takes the event out of the person's calendar (their signup cancelled)."""
    zone = ZoneInfo(timezone)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", timezone)
    if events:
        first = min(e.starts_at for e in events).astimezone(zone).year
        last = max(e.ends_at for e in events).astimezone(zone).year
        cal.add_component(Timezone.from_tzinfo(zone, tzid=timezone,
                                               first_date=date(first, 1, 1),
                                               last_date=date(last + 1, 1, 1)))
    for event in events:
        item = VEvent()
        item.add("uid", f"{event.uid}@{domain}")
        item.add("sequence", event.sequence)
        item.add("dtstamp", now)
        item.add("dtstart", event.starts_at.astimezone(zone))
        item.add("dtend", event.ends_at.astimezone(zone))
        item.add("summary", event.title)
        item.add("location", ", ".join(p for p in (event.place, event.address) if p))
        if event.latitude is not None and event.longitude is not None:
            item.add("geo", (event.latitude, event.longitude))
        item.add("description", describe(event))
        item.add("url", url_of(event))
        item.add("status", status or ("CANCELLED" if event.cancelled_at else "CONFIRMED"))
        if event.updated_at:
            item.add("last-modified", event.updated_at)
        cal.add_component(item)
    return bytes(cal.to_ical())
