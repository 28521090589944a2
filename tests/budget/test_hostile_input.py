"""Hostile values on every FPH form: a 4xx or the form again, never a 500 or raw markup."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.factories import NOW
from tests.test_hostile_input import HOSTILE, SCRIPT


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


FORMS = [
    ("resident", "submission", "/fph/{round}/proposer",
     ["title", "summary", "description", "amount_cents", "lines-0-label",
      "lines-0-amount_cents", "orientation_id", "carrier_kind", "carrier_name", "contact",
      "place", "latitude", "longitude"]),
    ("moderator", "review", "/fph/projets/{project}/examen",
     ["within_cap", "decision", "merge_into", "message"]),
    ("resident", "vote", "/fph/{round}/voter",
     ["name", "birth_date", "lives_in_quartier", "project", "points-1", "step"]),
    (None, "vote", "/fph/recu", ["code"]),
    ("pilot", "vote", "/admin/fph/fonds/nouveau",
     ["quartier_id", "year", "envelope_cents", "cap_cents", "min_project_cents", "min_age",
      "rules_text", "vote_method", "approval_min", "approval_max", "points_total",
      "points_max", "tally_rule", "min_score"]),
    ("pilot", "vote", "/admin/fph/fonds/{fund}/sessions/nouvelle",
     ["title", "submission_starts_at", "review_starts_at", "vote_starts_at", "vote_ends_at",
      "follow_up_starts_at"]),
    ("pilot", "results", "/fph/projets/{funded}/suivi",
     ["part", "status-follow_up", "status-spent_cents", "news-text"]),
]


@pytest.mark.parametrize(("who", "phase", "url", "fields"), FORMS, ids=[f[2] for f in FORMS])
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_never_break_an_fph_form(login_as: Any, client: Any, db: Any,
                                                people: dict, quartier: Any, who: str | None,
                                                phase: str, url: str, fields: list[str],
                                                value: str) -> None:
    fund = factories.make_fund(db, quartier)
    round_ = factories.make_round(db, fund, phase)
    author = factories.make_user(db)
    project = factories.make_project(db, round_, author, status="submitted")
    funded = factories.make_project(db, round_, follow_up="to_start")
    if who:
        login_as(people[who])
    target = url.format(round=round_.id, project=project.id, fund=fund.id, funded=funded.id)
    data = dict.fromkeys(fields, value)
    if "part" in data:
        data["part"] = "status" if len(value) % 2 else "news"
    response = client.post(target, data=data)
    assert response.status_code < 500
    body = response.get_data(as_text=True)
    assert SCRIPT not in body
    assert "<img src=x" not in body
