"""What the indicators share: the SQL helpers that narrow a query to a scope (a period
in the contract's time zone, by local day), bucket it by month and take medians, the
channels of participation, and the cache of the figures the tables of one page have in
common (``one_page``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, case, cast, func, null, select
from sqlalchemy.orm import Session

from civic.pilotage.scope import Scope

CHANNELS = ("online", "permanence", "paper", "event")
#: How the register's channels read in the steering figures.
VOTE_CHANNEL = {"online": "online", "code": "online", "kiosk": "permanence", "paper": "paper"}


# --- SQL helpers -----------------------------------------------------------------------


def _days(db: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    """Days between two timestamps, as a fraction, in SQL."""
    if db.get_bind().dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return func.extract("epoch", later - earlier) / 86400.0


def _in(column: Any, scope: Scope) -> ColumnElement[bool]:
    """A timestamp within the period (local midnight to local midnight)."""
    return and_(column >= scope.start, column < scope.end)


def _on_days(column: Any, scope: Scope) -> ColumnElement[bool]:
    """A date within the period, both ends included."""
    return and_(column >= scope.first_day, column <= scope.last_day)


def _months(scope: Scope) -> list[tuple[date, date]]:
    """The months of the period as (first day, first day after), at most 60."""
    months: list[tuple[date, date]] = []
    day = scope.first_day.replace(day=1)
    while day <= scope.last_day and len(months) < 60:
        following = (day + timedelta(days=32)).replace(day=1)
        months.append((max(day, scope.first_day), min(following, scope.last_day
                                                       + timedelta(days=1))))
        day = following
    return months


def _bucket(column: Any, bounds: Sequence[tuple[Any, Any]], first: int = 0
            ) -> ColumnElement[Any]:
    """The index of the (start, end) interval ``column`` falls in, or NULL: a balanced
    tree of CASEs (contiguous intervals), so a row costs a few comparisons, not one per
    month."""
    if len(bounds) <= 2:
        return case(*((and_(column >= a, column < b), first + i)
                      for i, (a, b) in enumerate(bounds)), else_=null())
    middle = len(bounds) // 2
    return case((column < bounds[middle][0], _bucket(column, bounds[:middle], first)),
                else_=_bucket(column, bounds[middle:], first + middle))


def _local(day: date, scope: Scope) -> datetime:
    """Local midnight starting ``day``, in the scope's time zone."""
    return datetime.combine(day, datetime.min.time(), scope.start.tzinfo)


def _median(rows: Sequence[tuple[Any, ...]]) -> dict[Any, float | None]:
    """Medians from (group, value, rank, count) rows where ranks are the middle ones."""
    found: dict[Any, list[float]] = {}
    for group, value, _rank, _count in rows:
        found.setdefault(group, []).append(float(value))
    return {group: round(sum(values) / len(values), 1) for group, values in found.items()}


def _middle(db: Session, group: Any, value: Any, where: Sequence[Any],
            joins: Sequence[tuple[Any, Any]] = ()) -> dict[Any, float | None]:
    """The median of ``value`` per ``group``, in one query: window functions rank the
    values and only the one or two middle rows come back."""
    ranked = select(group.label("g"), value.label("v"),
                    func.row_number().over(partition_by=group, order_by=value).label("r"),
                    func.count().over(partition_by=group).label("n"))
    for target, on in joins:
        ranked = ranked.join(target, on)
    inner = ranked.where(*where).subquery()
    rows = db.execute(select(inner.c.g, inner.c.v, inner.c.r, inner.c.n).where(
        inner.c.r.in_([(inner.c.n + 1) // 2, (inner.c.n + 2) // 2]))).all()
    return _median([tuple(r) for r in rows])


def _day_of(db: Session, moment: Any) -> ColumnElement[Any]:
    """The (UTC) day of a timestamp, comparable with a date column, in SQL."""
    if db.get_bind().dialect.name == "sqlite":
        return func.date(moment)
    return cast(moment, Date)


# --- Figures shared by the tables of a page --------------------------------------------

_shared: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar("pilotage_shared",
                                                                  default=None)


@contextmanager
def one_page() -> Iterator[None]:
    """Tables computed together (a page, a workbook) share the figures they have in
    common, computed once; outside, every call asks the database."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def _memo(db: Session, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """``compute()``, once per page for the same database session and ``key``."""
    cache = _shared.get()
    if cache is None:
        return compute()
    key = (id(db), *key)
    if key not in cache:
        cache[key] = compute()
    return cache[key]
