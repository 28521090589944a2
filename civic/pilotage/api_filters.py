"""The filters of the API's tables (``annee``, ``du``, ``au``, ``quartier``,
``orientation``): the JSON Schemas the OpenAPI document gives them and the check of a
query against those schemas, side by side so that the document and the API say the same.

A value is refused when it is empty, given twice, or not of its schema: a JSON integer
for ``annee`` and ``orientation``, a real day ``YYYY-MM-DD`` of the years 2000 to 2100
for ``du`` and ``au``. Whether a quartier or an orientation exists (the schemas' enums)
is for the caller, who knows the database. The rules JSON Schema cannot state because
they tie two parameters together (a period is ``du`` and ``au`` together, in order, at
most ``max_days`` long; it takes precedence over ``annee``) are in the descriptions and
checked here.

Pure: no Flask, no database."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

#: The years a period may touch (the same as the dashboard's filter).
YEARS = (2000, 2100)
#: A day of the years 2000 to 2100, written YYYY-MM-DD (a real day is checked too).
DATE_PATTERN = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
#: A JSON integer: how ``"type": "integer"`` is written in a query.
INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")
_DATE = re.compile(DATE_PATTERN)
NAMES = ("annee", "trimestre", "du", "au", "quartier", "orientation")

_A_YEAR = f"a year from {YEARS[0]} to {YEARS[1]}"
_A_DAY = f"a day written YYYY-MM-DD, from {YEARS[0]}-01-01 to {YEARS[1]}-12-31"


def parameters(*, quartiers: Sequence[str], orientations: Sequence[int],
               max_days: int, years: Sequence[int], quarterly: Sequence[str]
               ) -> list[dict[str, Any]]:
    """The query parameters of ``/tables/{key}``, as OpenAPI 3.1 parameter objects: the
    official codes of the quartiers and the ids of the orientations that exist are their
    enums (no value is valid when there are none)."""
    return [
        {"name": "annee", "in": "query",
         "schema": {"type": "integer", "minimum": YEARS[0], "maximum": YEARS[1]},
         "description": "Calendar year (default: the current year, or without a token the "
                        "latest year published); `du` and `au` take "
                        "precedence. Without a token, a year that open data publishes: one "
                        "of the contract's years that has ended, published once and never "
                        f"changed after ({', '.join(map(str, years)) or 'none yet'})."},
        {"name": "trimestre", "in": "query",
         "schema": {"type": "integer", "minimum": 1, "maximum": 4},
         "description": "A quarter of `annee` (1 to 4); `du` and `au` take precedence. Without "
                        "a token, only for the tables that count acts "
                        f"({', '.join(quarterly)}): the others count distinct people and "
                        "are published by calendar year only."},
        {"name": "du", "in": "query", "schema": _day(),
         "description": f"First day of a period, instead of a year; needs `au`. Days go "
                        f"from {YEARS[0]}-01-01 to {YEARS[1]}-12-31. Needs a pilot's or a "
                        "signatory's token: the public reads calendar years and quarters "
                        "only (a 400 otherwise)."},
        {"name": "au", "in": "query", "schema": _day(),
         "description": f"Last day of the period, included; needs `du`, on or after it "
                        f"and at most {max_days} days later."},
        {"name": "quartier", "in": "query",
         "schema": {"type": "string", "enum": list(quartiers)} if quartiers else {"not": {}},
         "description": "Official code of a quartier of the contract (QP… or QN…)."},
        {"name": "orientation", "in": "query",
         "schema": ({"type": "integer", "enum": list(orientations)} if orientations
                    else {"not": {}}),
         "description": "Id of an orientation of the contract (FPH and ideas)."},
    ]


def off_grid(query: Mapping[str, Sequence[str]], *, years: Sequence[int],
             quarterly: bool) -> list[tuple[str, str]]:
    """What takes a public request (without a token) off the open-data grid, on a query
    that ``check`` accepted: a period of one's choice, a year the contract does not
    cover, a quarter of a table published by year only. Each message names the values
    allowed."""
    allowed = ", ".join(map(str, years)) or "none yet"
    problems: list[tuple[str, str]] = []
    for name in ("du", "au"):
        if query.get(name):
            problems.append((name, "a period of your choice needs a pilot's or a signatory's "
                                   f"token; the public reads calendar years (annee: {allowed})"
                                   " and, for some tables, their quarters (trimestre: 1 to 4)"))
    year = list(query.get("annee", ()))
    if year and int(year[0]) not in years:
        problems.append(("annee", f"open data covers the years {allowed} (a year is "
                                  "published once it has ended, and never changes after)"))
    if query.get("trimestre") and not quarterly:
        problems.append(("trimestre", "this table counts distinct people: it is published "
                                      "by calendar year only, leave trimestre out"))
    return problems


def _day() -> dict[str, Any]:
    return {"type": "string", "format": "date", "pattern": DATE_PATTERN}


def check(query: Mapping[str, Sequence[str]], *, max_days: int) -> list[tuple[str, str]]:
    """What is wrong with the filters of ``query`` (every value given for each name), as
    (parameter, message) pairs in the order of the parameters; empty when each value
    has the shape its schema gives it and the period's rules hold. Other names are not
    filters and are left alone."""
    problems: list[tuple[str, str]] = []
    values: dict[str, str] = {}
    for name in NAMES:
        given = list(query.get(name, ()))
        problem = _one_value(name, given)
        if problem:
            problems.append((name, problem))
        elif given:
            values[name] = given[0]
    if not problems:
        problems = _period(values, max_days)
    return problems


def _one_value(name: str, given: list[str]) -> str | None:
    if not given:
        return None
    if len(given) > 1:
        return "given more than once"
    value = given[0]
    if value == "":
        return "empty value"
    if name == "annee":
        return None if _is_year(value) else f"not {_A_YEAR}"
    if name in ("du", "au"):
        return None if _day_of(value) else f"not {_A_DAY}"
    if name == "orientation" and not INTEGER.fullmatch(value):
        return "not an integer"
    if name == "trimestre" and value not in ("1", "2", "3", "4"):
        return "not a quarter: 1, 2, 3 or 4"
    return None


def _is_year(value: str) -> bool:
    # The length first: int() of thousands of digits is slow, then refused by Python.
    return bool(INTEGER.fullmatch(value)) and len(value) <= len(str(YEARS[1])) and (
        YEARS[0] <= int(value) <= YEARS[1])


def _day_of(value: str) -> date | None:
    if not _DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:  # 2026-02-30
        return None


def _period(values: dict[str, str], max_days: int) -> list[tuple[str, str]]:
    """The rules between ``annee``, ``du`` and ``au``, on values each of good shape."""
    first, last = _day_of(values.get("du", "")), _day_of(values.get("au", ""))
    if first is None and last is None:
        return []
    if first is None or last is None:
        missing, given = ("du", "au") if first is None else ("au", "du")
        return [(missing, f"needed with {given}")]
    if last < first:
        return [("au", "before du")]
    if (last - first).days > max_days:
        return [("au", f"more than {max_days} days after du")]
    return []
