"""The API keeps the contract of its OpenAPI document.

Schemathesis runs in process against the app (WSGI), on a contract with a few tables'
worth of data, as each kind of caller: it sends what the document allows and what it
forbids, in every phase (examples, coverage with its undeclared methods and empty
values, fuzzing), with every check, and finds nothing. Then the four findings of the
audit run from outside, one by one: TRACE answered as an HTML page without ``Allow``,
429 answers the document did not list, an empty ``au=`` accepted, and far dates that the
document allowed refused."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from jsonschema import Draft202012Validator, FormatChecker

from civic import create_app
from civic.pilotage import api_filters, forms, indicators, release, services
from civic.pilotage.views import MAX_DAYS
from tests.conftest import test_config
from tests.factories import NOW
from tests.pilotage.test_views import build_dataset

API = "/api/v1"
DOCUMENT = f"{API}/openapi.json"
#: The programs' own answers are read as sent (the in-process client does not unzip).
PLAIN = {"Accept-Encoding": "identity"}


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


@pytest.fixture(autouse=True)
def _schemathesis_node_id(request: pytest.FixtureRequest) -> None:
    """Schemathesis' pytest loader renames the test through ``Node._nodeid``, which
    pytest 9 no longer has: give it one."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture
def dataset(db: Any, people: dict, quartier: Any, other_quartier: Any, signatory: Any
            ) -> dict[str, Any]:
    return build_dataset(db, people, quartier, other_quartier, signatory)


@pytest.fixture
def pilot(db: Any, people: dict) -> dict[str, str]:
    _token, value = services.create_token(db, people["pilot"], "Copil", now=NOW)
    return {"Authorization": f"Bearer {value}", **PLAIN}


@pytest.fixture
def signatory_token(db: Any, people: dict) -> dict[str, str]:
    _token, value = services.create_token(db, people["signatory"], "CAF", now=NOW)
    return {"Authorization": f"Bearer {value}", **PLAIN}


def follows_the_period_rules(query: dict[str, Any]) -> bool:
    """The rules the document states in words because OpenAPI cannot tie two parameters
    together: `du` and `au` come together, `au` on or after `du`, at most MAX_DAYS later."""
    first, last = query.get("du"), query.get("au")
    if first is None and last is None:
        return True
    if first is None or last is None:
        return False
    try:
        days = (date.fromisoformat(last) - date.fromisoformat(first)).days
    except ValueError:  # not a day Python reads (year 0): schemathesis' judgement stands
        return True
    return 0 <= days <= MAX_DAYS


@pytest.fixture
def api_schema(app: Any, dataset: dict) -> Any:
    loaded = schemathesis.openapi.from_wsgi(DOCUMENT, app)

    @loaded.hook
    def filter_case(_context: Any, case: Any) -> bool:
        # A request the document allows is sent as one that must be accepted only when
        # it also follows the rules its descriptions state (they are tested below).
        return not case.meta.generation.mode.is_positive or follows_the_period_rules(
            case.query or {})

    return loaded


@pytest.fixture
def public_schema(app: Any, dataset: dict) -> Any:
    loaded = schemathesis.openapi.from_wsgi(DOCUMENT, app)

    @loaded.hook
    def filter_case(_context: Any, case: Any) -> bool:
        # Without a token, the rules of the open-data grid stated in the descriptions
        # too: no period of one's choice, a year of the contract, quarters of the
        # tables of acts only (tested below).
        return not case.meta.generation.mode.is_positive or on_the_grid(
            case.path_parameters or {}, case.query or {})

    return loaded


def on_the_grid(path: dict[str, Any], query: dict[str, Any]) -> bool:
    if "du" in query or "au" in query:
        return False
    if "annee" in query and query["annee"] not in (2024, 2025, 2026):
        return False
    return "trimestre" not in query or path.get("key") in release.QUARTERLY


schema = schemathesis.pytest.from_fixture("api_schema")
public = schemathesis.pytest.from_fixture("public_schema")


#: A bounded run: each operation gets its coverage cases (undeclared methods, empty,
#: missing and out-of-range values, …) and ``max_examples`` fuzzed requests. No example
#: database: nothing is written next to the code, and each run draws cases of its own.
CONTRACT = {"deadline": None, "database": None, "suppress_health_check": [
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much]}


@schema.parametrize()
@settings(max_examples=150, **CONTRACT)
def test_the_api_keeps_its_contract_with_a_pilots_token(case: Any,
                                                        pilot: dict[str, str]) -> None:
    case.call_and_validate(headers=pilot)


@schema.parametrize()
@settings(max_examples=40, **CONTRACT)
def test_the_api_keeps_its_contract_with_a_signatorys_token(
        case: Any, signatory_token: dict[str, str]) -> None:
    case.call_and_validate(headers=signatory_token)


@public.parametrize()
@settings(max_examples=40, **CONTRACT)
def test_the_api_keeps_its_contract_without_a_token(case: Any) -> None:
    case.call_and_validate(headers=PLAIN)


# --- Helpers -------------------------------------------------------------------------------


def _document(client: Any) -> dict[str, Any]:
    response = client.get(DOCUMENT)
    assert response.status_code == 200
    return response.get_json()


def _parameter(document: dict[str, Any], name: str) -> dict[str, Any]:
    [found] = [p for p in document["paths"]["/tables/{key}"]["get"]["parameters"]
               if p["name"] == name]
    return found


def _allows(document: dict[str, Any], name: str, value: Any) -> bool:
    """Whether the document's schema of the filter ``name`` accepts ``value`` (formats
    checked, as schemathesis does)."""
    return Draft202012Validator(_parameter(document, name)["schema"],
                                format_checker=FormatChecker()).is_valid(value)


def _as_json_integer(text: str) -> Any:
    """The integer a query value writes, or the text itself when it writes none (JSON's
    syntax: no sign but "-", no leading zero, no blanks, no other digits)."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if type(value) is int and text.strip() == text else text


def _error_schema(document: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator({"components": document["components"],
                                 "$ref": "#/components/schemas/Error"})


# --- 1. Methods the API does not have ------------------------------------------------------

API_PATHS = [f"{API}/tables", f"{API}/tables/participants_by_channel", DOCUMENT]


@pytest.mark.parametrize("path", API_PATHS)
@pytest.mark.parametrize("method", ["TRACE", "POST", "PUT", "PATCH", "DELETE", "QUERY"])
def test_an_unsupported_method_is_a_json_405_with_allow(client: Any, path: str,
                                                        method: str) -> None:
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert response.mimetype == "application/json"
    assert response.get_json() == {"error": "method not allowed"}
    assert {m.strip() for m in response.headers["Allow"].split(",")} == {
        "GET", "HEAD", "OPTIONS"}
    assert b"<html" not in response.data


def test_a_page_of_the_site_keeps_its_error_page(client: Any) -> None:
    response = client.open("/donnees-ouvertes", method="TRACE")
    assert response.status_code == 405
    assert response.mimetype == "text/html"


def test_an_unknown_api_path_is_a_json_404(client: Any) -> None:
    for path in (f"{API}/nothing", f"{API}/tables/participants/more", "/api/v2/tables"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.mimetype == "application/json"
        assert response.get_json() == {"error": "not found"}


def test_options_and_head_behave_as_http_says(client: Any, dataset: dict) -> None:
    for path in API_PATHS:
        options = client.options(path)
        assert options.status_code == 200, path
        assert {m.strip() for m in options.headers["Allow"].split(",")} == {
            "GET", "HEAD", "OPTIONS"}
        assert options.data == b""
        get, head = client.get(path, headers=PLAIN), client.head(path, headers=PLAIN)
        assert head.status_code == get.status_code == 200, path
        assert head.data == b""
        for header in ("Content-Type", "Content-Length", "Cache-Control"):
            assert head.headers.get(header) == get.headers.get(header), (path, header)


def test_an_unexpected_failure_is_a_json_500(database_url: str, outbox_dir: Path,
                                             monkeypatch: Any) -> None:
    """In production (not TESTING) an API call that breaks answers JSON, not the page."""
    production = create_app(test_config(database_url, outbox_dir, TESTING=False))

    def broken(_user: Any) -> set[str]:
        raise RuntimeError("the figures are gone")

    monkeypatch.setattr("civic.pilotage.api.readable", broken)
    response = production.test_client().get(f"{API}/tables")
    assert response.status_code == 500
    assert response.get_json() == {"error": "internal server error"}
    assert b"figures" not in response.data


# --- 2. Too many calls ---------------------------------------------------------------------


def test_too_many_calls_is_a_documented_json_429(database_url: str, outbox_dir: Path
                                                 ) -> None:
    limited = create_app(test_config(database_url, outbox_dir, RATELIMIT_ENABLED=True))
    client = limited.test_client()
    document = _document(client)
    answers = [client.get(f"{API}/tables", headers=PLAIN) for _n in range(121)]
    assert [a.status_code for a in answers] == [200] * 120 + [429]
    refused = answers[-1]
    assert refused.mimetype == "application/json"
    assert refused.get_json() == {"error": "too many requests (120 per 1 minute)"}
    assert 0 <= int(refused.headers["Retry-After"]) <= 60
    assert _error_schema(document).is_valid(refused.get_json())
    # Every operation lists it, with its Retry-After, and the answer matches the document
    # for schemathesis' checks too (status, content type, body, headers).
    for operation in document["paths"].values():
        declared = operation["get"]["responses"]["429"]
        assert declared["headers"]["Retry-After"]["required"] is True
        assert declared["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"}
    loaded = schemathesis.openapi.from_wsgi(DOCUMENT, limited)
    loaded["/tables"]["GET"].Case().validate_response(refused)
    # Another address still reads.
    other = client.get(f"{API}/tables", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert other.status_code == 200


# --- 3. Empty values -----------------------------------------------------------------------

FILTERS = ["annee", "du", "au", "quartier", "orientation"]


@pytest.mark.parametrize("name", FILTERS)
def test_an_empty_filter_is_refused_as_the_document_says(client: Any, dataset: dict,
                                                         name: str) -> None:
    document = _document(client)
    assert _parameter(document, name).get("allowEmptyValue", False) is False
    others = {"du": "au=2026-01-31", "au": "du=2026-01-01"}.get(
        name, "du=2026-01-01&au=2026-01-31")
    for query in (f"{name}=", f"{others}&{name}="):
        response = client.get(f"{API}/tables/fph_rounds?{query}")
        assert response.status_code == 400, query
        assert response.mimetype == "application/json"
        assert response.get_json() == {"error": f"{name}: empty value"}, query


def test_an_empty_au_is_refused(client: Any) -> None:
    """The audit's own request."""
    response = client.get(f"{API}/tables/fph_rounds?du=2026-01-01&au=")
    assert response.status_code == 400
    assert response.get_json() == {"error": "au: empty value"}


# --- 4. Dates, and every other value: the API accepts exactly what the document allows -----

DAYS = ["2026-03-14", "2000-01-01", "2100-12-31", "1999-12-31", "2101-01-01", "0001-01-01",
        "9999-12-31", "1970-01-01", "2024-02-29", "2026-02-29", "2026-02-30", "2026-13-01",
        "2026-1-5", "2026-01-5", "20260105", "2026-W11-6", " 2026-01-05", "2026-01-05 ",
        "2026-01-05T00:00", "2026/01/05", "\u0662\u0660\u0662\u0666-01-05", "+2026-01-05",
        "-2026-01-05", "02026-01-05", "2026-00-10", "2026-01-00", "abc"]


@pytest.mark.parametrize("day", DAYS)
def test_a_day_is_accepted_exactly_when_the_document_allows_it(client: Any, dataset: dict,
                                                                pilot: dict[str, str],
                                                                day: str) -> None:
    document = _document(client)
    allowed = _allows(document, "du", day)
    assert _allows(document, "au", day) == allowed
    response = client.get(f"{API}/tables/participants_by_channel",
                          query_string={"du": day, "au": day}, headers=pilot)
    assert response.status_code == (200 if allowed else 400), day
    if allowed:
        assert response.get_json()["scope"]["first_day"] == day
    else:
        assert response.get_json()["error"].startswith("du: not a day written YYYY-MM-DD")


def test_far_dates_behave_as_the_document_says(client: Any, dataset: dict,
                                               pilot: dict[str, str]) -> None:
    """The document bounds the days (2000 to 2100) and every table reads every period
    within them, up to the ends; one day out is refused by both."""
    assert api_filters.YEARS == forms.YEARS  # the API's bounds are the dashboard's
    document = _document(client)
    for first, last in (("2000-01-01", "2009-12-31"), ("2091-01-01", "2100-12-31"),
                        ("2100-12-31", "2100-12-31"), ("2000-01-01", "2000-01-01")):
        assert _allows(document, "du", first)
        assert _allows(document, "au", last)
        for key in indicators.ALL:  # every table's arithmetic, up to the ends
            response = client.get(f"{API}/tables/{key}?du={first}&au={last}", headers=pilot)
            assert response.status_code == 200, (key, first, last)
            assert response.get_json()["scope"]["first_day"] == first
            assert response.get_json()["scope"]["last_day"] == last
    for first, last in (("1999-12-31", "2000-01-31"), ("2100-12-01", "2101-01-01")):
        assert not (_allows(document, "du", first) and _allows(document, "au", last))
        response = client.get(f"{API}/tables/fph_rounds?du={first}&au={last}")
        assert response.status_code == 400
        assert "from 2000-01-01 to 2100-12-31" in response.get_json()["error"]


def test_the_period_rules_the_document_states(client: Any, dataset: dict,
                                              pilot: dict[str, str]) -> None:
    document = _document(client)
    assert f"at most {MAX_DAYS} days later" in _parameter(document, "au")["description"]
    assert "needs `au`" in _parameter(document, "du")["description"]
    assert "`du` and `au` take precedence" in _parameter(document, "annee")["description"]
    start = date(2026, 1, 1)
    refused = {
        "du=2026-01-01": "au: needed with du",
        "au=2026-01-01": "du: needed with au",
        "du=2026-03-01&au=2026-02-28": "au: before du",
        f"du=2026-01-01&au={start + timedelta(days=MAX_DAYS + 1)}":
            f"au: more than {MAX_DAYS} days after du",
    }
    for query, error in refused.items():
        response = client.get(f"{API}/tables/fph_rounds?{query}", headers=pilot)
        assert response.status_code == 400, query
        assert response.get_json() == {"error": error}, query
    longest = client.get(f"{API}/tables/fph_rounds?du=2026-01-01&au="
                         f"{start + timedelta(days=MAX_DAYS)}", headers=pilot).get_json()
    assert longest["scope"]["last_day"] == str(start + timedelta(days=MAX_DAYS))
    both = client.get(f"{API}/tables/fph_rounds?annee=2020&du=2026-02-01&au=2026-02-28",
                      headers=pilot)
    assert both.status_code == 200
    assert both.get_json()["scope"]["first_day"] == "2026-02-01"


YEARS = ["2026", "2000", "2100", "1999", "2101", "0", "-0", "-2026", "02026", "+2026",
         "2026.0", "2.026e3", "2_026", "\u0662\u0660\u0662\u0666", " 2026", "2026 ", "0x7ea",
         "true", "null", "2026,2027", "9" * 5000]


@pytest.mark.parametrize("value", YEARS, ids=[v[:12] for v in YEARS])
def test_a_year_is_accepted_exactly_when_the_document_allows_it(client: Any, dataset: dict,
                                                                 pilot: dict[str, str],
                                                                 value: str) -> None:
    document = _document(client)
    allowed = _allows(document, "annee", _as_json_integer(value))
    response = client.get(f"{API}/tables/fph_rounds", query_string={"annee": value},
                          headers=pilot)
    assert response.status_code == (200 if allowed else 400), value
    if not allowed:
        assert response.get_json()["error"] == "annee: not a year from 2000 to 2100"


def test_the_public_reads_the_years_the_document_names(client: Any, dataset: dict) -> None:
    """Without a token, the contract's years (2024 to 2030, up to this one) and their
    quarters for the tables of acts; the document says which."""
    document = _document(client)
    assert "2024, 2025, 2026" in _parameter(document, "annee")["description"]
    assert "events_by_kind" in _parameter(document, "trimestre")["description"]
    for year, status in ((2023, 400), (2024, 200), (2026, 200), (2027, 400), (2000, 400)):
        response = client.get(f"{API}/tables/fph_rounds", query_string={"annee": year})
        assert response.status_code == status, year
        if status == 400:
            assert response.get_json() == {
                "error": "annee: open data covers the years 2024, 2025, 2026 (a year is published "
                         "once it has ended, and never changes after)"}
    quarter = {"annee": 2026, "trimestre": 1}
    assert client.get(f"{API}/tables/events_by_kind", query_string=quarter).status_code == 200
    refused = client.get(f"{API}/tables/participants_by_age", query_string=quarter)
    assert refused.status_code == 400
    assert refused.get_json()["error"].startswith("trimestre: this table counts distinct")


def test_quartiers_and_orientations_are_the_documents_enums(client: Any, dataset: dict,
                                                            quartier: Any,
                                                            other_quartier: Any) -> None:
    document = _document(client)
    assert set(_parameter(document, "quartier")["schema"]["enum"]) == {
        quartier.code, other_quartier.code}
    orientations = set(_parameter(document, "orientation")["schema"]["enum"])
    assert orientations == {dataset["jobs"].id, dataset["living"].id}
    unknown_id = max(orientations) + 1
    quartiers = [quartier.code, other_quartier.code, quartier.code.lower(),
                 f"{quartier.code} ", "QN000000", "x" * 100_000, "None", "<script>"]
    for value in quartiers:
        allowed = _allows(document, "quartier", value)
        response = client.get(f"{API}/tables/fph_rounds", query_string={"quartier": value})
        assert response.status_code == (200 if allowed else 400), value[:20]
        if not allowed:
            assert response.get_json()["error"].startswith("quartier: ")
    integers = [str(dataset["jobs"].id), str(unknown_id), "0", "-1", "None", "1.0", "abc",
                f" {dataset['jobs'].id}", f"0{dataset['jobs'].id}", "9" * 30, "9" * 5000]
    for value in integers:
        allowed = _allows(document, "orientation", _as_json_integer(value))
        response = client.get(f"{API}/tables/fph_rounds",
                              query_string={"orientation": value})
        assert response.status_code == (200 if allowed else 400), value[:20]
        if not allowed:
            assert response.get_json()["error"].startswith("orientation: ")


def test_a_filter_given_twice_is_refused(client: Any, dataset: dict) -> None:
    for query in ("annee=2026&annee=2025", "du=2026-01-01&du=2026-01-02&au=2026-02-01",
                  "quartier=a&quartier=b"):
        response = client.get(f"{API}/tables/fph_rounds?{query}")
        assert response.status_code == 400, query
        assert response.get_json()["error"].endswith(": given more than once"), query


def test_a_document_for_a_contract_without_quartiers_allows_no_quartier(client: Any
                                                                        ) -> None:
    document = _document(client)
    for name in ("quartier", "orientation"):
        assert not _allows(document, name, "QN000001")
        assert not _allows(document, name, 1)
    response = client.get(f"{API}/tables/fph_rounds?quartier=QN000001")
    assert response.status_code == 404  # without a contract, no year is published
    assert response.get_json()["error"].endswith("no year is published yet")


def test_made_up_tokens_share_one_allowance(database_url: str, outbox_dir: Path) -> None:
    """Sending a new invented token at each call buys no new allowance."""
    limited = create_app(test_config(database_url, outbox_dir, RATELIMIT_ENABLED=True))
    client = limited.test_client()
    answers = [client.get(f"{API}/tables", environ_base={"REMOTE_ADDR": "10.7.7.7"},
                          headers={**PLAIN, "Authorization": f"Bearer made-up-{n:04d}"})
               .status_code for n in range(121)]
    assert answers == [401] * 120 + [429]
