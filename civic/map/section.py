"""The map on a quartier's page: how many points, and the way to the map and the list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from civic.map import queries
from civic.territory.sections import Section, register


@register
def map_section(db: Session, quartier: Any, _user: Any, _now: datetime) -> Section:
    count = queries.last_change(db, quartier.id)[0]
    return Section("map/_section.html", position=30, context={"point_count": count})
