"""Integers beyond the database's range, in paths and in filters: a visitor typing 20
digits gets "not found" or "bad request", never a server error."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

HUGE = "99999999999999999999"

#: Query arguments that lists and the dashboard read as numbers.
NUMERIC_ARGS = ["orientation", "quartier", "annee", "page", "signatory", "walk", "fund",
                "round", "kind", "status", "year"]


def _int_routes(app: Flask) -> list[str]:
    """Each GET route with an <int:…> part, with every such part set to HUGE."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or "<int:" not in rule.rule:
            continue
        path = re.sub(r"<int:\w+>", HUGE, rule.rule)
        path = re.sub(r"<(?:string:)?\w+>", "x", path)
        paths.append(path)
    return sorted(set(paths))


def test_every_int_route_answers_not_found_to_20_digits(app: Flask, client: Any,
                                                        db: Any) -> None:
    paths = _int_routes(app)
    assert len(paths) > 20  # the app's detail pages: events, ideas, rounds, points…
    for path in paths:
        status = client.get(path).status_code
        assert status in (302, 404), (path, status)  # 302: log in first
    from tests import factories

    pilot = factories.make_user(db, roles=[(factories.Role.PILOT, None)])
    with client.session_transaction() as session:
        session["_user_id"] = pilot.get_id()
        session["_fresh"] = True
    for path in paths:
        status = client.get(path).status_code
        assert status == 404, (path, status)


@pytest.mark.parametrize("page", ["/idees", "/evenements", "/fph", "/pilotage",
                                  "/pilotage/donnees", "/moderation", "/api/v1/tables"])
def test_20_digit_filters_are_refused_or_ignored(app: Flask, client: Any, db: Any,
                                                 contract: Any, quartier: Any,
                                                 page: str) -> None:
    from tests import factories

    pilot = factories.make_user(db, roles=[(factories.Role.PILOT, None)])
    with client.session_transaction() as session:
        session["_user_id"] = pilot.get_id()
        session["_fresh"] = True
    for arg in NUMERIC_ARGS:
        status = client.get(f"{page}?{arg}={HUGE}").status_code
        assert status in (200, 302, 400, 403, 404), (page, arg, status)
    for sub in (f"/quartiers/{quartier.code}/carte/points.geojson",
                f"/quartiers/{quartier.code}/idees", f"/quartiers/{quartier.code}/carte/liste"):
        for arg in NUMERIC_ARGS:
            status = client.get(f"{sub}?{arg}={HUGE}").status_code
            assert status in (200, 400, 404), (sub, arg, status)
