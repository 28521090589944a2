"""What other parts add to a quartier's page (FPH, ideas, map, events).

A part registers a function ``(db, quartier, user, now) -> Section | None``; the
quartier page shows the sections in the order of their ``position``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from civic.accounts.models import User


@dataclass(frozen=True)
class Section:
    template: str
    position: int
    context: dict[str, Any] = field(default_factory=dict)


SectionMaker = Callable[[Session, Any, Any, datetime], Section | None]
_makers: list[SectionMaker] = []


def register(maker: SectionMaker) -> SectionMaker:
    _makers.append(maker)
    return maker


def for_quartier(db: Session, quartier: Any, user: User | None, now: datetime) -> list[Section]:
    sections = [s for s in (maker(db, quartier, user, now) for maker in _makers) if s]
    return sorted(sections, key=lambda s: s.position)
