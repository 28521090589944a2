"""The only place that reads the clock; everything else takes ``now`` as an argument."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def to_utc(local: datetime, timezone: str) -> datetime:
    """A wall-clock time typed in ``timezone`` (naive) → aware UTC."""
    return local.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def to_local(moment: datetime, timezone: str) -> datetime:
    """Aware UTC → naive wall-clock time in ``timezone`` (to fill a form field)."""
    return moment.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()
