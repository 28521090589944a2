"""Statistical secrecy on the indicator tables: crafted tables with the real indicators'
keys and columns, hidden as the suppression rules say (worked by hand), then random
tables checked for what must never happen: a published count of people below the
threshold, or a hidden count recovered from its row's sum or its column's total."""

from __future__ import annotations

import random
from typing import Any

import pytest
from flask import Flask

from civic.pilotage import indicators, secrecy
from civic.pilotage.scope import for_year
from civic.pilotage.tables import Table
from tests import factories

#: The tables whose indicator has a row of totals.
WITH_TOTAL = {"participants_by_channel", "fph_rounds", "events_by_kind"}


def layout(db: Any, key: str) -> Table:
    """The real indicator's table (its key, title and columns), without rows."""
    return indicators.ALL[key](db, for_year(1990)).with_rows([], None)


def craft(db: Any, key: str, rows: list[dict[str, Any]], total: dict[str, Any] | None = None
          ) -> Table:
    table = layout(db, key)
    columns = {c.key for c in table.columns}
    for row in [*rows, *([total] if total else [])]:
        assert columns <= set(row), columns - set(row)
    return table.with_rows(rows, total)


def channel(name: str, accounts: int, without: int) -> dict[str, Any]:
    return {"channel": name, "label": name, "accounts": accounts, "without_account": without,
            "people": accounts + without}


def voters(name: str, online: int, permanence: int, paper: int) -> dict[str, Any]:
    return {"quartier": "Les Tilleuls", "round": name, "envelope": 1_000_000,
            "requested": 900_000, "granted": 700_000, "use": 70.0, "funded": 4,
            "spent": 300_000, "voters_online": online, "voters_permanence": permanence,
            "voters_paper": paper, "voters": online + permanence + paper}


def totals(rows: list[dict[str, Any]], label_key: str, keys: tuple[str, ...]
           ) -> dict[str, Any]:
    return {label_key: "total", "label": "Total", **{k: sum(r[k] for r in rows) for k in keys}}


VOTER_KEYS = ("voters_online", "voters_permanence", "voters_paper", "voters")


def voter_counts(table: Table) -> list[tuple[Any, ...]]:
    return [tuple(r[k] for k in VOTER_KEYS) for r in table.all_rows()]


def fph(db: Any, cells: list[tuple[int, int, int]]) -> Table:
    rows = [voters(f"Appel {n}", *c) for n, c in enumerate(cells)]
    total = totals(rows, "quartier", ("envelope", "requested", "granted", "funded", "spent",
                                      *VOTER_KEYS))
    return craft(db, "fph_rounds", rows, {**total, "round": "", "use": 70.0})


# --- Worked by hand --------------------------------------------------------------------


def test_a_small_cell_hides_a_cycle_of_others(db: Any) -> None:
    table = fph(db, [(40, 25, 3), (30, 12, 20), (15, 0, 18)])
    protected = secrecy.protect(table, 11)
    # 3 is small (primary). Its row then hides 25; column « permanence » hides 12 and
    # « paper » 18; the second row hides 20, the third 15; column « online » hides 30.
    # Every row and column then has two hidden counts or more; sums stay published.
    assert voter_counts(protected) == [(40, None, None, 68),
                                       (None, None, None, 62),
                                       (None, 0, None, 33),
                                       (85, 37, 41, 163)]
    assert secrecy.hidden_cells(protected) == 7
    # Everything else is as it was.
    for before, after in zip(table.all_rows(), protected.all_rows(), strict=True):
        assert {k: v for k, v in after.items() if k not in VOTER_KEYS} == {
            k: v for k, v in before.items() if k not in VOTER_KEYS}
    assert secrecy.is_hidden(protected.rows[0], "voters_paper", protected)
    assert not secrecy.is_hidden(protected.rows[0], "voters_online", protected)
    assert not secrecy.is_hidden(protected.rows[0], "round", protected)
    # The input is left alone.
    assert voter_counts(table)[0] == (40, 25, 3, 68)


def test_the_total_row_is_protected(db: Any) -> None:
    # 2 and 3 voted on paper: both small, and so is their total, 5. The total row then
    # needs a second hidden count, the smallest other (45), or 5 = 120 − 70 − 45.
    protected = secrecy.protect(fph(db, [(40, 25, 2), (30, 20, 3)]), 11)
    assert voter_counts(protected) == [(40, None, None, 67),
                                       (30, None, None, 53),
                                       (70, None, None, 120)]


def test_participants_by_channel(db: Any) -> None:
    rows = [channel("online", 40, 12), channel("permanence", 0, 30),
            channel("paper", 0, 4), channel("event", 25, 60)]
    # Here no account took part through two channels, so the lines add up to the total.
    table = craft(db, "participants_by_channel", rows,
                  totals(rows, "channel", ("accounts", "without_account", "people")))
    protected = secrecy.protect(table, 11)
    # 4 on paper and that line's 4 are small. Column « without » then hides 12, the row
    # of sums hides the permanence's 30 (4 = 171 − 52 − 30 − 85 otherwise), which hides
    # its 30 without an account; the online line hides 40, column « accounts » 25, and
    # the event line 60.
    assert [(r["accounts"], r["without_account"], r["people"]) for r in
            protected.all_rows()] == [(None, None, 52), (0, None, None), (0, None, None),
                                      (None, None, 85), (65, 106, 171)]


def test_participants(db: Any) -> None:
    table = craft(db, "participants", [{"total": 33, "accounts": 4, "without_account": 29,
                                        "new": 3, "returning": 1}])
    protected = secrecy.protect(table, 11)
    # 4 accounts is small; 29 goes with it (else 33 − 29). New and returning are small.
    assert protected.rows == [{"total": 33, "accounts": None, "without_account": None,
                               "new": None, "returning": None}]
    assert protected.total is None


def test_declared_profiles(db: Any) -> None:
    rows = [{"value": v, "label": v, "accounts": a, "event_counts": e, "people": a + e}
            for v, a, e in (("woman", 30, 4), ("man", 20, 25), ("other", 0, 0),
                            ("", 14, 0))]
    protected = secrecy.protect(craft(db, "participants_by_gender", rows), 11)
    # 4 women counted at the door is small; 30 goes with it, their 34 stays.
    assert [(r["accounts"], r["event_counts"], r["people"]) for r in protected.rows] == [
        (None, None, 34), (20, 25, 45), (0, 0, 0), (14, 0, 14)]


def test_events_by_kind(db: Any) -> None:
    from civic.events.models import KINDS

    def kind(name: str, signed: int, present: int) -> dict[str, Any]:
        return {"kind": name, "label": name, "events": 2, "cancelled": 1,
                "signed_up": signed, "present": present, "fill_rate": 12.5}

    counts = {"cafe": (40, 52), "meal": (3, 12)}
    rows = [kind(k, *counts.get(k, (0, 0))) for k in KINDS]
    total = {**kind("total", 43, 64), "events": 20, "cancelled": 10}
    protected = secrecy.protect(craft(db, "events_by_kind", rows, total), 11)
    by_kind = {r["kind"]: r for r in protected.all_rows()}
    # 3 signed up for a meal is small; the cafés' 40 goes too (else 43 − 40).
    assert (by_kind["cafe"]["signed_up"], by_kind["meal"]["signed_up"],
            by_kind["total"]["signed_up"]) == (None, None, 43)
    assert (by_kind["cafe"]["present"], by_kind["meal"]["present"],
            by_kind["total"]["present"]) == (52, 12, 64)
    assert all(r["signed_up"] == 0 for k, r in by_kind.items() if k not in counts
               and k != "total")
    # Numbers of events count no one: untouched. A fill rate goes with a hidden count of
    # people signed up (the rate times the places offered would give it back).
    assert {(r["events"], r["cancelled"]) for r in protected.rows} == {(2, 1)}
    assert {r["kind"]: r["fill_rate"] for r in protected.all_rows()
            if r["kind"] in ("cafe", "meal", "total")} == {"cafe": None, "meal": None,
                                                          "total": 12.5}
    # A small total is hidden with its parts.
    small = [kind(k, {"cafe": 3, "meal": 4}.get(k, 0), 0) for k in KINDS]
    protected = secrecy.protect(craft(db, "events_by_kind", small,
                                      {**kind("total", 7, 0)}), 11)
    assert [r["signed_up"] for r in protected.all_rows() if r["kind"] in
            ("cafe", "meal", "total")] == [None, None, None]


def test_signatory_events(db: Any) -> None:
    rows = [{"signatory": "Ville", "event": e, "date": "2025-05-12", "present": n}
            for e, n in (("Café", 4), ("Assises", 25), ("Atelier", 0))]
    protected = secrecy.protect(craft(db, "signatory_events", rows), 11)
    assert [r["present"] for r in protected.rows] == [None, 25, 0]


def test_the_threshold_is_a_parameter(db: Any) -> None:
    table = fph(db, [(40, 7, 20), (30, 15, 12)])
    # Below 5: nothing. 7 is hidden below 11, with 20, 15 and 12 around it.
    assert voter_counts(secrecy.protect(table, 5)) == voter_counts(table)
    assert voter_counts(secrecy.protect(table, 11)) == [(40, None, None, 67),
                                                        (30, None, None, 57),
                                                        (70, 22, 32, 124)]


def test_tables_without_counts_of_people_are_unchanged(db: Any) -> None:
    crafted: dict[str, list[dict[str, Any]]] = {
        "ideas_by_orientation": [{"orientation": "Emploi", "posted": 3, "published": 2,
                                  "rejected": 1, "answered": 1, "median_days": 4.5}],
        "ideas_by_signatory": [{"signatory": "CAF", "forwarded": 2, "answered": 1,
                                "answered_late": 1, "overdue": 0, "median_days": 3.0}],
        "points_by_category": [{"category": "green", "label": "Espaces verts",
                                "positive": 1, "negative": 2, "positive_before": 0,
                                "negative_before": 3, "change": 0}],
        "fph_follow_up": [{"status": "done", "label": "Réalisé", "projects": 1,
                           "granted": 1000, "spent": 900}],
        "commitments": [{"signatory": "CAF", "orientation": "Emploi", "commitment": "…"}],
        "forwardings": [{"signatory": "CAF", "idea": "Des bancs", "quartier": "Q",
                         "forwarded_on": "2025-01-02", "due_on": "2025-02-02",
                         "answered_on": "", "delay_days": None, "state": "En attente"}],
    }
    for key, rows in crafted.items():
        total = {**rows[0]} if key in ("ideas_by_orientation", "points_by_category") else None
        table = craft(db, key, rows, total)
        assert table.people_columns() == []
        for threshold in (5, 11):
            protected = secrecy.protect(table, threshold)
            assert (protected.rows, protected.total) == (table.rows, table.total), key
            assert secrecy.hidden_cells(protected) == 0


def test_every_table_with_people_has_its_groups(db: Any) -> None:
    for key in indicators.ALL:
        people = set(layout(db, key).people_columns())
        grouped = {c for parts, sums in secrecy.GROUPS.get(key, [])
                   for c in [*parts, *([sums] if sums else [])]}
        if key in secrecy.LINKED:
            inner, inner_sum, outer, outer_sum = secrecy.LINKED[key]
            grouped |= {*inner, inner_sum, *outer, outer_sum}
        assert grouped == people, key


# --- What must never happen, on random tables --------------------------------------------


def assert_safe(key: str, table: Table, protected: Table, threshold: int) -> None:
    people = set(table.people_columns())
    for before, after in zip(table.all_rows(), protected.all_rows(), strict=True):
        assert set(after) == set(before)
        for column, value in before.items():
            shown = after[column]
            ratio_of = secrecy.RATIOS.get(key, {}).get(column)
            if ratio_of is not None:  # hidden with its counts, else unchanged
                hidden = any(after[source] is None for source in ratio_of)
                assert shown == (None if hidden else value), column
                continue
            if column not in people:
                assert shown == value
                continue
            # Hidden, or the true count: never another number.
            assert shown is None or shown == value
            # Never a count of people below the threshold, except 0.
            assert shown is None or shown == 0 or shown >= threshold, (column, shown)
    for parts, sums in secrecy.GROUPS[key]:
        lines: list[tuple[list[Any], Any]] = []
        if sums is not None:
            lines += [([row[p] for p in parts], row[sums]) for row in protected.all_rows()]
        if protected.total is not None:
            lines += [([row[c] for row in protected.rows], protected.total[c])
                      for c in [*parts, *([sums] if sums else [])]]
        for cells, total in lines:
            hidden = sum(cell is None for cell in cells)
            if total is not None:
                assert hidden != 1, (key, cells, total)  # else total − the others
            else:
                assert hidden >= 1, (key, cells, total)  # else the sum of the others


def random_rows(key: str, n: int, rng: random.Random) -> list[dict[str, Any]]:
    def count() -> int:
        return rng.choice([0, 0, rng.randint(1, 10), rng.randint(11, 30), rng.randint(5, 200)])

    rows: list[dict[str, Any]] = []
    for i in range(n):
        if key == "participants":
            new, returning, without = count(), count(), count()
            rows.append({"total": new + returning + without, "accounts": new + returning,
                         "without_account": without, "new": new, "returning": returning})
        elif key in ("participants_by_channel", "participation_by_month"):
            row = channel(f"c{i}", count(), count())
            rows.append({**row, "month": f"2025-{i + 1:02d}"})
        elif key in ("participants_by_gender", "participants_by_age"):
            accounts, counted = count(), count()
            rows.append({"value": f"v{i}", "label": f"v{i}", "accounts": accounts,
                         "event_counts": counted, "people": accounts + counted})
        elif key == "fph_rounds":
            rows.append(voters(f"Appel {i}", count(), count(), count()))
        elif key == "events_by_kind":
            rows.append({"kind": f"k{i}", "label": f"k{i}", "events": 1, "cancelled": 0,
                         "signed_up": count(), "present": count(), "fill_rate": None})
        elif key == "signatory_events":
            rows.append({"signatory": "S", "event": f"e{i}", "date": "2025-01-01",
                         "present": count()})
    return rows


@pytest.mark.parametrize("threshold", [5, 11])
def test_random_tables_never_leak(db: Any, threshold: int) -> None:
    rng = random.Random(2025 + threshold)
    layouts = {key: layout(db, key) for key in secrecy.GROUPS}
    for key, empty in layouts.items():
        for _ in range(60):
            rows = random_rows(key, rng.randint(1, 7), rng)
            total = None
            if key in WITH_TOTAL:
                total = {c.key: "" for c in empty.columns}
                total.update({k: sum(r[k] for r in rows) for k in empty.people_columns()})
            table = empty.with_rows(rows, total)
            assert_safe(key, table, secrecy.protect(table, threshold), threshold)


# --- Totals that are not sums, sums that are not declared ----------------------------


def test_the_channels_total_of_distinct_accounts_is_kept(db: Any) -> None:
    rows = [channel("online", 40, 12), channel("permanence", 0, 30),
            channel("paper", 0, 15), channel("event", 25, 60)]
    # 15 accounts took part online and at an event: 50 distinct accounts, not 65.
    total = {"channel": "total", "label": "Total", "accounts": 50, "without_account": 117,
             "people": 167}
    protected = secrecy.protect(craft(db, "participants_by_channel", rows, total), 11)
    assert protected.total is not None
    # Nothing is small: the total row keeps each account once.
    assert (protected.total["accounts"], protected.total["people"]) == (50, 167)
    # With a small line, cells are hidden around it; the total row still shows the
    # distinct counts (65 and 171 would be the lines' sums).
    rows[2] = channel("paper", 0, 4)
    small = {**total, "without_account": 106, "people": 156}
    protected = secrecy.protect(craft(db, "participants_by_channel", rows, small), 11)
    assert protected.total is not None
    assert [protected.total[k] for k in ("accounts", "without_account", "people")] == [
        50, 106, 156]


def test_new_and_returning_cannot_be_recovered_from_accounts(db: Any) -> None:
    table = craft(db, "participants", [{"total": 50, "accounts": 20, "without_account": 30,
                                        "new": 15, "returning": 5}])
    row = secrecy.protect(table, 11).rows[0]
    assert row["returning"] is None
    assert row["accounts"] is None or row["new"] is None


# --- The setting -----------------------------------------------------------------------


def test_open_data_follow_the_threshold_setting(app: Flask, client: Any, db: Any,
                                                quartier: Any, monkeypatch: Any) -> None:
    from datetime import UTC, datetime

    from civic.events.models import Event

    event = factories.make_event(db, quartier, starts_at=datetime(2025, 5, 12, 16, tzinfo=UTC))
    db.get(Event, event.id).walk_ins = db.get(Event, event.id).attendance = 7
    db.flush()

    def present_at_cafes() -> str:
        body = client.get("/donnees-ouvertes/events_by_kind.csv?annee=2025")
        assert body.status_code == 200
        lines = body.get_data(as_text=True).lstrip("\ufeff").splitlines()
        header = lines[0].split(",")
        cafe = next(line for line in lines[1:] if line.startswith(("Café", "Cafe")))
        return cafe.split(",")[header.index("present")]

    assert app.config["SMALL_CELL_THRESHOLD"] == 11
    monkeypatch.setitem(app.config, "SMALL_CELL_THRESHOLD", 5)
    assert present_at_cafes() == "7"
    # A published year stays as it is: a new threshold applies when it is published again.
    monkeypatch.setitem(app.config, "SMALL_CELL_THRESHOLD", 11)
    assert present_at_cafes() == "7"
    result = app.test_cli_runner().invoke(
        args=["pilotage", "release", "--year", "2025", "--again"])
    assert result.exit_code == 0, result.output
    assert present_at_cafes() == "< 11"
