"""Upcoming occurrences of weekly permanence slots, minus closures. Pure: no Flask, no
SQLAlchemy."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Protocol


class SlotLike(Protocol):
    @property
    def weekday(self) -> int: ...
    @property
    def starts(self) -> time: ...
    @property
    def ends(self) -> time: ...


class ClosureLike(Protocol):
    @property
    def first_day(self) -> date: ...
    @property
    def last_day(self) -> date: ...
    @property
    def label(self) -> str: ...


@dataclass(frozen=True)
class Occurrence:
    day: date
    slot: SlotLike
    #: The closure that cancels it, if any (shown as « fermé : vacances de Noël »).
    closure: ClosureLike | None = None


def closure_on(day: date, closures: Iterable[ClosureLike]) -> ClosureLike | None:
    for closure in closures:
        if closure.first_day <= day <= closure.last_day:
            return closure
    return None


def upcoming(slots: Sequence[SlotLike], closures: Sequence[ClosureLike], today: date,
             days: int = 14) -> list[Occurrence]:
    """Every occurrence from ``today`` for ``days`` days, in time order; a closed day
    is kept, with its closure, so that residents see why there is none."""
    found = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        for slot in slots:
            if slot.weekday == day.weekday():
                found.append(Occurrence(day, slot, closure_on(day, closures)))
    return sorted(found, key=lambda o: (o.day, o.slot.starts))
