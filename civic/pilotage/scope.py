"""What the steering figures are narrowed to: a period (a year, or dates), a quartier,
an orientation of the contract."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Scope:
    #: First and last local day of the period, both included.
    first_day: date
    last_day: date
    timezone: str = "Europe/Paris"
    quartier_id: int | None = None
    orientation_id: int | None = None

    @property
    def start(self) -> datetime:
        """The first instant of the period (aware, local midnight)."""
        return datetime.combine(self.first_day, time.min, ZoneInfo(self.timezone))

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.last_day + timedelta(days=1), time.min,
                                ZoneInfo(self.timezone))

    @property
    def year(self) -> int | None:
        """The calendar year, when the period is exactly one."""
        if (self.first_day.month, self.first_day.day, self.last_day.month,
                self.last_day.day) == (1, 1, 12, 31) and (
                self.first_day.year == self.last_day.year):
            return self.first_day.year
        return None

    def year_before(self) -> Scope:
        """The twelve months before the period ("already active last year"); for a
        calendar year, the year before."""
        return replace(self, first_day=_years_back(self.first_day),
                       last_day=self.first_day - timedelta(days=1))

    def previous(self) -> Scope:
        """The same period one year earlier ("already active last year")."""
        return replace(self, first_day=_years_back(self.first_day),
                       last_day=_years_back(self.last_day))


def _years_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def for_year(year: int, timezone: str = "Europe/Paris", **narrowing: int | None) -> Scope:
    return Scope(date(year, 1, 1), date(year, 12, 31), timezone, **narrowing)
