"""Statistical secrecy for published counts of people: primary and secondary suppression.

Open data, exports and dashboards publish counts of people (voters of a quartier,
participants of an event by age group…). INSEE's statistical secrecy forbids publishing
a count of fewer than ``threshold`` people (11 by default in the settings): such a cell
is shown as ``"< 11"`` and never exported as a number, and neither may it be recovered
by subtracting the published cells from a published total.

A table is a rectangle of non-negative counts, with optional row totals, column totals
and a grand total (published whenever row or column totals are). A *line* is a row with
its row total, a column with its column total, the row totals with the grand total, or
the column totals with the grand total. The rules:

* **Primary.** A cell with ``0 < n < threshold`` is hidden. Totals (row, column, grand)
  with ``0 < n < threshold`` are hidden too: they count people as well. Zeros are
  published: a zero reveals nothing about a person (but see secondary).
* **Secondary.** In every line whose total is published, exactly one hidden part would
  be recovered as the total minus the others. So when exactly one part of such a line is
  hidden, one more is hidden: the smallest other part, non-zero parts first and zeros
  only when every other part is zero (with two unknowns ``a`` and ``b`` and ``a + b``
  known, neither is recoverable). A line with no other part (a one-cell line) has its
  total hidden instead. For the lines of totals this means: when exactly one row total
  is hidden and the grand total is published, the smallest other row total is hidden
  (the same for columns), and with a single row, the grand total is hidden.
* **Hidden totals.** A hidden total whose parts are all published would be recovered
  by adding them: the smallest of its parts (non-zero first) is hidden too.
* These rules are applied to every line (rows, then columns, then the row totals, then
  the column totals) again and again until nothing changes: a cell hidden for a row may
  leave a column with a single hidden cell, and so on.
* Deterministic: between equal candidates, the lowest index is hidden.

The rules guarantee that no hidden count can be recovered from one line; they do not
audit every combination of several lines (a full audit is the job of a tool such as
τ-ARGUS).

The input is never modified. It must be rectangular, made of non-negative ``int``
(``bool`` refused), with ``threshold >= 1``: anything else is a ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

#: Something that can be hidden: ("cell", row, col), ("row", row, 0), ("col", col, 0)
#: or ("all", 0, 0) for the grand total.
_Key: TypeAlias = tuple[str, int, int]
#: A line: its parts (in index order) and its total.
_Line: TypeAlias = tuple[tuple[_Key, ...], _Key]

_ALL: _Key = ("all", 0, 0)


@dataclass(frozen=True)
class Suppressed:
    """A table ready for publication: ``None`` wherever a count is hidden.

    ``row_totals`` (``col_totals``) is empty when row (column) totals were not asked for;
    ``total`` is ``None`` when hidden or when neither row nor column totals were asked for.
    """

    cells: list[list[int | None]]
    row_totals: list[int | None]
    col_totals: list[int | None]
    total: int | None
    #: (row, col) of the cells hidden because they are small.
    primary: frozenset[tuple[int, int]]
    #: (row, col) of the cells hidden only so that others cannot be recovered.
    secondary: frozenset[tuple[int, int]]


def _margins(table: list[list[int]], *, row_totals: bool,
             col_totals: bool) -> tuple[dict[_Key, int], list[_Line]]:
    """Every published value (cells, then the totals asked for) and the lines of the
    table: parts that add up to a total."""
    n_rows = len(table)
    n_cols = len(table[0]) if table else 0
    values: dict[_Key, int] = {("cell", i, j): value for i, row in enumerate(table)
                               for j, value in enumerate(row)}
    lines: list[_Line] = []
    if row_totals:
        for i in range(n_rows):
            values[("row", i, 0)] = sum(table[i])
            lines.append((tuple(("cell", i, j) for j in range(n_cols)), ("row", i, 0)))
    if col_totals:
        for j in range(n_cols):
            values[("col", j, 0)] = sum(row[j] for row in table)
            lines.append((tuple(("cell", i, j) for i in range(n_rows)), ("col", j, 0)))
    if row_totals or col_totals:
        values[_ALL] = sum(sum(row) for row in table)
        if row_totals:
            lines.append((tuple(("row", i, 0) for i in range(n_rows)), _ALL))
        if col_totals:
            lines.append((tuple(("col", j, 0) for j in range(n_cols)), _ALL))
    return values, lines


def _close(lines: Sequence[tuple[Sequence[Any], Any]], values: Mapping[Any, int],
           hidden: set[Any]) -> None:
    """Hide more until no line lets a hidden value be recovered by subtraction."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            extra = _protect(line, values, hidden)
            if extra is not None:
                hidden.add(extra)
                changed = True


def suppress_lines(values: Mapping[Hashable, int],
                   lines: Sequence[tuple[Sequence[Hashable], Hashable]], threshold: int, *,
                   hidden: Iterable[Hashable] = ()) -> set[Hashable]:
    """The same rules over any set of lines, for several tables published together (a
    quartier's table and the contract's, a quarter and its year): the keys hidden, those
    with ``0 < n < threshold`` and ``hidden`` (values never published) to begin with,
    then whatever one line would give back. Keys are anything hashable."""
    _check_threshold(threshold)
    concealed = {key for key, value in values.items() if 0 < value < threshold}
    concealed.update(hidden)
    _close(lines, values, concealed)
    return concealed


def suppress_table(cells: Sequence[Sequence[int]], threshold: int, *, row_totals: bool = True,
                   col_totals: bool = True) -> Suppressed:
    """Hide the small counts of a table and whatever would let someone recover them."""
    _check_threshold(threshold)
    table = _check_cells(cells)
    n_rows = len(table)
    n_cols = len(table[0]) if table else 0

    values, lines = _margins(table, row_totals=row_totals, col_totals=col_totals)
    with_total = row_totals or col_totals
    hidden = {key for key, value in values.items() if 0 < value < threshold}
    primary = frozenset((i, j) for kind, i, j in hidden if kind == "cell")
    _close(lines, values, hidden)

    def show(key: _Key) -> int | None:
        return None if key in hidden else values[key]

    return Suppressed(
        cells=[[show(("cell", i, j)) for j in range(n_cols)] for i in range(n_rows)],
        row_totals=[show(("row", i, 0)) for i in range(n_rows)] if row_totals else [],
        col_totals=[show(("col", j, 0)) for j in range(n_cols)] if col_totals else [],
        total=show(_ALL) if with_total else None,
        primary=primary,
        secondary=frozenset((i, j) for kind, i, j in hidden
                            if kind == "cell" and (i, j) not in primary),
    )


def suppress_series(values: Sequence[int], threshold: int, *,
                    with_total: bool = True) -> tuple[list[int | None], int | None]:
    """A single line of counts and its total (``None`` when hidden or not asked for)."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise ValueError("a series is a sequence of counts")
    result = suppress_table([values], threshold, row_totals=with_total, col_totals=False)
    return result.cells[0], result.row_totals[0] if with_total else None


def shown(value: int | None, threshold: int) -> str:
    """How a suppressed count is written: ``"< 11"`` when hidden, else the plain number."""
    _check_threshold(threshold)
    if value is None:
        return f"< {threshold}"
    if not _is_count(value):
        raise ValueError(f"a count is a non-negative int, not {value!r}")
    return str(value)


def _protect(line: tuple[Sequence[Any], Any], values: Mapping[Any, int],
             hidden: set[Any]) -> Any:
    """What else to hide so that no part of the line can be recovered, if anything."""
    parts, total = line
    concealed = [key for key in parts if key in hidden]
    if total not in hidden:
        if len(concealed) != 1:
            return None
        others = [key for key in parts if key not in hidden]
        return smallest(others, values) if others else total
    if concealed or not parts:
        return None
    return smallest(list(parts), values)


def smallest(keys: Sequence[Any], values: Mapping[Any, int]) -> Any:
    """The smallest count, non-zero ones first; the first one (lowest index) on ties."""
    position = min(range(len(keys)),
                   key=lambda n: (values[keys[n]] == 0, values[keys[n]], n))
    return keys[position]


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_threshold(threshold: object) -> None:
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1:
        raise ValueError(f"the threshold is an int of at least 1, not {threshold!r}")


def _check_cells(cells: object) -> list[list[int]]:
    """A copy of the table as lists, after checking its shape and its counts."""
    if isinstance(cells, str | bytes) or not isinstance(cells, Sequence):
        raise ValueError("a table is a sequence of rows")
    table: list[list[int]] = []
    for i, row in enumerate(cells):
        if isinstance(row, str | bytes) or not isinstance(row, Sequence):
            raise ValueError(f"row {i} is not a sequence of counts")
        copy: list[int] = []
        for j, value in enumerate(row):
            if not _is_count(value):
                raise ValueError(f"cell ({i}, {j}) is not a non-negative int: {value!r}")
            copy.append(value)
        if table and len(copy) != len(table[0]):
            raise ValueError(f"row {i} has {len(copy)} cells, row 0 has {len(table[0])}")
        table.append(copy)
    return table
