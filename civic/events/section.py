"""The next events on a quartier's page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from civic.events import queries
from civic.territory.sections import Section, register


@register
def events_section(db: Session, quartier: Any, _user: Any, now: datetime) -> Section:
    return Section("events/_section.html", position=40,
                   context={"events": queries.next_events(db, quartier.id, now)})
