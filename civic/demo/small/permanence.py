"""The small demo's permanences: Grand Mirail's weekly hours with the Christmas closure,
and two permanences open today."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from civic.accounts.models import User
from civic.core import clock
from civic.core.db import session as db
from civic.permanence import services as permanences
from civic.permanence import slots
from civic.territory.models import Quartier

#: (weekday, start, end, place, host, topics)
SLOTS = [
    (1, time(14), time(17), "Maison de quartier de la Reynerie", "Aïcha, animatrice",
     "Aide aux démarches, idées, vote FPH"),
    (4, time(9, 30), time(12), "Centre social Bellefontaine", "Aïcha, animatrice",
     "Questions sur le quartier, inscriptions aux événements"),
]
#: (place, opening hour, closing hour) of today's permanences.
TODAY = [("Maison de quartier de la Reynerie", 9, 12), ("Centre social Bellefontaine", 14, 18)]


def weekly_hours(mirail: Quartier, animator: User, now: datetime) -> None:
    """When the animator can be met every week, and the Christmas closure."""
    today = clock.local_day(now, "Europe/Paris")
    for weekday, start, end, place, host, topics in SLOTS:
        slots.add_slot(db(), mirail, weekday=weekday, starts=start, ends=end, place=place,
                       host=host, topics=topics, actor=animator, now=now)
    christmas = date(today.year, 12, 21)
    slots.add_closure(db(), mirail, first_day=christmas, last_day=christmas + timedelta(
        days=13), label="Vacances de Noël", actor=animator, now=now)


def open_today(mirail: Quartier, animator: User, now: datetime) -> None:
    """Two permanences of the animator today, for the kiosk and paper votes."""
    today = clock.local_day(now, "Europe/Paris")
    for place, start, end in TODAY:
        permanences.open_permanence(
            db(), mirail, place,
            clock.to_utc(datetime.combine(today, time(start)), "Europe/Paris"),
            clock.to_utc(datetime.combine(today, time(end)), "Europe/Paris"),
            actor=animator, now=now)
