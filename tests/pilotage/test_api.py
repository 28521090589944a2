"""The read-only API: its OpenAPI document, every answer checked against it, what each
kind of token reads, errors as JSON, and the page where tokens are made and revoked."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import select, text

from civic.pilotage import indicators, services
from civic.pilotage.models import ApiToken
from tests.factories import NOW
from tests.pilotage.test_views import build_dataset

ALL = list(indicators.ALL)
OPEN = {spec.key for spec in indicators.OPEN}
COOPERATIVE = {spec.key for spec in indicators.COOPERATIVE}


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


@pytest.fixture
def dataset(db: Any, people: dict, quartier: Any, other_quartier: Any, signatory: Any
            ) -> dict[str, Any]:
    return build_dataset(db, people, quartier, other_quartier, signatory)


@pytest.fixture
def bearer(db: Any, people: dict) -> dict[str, dict[str, str]]:
    """Authorization headers with a live token of the pilot and of the signatory."""
    found = {}
    for role in ("pilot", "signatory"):
        _token, value = services.create_token(db, people[role], f"Tableur {role}", now=NOW)
        found[role] = {"Authorization": f"Bearer {value}"}
    return found


def _document(client: Any) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """A Draft 2020-12 validator for ``schema``, whose "#/components/schemas/…" refs
    resolve in the OpenAPI document."""
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "components": document["components"], **schema}
    return Draft202012Validator(root)


def _check(document: dict[str, Any], schema: dict[str, Any], answer: Any) -> None:
    errors = sorted(_validator(document, schema).iter_errors(answer), key=str)
    assert errors == [], [e.message for e in errors][:5]


# --- The document --------------------------------------------------------------------------


def test_the_openapi_document_has_the_shape_of_openapi_3_1(client: Any) -> None:
    document = _document(client)
    assert document["openapi"].startswith("3.1.")
    assert document["info"]["title"]
    assert document["info"]["version"]
    assert document["servers"][0]["url"].endswith("/api/v1")
    assert set(document["paths"]) == {"/tables", "/tables/{key}",
                                      "/evaluations/{evaluation_id}/report"}
    assert document["components"]["securitySchemes"]["token"] == {"type": "http",
                                                                  "scheme": "bearer"}
    schemas = document["components"]["schemas"]
    assert {"Error", "Column", *ALL, *(f"{k}_row" for k in ALL)} <= set(schemas)
    for schema in schemas.values():
        Draft202012Validator.check_schema(schema)  # each is a valid JSON Schema
    get = document["paths"]["/tables/{key}"]["get"]
    [key] = [p for p in get["parameters"] if p["in"] == "path"]
    assert key["required"] is True
    assert set(key["schema"]["enum"]) == set(ALL)
    assert {p["name"] for p in get["parameters"] if p["in"] == "query"} == {
        "annee", "trimestre", "du", "au", "quartier", "orientation"}
    assert set(get["responses"]) == {"200", "400", "401", "403", "404", "429"}
    for response in get["responses"].values():
        assert response["description"]
    # Every $ref points at something in the document.
    refs = set(_refs(document))
    assert refs
    assert all(r.startswith("#/components/schemas/") for r in refs)
    assert {r.rsplit("/", 1)[1] for r in refs} <= set(schemas)


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [*([node["$ref"]] if "$ref" in node else []),
                *(r for value in node.values() for r in _refs(value))]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def test_every_table_answer_validates_against_its_schema(client: Any, dataset: dict,
                                                         bearer: dict, quartier: Any) -> None:
    document = _document(client)
    any_table = document["paths"]["/tables/{key}"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    checked = 0
    for query in ("", "?annee=2025", f"?quartier={quartier.code}",
                  "?du=2026-02-01&au=2026-03-31", f"?orientation={dataset['jobs'].id}"):
        for key in ALL:
            response = client.get(f"/api/v1/tables/{key}{query}", headers=bearer["pilot"])
            assert response.status_code == 200, key
            answer = response.get_json()
            _check(document, {"$ref": f"#/components/schemas/{key}"}, answer)
            _check(document, any_table, answer)  # exactly one of the tables' schemas
            assert answer["key"] == key
            assert [c["key"] for c in answer["columns"]] == list(
                document["components"]["schemas"][f"{key}_row"]["required"])
            checked += 1
        # Hidden small cells are nulls, which the schemas allow.
        for key, headers in [*((k, {}) for k in OPEN),
                             *((k, bearer["signatory"]) for k in COOPERATIVE)]:
            response = client.get(f"/api/v1/tables/{key}{query}", headers=headers)
            off_grid = not headers and "du=" in query  # the public reads years only
            assert response.status_code == (400 if off_grid else 200), key
            _check(document, {"$ref": "#/components/schemas/Error"} if off_grid else
                   {"$ref": f"#/components/schemas/{key}"}, response.get_json())
            checked += 1
    assert checked == 5 * (len(ALL) + len(OPEN) + len(COOPERATIVE))


def test_the_errors_validate_against_the_error_schema(client: Any, bearer: dict) -> None:
    document = _document(client)
    error = {"$ref": "#/components/schemas/Error"}
    for url, headers, status in (
            ("/api/v1/tables/nothing", {}, 404),
            ("/api/v1/tables/participants", {}, 401),
            ("/api/v1/tables/participants", bearer["signatory"], 403),
            ("/api/v1/tables/fph_rounds?annee=abc", {}, 400),
            ("/api/v1/tables", {"Authorization": "Bearer x"}, 401)):
        response = client.get(url, headers=headers)
        assert response.status_code == status, url
        assert response.mimetype == "application/json"
        _check(document, error, response.get_json())
        declared = document["paths"]["/tables/{key}"]["get"]["responses"]
        assert str(status) in declared


def test_the_figures_are_those_of_the_dashboard(client: Any, dataset: dict,
                                                bearer: dict) -> None:
    answer = client.get("/api/v1/tables/participants_by_channel",
                        headers=bearer["pilot"]).get_json()
    assert [(r["label"], r["accounts"], r["without_account"], r["people"])
            for r in answer["rows"]] == [("En ligne", 3, 0, 3), ("À une permanence", 0, 2, 2),
                                         ("Sur papier", 0, 0, 0), ("À un événement", 0, 13, 13)]
    assert answer["total"]["people"] == 18
    assert answer["scope"] == {"first_day": "2026-01-01", "last_day": "2026-12-31",
                               "quartier": None, "orientation": None}
    assert answer["secrecy_threshold"] == 11
    fph = client.get("/api/v1/tables/fph_rounds", headers=bearer["pilot"]).get_json()
    assert fph["rows"][0]["envelope"] == 1_000_000  # cents, as documented
    # Without a token, open data: the 2 people at a permanence are hidden (null).
    public = client.get("/api/v1/tables/participants_by_channel").get_json()
    permanence = next(r for r in public["rows"] if r["label"] == "À une permanence")
    assert permanence["without_account"] is None
    for row in [*public["rows"], public["total"]]:
        for column in ("accounts", "without_account", "people"):
            assert row[column] is None or row[column] == 0 or row[column] >= 11


def test_a_filter_narrows_the_answer(client: Any, dataset: dict, bearer: dict,
                                     quartier: Any) -> None:
    answer = client.get(f"/api/v1/tables/participants?quartier={quartier.code}"
                        f"&du=2026-03-01&au=2026-03-31", headers=bearer["pilot"]).get_json()
    assert answer["rows"][0]["total"] == 9
    assert answer["scope"] == {"first_day": "2026-03-01", "last_day": "2026-03-31",
                               "quartier": quartier.code, "orientation": None}


# --- Who reads what ------------------------------------------------------------------------


@pytest.mark.parametrize("key", ALL)
def test_what_each_token_reads(client: Any, dataset: dict, bearer: dict, key: str) -> None:
    anonymous = client.get(f"/api/v1/tables/{key}")
    assert anonymous.status_code == (200 if key in OPEN else 401)
    signatory = client.get(f"/api/v1/tables/{key}", headers=bearer["signatory"])
    assert signatory.status_code == (200 if key in OPEN | COOPERATIVE else 403)
    pilot = client.get(f"/api/v1/tables/{key}", headers=bearer["pilot"])
    assert pilot.status_code == 200
    for refused in (anonymous, signatory):
        if refused.status_code != 200:
            assert refused.mimetype == "application/json"
            assert refused.get_json()["error"]
    if key in OPEN:  # the same for everyone: caches may keep it; a token's answer not
        assert anonymous.headers["Cache-Control"] == "public, max-age=3600"
    assert pilot.headers["Cache-Control"] == "no-store"


def test_the_list_of_tables_follows_the_token(client: Any, bearer: dict) -> None:
    def keys(headers: dict[str, str]) -> set[str]:
        response = client.get("/api/v1/tables", headers=headers)
        assert response.status_code == 200
        tables = response.get_json()["tables"]
        assert all(t["url"].endswith(f"/api/v1/tables/{t['key']}") for t in tables)
        return {t["key"] for t in tables}

    assert keys({}) == OPEN
    assert keys(bearer["signatory"]) == OPEN | COOPERATIVE
    assert keys(bearer["pilot"]) == set(ALL)


@pytest.mark.parametrize("header", ["Bearer x", "Bearer ", "Bearer civic_" + "x" * 43,
                                    "Basic cGlsb3Q6cGFzc3dvcmQ=", "civic_abc",
                                    "Bearer " + "civic_" * 40, "Token civic_abc"])
def test_a_wrong_token_is_a_401(client: Any, header: str) -> None:
    for url in ("/api/v1/tables", "/api/v1/tables/participants_by_channel",
                "/api/v1/tables/participants"):
        response = client.get(url, headers={"Authorization": header})
        assert response.status_code == 401, url
        assert response.get_json() == {"error": "invalid or revoked token"}


def test_a_revoked_token_reads_nothing(client: Any, db: Any, people: dict) -> None:
    token, value = services.create_token(db, people["pilot"], "Ancien tableur", now=NOW)
    headers = {"Authorization": f"Bearer {value}"}
    assert client.get("/api/v1/tables/participants", headers=headers).status_code == 200
    services.revoke_token(db, db.get(ApiToken, token.id), actor=people["pilot"], now=NOW)
    for url in ("/api/v1/tables", "/api/v1/tables/participants",
                "/api/v1/tables/participants_by_channel"):  # not even open data
        assert client.get(url, headers=headers).status_code == 401


def test_a_token_reads_what_its_owner_may_read_today(client: Any, db: Any,
                                                     people: dict) -> None:
    from civic.accounts.models import User

    _token, value = services.create_token(db, people["signatory"], "CAF", now=NOW)
    headers = {"Authorization": f"Bearer {value}"}
    assert client.get("/api/v1/tables/forwardings", headers=headers).status_code == 200
    owner = db.get(User, people["signatory"].id)  # the request ended the test's session
    owner.roles.clear()
    db.flush()
    assert client.get("/api/v1/tables/forwardings", headers=headers).status_code == 403
    assert client.get("/api/v1/tables/fph_rounds", headers=headers).status_code == 200
    owner = db.get(User, people["signatory"].id)
    owner.deleted_at = NOW
    db.flush()
    assert client.get("/api/v1/tables/fph_rounds", headers=headers).status_code == 401


def test_a_session_is_not_a_token(login_as: Any, people: dict) -> None:
    """The API reads tokens only: a pilot's browser session reads open data like anyone."""
    client = login_as(people["pilot"])
    assert client.get("/api/v1/tables/participants").status_code == 401
    assert client.get("/api/v1/tables/participants_by_channel").status_code == 200


def test_unknown_tables_and_wrong_filters_answer_json(client: Any, bearer: dict) -> None:
    for headers in ({}, bearer["pilot"]):
        unknown = client.get("/api/v1/tables/nothing", headers=headers)
        assert unknown.status_code == 404
        assert unknown.get_json() == {"error": "unknown table"}
    for query, field in (("annee=abc", "annee"), ("annee=1800", "annee"),
                         ("du=2026-03-01&au=2026-02-01", "au"), ("du=garbage", "du"),
                         ("quartier=unknown", "quartier"),
                         ("orientation=99999999999999999999999999", "orientation"),
                         ("du=0001-01-01&au=0001-12-31", "du")):
        for key, headers in (("fph_rounds", {}), ("participants", bearer["pilot"])):
            response = client.get(f"/api/v1/tables/{key}?{query}", headers=headers)
            assert response.status_code == 400, query
            assert response.mimetype == "application/json"
            assert response.get_json()["error"].startswith(f"{field}: "), query


def test_using_a_token_notes_when(client: Any, db: Any, people: dict) -> None:
    token, value = services.create_token(db, people["pilot"], "Suivi",
                                         now=NOW - timedelta(days=3))
    assert token.last_used_at is None
    response = client.get("/api/v1/tables", headers={"Authorization": f"Bearer {value}"})
    assert response.status_code == 200
    assert db.scalar(select(ApiToken.last_used_at).where(ApiToken.id == token.id)) == NOW


# --- The tokens page -----------------------------------------------------------------------

VALUE = re.compile(r'<code class="token">(civic_[A-Za-z0-9_-]{43})</code>')


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def test_a_new_token_is_shown_once_and_kept_hashed(login_as: Any, db: Any,
                                                   people: dict) -> None:
    client = login_as(people["signatory"])
    assert "Créer un jeton" in _text(client.get("/compte/jetons"))
    created = client.post("/compte/jetons", data={"name": "  Tableur de la CAF "})
    assert created.status_code == 200
    page = _text(created)
    value = VALUE.search(page).group(1)  # type: ignore[union-attr]
    assert "il ne sera plus jamais affiché" in page
    [token] = db.scalars(select(ApiToken).where(ApiToken.user_id == people["signatory"].id))
    assert token.name == "Tableur de la CAF"
    assert token.digest == hashlib.sha256(value.encode()).hexdigest()
    assert token.prefix == value[:12]
    assert token.revoked_at is None
    # The value itself is nowhere in the database.
    for table in ("api_tokens", "audit_entries"):
        for row in db.execute(text(f"SELECT * FROM {table}")):
            assert not any(value in str(cell) for cell in row), table
    later = _text(client.get("/compte/jetons"))
    assert value not in later
    assert VALUE.search(later) is None
    assert f"<code>{value[:12]}…</code>" in later
    assert "Tableur de la CAF" in later
    # It works, once.
    answer = client.get("/api/v1/tables/forwardings",
                        headers={"Authorization": f"Bearer {value}"})
    assert answer.status_code == 200
    assert "jamais" not in _text(client.get("/compte/jetons")).split("<tbody>")[1].split(
        "</tbody>")[0]  # "Dernier usage" now has a date


def test_each_token_is_different(login_as: Any, db: Any, people: dict) -> None:
    client = login_as(people["pilot"])
    values = {VALUE.search(_text(client.post("/compte/jetons", data={"name": "Même nom"})))
              .group(1) for _n in range(3)}  # type: ignore[union-attr]
    assert len(values) == 3
    assert len(db.scalars(select(ApiToken)).all()) == 3


def test_a_token_needs_a_plain_name(login_as: Any, db: Any, people: dict) -> None:
    client = login_as(people["pilot"])
    for name in ("", "   ", "x" * 81, "tab\tulé", "bidi\u202eevil"):
        response = client.post("/compte/jetons", data={"name": name})
        assert response.status_code == 400, name
        assert 'class="error"' in _text(response)
        assert VALUE.search(_text(response)) is None
    assert db.scalars(select(ApiToken)).all() == []


def test_revoking_needs_the_csrf_token(app: Any, login_as: Any, db: Any, people: dict,
                                       monkeypatch: Any) -> None:
    token, value = services.create_token(db, people["signatory"], "CAF", now=NOW)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    client = login_as(people["signatory"])
    page = _text(client.get("/compte/jetons"))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    url = f"/compte/jetons/{token.id}/revoquer"
    assert f'action="{url}"' in page
    assert client.post(url).status_code == 400
    assert db.scalar(select(ApiToken.revoked_at).where(ApiToken.id == token.id)) is None
    revoked = client.post(url, data={"csrf_token": csrf})
    assert revoked.status_code == 302
    assert revoked.headers["Location"] == "/compte/jetons"
    assert db.scalar(select(ApiToken.revoked_at).where(ApiToken.id == token.id)) == NOW
    page = _text(client.get("/compte/jetons"))
    assert "Le jeton est révoqué" in page
    assert "révoqué</td>" in page
    assert f'action="{url}"' not in page
    assert client.get("/api/v1/tables", headers={"Authorization": f"Bearer {value}"}
                      ).status_code == 401
    from civic.core.audit import AuditEntry

    actions = set(db.scalars(select(AuditEntry.action)))
    assert {"pilotage.token_created", "pilotage.token_revoked"} <= actions


def test_nobody_revokes_another_persons_token(login_as: Any, db: Any, people: dict) -> None:
    token, value = services.create_token(db, people["signatory"], "Tableur de la Métropole",
                                         now=NOW)
    pilot = login_as(people["pilot"])  # even a pilot
    assert pilot.post(f"/compte/jetons/{token.id}/revoquer").status_code == 404
    assert pilot.post("/compte/jetons/999999/revoquer").status_code == 404
    assert "Tableur de la Métropole" not in _text(pilot.get("/compte/jetons"))
    assert db.scalar(select(ApiToken.revoked_at).where(ApiToken.id == token.id)) is None
    assert pilot.get("/api/v1/tables/forwardings", headers={
        "Authorization": f"Bearer {value}"}).status_code == 200


@pytest.mark.parametrize("role", ["resident", "moderator", "animator"])
def test_residents_have_no_tokens(client: Any, login_as: Any, db: Any, people: dict,
                                  role: str) -> None:
    token, _value = services.create_token(db, people["pilot"], "Copil", now=NOW)
    login_as(people[role])
    assert client.get("/compte/jetons").status_code == 403
    assert client.post("/compte/jetons", data={"name": "Le mien"}).status_code == 403
    assert client.post(f"/compte/jetons/{token.id}/revoquer").status_code == 403
    assert len(db.scalars(select(ApiToken)).all()) == 1


def test_anonymous_visitors_are_asked_to_log_in(client: Any) -> None:
    for response in (client.get("/compte/jetons"),
                     client.post("/compte/jetons", data={"name": "x"}),
                     client.post("/compte/jetons/1/revoquer")):
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/connexion?next=")
