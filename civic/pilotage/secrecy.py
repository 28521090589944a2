"""Statistical secrecy applied to the indicator tables: which columns of a table count
people, how they add up (parts, their sum, the total row), and the table once small
cells are hidden (``None``, shown as « < 11 »)."""

from __future__ import annotations

from typing import Any

from civic.pilotage.suppression import suppress_table
from civic.pilotage.tables import Table

#: For each table with counts of people: (parts, the column that sums them or None).
#: Each group is suppressed as a table: rows × parts, row totals in the sum column,
#: column totals in the table's total row.
GROUPS: dict[str, list[tuple[list[str], str | None]]] = {
    "participants": [(["accounts", "without_account"], "total"), (["new", "returning"], None)],
    "participants_by_channel": [(["accounts", "without_account"], "people")],
    "participation_by_month": [(["accounts", "without_account"], "people")],
    "participants_by_gender": [(["accounts", "event_counts"], "people")],
    "participants_by_age": [(["accounts", "event_counts"], "people")],
    "fph_rounds": [(["voters_online", "voters_permanence", "voters_paper"], "voters")],
    "events_by_kind": [(["signed_up"], None), (["present"], None)],
    "signatory_events": [(["present"], None)],
}


def protect(table: Table, threshold: int) -> Table:
    """The table with every count of people below ``threshold`` hidden, and whatever
    would let someone recover it by subtraction."""
    rows = [dict(r) for r in table.rows]
    total = dict(table.total) if table.total is not None else None
    for parts, sums in GROUPS.get(table.key, []):
        cells = [[int(r[p] or 0) for p in parts] for r in rows]
        if not cells:
            continue
        hidden = suppress_table(cells, threshold, row_totals=sums is not None,
                                col_totals=total is not None)
        for i, row in enumerate(rows):
            for j, part in enumerate(parts):
                row[part] = hidden.cells[i][j]
            if sums is not None:
                row[sums] = hidden.row_totals[i]
        if total is not None:
            for j, part in enumerate(parts):
                total[part] = hidden.col_totals[j]
            if sums is not None:
                total[sums] = hidden.total
    return table.with_rows(rows, total)


def hidden_cells(table: Table) -> int:
    """How many counts of the table are hidden (for a note under it)."""
    people = table.people_columns()
    return sum(1 for row in table.all_rows() for key in people if row.get(key) is None)


def is_hidden(row: dict[str, Any], key: str, table: Table) -> bool:
    return key in table.people_columns() and row.get(key) is None
