"""The indicators' declarations (``Spec``): what a spec gives, the documentation pages
built from them without counting anything, and who reads which table through the
exports, the API and open data, decided by the rule "pilotage.read_table"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event as sql_event

from civic.accounts.models import User
from civic.budget.models import Fund, Participation, Project, Round
from civic.core.permissions import can
from civic.events.models import AttendanceFigure, Event, Signup
from civic.ideas.models import Comment, Forwarding, Idea, Support
from civic.map.models import MapPoint, PointSupport
from civic.pilotage import indicators, release, services
from civic.pilotage.scope import for_year
from civic.pilotage.tables import AUDIENCES, Column, Spec
from civic.territory.models import Commitment
from tests import factories
from tests.factories import NOW

#: The tables of what people did (and of who they are): the documentation reads none.
ACTS = {model.__tablename__ for model in (
    Idea, Comment, Support, Forwarding, MapPoint, PointSupport, Event, Signup,
    AttendanceFigure, Participation, Project, Round, Fund, Commitment, User)}
DOCUMENTATION = ("/pilotage/colonnes", "/api/v1/openapi.json")
#: At most the lookups of the contract, its quartiers and orientations.
MAX_QUERIES = 6
ROLES = ["anonymous", "resident", "moderator", "animator", "signatory", "pilot", "unenrolled"]
#: Who downloads a table from the dashboards' exports, by audience: a table they may
#: read, figures as the dashboards count them. Everybody but the pilots reads the open
#: tables through open data, as the year's release publishes them.
EXPORTS: dict[str, set[str]] = {
    "open": {"pilot"},
    "cooperative": {"signatory", "pilot"},
    "dashboard": {"pilot"},
}


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


# --- A spec and its table --------------------------------------------------------------------


def test_a_spec_gives_its_table_and_its_columns_without_a_query(
        db: Any, contract: Any, quartier: Any, count_queries: Any) -> None:
    scope = for_year(NOW.year)
    for key, spec in indicators.ALL.items():
        assert spec.key == key
        with count_queries() as counted:
            empty = spec.empty()
        assert counted.n == 0, key
        assert (empty.key, empty.rows, empty.total) == (key, [], None)
        assert (empty.title, empty.description, empty.columns) == (
            spec.title, spec.description, spec.columns)
        table = spec(db, scope)
        assert table.columns is spec.columns
        assert (table.rows, table.total) == spec.compute(db, scope), key


def test_every_count_says_what_it_counts() -> None:
    for key, spec in indicators.ALL.items():
        assert len((spec.compute.__doc__ or "").split()) > 5, key
        assert spec.audience in AUDIENCES, key


def test_a_spec_knows_only_the_audiences_and_kinds_there_are() -> None:
    def nothing(_db: Any, _scope: Any) -> tuple[list[dict[str, Any]], None]:
        return [], None

    with pytest.raises(ValueError, match="audience"):
        Spec("t", "T", "D", (), nothing, "public")
    with pytest.raises(ValueError, match="kind"):
        Spec("t", "T", "D", (Column("n", "N", "euros"),), nothing, "open")


def test_the_pages_tables_and_the_audiences_agree() -> None:
    """Open data shows exactly the open tables; the cooperative dashboard none of the
    pilots' own; every table is on a page."""
    assert {s.key for s in indicators.OPEN} == {s.key for s in indicators.by_audience("open")}
    assert tuple(s.key for s in indicators.OPEN) == release.OPEN
    assert all(s.audience == "cooperative" for s in indicators.COOPERATIVE)
    on_pages = {s.key for s in (*indicators.DASHBOARD, *indicators.COOPERATIVE)}
    assert on_pages == set(indicators.ALL)
    assert [s.key for s in indicators.by_audience("dashboard")] == [
        "participants", "participation_by_month", "fph_follow_up"]


def test_a_page_s_tables_share_their_figures(db: Any, contract: Any,
                                             count_queries: Any) -> None:
    """Within ``one_page`` the participation tables read the acts once between them."""
    scope = for_year(NOW.year)
    shared = (indicators.participants, indicators.participants_by_channel,
              indicators.participants_by_gender)
    with count_queries() as alone:
        for spec in shared:
            spec(db, scope)
    with count_queries() as together, indicators.one_page():
        for spec in shared:
            spec(db, scope)
    assert together.n < alone.n


# --- Documentation without aggregates ----------------------------------------------------------


@contextmanager
def statements(app: Any) -> Iterator[list[str]]:
    """The SQL statements sent meanwhile."""
    sent: list[str] = []

    def note(_connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        sent.append(statement)

    engine = app.extensions["civic.engine"]
    sql_event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        sql_event.remove(engine, "before_cursor_execute", note)


def tables_read(sent: list[str]) -> set[str]:
    return {name for statement in sent
            for name in re.findall(r'\b(?:FROM|JOIN)\s+"?(\w+)', statement)}


def _lots_of_acts(db: Any, quartier: Any, people: dict[str, Any]) -> None:
    """50 ideas and 50 events, with comments, supports and signups."""
    for n in range(50):
        idea = factories.make_idea(db, quartier, people["resident"],
                                   created_at=NOW - timedelta(days=n))
        factories.make_comment(db, idea, people["moderator"])
        db.add(Support(idea_id=idea.id, user_id=people["animator"].id,
                       created_at=NOW - timedelta(days=n)))
        happening = factories.make_event(db, quartier, starts_at=NOW + timedelta(days=n + 2))
        factories.make_signup(db, happening, people["resident"])
    db.flush()


def test_the_documentation_counts_nothing(app: Any, client: Any, db: Any, quartier: Any,
                                          people: dict[str, Any], count_queries: Any) -> None:
    def visit() -> dict[str, int]:
        found = {}
        for url in DOCUMENTATION:
            with count_queries() as counted, statements(app) as sent:
                response = client.get(url)
            assert response.status_code == 200, url
            assert not tables_read(sent) & ACTS, (url, tables_read(sent) & ACTS)
            found[url] = counted.n
        return found

    few = visit()
    assert all(n <= MAX_QUERIES for n in few.values()), few
    _lots_of_acts(db, quartier, people)
    assert visit() == few
    page = client.get("/pilotage/colonnes").get_data(as_text=True)
    document = client.get("/api/v1/openapi.json").get_json()
    for spec in indicators.ALL.values():
        assert f"<code>{spec.key}</code>" in page
        assert set(document["components"]["schemas"][f"{spec.key}_row"]["properties"]) == {
            c.key for c in spec.columns}


# --- Who reads which table -------------------------------------------------------------------


def _visitor(people: dict[str, Any], unenrolled: Any, role: str) -> Any:
    return None if role == "anonymous" else {**people, "unenrolled": unenrolled}[role]


@pytest.mark.parametrize("role", ROLES)
def test_the_exports_follow_the_rule(client: Any, login_as: Any, people: dict[str, Any],
                                     unenrolled: Any, role: str) -> None:
    user = _visitor(people, unenrolled, role)
    readable = {key for key, spec in indicators.ALL.items()
                if can(user, "pilotage.read_table", spec)}
    if user is not None:
        login_as(user)
    for key, spec in indicators.ALL.items():
        response = client.get(f"/pilotage/tableaux/{key}.csv")
        if role in EXPORTS[spec.audience]:
            assert key in readable, key  # never more than the rule allows
            assert response.status_code == 200, (role, key)
        elif user is None:
            assert response.status_code == 302, key
            assert response.headers["Location"].startswith("/connexion?next=")
        else:
            assert response.status_code == 403, (role, key)


def test_open_data_serves_the_open_tables_only(client: Any, contract: Any,
                                               quartier: Any) -> None:
    for key, spec in indicators.ALL.items():
        response = client.get(f"/donnees-ouvertes/{key}.csv")
        assert response.status_code == (200 if spec.audience == "open" else 404), key
    page = client.get("/donnees-ouvertes").get_data(as_text=True)
    for key, spec in indicators.ALL.items():
        assert (f"/donnees-ouvertes/{key}.csv" in page) is (spec.audience == "open"), key


@pytest.mark.parametrize("role", ROLES)
def test_the_api_follows_the_rule(client: Any, db: Any, people: dict[str, Any],
                                  unenrolled: Any, contract: Any, role: str) -> None:
    """Whatever a token's owner holds, it lists and reads what the rule lets them."""
    user = _visitor(people, unenrolled, role)
    headers = {}
    if user is not None:
        _token, value = services.create_token(db, user, "Tableur", now=NOW)
        headers = {"Authorization": f"Bearer {value}"}
    readable = [key for key, spec in indicators.ALL.items()
                if can(user, "pilotage.read_table", spec)]
    listed = client.get("/api/v1/tables", headers=headers).get_json()["tables"]
    assert [t["key"] for t in listed] == readable
    for key in indicators.ALL:
        status = client.get(f"/api/v1/tables/{key}", headers=headers).status_code
        if key in readable:
            assert status == 200, (role, key)
        else:
            assert status == (401 if user is None else 403), (role, key)
