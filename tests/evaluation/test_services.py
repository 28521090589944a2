"""Indicators and their yearly values through the services: the rules, the journal,
the progress, and one value per year under a second click."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from civic.core.audit import AuditEntry
from civic.evaluation import queries, services
from civic.evaluation.models import IndicatorValue
from civic.evaluation.progress import progress
from tests.evaluation.conftest import INDICATOR, NOW


def values(**changes: Any) -> dict[str, Any]:
    found = {**INDICATOR, **changes}
    found["baseline"], found["target"] = Decimal(found["baseline"]), Decimal(found["target"])
    return found


def test_progress_goes_from_the_baseline_to_the_target_either_way() -> None:
    assert progress(Decimal(120), Decimal(300), Decimal(120)) == 0
    assert progress(Decimal(120), Decimal(300), Decimal("210.5")) == 50
    assert progress(Decimal(120), Decimal(300), Decimal(330)) == 117
    assert progress(Decimal(120), Decimal(300), Decimal(90)) == -17
    # Fewer days to repair a street lamp is better: the target is below the baseline.
    assert progress(Decimal(45), Decimal(30), Decimal(41)) == 27
    assert progress(Decimal(45), Decimal(30), None) is None  # missing is not zero


def test_an_indicator_needs_a_later_target_year_and_another_target(
        db: Any, people: dict, commitment: Any) -> None:
    with pytest.raises(services.EvaluationError) as error:
        services.add_indicator(db, commitment, values(target_year=2023),
                               actor=people["pilot"], now=NOW)
    assert (error.value.code, error.value.field) == ("target_not_after_baseline",
                                                     "target_year")
    with pytest.raises(services.EvaluationError) as error:
        services.add_indicator(db, commitment, values(target="120"), actor=people["pilot"],
                               now=NOW)
    assert (error.value.code, error.value.field) == ("target_is_baseline", "target")


def test_values_are_entered_once_a_year_and_corrected_in_the_journal(
        db: Any, people: dict, commitment: Any) -> None:
    indicator = services.add_indicator(db, commitment, values(), actor=people["pilot"],
                                       now=NOW)
    referent = people["signatory"]
    services.record_value(db, indicator, 2024, Decimal(150), "Bilan 2024", actor=referent,
                          now=NOW)
    # The same year again (a second click, or a correction): still one row, corrected.
    services.record_value(db, indicator, 2024, Decimal(155), "Bilan 2024, corrigé",
                          actor=referent, now=NOW)
    rows = list(db.scalars(select(IndicatorValue).where(
        IndicatorValue.indicator_id == indicator.id)))
    assert [(r.year, r.value, r.source) for r in rows] == [
        (2024, Decimal(155), "Bilan 2024, corrigé")]
    actions = list(db.scalars(select(AuditEntry.action).where(
        AuditEntry.target_type == "commitment_indicator",
        AuditEntry.target_id == str(indicator.id)).order_by(AuditEntry.id)))
    assert actions == ["evaluation.indicator_added", "evaluation.value_entered",
                       "evaluation.value_corrected"]


@pytest.mark.parametrize(("year", "source", "code", "field"), [
    (2022, "Bilan", "before_baseline", "year"),
    (2027, "Bilan", "future_year", "year"),
    (2025, "   ", "source_required", "source"),
])
def test_a_value_is_refused_before_the_baseline_in_the_future_or_without_source(
        db: Any, people: dict, commitment: Any, year: int, source: str, code: str,
        field: str) -> None:
    indicator = services.add_indicator(db, commitment, values(), actor=people["pilot"],
                                       now=NOW)
    with pytest.raises(services.EvaluationError) as error:
        services.record_value(db, indicator, year, Decimal(1), source,
                              actor=people["signatory"], now=NOW)
    assert (error.value.code, error.value.field) == (code, field)


def test_the_baseline_cannot_move_after_values_already_entered(
        db: Any, people: dict, commitment: Any) -> None:
    indicator = services.add_indicator(db, commitment, values(), actor=people["pilot"],
                                       now=NOW)
    services.record_value(db, indicator, 2024, Decimal(150), "Bilan", actor=None, now=NOW)
    with pytest.raises(services.EvaluationError) as error:
        services.update_indicator(db, indicator, values(baseline_year=2025),
                                  actor=people["pilot"], now=NOW)
    assert error.value.code == "values_before_baseline"


def test_the_board_shows_each_signatorys_measures_with_missing_years_missing(
        db: Any, people: dict, commitment: Any, other_commitment: Any, contract: Any,
        count_queries: Any) -> None:
    mine = services.add_indicator(db, commitment, values(), actor=None, now=NOW)
    services.add_indicator(db, other_commitment, values(label="Halls rénovés"),
                           actor=None, now=NOW)
    services.record_value(db, mine, 2024, Decimal("210.5"), "Bilan", actor=None, now=NOW)
    with count_queries() as counted:
        board = queries.board(db, contract)
    assert counted.n <= 3  # commitments, indicators, their values: whatever their number
    measures = {m.indicator.label: m for entry in board for item in entry.commitments
                for m in item.measures}
    assert measures["Personnes reçues à la permanence"].latest == (2024, Decimal("210.5"))
    assert measures["Personnes reçues à la permanence"].progress == 50
    assert measures["Halls rénovés"].latest is None
    assert measures["Halls rénovés"].progress is None


def test_removing_an_indicator_removes_its_values_and_is_journaled(
        db: Any, people: dict, commitment: Any) -> None:
    indicator = services.add_indicator(db, commitment, values(), actor=None, now=NOW)
    services.record_value(db, indicator, 2024, Decimal(150), "Bilan", actor=None, now=NOW)
    services.remove_indicator(db, indicator, actor=people["pilot"], now=NOW)
    assert db.scalars(select(IndicatorValue)).all() == []
    assert db.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)) \
        == "evaluation.indicator_removed"
