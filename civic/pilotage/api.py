"""The read-only JSON API of the steering data, under ``/api/v1/``, described by the
OpenAPI document it serves at ``/api/v1/openapi.json``.

A program sends ``Authorization: Bearer <token>`` (a token made on « Mes jetons d’accès »).
A pilot's token reads every table; a signatory's token the cooperative dashboard's
tables and open data; without a token, open data only, on its grid: a calendar year of
the contract (`annee`), one of its quarters (`trimestre`) for the tables that count acts,
the whole contract or one quartier (`quartier`), all orientations or one (`orientation`).
Open data is the year's release, built for the whole grid at once: a small count is
hidden, and so is whatever would give it back by comparing answers (a quartier with the
contract, a quarter with its year). A period of one's choice (`du`, `au`) needs a token.

The report of each evaluation of the contract is public too
(`/evaluations/{evaluation_id}/report`): its surveys' results (rounded while a survey
runs, suppressed tables once the committee has published them), the ideas and FPH
projects of its questions' orientations in the years open data published, the
signatories' measured commitments (a missing value is null, never zero), the workshops,
the published quotations, and the quartiers compared.

Errors are JSON, `{"error": "…"}`, whatever their status: a wrong filter (400), a token
that is wrong or cannot read a table (401, 403), an unknown table, evaluation or path
(404), a method
other than GET, HEAD and OPTIONS (405, with `Allow`). Calls are limited per token, or per
address without one: past the limit the answer is a 429 with `Retry-After` (seconds)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from flask import Response, current_app, jsonify, request, url_for

from civic.accounts.permissions import is_pilot
from civic.core import clock
from civic.core.db import session as db
from civic.core.extensions import csrf, limiter
from civic.core.i18n import get_locale
from civic.core.permissions import can
from civic.core.web import timezone
from civic.pilotage import api_filters, bp, export, indicators, queries, release
from civic.pilotage.scope import Scope
from civic.pilotage.tables import Spec, Table
from civic.pilotage.views import (
    MAX_DAYS,
    compute_tables,
    open_request,
    open_tables,
    public_years,
    scope_from_request,
)
from civic.territory import queries as territory_queries

if TYPE_CHECKING:
    from civic.accounts.models import User

_TYPES: dict[str, dict[str, Any]] = {
    "text": {"type": "string"},
    "int": {"type": "integer"},
    "number": {"type": ["number", "null"], "description": "null when not measured"},
    "people": {"type": ["integer", "null"],
               "description": "null when fewer people than the secrecy threshold"},
    "money": {"type": "integer", "description": "euro cents"},
    "percent": {"type": ["number", "null"]},
    "days": {"type": ["number", "null"]},
    "date": {"type": "string", "description": "ISO 8601 date, empty when none"},
}


def _error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


class _BadToken(Exception):
    """A token was sent, but it is wrong, revoked, or its owner is gone."""


def _caller() -> Any:
    """The account of the token sent, or None without one."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    user = queries.owner_of(db(), value.strip(), now=clock.now()) if scheme.lower() == (
        "bearer") else None
    if user is None:
        raise _BadToken()
    return user


def readable(user: User | None) -> set[str]:
    """The keys of the tables ``user`` (None without a token) may read."""
    return {key for key, spec in indicators.ALL.items()
            if can(user, "pilotage.read_table", spec)}


def _rate_key() -> str:
    """Calls count per address (the visitor's, behind CIVIC_PROXY_FIX), token or not: a
    key taken from the header would give whoever sends a new made-up token each time a
    new allowance."""
    return f"api:{request.remote_addr}"


@bp.route("/api/v1/tables")
@csrf.exempt
@limiter.limit("120 per minute", key_func=_rate_key)
def api_tables() -> Response:
    try:
        user = _caller()
    except _BadToken:
        return _error(401, "invalid or revoked token")
    keys = readable(user)
    return jsonify({"tables": [
        {"key": key, "url": url_for("pilotage.api_table", key=key, _external=True)}
        for key in indicators.ALL if key in keys]})


@bp.route("/api/v1/tables/<key>")
@csrf.exempt
@limiter.limit("120 per minute", key_func=_rate_key)
def api_table(key: str) -> Response:
    try:
        user = _caller()
    except _BadToken:
        return _error(401, "invalid or revoked token")
    spec = indicators.ALL.get(key)
    if spec is None:
        return _error(404, "unknown table")
    if not can(user, "pilotage.read_table", spec):
        return _error(403 if user is not None else 401,
                      "this token cannot read this table" if user is not None
                      else "this table needs a token")
    query = {name: request.args.getlist(name) for name in api_filters.NAMES}
    problems = api_filters.check(query, max_days=MAX_DAYS)
    off_grid = [] if problems else api_filters.off_grid(
        query, years=public_years(), quarterly=key in release.QUARTERLY)
    if user is None:  # the public reads the open-data grid only
        problems = problems or off_grid
    if problems:
        return _error(400, "; ".join(f"{name}: {message}" for name, message in problems))
    quarter = int(query["trimestre"][0]) if query.get("trimestre") else None
    public = spec.audience == "open" and not is_pilot(user)
    if public and not off_grid:
        found = _published_table(key, quarter)
        if isinstance(found, Response):
            return found
        table, scope, quartier = found
    else:
        # A pilot's figures, or a signatory's own period (small cells hidden in it).
        form, scope = scope_from_request()
        if form.errors:
            return _form_error(form.errors)
        if quarter and scope.year:
            first, last = release.quarter_days(scope.year, quarter)
            scope = replace(scope, first_day=first, last_day=last)
        [table] = compute_tables([spec], scope, protect_all=public)
        quartier = form.quartier.data if scope.quartier_id else None
    body = export.json_table(table)
    body["scope"] = _scope_json(scope, quartier)
    body["secrecy_threshold"] = int(current_app.config["SMALL_CELL_THRESHOLD"])
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store" if user is not None else (
        "public, max-age=3600")
    return response


@bp.route("/api/v1/evaluations/<int:evaluation_id>/report")
@csrf.exempt
@limiter.limit("30 per minute", key_func=_rate_key)  # a whole report
def api_evaluation_report(evaluation_id: int) -> Response:
    """An evaluation's report, as its public page shows it."""
    # Imported here: the evaluation's report reads the steering figures, which this
    # module is part of.
    from civic.evaluation import report
    from civic.evaluation.models import Evaluation

    try:
        user = _caller()
    except _BadToken:
        return _error(401, "invalid or revoked token")
    evaluation = db().get(Evaluation, evaluation_id)
    contract = territory_queries.current_contract(db())
    if evaluation is None or contract is None or evaluation.contract_id != contract.id:
        return _error(404, "unknown evaluation")
    locale = get_locale()
    language = locale.language if locale else "fr"
    built = report.build(db(), evaluation, now=clock.now(), timezone=timezone(),
                         threshold=int(current_app.config["SMALL_CELL_THRESHOLD"]),
                         settle_days=int(current_app.config["OPEN_DATA_SETTLE_DAYS"]),
                         language=language)
    response = jsonify(report.as_json(
        built, language=language,
        media=lambda name: url_for("media", name=name, _external=True)))
    response.headers["Cache-Control"] = "no-store" if user is not None else (
        "public, max-age=600")
    return response


def _published_table(key: str, quarter: int | None
                     ) -> Response | tuple[Table, Scope, str | None]:
    """Open data as /donnees-ouvertes publishes it: the table from the year's release,
    its scope and quartier; or the error to answer."""
    if not public_years():
        return _error(404, "open data publishes a year once it has ended; no year is "
                           "published yet")
    grid, asked = open_request()
    if grid.errors:  # a quartier or an orientation that does not exist
        return _form_error(grid.errors)
    [table] = open_tables(asked, [key])
    scope = release.scope_of(asked.year, release.Slot(key, asked.quartier_id, quarter),
                             timezone(), asked.orientation_id)
    return table, scope, asked.quartier_code


def _form_error(errors: dict[str, Any]) -> Response:
    return _error(400, "; ".join(f"{name}: {' '.join(map(str, found))}"
                                 for name, found in errors.items()))


def _scope_json(scope: Scope, quartier: str | None) -> dict[str, Any]:
    return {"first_day": scope.first_day.isoformat(), "last_day": scope.last_day.isoformat(),
            "quartier": quartier, "orientation": scope.orientation_id}


@bp.route("/api/v1/openapi.json")
@csrf.exempt
@limiter.limit("30 per minute", key_func=_rate_key)  # a large document
def openapi() -> Response:
    """The OpenAPI document, from the tables' declarations: nothing is counted."""
    contract = territory_queries.current_contract(db())
    filters = api_filters.parameters(
        quartiers=[q.code for q in territory_queries.quartiers(db())],
        orientations=[o.id for o in territory_queries.orientations(db(), contract)]
        if contract else [], max_days=MAX_DAYS, years=public_years(),
        quarterly=release.QUARTERLY)
    return jsonify(document(list(indicators.ALL.values()), filters, server=url_for(
        "pilotage.api_tables", _external=True).rsplit("/tables", 1)[0]))


def _row_schema(spec: Spec) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for column in spec.columns:
        schema = dict(_TYPES[column.kind])
        text = " ".join(str(column.description or column.label).split())
        schema["description"] = (f"{text} ({schema['description']})"
                                 if "description" in schema else text)
        properties[column.key] = schema
    return {"type": "object", "properties": properties,
            "required": [c.key for c in spec.columns]}


#: What each error status of the API means (the body is always the Error schema).
_ERRORS = {
    400: "A filter is wrong: the message names it and says why",
    401: "Missing, invalid or revoked token",
    403: "The token cannot read this table",
    404: "Unknown table",
    429: "Too many calls for this token (or, without one, this address): wait "
         "`Retry-After` seconds",
}
#: The rate limiter's headers, on every answer of a limited route.
_LIMIT_HEADERS = {
    "X-RateLimit-Limit": "Calls allowed in the current window",
    "X-RateLimit-Remaining": "Calls left in the current window",
    "X-RateLimit-Reset": "End of the current window (Unix time, in seconds)",
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _limit_headers(*, retry_after: bool) -> dict[str, Any]:
    headers: dict[str, Any] = {name: {"description": text, "schema": {"type": "integer"}}
                               for name, text in _LIMIT_HEADERS.items()}
    if retry_after:
        headers["Retry-After"] = {"description": "Seconds to wait before calling again",
                                  "required": True,
                                  "schema": {"type": "integer", "minimum": 0}}
    return headers


def _responses(success: dict[str, Any], *errors: int) -> dict[str, Any]:
    """The responses of an operation: ``success`` (a 200) and the error statuses it
    can answer, the rate limit's 429 always."""
    found = {"200": {**success, "headers": _limit_headers(retry_after=False)}}
    for code in (*errors, 429):
        found[str(code)] = {"description": _ERRORS[code],
                            "content": _json({"$ref": "#/components/schemas/Error"})}
    found["429"]["headers"] = _limit_headers(retry_after=True)
    return found


def _table_schema(spec: Spec) -> dict[str, Any]:
    row = f"#/components/schemas/{spec.key}_row"
    return {
        "type": "object", "description": " ".join(str(spec.description).split()),
        "required": ["key", "title", "description", "columns", "rows", "total", "scope",
                     "secrecy_threshold"],
        "properties": {
            "key": {"const": spec.key}, "title": {"type": "string"},
            "description": {"type": "string"},
            "columns": {"type": "array", "items": {"$ref": "#/components/schemas/Column"}},
            "rows": {"type": "array", "items": {"$ref": row}},
            "total": {"oneOf": [{"$ref": row}, {"type": "null"}]},
            "scope": {"type": "object"},
            "secrecy_threshold": {"type": "integer"},
        }}


def _report_path() -> dict[str, Any]:
    """The operation of an evaluation's report."""
    responses = _responses({"description": "The evaluation's report",
                            "content": _json({"$ref": "#/components/schemas/EvaluationReport"})},
                           401, 404)
    responses["404"]["description"] = "No evaluation of the contract has this id"
    return {"get": {
        "summary": "An evaluation's report",
        "description": "Public, token or not: every count of people in it passes the "
                       "secrecy threshold.",
        "parameters": [{"name": "evaluation_id", "in": "path", "required": True,
                        "schema": {"type": "integer", "minimum": 1,
                                   "maximum": 2147483647}}],
        "responses": responses}}


def document(specs: Sequence[Spec], filters: list[dict[str, Any]], *,
             server: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description of the API, built from the tables' declarations
    (their ``Spec``: the same columns the answers have), from the filters' own
    schemas (``api_filters.parameters``) and from the evaluation report's schema
    (``civic.evaluation.report.SCHEMAS``, next to the code that builds it), so it cannot
    drift from what the API answers."""
    from civic.evaluation.report import SCHEMAS as REPORT_SCHEMAS  # see api_evaluation_report

    keys = [spec.key for spec in specs]
    schemas: dict[str, Any] = {
        "Error": {"type": "object", "properties": {"error": {"type": "string"}},
                  "required": ["error"]},
        "Column": {"type": "object", "required": ["key", "label", "kind", "description"],
                   "properties": {"key": {"type": "string"}, "label": {"type": "string"},
                                  "kind": {"enum": list(_TYPES)},
                                  "description": {"type": "string"}}},
        "TableList": {"type": "object", "required": ["tables"], "properties": {"tables": {
            "type": "array", "items": {
                "type": "object", "required": ["key", "url"],
                "properties": {"key": {"enum": keys},
                               "url": {"type": "string", "format": "uri"}}}}}},
    }
    for spec in specs:
        schemas[f"{spec.key}_row"] = _row_schema(spec)
        schemas[spec.key] = _table_schema(spec)
    schemas.update(REPORT_SCHEMAS)
    one_of = [{"$ref": f"#/components/schemas/{key}"} for key in keys]
    return {
        "openapi": "3.1.0",
        "info": {"title": "civic — steering data of the contrat de ville", "version": "1",
                 "description": __doc__},
        "servers": [{"url": server}],
        "components": {"schemas": schemas, "securitySchemes": {
            "token": {"type": "http", "scheme": "bearer"}}},
        "security": [{}, {"token": []}],
        "paths": {
            "/tables": {"get": {
                "summary": "The tables this caller may read",
                "responses": _responses({
                    "description": "Table keys and URLs",
                    "content": _json({"$ref": "#/components/schemas/TableList"})}, 401)}},
            "/tables/{key}": {"get": {
                "summary": "One table of indicators",
                "parameters": [{"name": "key", "in": "path", "required": True,
                                "schema": {"type": "string", "enum": keys}}, *filters],
                "responses": _responses({
                    "description": "The table", "content": _json({"oneOf": one_of})},
                    400, 401, 403, 404)}},
            "/evaluations/{evaluation_id}/report": _report_path(),
        },
    }
