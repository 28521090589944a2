"""The read-only JSON API of the steering data, under ``/api/v1/``, described by the
OpenAPI document it serves at ``/api/v1/openapi.json``.

A program sends ``Authorization: Bearer <token>`` (a token made on « Mes jetons d’accès »).
A pilot's token reads every table; a signatory's token the cooperative dashboard's
tables and open data; without a token, open data only (small cells hidden)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Response, current_app, jsonify, request, url_for

from civic.accounts.permissions import is_pilot
from civic.core import clock
from civic.core.db import session as db
from civic.core.extensions import csrf, limiter
from civic.core.web import timezone
from civic.pilotage import bp, export, indicators, tokens
from civic.pilotage.permissions import is_signatory
from civic.pilotage.scope import Scope
from civic.pilotage.tables import Table
from civic.pilotage.views import compute_tables, scope_from_request

if TYPE_CHECKING:
    from civic.accounts.models import User

OPEN = {f.__name__ for f in indicators.OPEN}
COOPERATIVE = {f.__name__ for f in indicators.COOPERATIVE}

_TYPES: dict[str, dict[str, Any]] = {
    "text": {"type": "string"},
    "int": {"type": "integer"},
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
    user = tokens.owner_of(db(), value.strip(), now=clock.now()) if scheme.lower() == (
        "bearer") else None
    if user is None:
        raise _BadToken()
    return user


def readable(user: User) -> set[str]:
    if is_pilot(user):
        return set(indicators.ALL)
    if is_signatory(user):
        return COOPERATIVE | OPEN
    return set(OPEN)


def _rate_key() -> str:
    """A token's calls count together; without one, an address's."""
    header = request.headers.get("Authorization", "")
    return f"token:{header[-16:]}" if header else f"ip:{request.remote_addr}"


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
    if key not in indicators.ALL:
        return _error(404, "unknown table")
    if key not in readable(user):
        return _error(403 if user is not None else 401,
                      "this token cannot read this table" if user is not None
                      else "this table needs a token")
    form, scope = scope_from_request()
    if form.errors:
        return _error(400, "; ".join(f"{name}: {' '.join(map(str, errors))}"
                                     for name, errors in form.errors.items()))
    # Open tables are published with small cells hidden (as on /donnees-ouvertes) to
    # anyone but a pilot; a signatory reads the cooperative tables as on its page.
    protect_all = key in OPEN and not is_pilot(user)
    [table] = compute_tables([indicators.ALL[key]], scope, protect_all=protect_all)
    body = export.json_table(table)
    body["scope"] = _scope_json(scope, form.quartier.data if scope.quartier_id else None)
    body["secrecy_threshold"] = int(current_app.config["SMALL_CELL_THRESHOLD"])
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store" if user is not None else (
        "public, max-age=3600")
    return response


def _scope_json(scope: Scope, quartier: str | None) -> dict[str, Any]:
    return {"first_day": scope.first_day.isoformat(), "last_day": scope.last_day.isoformat(),
            "quartier": quartier, "orientation": scope.orientation_id}


@bp.route("/api/v1/openapi.json")
@csrf.exempt
def openapi() -> Response:
    from civic.pilotage.scope import for_year

    scope = for_year(clock.local_day(clock.now(), timezone()).year)
    tables = [f(db(), scope) for f in indicators.ALL.values()]
    return jsonify(document(tables, server=url_for("pilotage.api_tables", _external=True)
                            .rsplit("/tables", 1)[0]))


def _row_schema(table: Table) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for column in table.columns:
        schema = dict(_TYPES[column.kind])
        text = " ".join(str(column.description or column.label).split())
        schema["description"] = (f"{text} ({schema['description']})"
                                 if "description" in schema else text)
        properties[column.key] = schema
    return {"type": "object", "properties": properties,
            "required": [c.key for c in table.columns]}


def document(tables: list[Table], *, server: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description of the API, built from the tables themselves, so it
    cannot drift from what the API answers."""
    filters = [
        {"name": "annee", "in": "query", "schema": {"type": "integer", "minimum": 2000,
                                                      "maximum": 2100},
         "description": "Calendar year (default: the current year)."},
        {"name": "du", "in": "query", "schema": {"type": "string", "format": "date"},
         "description": "First day, with `au`, instead of a year."},
        {"name": "au", "in": "query", "schema": {"type": "string", "format": "date"},
         "description": "Last day, included."},
        {"name": "quartier", "in": "query", "schema": {"type": "string"},
         "description": "Official code of a quartier (QP… or QN…)."},
        {"name": "orientation", "in": "query", "schema": {"type": "integer"},
         "description": "Id of an orientation of the contract (FPH and ideas)."},
    ]
    schemas: dict[str, Any] = {
        "Error": {"type": "object", "properties": {"error": {"type": "string"}},
                  "required": ["error"]},
        "Column": {"type": "object", "required": ["key", "label", "kind", "description"],
                   "properties": {"key": {"type": "string"}, "label": {"type": "string"},
                                  "kind": {"enum": list(_TYPES)},
                                  "description": {"type": "string"}}},
    }
    one_of = []
    for table in tables:
        row = f"{table.key}_row"
        schemas[row] = _row_schema(table)
        schemas[table.key] = {
            "type": "object", "description": " ".join(str(table.description).split()),
            "required": ["key", "title", "description", "columns", "rows", "total", "scope",
                         "secrecy_threshold"],
            "properties": {
                "key": {"const": table.key}, "title": {"type": "string"},
                "description": {"type": "string"},
                "columns": {"type": "array", "items": {"$ref": "#/components/schemas/Column"}},
                "rows": {"type": "array", "items": {"$ref": f"#/components/schemas/{row}"}},
                "total": {"oneOf": [{"$ref": f"#/components/schemas/{row}"},
                                    {"type": "null"}]},
                "scope": {"type": "object"},
                "secrecy_threshold": {"type": "integer"},
            }}
        one_of.append({"$ref": f"#/components/schemas/{table.key}"})
    errors = {str(code): {"description": text, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}
        for code, text in ((400, "Wrong filter"), (401, "Missing, invalid or revoked token"),
                           (403, "The token cannot read this table"),
                           (404, "Unknown table"))}
    return {
        "openapi": "3.1.0",
        "info": {"title": "civic — steering data of the contrat de ville", "version": "1",
                 "description": __doc__},
        "servers": [{"url": server}],
        "components": {"schemas": schemas, "securitySchemes": {
            "token": {"type": "http", "scheme": "bearer"}}},
        "security": [{}, {"token": []}],
        "paths": {
            "/tables": {"get": {"summary": "The tables this caller may read",
                                "responses": {"200": {"description": "Table keys and URLs",
                                                      "content": {"application/json": {}}},
                                              "401": errors["401"]}}},
            "/tables/{key}": {"get": {
                "summary": "One table of indicators",
                "parameters": [{"name": "key", "in": "path", "required": True,
                                "schema": {"enum": [t.key for t in tables]}}, *filters],
                "responses": {"200": {"description": "The table", "content": {
                    "application/json": {"schema": {"oneOf": one_of}}}},
                    **{code: errors[code] for code in ("400", "401", "403", "404")}}}},
        },
    }

