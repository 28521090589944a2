"""The idea box on a quartier's page: the latest ideas and how to add one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from civic.ideas import queries
from civic.territory.sections import Section, register


@register
def ideas_section(db: Session, quartier: Any, _user: Any, _now: datetime) -> Section:
    return Section("ideas/_section.html", position=20, context={
        "latest_ideas": queries.latest(db, quartier.id),
        "idea_count": queries.published_count(db, quartier.id),
    })
