"""Weekly permanence hours: the next two weeks of occurrences, with the closed days shown
and why (pure), and the hours and closures an animator sets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any

import pytest

from civic.permanence import slots as hours
from civic.permanence.schedule import Occurrence, upcoming
from civic.permanence.slots import SlotError
from tests.factories import NOW

MONDAY = date(2026, 3, 16)
MON, TUE, FRI = 0, 1, 4


@dataclass(frozen=True)
class Slot:
    weekday: int
    starts: time
    ends: time


@dataclass(frozen=True)
class Closure:
    first_day: date
    last_day: date
    label: str


AFTERNOON = Slot(TUE, time(14), time(17))
MORNING = Slot(TUE, time(9), time(12))
FRIDAY = Slot(FRI, time(10), time(12))


def seen(occurrences: list[Occurrence]) -> list[tuple[str, str, str | None]]:
    return [(o.day.isoformat(), o.slot.starts.strftime("%H:%M"),
             o.closure.label if o.closure else None) for o in occurrences]


def test_two_weeks_of_slots_in_time_order() -> None:
    # Given out of order: the afternoon before the morning, Friday first.
    assert seen(upcoming([FRIDAY, AFTERNOON, MORNING], [], MONDAY)) == [
        ("2026-03-17", "09:00", None),
        ("2026-03-17", "14:00", None),
        ("2026-03-20", "10:00", None),
        ("2026-03-24", "09:00", None),
        ("2026-03-24", "14:00", None),
        ("2026-03-27", "10:00", None),
    ]


@pytest.mark.parametrize(("today", "days", "expected"), [
    (MONDAY, 14, ["2026-03-16", "2026-03-23"]),  # today counts; the 30th is day 15
    (date(2026, 3, 17), 14, ["2026-03-23", "2026-03-30"]),
    (MONDAY, 7, ["2026-03-16"]),
    (MONDAY, 1, ["2026-03-16"]),
    (MONDAY, 0, []),
])
def test_the_window_starts_today_and_lasts_the_days_asked(today: date, days: int,
                                                          expected: list[str]) -> None:
    monday = Slot(MON, time(14), time(16))
    assert [o.day.isoformat() for o in upcoming([monday], [], today, days)] == expected


def test_closed_days_are_kept_with_their_closure() -> None:
    holidays = Closure(date(2026, 3, 20), date(2026, 3, 24), "Vacances de printemps")
    bank_holiday = Closure(date(2026, 3, 27), date(2026, 3, 27), "Jour férié")
    assert seen(upcoming([AFTERNOON, FRIDAY], [holidays, bank_holiday], MONDAY)) == [
        ("2026-03-17", "14:00", None),
        ("2026-03-20", "10:00", "Vacances de printemps"),  # first day of the closure
        ("2026-03-24", "14:00", "Vacances de printemps"),  # last day of the closure
        ("2026-03-27", "10:00", "Jour férié"),
    ]


def test_the_closure_is_the_very_one_given() -> None:
    works = Closure(date(2026, 3, 17), date(2026, 3, 17), "Travaux")
    [closed, open_] = upcoming([AFTERNOON], [works], MONDAY)
    assert closed.closure is works
    assert open_.closure is None


def test_no_slot_no_occurrence() -> None:
    closure = Closure(MONDAY, date(2026, 3, 29), "Fermé")
    assert upcoming([], [closure], MONDAY) == []


# --- The hours and closures of a quartier ---------------------------------------------


def test_a_quartiers_hours_read_back_as_the_next_occurrences(db: Any, quartier: Any,
                                                              other_quartier: Any,
                                                              people: dict) -> None:
    animator = people["animator"]
    hours.add_slot(db, quartier, weekday=FRI, starts=time(10), ends=time(12),
                   place="  Maison   de quartier ", actor=animator, now=NOW)
    hours.add_slot(db, quartier, weekday=TUE, starts=time(14), ends=time(17),
                   place="Médiathèque", actor=animator, now=NOW)
    hours.add_slot(db, other_quartier, weekday=TUE, starts=time(9), ends=time(10),
                   place="Ailleurs", actor=animator, now=NOW)
    hours.add_closure(db, quartier, first_day=date(2026, 3, 1), last_day=date(2026, 3, 15),
                      label="Passée", actor=animator, now=NOW)
    hours.add_closure(db, quartier, first_day=date(2026, 3, 20), last_day=date(2026, 3, 20),
                      label="  Journée   pédagogique ", actor=animator, now=NOW)
    db.expire_all()  # as read from the database, times included

    weekly = hours.slots(db, quartier.id)
    assert [(s.weekday, s.place) for s in weekly] == [(TUE, "Médiathèque"),
                                                      (FRI, "Maison de quartier")]
    closures = hours.closures(db, quartier.id, MONDAY)
    assert [c.label for c in closures] == ["Journée pédagogique"]
    assert seen(upcoming(weekly, closures, MONDAY)) == [
        ("2026-03-17", "14:00", None),
        ("2026-03-20", "10:00", "Journée pédagogique"),
        ("2026-03-24", "14:00", None),
        ("2026-03-27", "10:00", None),
    ]


@pytest.mark.parametrize(("values", "code", "field"), [
    ({"weekday": 7}, "weekday", "weekday"),
    ({"ends": time(14)}, "ends_before", "ends"),
    ({"ends": time(13)}, "ends_before", "ends"),
    ({"place": "   "}, "required", "place"),
])
def test_a_slot_needs_a_day_of_the_week_an_end_after_its_start_and_a_place(
        db: Any, quartier: Any, people: dict, values: dict, code: str, field: str) -> None:
    slot = {"weekday": TUE, "starts": time(14), "ends": time(17), "place": "Médiathèque",
            **values}
    with pytest.raises(SlotError) as refused:
        hours.add_slot(db, quartier, actor=people["animator"], now=NOW, **slot)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert hours.slots(db, quartier.id) == []


@pytest.mark.parametrize(("first", "last", "code"), [
    (date(2026, 4, 10), date(2026, 4, 9), "last_before"),
    (date(2026, 1, 1), date(2027, 1, 3), "too_long"),
])
def test_a_closure_ends_after_it_starts_and_within_a_year(db: Any, quartier: Any,
                                                          people: dict, first: date,
                                                          last: date, code: str) -> None:
    with pytest.raises(SlotError, match=code):
        hours.add_closure(db, quartier, first_day=first, last_day=last, label="Fermé",
                          actor=people["animator"], now=NOW)
    assert hours.closures(db, quartier.id, date(2025, 1, 1)) == []


def test_a_removed_slot_no_longer_shows(db: Any, quartier: Any, people: dict) -> None:
    animator = people["animator"]
    slot = hours.add_slot(db, quartier, weekday=TUE, starts=time(14), ends=time(17),
                          place="Médiathèque", actor=animator, now=NOW)
    hours.remove(db, slot, actor=animator, now=NOW)
    assert upcoming(hours.slots(db, quartier.id), [], MONDAY) == []
