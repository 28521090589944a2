"""``pb import`` brings a real election in as a published round; ``pb export`` gives its
anonymous ballots back; ``fph destroy-secrets`` cuts the register from its owners."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from civic.budget import pabulib, tally
from civic.budget.models import Ballot, Round
from tests import factories

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "pabulib"
ASSEN = SHARED / "Netherlands_Assen_2024.pb"


def test_import_then_export_keeps_the_official_result(app: Any, db: Any, quartier: Any,
                                                      tmp_path: Path) -> None:
    db.commit()  # the command opens its own transaction (the outer one stays open)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["pb", "import", str(ASSEN), "--quartier", quartier.code])
    assert result.exit_code == 0, result.output
    round_ = db.scalar(select(Round).order_by(Round.id.desc()))
    assert round_.results_published_at is not None
    assert round_.fund.tally_rule == "equal-shares"
    assert db.scalar(select(func.count()).select_from(Ballot)
                     .where(Ballot.round_id == round_.id)) == 84

    official = pabulib.read(ASSEN.read_text(encoding="utf-8")).selected()
    titles = {p.id: p.title for p in round_.projects}
    by_title = {row["name"]: pid for pid, row in pabulib.read(
        ASSEN.read_text(encoding="utf-8")).projects.items()}
    assert sorted(by_title[titles[i]] for i in round_.results["selected"]) == sorted(official)

    out = tmp_path / "round.pb"
    exported = runner.invoke(args=["pb", "export", str(round_.id), "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    again = pabulib.read(out.read_text(encoding="utf-8"))
    recount = tally.RULES["equal-shares"](again.election())
    assert sorted(map(int, recount)) == sorted(round_.results["selected"])
    assert {v["voter_id"] for v in again.votes} == set(db.scalars(
        select(Ballot.id).where(Ballot.round_id == round_.id)))


def test_import_names_the_problem_of_a_bad_file(app: Any, db: Any, quartier: Any,
                                                tmp_path: Path) -> None:
    db.commit()
    bad = tmp_path / "bad.pb"
    bad.write_text("META\nkey;value\nbudget;abc\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["pb", "import", str(bad), "--quartier",
                                                quartier.code])
    assert result.exit_code != 0
    assert "bad.pb" in result.output
    assert "line" in result.output


def test_register_keys_are_destroyed_months_after_the_results(app: Any, db: Any,
                                                              quartier: Any) -> None:
    from datetime import timedelta

    from civic.core import clock

    fund = factories.make_fund(db, quartier)
    old = factories.make_round(db, fund, "follow_up",
                               results_published_at=clock.now() - timedelta(days=400))
    recent = factories.make_round(db, fund, "results",
                                  results_published_at=clock.now() - timedelta(days=10))
    old_id, recent_id = old.id, recent.id
    db.commit()
    result = app.test_cli_runner().invoke(args=["fph", "destroy-secrets"])
    assert "1 round(s)" in result.output
    assert db.get(Round, old_id).secret is None
    assert db.get(Round, recent_id).secret is not None
