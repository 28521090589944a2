"""When and where an animator can be met, on a quartier's page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from civic.core import clock
from civic.permanence import schedule, slots
from civic.territory.sections import Section, register


@register
def permanence_section(db: Session, quartier: Any, _user: Any, now: datetime) -> Section | None:
    today = clock.local_day(now, current_app.config["TIMEZONE"])
    weekly = slots.slots(db, quartier.id)
    if not weekly:
        return None
    found = schedule.upcoming(weekly, slots.closures(db, quartier.id, today), today,
                              slots.AHEAD_DAYS)
    return Section("permanence/_section.html", position=35,
                   context={"weekly": weekly, "occurrences": found[:6]})
