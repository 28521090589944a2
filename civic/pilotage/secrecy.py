"""Statistical secrecy applied to the indicator tables: which columns of a table count
people, how they add up (parts, their sum, the total row), and the table once small
cells are hidden (``None``, shown as « < 11 »)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from civic.pilotage.suppression import suppress_table
from civic.pilotage.tables import Table

#: For each table with counts of people: (parts, the column that sums them or None).
#: Each group is suppressed as a table: rows × parts, row totals in the sum column,
#: column totals in the table's total row.
GROUPS: dict[str, list[tuple[list[str], str | None]]] = {
    "participants": [(["new", "returning", "without_account"], "total")],
    "participants_by_channel": [(["accounts", "without_account"], "people")],
    "participation_by_month": [(["accounts", "without_account"], "people")],
    "participants_by_gender": [(["accounts", "event_counts"], "people")],
    "participants_by_age": [(["accounts", "event_counts"], "people")],
    "fph_rounds": [(["voters_online", "voters_permanence", "voters_paper"], "voters")],
    "events_by_kind": [(["signed_up"], None), (["present"], None)],
    "signatory_events": [(["present"], None)],
}


#: Parts that add up to a column suppressed in another group: when one part is hidden,
#: all of them and their sum are (else the sum, recoverable from the other group, would
#: give the hidden part back).
LINKED: dict[str, tuple[tuple[str, ...], str, tuple[str, ...], str]] = {
    # new + returning = accounts; accounts + without_account = total.
    "participants": (("new", "returning"), "accounts", ("accounts", "without_account"),
                     "total"),
}


#: Ratios computed from counts of people: hidden in a row whenever one of the counts they
#: come from is (36 % of 25 places would give back a hidden 9).
RATIOS: dict[str, dict[str, tuple[str, ...]]] = {
    "events_by_kind": {"fill_rate": ("signed_up",)},
}


def protect(table: Table, threshold: int) -> Table:
    """The table with every count of people below ``threshold`` hidden, and whatever
    would let someone recover it by subtraction."""
    rows = [dict(r) for r in table.rows]
    total = dict(table.total) if table.total is not None else None
    for parts, sums in GROUPS.get(table.key, []):
        _protect_group(rows, total, parts, sums, threshold)
    every = [*rows, *([total] if total is not None else [])]
    if table.key in LINKED:
        for row in every:
            _protect_linked(row, LINKED[table.key], threshold)
    for ratio, sources in RATIOS.get(table.key, {}).items():
        for row in every:
            if any(row.get(source) is None for source in sources):
                row[ratio] = None
    return table.with_rows(rows, total)


def _protect_group(rows: list[dict[str, Any]], total: dict[str, Any] | None,
                   parts: Sequence[str], sums: str | None, threshold: int) -> None:
    """Suppress the columns ``parts`` (with their row sums ``sums``) of every row."""
    cells = [[int(r[p] or 0) for p in parts] for r in rows]
    if not cells:
        return
    hidden = suppress_table(cells, threshold, row_totals=sums is not None,
                            col_totals=total is not None)
    for i, row in enumerate(rows):
        for j, part in enumerate(parts):
            row[part] = hidden.cells[i][j]
        if sums is not None:
            row[sums] = hidden.row_totals[i]
    if total is not None:
        # A total row may count each person once (not the sum of its rows): it keeps
        # its own value where the suppression lets the column's total be published.
        for j, part in enumerate(parts):
            total[part] = total[part] if hidden.col_totals[j] is not None else None
        if sums is not None:
            total[sums] = total[sums] if hidden.total is not None else None


def _protect_linked(row: dict[str, Any], link: tuple[tuple[str, ...], str, tuple[str, ...],
                                                     str], threshold: int) -> None:
    """Two sums nested in one row: hide the inner parts with their sum when one is hidden
    or the sum is small, and the outer parts when only one of them is hidden."""
    inner, inner_sum, outer, outer_sum = link
    if any(row.get(p) is None for p in inner) or 0 < int(row.get(inner_sum) or 0) < threshold:
        row.update({p: None for p in inner})
        row[inner_sum] = None
    if sum(row.get(p) is None for p in outer) == 1 and row.get(outer_sum) is not None:
        row.update({p: None for p in outer})


def hidden_cells(table: Table) -> int:
    """How many counts of the table are hidden (for a note under it)."""
    people = table.people_columns()
    return sum(1 for row in table.all_rows() for key in people if row.get(key) is None)


def is_hidden(row: dict[str, Any], key: str, table: Table) -> bool:
    return key in table.people_columns() and row.get(key) is None
