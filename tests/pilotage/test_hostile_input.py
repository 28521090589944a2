"""The hostile-input corpus in every filter of the steering pages, exports, open data and
API, in the path, in the Authorization header and in a token's name; hostile names in
the data too. Never a 500, never markup echoed back unescaped."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from civic.pilotage import services
from tests import factories
from tests.factories import NOW
from tests.pilotage.test_views import build_dataset
from tests.test_hostile_input import HOSTILE, SCRIPT

PARAMS = ["annee", "du", "au", "quartier", "orientation", "sep"]
#: (who, url): "token" is the pilot's API token, None nobody.
URLS: list[tuple[str | None, str]] = [
    ("pilot", "/pilotage"),
    ("pilot", "/pilotage/rapport"),
    ("signatory", "/pilotage/cooperatif"),
    ("pilot", "/pilotage/tableaux/participants_by_channel.csv"),
    ("pilot", "/pilotage/tableaux/fph_rounds.xlsx"),
    ("signatory", "/pilotage/tableaux/forwardings.csv"),
    ("pilot", "/pilotage/export.xlsx"),
    (None, "/donnees-ouvertes"),
    (None, "/donnees-ouvertes/participants_by_channel.csv"),
    (None, "/api/v1/tables/events_by_kind"),
    ("token", "/api/v1/tables/participants"),
]


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


@pytest.fixture
def dataset(db: Any, people: dict, quartier: Any, other_quartier: Any, signatory: Any
            ) -> dict[str, Any]:
    return build_dataset(db, people, quartier, other_quartier, signatory)


def _safe(response: Any) -> None:
    assert response.status_code < 500
    body = response.get_data()
    assert SCRIPT.encode() not in body
    assert b"<img src=x" not in body


@pytest.mark.parametrize(("who", "url"), URLS, ids=[f"{u[0]}:{u[1]}" for u in URLS])
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_filters_never_break_a_page(client: Any, login_as: Any, db: Any,
                                            people: dict, dataset: dict, who: str | None,
                                            url: str, value: str) -> None:
    headers = {}
    if who == "token":
        _token, secret = services.create_token(db, people["pilot"], "Suivi", now=NOW)
        headers = {"Authorization": f"Bearer {secret}"}
    elif who:
        login_as(people[who])
    for param in PARAMS:
        response = client.get(url, query_string={param: value}, headers=headers)
        _safe(response)
        if url.startswith("/api/") and response.status_code >= 400:
            assert response.mimetype == "application/json"
    # Every field at once, and a value given twice.
    _safe(client.get(url, query_string=dict.fromkeys(PARAMS, value), headers=headers))
    _safe(client.get(url, query_string=[("annee", value), ("annee", "2026"),
                                        ("quartier", value), ("quartier", value)],
                     headers=headers))


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_dates_around_a_good_one(login_as: Any, people: dict, value: str) -> None:
    client = login_as(people["pilot"])
    for query in ({"du": "2026-01-01", "au": value}, {"du": value, "au": "2026-12-31"},
                  {"annee": "2026", "du": value, "au": value}):
        response = client.get("/pilotage", query_string=query)
        _safe(response)
        assert response.status_code == 200


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_table_keys_are_not_found(client: Any, login_as: Any, people: dict,
                                          value: str) -> None:
    login_as(people["pilot"])
    key = quote(value, safe="")
    for url in (f"/pilotage/tableaux/{key}.csv", f"/pilotage/tableaux/participants.{key}",
                f"/donnees-ouvertes/{key}.csv", f"/api/v1/tables/{key}"):
        response = client.get(url)
        _safe(response)
        assert response.status_code in (404, 405), url  # an empty key is another route
    if value and "/" not in value:  # a key with a slash is another path
        response = client.get(f"/api/v1/tables/{key}")
        assert response.get_json() == {"error": "unknown table"}


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_authorization_headers_are_refused(client: Any, value: str) -> None:
    for header in (value, f"Bearer {value}", f"Bearer civic_{value}"):
        if "\x00" in header:  # not a header a client can send
            continue
        for url in ("/api/v1/tables", "/api/v1/tables/participants",
                    "/api/v1/tables/participants_by_channel"):
            response = client.get(url, headers={"Authorization": header})
            _safe(response)
            if header:
                assert response.status_code == 401, (header[:40], url)


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_token_names(login_as: Any, people: dict, value: str) -> None:
    client = login_as(people["signatory"])
    response = client.post("/compte/jetons", data={"name": value})
    _safe(response)
    assert response.status_code in (200, 400)
    _safe(client.get("/compte/jetons"))
    _safe(client.post("/compte/jetons/abc/revoquer", data={"csrf_token": value}))
    _safe(client.post(f"/compte/jetons/{quote(value, safe='') or 0}/revoquer"))


def test_a_script_as_a_token_name_is_shown_as_text(login_as: Any, people: dict) -> None:
    client = login_as(people["pilot"])
    assert client.post("/compte/jetons", data={"name": SCRIPT}).status_code == 200
    page = client.get("/compte/jetons").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in page
    assert SCRIPT not in page


def test_hostile_names_in_the_data_are_escaped_everywhere(client: Any, login_as: Any,
                                                          db: Any, people: dict,
                                                          contract: Any) -> None:
    """Names typed by pilots and residents end up in tables, charts, selects and lists."""
    from datetime import UTC, datetime

    from civic.ideas.models import Forwarding
    from civic.territory.models import Commitment

    hostile = factories.make_quartier(db, contract, name=SCRIPT)
    orientation = factories.make_orientation(db, contract, name=SCRIPT)
    signatory = factories.make_signatory(db, contract, name=SCRIPT)
    author = factories.make_user(db, display_name=SCRIPT)
    day = datetime(2026, 2, 3, 12, tzinfo=UTC)
    idea = factories.make_idea(db, hostile, author, title=SCRIPT, orientation_id=orientation.id,
                               created_at=day, status="planned", response=SCRIPT,
                               responded_at=day)
    db.add(Forwarding(idea_id=idea.id, signatory_id=signatory.id, forwarded_at=day,
                      due_on=day.date(), answer=SCRIPT))
    db.add(Commitment(signatory_id=signatory.id, orientation_id=orientation.id, text=SCRIPT))
    factories.make_event(db, hostile, title=SCRIPT, starts_at=day, attendance=12,
                         walk_ins=12, signatory_id=signatory.id)
    fund = factories.make_fund(db, hostile)
    round_ = factories.make_round(db, fund, "follow_up", title=SCRIPT)
    factories.make_project(db, round_, title=SCRIPT, follow_up="done",
                           orientation_id=orientation.id)
    for query in ("", f"?quartier={hostile.code}", f"?orientation={orientation.id}"):
        login_as(people["pilot"])
        for url in ("/pilotage", "/pilotage/rapport", "/pilotage/cooperatif",
                    "/pilotage/colonnes", "/donnees-ouvertes"):
            response = client.get(url + query)
            assert response.status_code == 200, url
            _safe(response)
        page = client.get("/pilotage/rapport" + query).get_data(as_text=True)
        assert "&lt;script&gt;" in page
