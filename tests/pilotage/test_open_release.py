"""Open data against a patient visitor who compares answers.

A contract is built so that suppressing each table alone leaks (the audit's findings):
one woman in Le Parc next to twelve in Les Tilleuls, a café's last quarter of the year
with 5 people, a workshop with 9 places taken out of 25. The attacker reads every answer
of the public API on the grid, states every published figure as linear equations (each
line exact, the boldest assumption) and bounds each hidden cell by linear programming.
The same attacker first breaks tables suppressed one by one (so the attack is real),
then recovers nothing from the release."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from scipy.optimize import linprog

from civic.pilotage import export, indicators, release, secrecy, services
from tests import factories
from tests.factories import NOW
from tests.pilotage.test_views import vote

YEAR = 2025
K = 11
Answer = dict[str, Any]


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


def on(month: int, day: int) -> datetime:
    return datetime(YEAR, month, day, 12, tzinfo=UTC)


@pytest.fixture
def contract_data(db: Any, quartier: Any, other_quartier: Any) -> dict[str, Any]:
    """2025 in two quartiers, each person active in one quartier through one channel
    (so that every line the attacker assumes exact is exact)."""
    for n in range(12):
        woman = factories.make_user(db, gender="woman", age_bracket="25_39")
        factories.make_idea(db, quartier, woman, created_at=on(2, 1 + n))
    for n in range(15):
        man = factories.make_user(db, gender="man", age_bracket="40_54")
        factories.make_idea(db, quartier, man, created_at=on(3, 1 + n))
    lone = factories.make_user(db, gender="woman", age_bracket="25_39")
    factories.make_idea(db, other_quartier, lone, created_at=on(5, 4))
    for month, present in ((2, 12), (5, 11), (11, 5)):
        factories.make_event(db, quartier, kind="cafe", starts_at=on(month, 10),
                             attendance=present, walk_ins=present, capacity=None)
    workshop = factories.make_event(db, other_quartier, kind="workshop",
                                    starts_at=on(6, 12), capacity=25, seats_taken=9,
                                    attendance=0, walk_ins=0)
    fund = factories.make_fund(db, quartier, year=YEAR)
    round_ = factories.make_round(db, fund, "follow_up", title="FPH 2025",
                                  vote_ends_at=on(6, 30))
    for n in range(20):
        vote(db, round_, "online", day=date(YEAR, 6, 1 + n % 20))
    for _ in range(4):
        vote(db, round_, "kiosk", day=date(YEAR, 6, 21))
    return {"workshop": workshop, "quartiers": [quartier, other_quartier], "fund": fund}


# --- The attacker ----------------------------------------------------------------------

Cell = tuple[str, str | None, int | None, str, str]


def row_name(key: str, row: Answer) -> str:
    """How an outsider tells rows apart: the code the API gives, or the round's title."""
    if key == "fph_rounds":
        return f"{row['quartier']}|{row['round']}"
    return str(row[release.ROW_ID[key]])


def read_grid(fetch: Callable[[str, str | None, int | None], Answer],
              quartiers: list[str]) -> dict[Cell, int | None]:
    """Every count of people the grid publishes, None where hidden."""
    found: dict[Cell, int | None] = {}
    for key in release.OPEN:
        if key not in secrecy.GROUPS:
            continue
        columns = {c for parts, sums in secrecy.GROUPS[key]
                   for c in (*parts, *([sums] if sums else []))}
        for place in (None, *quartiers):
            for quarter in (None, *(release.QUARTERS if key in release.QUARTERLY else ())):
                answer = fetch(key, place, quarter)
                rows = [(row_name(key, r), r) for r in answer["rows"]]
                if answer["total"] is not None:
                    rows.append(("total", answer["total"]))
                for name, row in rows:
                    for column in columns:
                        found[(key, place, quarter, name, column)] = row[column]
    return found


def assumed_lines(cells: dict[Cell, int | None], quartiers: list[str]
                  ) -> list[tuple[list[Cell], Cell]]:
    """Everything that should add up, assumed exact."""
    tables: dict[tuple[str, str | None, int | None], set[str]] = {}
    for key, place, quarter, name, _column in cells:
        tables.setdefault((key, place, quarter), set()).add(name)
    lines = [line for (key, place, quarter), names in tables.items()
             for line in table_lines(key, place, quarter, names)]
    for cell in cells:
        key, place, quarter, name, column = cell
        if place is None:
            lines.append(([c for q in quartiers
                           if (c := (key, q, quarter, name, column)) in cells], cell))
        if quarter is None and key in release.QUARTERLY:
            lines.append(([c for q in release.QUARTERS
                           if (c := (key, place, q, name, column)) in cells], cell))
    return lines


def table_lines(key: str, place: str | None, quarter: int | None, names: set[str]
                ) -> Iterator[tuple[list[Cell], Cell]]:
    """A table's rows to their sums, its columns to its total row."""
    rows = sorted(names - {"total"})
    for parts, sums in secrecy.GROUPS[key]:
        if sums:
            for name in names:
                yield ([(key, place, quarter, name, p) for p in parts],
                       (key, place, quarter, name, sums))
        if "total" in names:
            for column in (*parts, *([sums] if sums else [])):
                yield ([(key, place, quarter, r, column) for r in rows],
                       (key, place, quarter, "total", column))


def recovered(cells: dict[Cell, int | None], quartiers: list[str]
              ) -> dict[Cell, tuple[float, float]]:
    """The hidden cells the attacker pins down: bounded away from 0 in an interval
    narrower than the threshold."""
    hidden = [c for c, v in cells.items() if v is None]
    index = {c: i for i, c in enumerate(hidden)}
    rows, rhs = [], []
    for parts, total in assumed_lines(cells, quartiers):
        coefficients = [0.0] * len(hidden)
        constant = 0.0
        for cell, sign in [*((p, 1.0) for p in parts), (total, -1.0)]:
            if cells[cell] is None:
                coefficients[index[cell]] += sign
            else:
                constant -= sign * float(cells[cell] or 0)
        if any(coefficients):
            rows.append(coefficients)
            rhs.append(constant)
    found: dict[Cell, tuple[float, float]] = {}
    for cell, i in index.items():
        bounds = []
        for sense in (1.0, -1.0):
            objective = [0.0] * len(hidden)
            objective[i] = sense
            result = linprog(objective, A_eq=rows or None, b_eq=rhs or None,
                             bounds=[(0, None)] * len(hidden), method="highs")
            assert result.status in (0, 3), result.message  # solved, or unbounded
            bounds.append(math.inf if result.status == 3 else sense * result.fun)
        low, high = bounds
        if low > 1e-6 and high - low < K - 1e-6:
            found[cell] = (round(low, 3), round(high, 3))
    return found


# --- Answers, as the public reads them and as tables suppressed one by one ---------------


def api_fetch(client: Any, codes: dict[str | None, str | None]
              ) -> Callable[[str, str | None, int | None], Answer]:
    def fetch(key: str, place: str | None, quarter: int | None) -> Answer:
        query = {"annee": YEAR, **({"quartier": codes[place]} if place else {}),
                 **({"trimestre": quarter} if quarter else {})}
        response = client.get(f"/api/v1/tables/{key}", query_string=query)
        assert response.status_code == 200, (key, place, quarter, response.get_json())
        return response.get_json()

    return fetch


def one_by_one(db: Any, ids: dict[str | None, int | None]
               ) -> Callable[[str, str | None, int | None], Answer]:
    """Each table suppressed alone, as open data was published before the release."""
    def fetch(key: str, place: str | None, quarter: int | None) -> Answer:
        slot = release.Slot(key, ids[place], quarter)
        table = indicators.ALL[key](db, release.scope_of(YEAR, slot, "Europe/Paris"))
        return export.json_table(secrecy.protect(table, K))

    return fetch


@pytest.fixture
def names(contract_data: dict[str, Any]) -> dict[str, Any]:
    quartiers = contract_data["quartiers"]
    return {"names": [q.name for q in quartiers],
           "codes": {None: None, **{q.name: q.code for q in quartiers}},
           "ids": {None: None, **{q.name: q.id for q in quartiers}}}


def test_tables_suppressed_one_by_one_give_hidden_cells_back(app: Flask, db: Any,
                                                             names: dict[str, Any]) -> None:
    with app.test_request_context():
        cells = read_grid(one_by_one(db, names["ids"]), names["names"])
    found = recovered(cells, names["names"])
    # The audit's own findings: Le Parc's one woman (and her age), the café's last
    # quarter of 5 people.
    assert ("participants_by_gender", "Le Parc", None, "woman", "accounts") in found
    assert ("participants_by_age", "Le Parc", None, "25_39", "accounts") in found
    assert found[("events_by_kind", "Les Tilleuls", 4, "cafe", "present")] == (5.0, 5.0)


def test_the_public_api_gives_no_hidden_cell_back(client: Any, names: dict[str, Any]
                                                  ) -> None:
    cells = read_grid(api_fetch(client, names["codes"]), names["names"])
    assert any(v is None for v in cells.values())  # there is something to attack
    assert recovered(cells, names["names"]) == {}


def test_the_release_passes_its_own_audit(app: Flask, db: Any, names: dict[str, Any]
                                          ) -> None:
    with app.test_request_context():
        built = services.build_release(db, YEAR, timezone="Europe/Paris", threshold=K)
    findings = built.audit()
    assert findings
    assert all(f.safe for f in findings)
    assert {f.cell for f in findings} >= {
        ("participants_by_gender", names["ids"]["Le Parc"], None, "woman", "accounts")}


# --- The grid ----------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "named"), [
    ({"du": "2025-11-01", "au": "2025-11-30"}, "du"),
    ({"annee": 2019}, "annee"),
    ({"annee": 2025, "trimestre": 4, "table": "participants_by_gender"}, "trimestre"),
    ({"annee": 2025, "trimestre": 5}, "trimestre"),
])
def test_a_public_request_off_the_grid_is_a_400_naming_what_is_allowed(
        client: Any, contract_data: dict, query: dict[str, Any], named: str) -> None:
    table = query.pop("table", "events_by_kind")
    response = client.get(f"/api/v1/tables/{table}", query_string=query)
    assert response.status_code == 400
    message = response.get_json()["error"]
    assert message.startswith(f"{named}:")
    if named in ("du", "annee"):
        assert "2024, 2025, 2026" in message


def test_a_token_still_reads_a_period_of_its_choice(client: Any, db: Any, people: dict,
                                                    contract_data: dict) -> None:
    from civic.pilotage import services

    _token, value = services.create_token(db, people["pilot"], "Copil", now=NOW)
    response = client.get("/api/v1/tables/events_by_kind?du=2025-11-01&au=2025-11-30",
                          headers={"Authorization": f"Bearer {value}"})
    assert response.status_code == 200
    [cafe] = [r for r in response.get_json()["rows"] if r["kind"] == "cafe"]
    assert cafe["present"] == 5  # a pilot's own figures: nothing hidden


def test_the_page_and_its_csv_stay_on_the_grid(client: Any, contract_data: dict) -> None:
    page = client.get("/donnees-ouvertes?annee=2019&trimestre=9")
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "Choisissez une année de la liste : 2024, 2025, 2026." in text
    assert "Choisissez toute l’année ou un trimestre de la liste." in text
    quarter = client.get("/donnees-ouvertes?annee=2025&trimestre=4")
    assert quarter.status_code == 200
    body = quarter.get_data(as_text=True)
    assert "Participants par genre" not in body
    assert "Événements par type" in body
    assert client.get("/donnees-ouvertes/participants_by_gender.csv?annee=2025&trimestre=4"
                      ).status_code == 400
    assert client.get("/donnees-ouvertes/events_by_kind.csv?du=2025-11-01&au=2025-11-30"
                      ).status_code == 200  # dates are not a filter of the page: the year
    csv = client.get("/donnees-ouvertes/events_by_kind.csv?annee=2025&trimestre=4")
    assert csv.status_code == 200
    assert 'filename="events_by_kind-2025-T4.csv"' in csv.headers["Content-Disposition"]


def test_a_fill_rate_never_gives_back_the_places_taken(client: Any, names: dict) -> None:
    answer = client.get("/api/v1/tables/events_by_kind",
                        query_string={"annee": YEAR, "quartier": names["codes"]["Le Parc"]}
                        ).get_json()
    [workshop] = [r for r in answer["rows"] if r["kind"] == "workshop"]
    assert workshop["signed_up"] is None
    assert workshop["fill_rate"] is None  # 36 % of 25 places would be 9


def test_a_published_year_is_built_once_and_never_changes(
        app: Flask, db: Any, contract_data: dict, monkeypatch: Any) -> None:
    from civic.pilotage.models import OpenRelease

    calls: list[int] = []
    real = services.build_release

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "build_release", counted)
    first = services.published(db, YEAR, timezone="Europe/Paris", threshold=K, now=NOW)
    for later, threshold in ((NOW.replace(minute=30), K), (NOW.replace(year=2027), K),
                             (NOW.replace(hour=12), 5)):
        again = services.published(db, YEAR, timezone="Europe/Paris", threshold=threshold,
                                   now=later)
        assert again.shown == first.shown
    assert len(calls) == 1
    assert db.get(OpenRelease, YEAR).built_at == NOW


def test_a_visitor_who_keeps_every_days_answers_learns_nothing_from_late_entries(
        app: Flask, client: Any, db: Any, contract_data: dict, monkeypatch: Any) -> None:
    """The patient visitor saves every public answer each day. Between two days, five
    people present at a café of 2025 are entered late: were the year built again, the
    café row would move by 5 under a published total, and the difference would be a
    count of five people. The year as published never changes."""
    def every_answer() -> dict[str, Any]:
        """Every count of people of every public table of the year."""
        found = {}
        for key in release.OPEN:
            people = [c.key for c in indicators.ALL[key].columns if c.kind == "people"]
            body = client.get(f"/api/v1/tables/{key}", query_string={"annee": YEAR}
                              ).get_json()
            found[key] = [[row[c] for c in people] for row in [*body["rows"], body["total"]]
                          if row]
        return found

    monday = every_answer()
    late = factories.make_event(db, contract_data["quartiers"][0], kind="cafe",
                                starts_at=on(12, 1), attendance=5, walk_ins=5,
                                capacity=None)
    assert late.attendance == 5
    tuesday = datetime(NOW.year, NOW.month, NOW.day + 1, 3, tzinfo=UTC)
    monkeypatch.setattr("civic.core.clock.now", lambda: tuesday)
    with app.app_context():
        services.build_releases()  # the night between
    assert every_answer() == monday
    result = app.test_cli_runner().invoke(args=["pilotage", "release", "--year", str(YEAR)])
    assert result.exit_code != 0
    assert "already published" in result.output


def test_a_year_is_published_once_it_has_ended_and_settled(
        app: Flask, client: Any, db: Any, contract_data: dict, monkeypatch: Any) -> None:
    """With the real delay (31 days), on 14 March 2026 the public reads 2025 and earlier,
    not 2026; the page says when 2026 comes."""
    monkeypatch.setitem(app.config, "OPEN_DATA_SETTLE_DAYS", 31)
    assert services.publication_day(2025, 31) == date(2026, 2, 1)
    refused = client.get("/api/v1/tables/events_by_kind", query_string={"annee": 2026})
    assert refused.status_code == 400
    assert "2026" not in refused.get_json()["error"].split("years")[1].split("(")[0]
    assert client.get("/api/v1/tables/events_by_kind",
                      query_string={"annee": 2025}).status_code == 200
    page = client.get("/donnees-ouvertes").get_data(as_text=True)
    assert "Les chiffres de 2026 seront publiés le 1 février 2027." in " ".join(page.split())
    assert 'value="2026"' not in page
    monkeypatch.setitem(app.config, "OPEN_DATA_SETTLE_DAYS", 800)  # nothing published yet
    page = client.get("/donnees-ouvertes")
    assert page.status_code == 200
    assert "Aucune année n’est encore publiée." in page.get_data(as_text=True)
    assert client.get("/api/v1/tables/events_by_kind").status_code == 404
    assert client.get("/donnees-ouvertes/events_by_kind.csv").status_code == 404
    # Nor may an operator publish a year before its time: it would stay as it was.
    result = app.test_cli_runner().invoke(args=["pilotage", "release", "--year", "2025"])
    assert result.exit_code != 0
    assert "2025 is not published before 2028-03-11" in result.output


def test_a_round_added_since_the_build_has_its_counts_hidden(
        app: Flask, db: Any, contract_data: dict) -> None:
    published = services.published(db, YEAR, timezone="Europe/Paris", threshold=K,
                                   now=NOW)
    late = factories.make_round(db, contract_data["fund"], "follow_up", title="FPH tardif",
                                vote_ends_at=on(9, 30))
    for _ in range(30):
        vote(db, late, "online", day=date(YEAR, 9, 1))
    slot = release.Slot("fph_rounds")
    with app.test_request_context():
        table = published.apply(slot, indicators.fph_rounds(
            db, release.scope_of(YEAR, slot, "Europe/Paris")))
    [row] = [r for r in table.rows if r["round"] == "FPH tardif"]
    assert row["voters"] is None
    assert row["voters_online"] is None


def test_the_open_data_page_names_quarters_in_words(client: Any, contract_data: dict
                                                    ) -> None:
    page = client.get("/donnees-ouvertes?annee=2025&trimestre=2").get_data(as_text=True)
    assert re.search(r"Avril à juin 2025", page)
    assert "publiés que pour l’année entière" in page


# --- Commands and the nightly job -------------------------------------------------------


def test_the_audit_command_prints_the_audit_and_passes(app: Flask, db: Any,
                                                       contract_data: dict) -> None:
    result = app.test_cli_runner().invoke(args=["pilotage", "audit", "--year", str(YEAR)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Open-data release {YEAR}: threshold k = 11")
    assert "0 unsafe" in result.output
    assert result.output.rstrip().endswith("PASS")
    every = app.test_cli_runner().invoke(args=["pilotage", "audit", "--all-years"])
    assert every.output.count("PASS") == 3  # 2024, 2025, 2026


def test_the_audit_command_fails_on_an_unsafe_release(app: Flask, db: Any,
                                                      contract_data: dict,
                                                      monkeypatch: Any) -> None:
    """Without the audit's own corrections, the closure of single lines leaves hidden
    counts that the release as a whole gives back: the command says so and fails."""
    real = release.protect
    monkeypatch.setattr(release, "protect",
                        lambda *args, **kwargs: real(*args, **{**kwargs, "audit": False}))
    result = app.test_cli_runner().invoke(args=["pilotage", "audit", "--year", str(YEAR)])
    assert result.exit_code == 1
    assert "UNSAFE" in result.output
    assert result.output.rstrip().endswith("FAIL")


def test_the_nightly_job_publishes_the_years_not_yet_published(
        app: Flask, db: Any, contract_data: dict) -> None:
    from civic.core import jobs
    from civic.pilotage.models import OpenRelease

    assert jobs.registered()["pilotage.build_releases"].cron == "20 2 * * *"
    result = app.test_cli_runner().invoke(args=["pilotage", "release", "--year", "2024"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("release 2024: ")
    built_2024 = db.get(OpenRelease, 2024).figures
    with app.app_context():
        services.build_releases()
    assert {r.year for r in db.query(OpenRelease)} == {2024, 2025, 2026}
    assert db.get(OpenRelease, 2024).figures == built_2024
    again = app.test_cli_runner().invoke(
        args=["pilotage", "release", "--year", "2024", "--again"])
    assert again.exit_code == 0, again.output
