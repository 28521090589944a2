"""Exports of the indicator tables read back as a spreadsheet or a program would: CSV
with the csv module, XLSX with openpyxl, and the API's JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook

from civic.pilotage import export, indicators, secrecy
from civic.pilotage.scope import for_year
from civic.pilotage.tables import Column, Table

HIDDEN = "< 11"
TRICKY = 'Appel « 2025 », quartier "Nord"; été'


@pytest.fixture(autouse=True)
def _request(app: Flask, db: Any) -> Iterator[None]:
    """Labels and titles are lazy strings, read in French as in a download."""
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        yield


def layout(db: Any, key: str) -> Table:
    """The real indicator's table (key, title, description, columns), without rows."""
    return indicators.ALL[key](db, for_year(1990)).with_rows([], None)


def rounds(db: Any) -> Table:
    """Two FPH rounds and their total, protected: 3 on paper is hidden, with 25 beside
    it and, so that neither column gives them back, the other round's 12 and 20."""
    def row(quartier: str, title: str, envelope: int, requested: int, granted: int,
            spent: int, online: int, permanence: int, paper: int) -> dict[str, Any]:
        return {"quartier": quartier, "round": title, "envelope": envelope,
                "requested": requested, "granted": granted,
                "use": round(100 * granted / envelope, 1), "funded": 3, "spent": spent,
                "voters_online": online, "voters_permanence": permanence,
                "voters_paper": paper, "voters": online + permanence + paper}

    rows = [row("Les Tilleuls", TRICKY, 1_000_000, 840_050, 590_000, 1_250, 40, 25, 3),
            row("Le Parc", "Appel 2025", 500_000, 180_000, 120_000, 0, 30, 12, 20)]
    total = row("Total", "", 1_500_000, 1_020_050, 710_000, 1_250, 70, 37, 23)
    total["funded"] = 6
    table = layout(db, "fph_rounds").with_rows(rows, total)
    return secrecy.protect(table, 11)


def forwardings(db: Any) -> Table:
    return layout(db, "forwardings").with_rows([
        {"signatory": "CAF du Sud", "idea": "Des bancs; à l’ombre, « vite »",
         "quartier": "Les Tilleuls", "forwarded_on": "2025-03-10", "due_on": "2025-04-10",
         "answered_on": "2025-03-20", "delay_days": 10, "state": "Répondue"},
        {"signatory": "Ville", "idea": "Éclairage", "quartier": "Le Parc",
         "forwarded_on": "2025-10-11", "due_on": "2025-11-11", "answered_on": "",
         "delay_days": None, "state": "En retard"},
    ])


def read_csv(body: bytes, separator: str) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # the byte-order mark spreadsheets need
    text = body.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))


# --- CSV -------------------------------------------------------------------------------


def test_csv_with_commas(db: Any) -> None:
    table = rounds(db)
    assert [(r["voters_permanence"], r["voters_paper"]) for r in table.all_rows()] == [
        (None, None), (None, None), (37, 23)]
    rows = read_csv(export.csv_bytes(table, hidden=HIDDEN), ",")
    assert rows[0] == [c.key for c in table.columns]
    assert len(rows) == 1 + 2 + 1  # header, the rounds, the total last
    first, second, total = (dict(zip(rows[0], r, strict=True)) for r in rows[1:])
    assert first["round"] == TRICKY  # quoted as needed, read back whole
    assert first["quartier"] == "Les Tilleuls"
    # Money in euros: 840 050 cents are 8 400.50 €; percentages and counts as numbers.
    assert Decimal(first["requested"]) == Decimal("8400.50")
    assert Decimal(first["envelope"]) == Decimal("10000.00")
    assert Decimal(first["spent"]) == Decimal("12.50")
    assert first["use"] == "59.0"
    assert first["funded"] == "3"
    assert (first["voters_online"], first["voters"]) == ("40", "68")
    # Hidden counts are the mark, never a number.
    assert (first["voters_permanence"], first["voters_paper"]) == (HIDDEN, HIDDEN)
    assert (second["voters_permanence"], second["voters_paper"]) == (HIDDEN, HIDDEN)
    assert total["quartier"] == "Total"
    assert Decimal(total["granted"]) == Decimal("7100.00")
    for cell in [first["voters_paper"], second["voters_paper"]]:
        with pytest.raises(ValueError, match="invalid literal"):
            int(cell)


def test_csv_with_semicolons_has_decimal_commas(db: Any) -> None:
    table = rounds(db)
    rows = read_csv(export.csv_bytes(table, hidden=HIDDEN, separator=";"), ";")
    assert rows[0] == [c.key for c in table.columns]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["round"] == TRICKY
    assert first["use"] == "59,0"
    assert Decimal(first["requested"].replace(",", ".")) == Decimal("8400.50")
    assert "." not in first["requested"]
    assert "." not in first["spent"]
    assert first["funded"] == "3"
    assert first["voters_paper"] == HIDDEN
    # With commas, the same table has decimal points.
    comma = read_csv(export.csv_bytes(table, hidden=HIDDEN), ",")
    assert dict(zip(comma[0], comma[1], strict=True))["use"] == "59.0"


def test_csv_money_has_two_decimals(db: Any) -> None:
    for separator, mark in ((",", "."), (";", ",")):
        rows = read_csv(export.csv_bytes(rounds(db), hidden=HIDDEN, separator=separator),
                        separator)
        first = dict(zip(rows[0], rows[1], strict=True))
        assert (first["requested"], first["envelope"], first["spent"]) == (
            f"8400{mark}50", f"10000{mark}00", f"12{mark}50")


def test_csv_of_texts_dates_and_empty_values(db: Any) -> None:
    table = forwardings(db)
    for separator in (",", ";"):
        rows = read_csv(export.csv_bytes(table, hidden=HIDDEN, separator=separator),
                        separator)
        assert rows[0] == ["signatory", "idea", "quartier", "forwarded_on", "due_on",
                           "answered_on", "delay_days", "state"]
        assert rows[1] == ["CAF du Sud", "Des bancs; à l’ombre, « vite »", "Les Tilleuls",
                           "2025-03-10", "2025-04-10", "2025-03-20", "10", "Répondue"]
        # A missing delay is empty, not the hidden mark: it counts no one.
        assert rows[2] == ["Ville", "Éclairage", "Le Parc", "2025-10-11", "2025-11-11", "",
                           "", "En retard"]


def test_csv_of_lazy_labels(db: Any) -> None:
    table = layout(db, "participants_by_channel")
    assert table.columns[0].key == "label"
    rows = indicators.participants_by_channel(db, for_year(2025)).all_rows()
    body = export.csv_bytes(table.with_rows(rows[:-1], rows[-1]), hidden=HIDDEN)
    read = read_csv(body, ",")
    assert [r[0] for r in read] == ["label", "En ligne", "À une permanence", "Sur papier",
                                    "À un événement", "Total (chaque compte une fois)"]
    assert {r[1] for r in read[1:]} == {"0"}


# --- XLSX ------------------------------------------------------------------------------


def workbook(tables: list[Table]) -> Any:
    body = export.xlsx_bytes(tables, hidden=HIDDEN, columns_title="Colonnes",
                             heading=["Colonne", "Libellé", "Ce qu’elle compte"])
    return load_workbook(io.BytesIO(body))


def test_xlsx_one_sheet_per_table(db: Any) -> None:
    money, texts = rounds(db), forwardings(db)
    book = workbook([money, texts])
    assert book.sheetnames == ["fph_rounds", "forwardings", "Colonnes"]
    sheet = book["fph_rounds"]
    assert sheet["A1"].value == "FPH : enveloppes et votes" == str(money.title)
    assert sheet["A1"].font.bold
    assert [c.value for c in sheet[2]] == [str(c.label) for c in money.columns]
    assert all(c.font.bold for c in sheet[2])
    assert sheet.max_row == 2 + 3
    keys = [c.key for c in money.columns]
    first = dict(zip(keys, sheet[3], strict=True))
    total = dict(zip(keys, sheet[5], strict=True))
    # Numbers are numbers; money in euros with the money format.
    assert first["requested"].value == pytest.approx(8400.50)
    assert first["envelope"].value == 10000
    assert first["spent"].value == pytest.approx(12.50)
    for key in ("envelope", "requested", "granted", "spent"):
        assert first[key].number_format == "#,##0.00 €"
        assert total[key].number_format == "#,##0.00 €"
        assert isinstance(first[key].value, (int, float))
    assert first["use"].value == pytest.approx(59.0)
    assert first["use"].number_format == "0.0"
    assert first["funded"].value == 3
    assert first["voters_online"].value == 40
    assert isinstance(first["voters_online"].value, int)
    # Hidden counts: the mark, as text.
    assert first["voters_paper"].value == HIDDEN
    assert first["voters_permanence"].value == HIDDEN
    assert first["round"].value == TRICKY
    assert total["quartier"].value == "Total"
    assert total["granted"].value == 7100
    assert total["voters_paper"].value == 23


def test_xlsx_texts_and_empty_cells(db: Any) -> None:
    sheet = workbook([forwardings(db)])["forwardings"]
    assert [c.value for c in sheet[3]] == ["CAF du Sud", "Des bancs; à l’ombre, « vite »",
                                          "Les Tilleuls", "2025-03-10", "2025-04-10",
                                          "2025-03-20", 10, "Répondue"]
    # No delay: an empty cell (not the hidden mark, not 0).
    assert sheet.cell(row=4, column=7).value in (None, "")
    assert sheet.cell(row=4, column=6).value in (None, "")


def test_xlsx_sheet_describing_every_column(db: Any) -> None:
    tables = [rounds(db), forwardings(db)]
    notes = workbook(tables)["Colonnes"]
    assert [c.value for c in notes[1]] == ["Colonne", "Libellé", "Ce qu’elle compte"]
    described = [[c.value for c in row] for row in notes.iter_rows(min_row=2)]
    expected = [[f"{t.key}.{c.key}", str(c.label),
                 str(c.description or t.description).strip()]
                for t in tables for c in t.columns]
    assert described == expected
    assert ["fph_rounds.requested", "Demandé", "Total des projets proposés"] in described
    # A column without a description of its own is described by its table.
    quartier = next(r for r in described if r[0] == "fph_rounds.quartier")
    assert quartier[2] == str(tables[0].description).strip()
    assert quartier[2].startswith("Chaque appel à projets du FPH")


def test_xlsx_sheet_names_are_what_excel_allows(db: Any) -> None:
    long = Table("a/very:long*table?name[with]odd\\characters", "Titre", "Ce qu’elle compte",
                 (Column("n", "Nombre", "int"),), [{"n": 1}])
    book = workbook([long])
    name = book.sheetnames[0]
    assert len(name) <= 31
    assert not set(name) & set("[]:*?/\\")
    assert book[name]["A3"].value == 1


# --- JSON ------------------------------------------------------------------------------


def test_json_table(db: Any) -> None:
    table = rounds(db)
    body = export.json_table(table)
    assert json.loads(json.dumps(body)) == body  # plain JSON all the way down
    assert set(body) == {"key", "title", "description", "columns", "rows", "total"}
    assert body["key"] == "fph_rounds"
    assert body["title"] == "FPH : enveloppes et votes"
    assert body["description"] == " ".join(str(table.description).split())
    assert "\n" not in body["description"]
    assert body["columns"][3] == {"key": "requested", "label": "Demandé", "kind": "money",
                                  "description": "Total des projets proposés"}
    assert [c["key"] for c in body["columns"]] == [c.key for c in table.columns]
    assert all(set(c) == {"key", "label", "kind", "description"} and
               all(isinstance(v, str) for v in c.values()) for c in body["columns"])
    first = body["rows"][0]
    # Money in cents, hidden counts null, numbers as numbers.
    assert (first["requested"], first["envelope"], first["use"]) == (840_050, 1_000_000, 59.0)
    assert (first["voters_paper"], first["voters_permanence"]) == (None, None)
    assert first["voters_online"] == 40
    assert first["round"] == TRICKY
    assert len(body["rows"]) == 2
    assert body["total"]["granted"] == 710_000
    assert body["total"]["voters_paper"] == 23


def test_json_table_of_lazy_labels_and_no_total(db: Any) -> None:
    channels = export.json_table(indicators.participants_by_channel(db, for_year(2025)))
    assert [r["label"] for r in channels["rows"]] == [
        "En ligne", "À une permanence", "Sur papier", "À un événement"]
    assert channels["total"]["label"] == "Total (chaque compte une fois)"
    assert json.loads(json.dumps(channels)) == channels
    listed = export.json_table(forwardings(db))
    assert listed["total"] is None
    assert listed["rows"][1]["delay_days"] is None
    assert listed["rows"][0]["delay_days"] == 10
