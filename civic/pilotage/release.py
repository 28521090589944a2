"""The open-data release of a year: every public table of the grid, suppressed together.

Hiding small counts table by table is not enough: an anonymous visitor can ask for two
answers and subtract them (a year minus its first eleven months, the contract minus one
quartier). So the public is only answered on a fixed **grid**, and the whole grid of a
year is suppressed at once, as INSEE does for a release:

- periods: the calendar year, and its quarters for the tables that count acts (events,
  FPH voters, ideas, map points); the tables of distinct people (by channel, gender,
  age) are published by year only;
- places: the whole contract, or one quartier;
- orientation: all, or one; it narrows ideas and FPH money, never a count of people.

Every count of people of the grid is a *cell*; *lines* say which cells add up to which
(a table's rows to its total row, the parts of a row to its sum, the quartiers to the
contract, the quarters to the year). Counts of distinct accounts may add up to more than
their total (a person active in two quartiers is in both, once in the contract): such a
line is *overlapping* (``max(parts) <= total <= sum(parts)``); where nobody is in two
parts it is exact, as a reader would assume. A cell with ``0 < n < k`` is
hidden, then whatever one line would give back (``suppression.suppress_lines``, treating
every line as exact), then the release is audited as a whole by linear programming
(``disclosure``): while a hidden cell is not safe, one more cell of its lines is hidden.

What a line leaves out (an event with no quartier counts for the contract only) is a
*rest*: a cell never published, always hidden, audited like the others.

``protect`` is pure; ``compute`` asks the database for the raw tables.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from sqlalchemy.orm import Session

from civic.pilotage import disclosure, indicators, secrecy, suppression
from civic.pilotage.scope import Scope, for_year
from civic.pilotage.tables import Table

#: The public tables, in the order the open-data page shows them.
OPEN = tuple(spec.key for spec in indicators.OPEN)
#: Tables published for each quarter too: they count acts, which add up over time.
QUARTERLY = ("fph_rounds", "ideas_by_orientation", "points_by_category", "events_by_kind")
QUARTERS = (1, 2, 3, 4)
#: What names a row of a table with counts of people, the same in every slot.
ROW_ID: dict[str, str] = {
    "participants_by_channel": "channel", "participants_by_gender": "value",
    "participants_by_age": "value", "events_by_kind": "kind", "fph_rounds": "_round"}
TOTAL = "total"

#: A count of the release: (table, quartier id or None, quarter or None, row, column).
Cell = tuple[str, int | None, int | None, str, str]


@dataclass(frozen=True)
class Slot:
    """One published table of the grid."""

    key: str
    quartier_id: int | None = None
    quarter: int | None = None


def quarter_days(year: int, quarter: int) -> tuple[date, date]:
    """The first and last day of a quarter."""
    first = date(year, 3 * quarter - 2, 1)
    following = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def scope_of(year: int, slot: Slot, timezone: str, orientation_id: int | None = None
             ) -> Scope:
    base = for_year(year, timezone, quartier_id=slot.quartier_id,
                    orientation_id=orientation_id)
    if slot.quarter is None:
        return base
    first, last = quarter_days(year, slot.quarter)
    return Scope(first, last, timezone, slot.quartier_id, orientation_id)


def slots(quartier_ids: Iterable[int]) -> list[Slot]:
    """Every table of a year's grid."""
    places: list[int | None] = [None, *quartier_ids]
    return [Slot(key, place, quarter) for key in OPEN for place in places
            for quarter in (None, *(QUARTERS if key in QUARTERLY else ()))]


def row_id(key: str, row: Mapping[str, Any]) -> str:
    return str(row[ROW_ID[key]])


@dataclass(frozen=True)
class Published:
    """What a year's release publishes: the value of every count of people of its grid,
    None where hidden."""

    year: int
    threshold: int
    shown: dict[Cell, int | None]

    def apply(self, slot: Slot, table: Table) -> Table:
        """``table`` (the slot's, computed now, in the reader's language) with the
        release's counts of people: a row the release does not know (added since it was
        built) has them hidden."""
        groups = secrecy.GROUPS.get(slot.key)
        if not groups:
            return table
        columns = {c for parts, sums in groups for c in (*parts, *([sums] if sums else []))}

        def published(row: dict[str, Any], rid: str) -> dict[str, Any]:
            row = dict(row)
            for column in columns:
                row[column] = self.shown.get(
                    (slot.key, slot.quartier_id, slot.quarter, rid, column))
            for ratio, sources in secrecy.RATIOS.get(slot.key, {}).items():
                if any(row.get(source) is None for source in sources):
                    row[ratio] = None
            return row

        rows = [published(r, row_id(slot.key, r)) for r in table.rows]
        total = published(table.total, TOTAL) if table.total is not None else None
        return table.with_rows(rows, total)


@dataclass(frozen=True)
class Release:
    """A year's release as built: what it publishes and what its audit needs."""

    published: Published
    values: dict[Hashable, int] = field(repr=False)
    hidden: set[Hashable] = field(repr=False)
    lines: list[disclosure.Line] = field(repr=False)

    def audit(self) -> list[disclosure.Finding]:
        return disclosure.audit(self.values, self.hidden, self.lines,
                                self.published.threshold)


def compute(db: Session, year: int, timezone: str, quartier_ids: Sequence[int]
            ) -> dict[Slot, Table]:
    """The raw tables of counts of people of a year's grid."""
    found: dict[Slot, Table] = {}
    for slot in slots(quartier_ids):
        if slot.key not in secrecy.GROUPS:
            continue
        with indicators.one_page():
            found[slot] = indicators.ALL[slot.key](db, scope_of(year, slot, timezone))
    return found


def protect(year: int, raw: Mapping[Slot, Table], quartier_ids: Sequence[int],
            threshold: int, *, audit: bool = True) -> Release:
    """Suppress the whole grid together; with ``audit``, hide more until the
    disclosure audit finds every hidden cell safe."""
    values: dict[Hashable, int] = {}
    for slot, table in raw.items():
        _cells_of(slot, table, values)
    lines = _Lines(values)
    for slot, table in raw.items():
        _table_lines(slot, table, lines.add)
    for cell in [cast(Cell, c) for c in values if c not in lines.rests]:
        key, place, quarter, rid, column = cell
        if place is None:
            lines.add([(key, q, quarter, rid, column) for q in quartier_ids], cell)
        if quarter is None and key in QUARTERLY:
            lines.add([(key, place, q, rid, column) for q in QUARTERS], cell)

    pairs = [(ln.parts, ln.total) for ln in lines.lines]
    hidden = suppression.suppress_lines(values, pairs, threshold, hidden=lines.rests)
    if audit:
        disclosure.until_safe(values, hidden, lines.lines, threshold)
    shown: dict[Cell, int | None] = {}
    for key_, value in values.items():
        if key_ not in lines.rests:
            shown[cast(Cell, key_)] = None if key_ in hidden else value
    return Release(Published(year, threshold, shown), values, hidden, lines.lines)


class _Lines:
    """The lines of a release, each stated as strongly as the true values allow: exact
    when the parts (with what they leave out) add up to the total, which a reader may
    assume even of distinct people; overlapping when they add up to more (someone is in
    two parts)."""

    def __init__(self, values: dict[Hashable, int]) -> None:
        self.values = values
        self.lines: list[disclosure.Line] = []
        #: What lines leave out: never published.
        self.rests: set[Hashable] = set()

    def add(self, parts: Sequence[Hashable], total: Hashable) -> None:
        values = self.values
        parts = [p for p in parts if p in values]
        if total not in values:
            return
        gap = values[total] - sum(values[p] for p in parts)
        if gap < 0:
            if any(values[p] > values[total] for p in parts):
                return  # not even overlapping: not a relation between these counts
            self.lines.append(disclosure.Line(tuple(parts), total, exact=False))
            return
        if gap > 0:
            rest = ("rest", total)
            values[rest] = gap
            self.rests.add(rest)
            parts = [*parts, rest]
        self.lines.append(disclosure.Line(tuple(parts), total, exact=True))


def _cells_of(slot: Slot, table: Table, values: dict[Hashable, int]) -> None:
    for parts, sums in secrecy.GROUPS[slot.key]:
        for column in (*parts, *([sums] if sums else [])):
            for row in table.rows:
                values[(slot.key, slot.quartier_id, slot.quarter, row_id(slot.key, row),
                        column)] = int(row[column] or 0)
            if table.total is not None:
                values[(slot.key, slot.quartier_id, slot.quarter, TOTAL, column)] = int(
                    table.total[column] or 0)


def _table_lines(slot: Slot, table: Table,
                 line: Callable[[Sequence[Hashable], Hashable], None]) -> None:
    """A table's own lines: each row's parts to its sum, each column to the total row."""

    def at(rid: str, column: str) -> Cell:
        return (slot.key, slot.quartier_id, slot.quarter, rid, column)

    ids = [row_id(slot.key, r) for r in table.rows]
    for parts, sums in secrecy.GROUPS[slot.key]:
        if sums:
            for rid in [*ids, *([TOTAL] if table.total is not None else [])]:
                line([at(rid, p) for p in parts], at(rid, sums))
        if table.total is not None:
            for column in (*parts, *([sums] if sums else [])):
                line([at(rid, column) for rid in ids], at(TOTAL, column))
