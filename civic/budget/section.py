"""The FPH block of a quartier's page: the rounds and what a resident can do now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from civic.budget import queries
from civic.territory.sections import Section, register


@register
def fph_section(db: Session, quartier: Any, _user: Any, now: datetime) -> Section:
    rounds = [(r, r.phase(now)) for r in queries.rounds_of_quartier(db, quartier.id)]
    return Section("budget/_section.html", position=10, context={"rounds": rounds})
