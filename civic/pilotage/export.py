"""Tables written as CSV (UTF-8, comma or semicolon), XLSX (openpyxl) and JSON. Pure:
values come from the tables, labels are already in the reader's language.

Money is exported in euros (two decimals), percentages as numbers, hidden small cells
as the text « < 11 » (never as a number). Every cell is written through
``civic.core.spreadsheet``, so that no text (a round's or an idea's title) opens as a
formula."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from civic.core import spreadsheet
from civic.pilotage.tables import Column, Table


def value(row: dict[str, Any], column: Column, hidden: str) -> Any:
    """A cell as exported: euros for money, the hidden mark for a suppressed count."""
    raw = row.get(column.key)
    if raw is None:
        return hidden if column.kind == "people" else ""
    if column.kind == "money":
        return (Decimal(int(raw)) / 100).quantize(Decimal("0.01"))
    if column.kind == "text":
        return str(raw)
    return raw


def csv_bytes(table: Table, *, hidden: str, separator: str = ",",
              labels: bool = False) -> bytes:
    """The table as CSV, headed by the columns' stable keys, or with ``labels`` by their
    names in the reader's language (as the XLSX sheets are); with ``;`` (French
    spreadsheets) decimals take a comma. UTF-8 with a byte-order mark, which
    spreadsheets need to read accents."""
    rows = [[str(c.label) if labels else c.key for c in table.columns],
            *([value(row, c, hidden) for c in table.columns] for row in table.all_rows())]
    text = spreadsheet.csv_text(rows, separator=separator, decimal_comma=separator == ";")
    return ("\ufeff" + text).encode("utf-8")


_FORMATS = {"money": "#,##0.00 €", "percent": "0.0", "days": "0.0", "int": "0",
            "people": "0", "number": "#,##0.##"}


def xlsx_bytes(tables: Sequence[Table], *, hidden: str, columns_title: str,
               heading: Sequence[str]) -> bytes:
    """One sheet per table (labels as headers), then a sheet describing every column
    (key, label, description). ``heading`` gives the three titles of that sheet."""
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.key))
        spreadsheet.append(sheet, [str(table.title)])
        sheet["A1"].font = bold
        spreadsheet.append(sheet, [str(c.label) for c in table.columns])
        for cell in sheet[2]:
            cell.font = bold
        for row in table.all_rows():
            spreadsheet.append(sheet, [value(row, c, hidden) for c in table.columns])
        for index, column in enumerate(table.columns, start=1):
            letter = sheet.cell(row=2, column=index).column_letter
            sheet.column_dimensions[letter].width = max(12, min(48, len(str(column.label)) + 4))
            if column.kind in _FORMATS:
                for (cell,) in sheet.iter_rows(min_row=3, min_col=index, max_col=index):
                    cell.number_format = _FORMATS[column.kind]
    notes = book.create_sheet(_sheet_name(columns_title))
    spreadsheet.append(notes, list(heading))
    for cell in notes[1]:
        cell.font = bold
    for table in tables:
        for column in table.columns:
            spreadsheet.append(notes, [f"{table.key}.{column.key}", str(column.label),
                                       str(column.description or table.description).strip()])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_name(name: str) -> str:
    """Excel sheet names: 31 characters at most, none of []:*?/\\."""
    for bad in "[]:*?/\\":
        name = name.replace(bad, " ")
    return name[:31]


def json_table(table: Table) -> dict[str, Any]:
    """The table for the API: columns described, money in cents, hidden counts null."""
    return {
        "key": table.key, "title": str(table.title),
        "description": " ".join(str(table.description).split()),
        "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind,
                     "description": str(c.description)} for c in table.columns],
        "rows": [_plain(r) for r in table.rows],
        "total": _plain(table.total) if table.total is not None else None,
    }


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """A row's values as JSON, without the keys that only name it inside (``_round``)."""
    return {k: (v if isinstance(v, (int, float, bool)) or v is None else str(v))
            for k, v in row.items() if not k.startswith("_")}
