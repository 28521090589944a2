"""The results as residents read them: each project's votes as a bar and a share, what
happens to the money left, how ties were broken, and never a project nobody voted for."""

from __future__ import annotations

from typing import Any

import pytest

from civic.budget import counting
from civic.budget.forms import FundForm
from tests import factories
from tests.factories import NOW


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


def test_a_project_nobody_voted_for_is_not_funded_by_default(app: Any, db: Any,
                                                              quartier: Any) -> None:
    with app.test_request_context():
        assert FundForm().min_score.data == 1
    fund = factories.make_fund(db, quartier, min_score=1, envelope_cents=200_000)
    round_ = factories.make_round(db, fund, "counting")
    liked, nobody = (factories.make_project(db, round_, amount_cents=n) for n in
                     (100_000, 30_000))
    with app.test_request_context():
        results = counting.compute(db, round_, [{str(liked.id): 1}] * 3, {"online": 3})
        assert results["selected"] == [liked.id]  # 1 000 € left, yet nobody wanted it
        fund.min_score = 0
        db.flush()
        assert counting.compute(db, round_, [{str(liked.id): 1}] * 3,
                                {"online": 3})["selected"] == [liked.id, nobody.id]
        assert "permet de financer un projet sans aucune voix" in counting.explain(fund)


def test_the_results_page_shows_shares_the_money_left_and_the_ties(
        client: Any, db: Any, quartier: Any) -> None:
    fund = factories.make_fund(db, quartier, min_score=1, envelope_cents=200_000)
    round_ = factories.make_round(db, fund, "results")
    a, b = (factories.make_project(db, round_, title=t, amount_cents=n)
            for t, n in (("Fresque", 120_000), ("Bancs", 50_000)))
    round_.results = {"rule": "greedy", "envelope_cents": 200_000, "spent_cents": 170_000,
                      "left_cents": 30_000, "voters": 4, "ballots": 4, "population": None,
                      "turnout_rate": None, "turnout": {"online": 4},
                      "selected": [a.id, b.id],
                      "projects": [{"id": a.id, "title": "Fresque", "amount_cents": 120_000,
                                    "score": 3, "selected": True},
                                   {"id": b.id, "title": "Bancs", "amount_cents": 50_000,
                                    "score": 1, "selected": True}]}
    db.flush()
    page = client.get(f"/fph/{round_.id}/resultats").get_data(as_text=True)
    assert "Part des votants" in page
    assert '<meter min="0" max="100" value="75.0"' in page
    assert "75 %" in page
    assert "25 %" in page
    assert "Il reste 300,00" in page
    assert "le règlement du fonds dit ce qu’il devient" in page
    assert "à prix égal, celui dont le numéro vient d’abord" in page
    assert "au moins 1 voix ou points" in page


def test_the_ballots_file_says_how_ties_are_broken(app: Any, db: Any, quartier: Any) -> None:
    round_ = factories.make_round(db, factories.make_fund(db, quartier), "results")
    factories.make_project(db, round_)
    with app.test_request_context():
        text = counting.export_pb(db, round_)
    assert "comment;ties: the cheaper project first, then the project id compared as text" \
        in text
