"""Commitments to measure: the fixture signatory's (Ville de Testville) and another's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from civic.territory.models import Commitment
from tests import factories

NOW = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


@pytest.fixture
def orientation(db: Any, contract: Any) -> Any:
    return factories.make_orientation(db, contract, name="Emploi et insertion")


@pytest.fixture
def commitment(db: Any, signatory: Any, orientation: Any) -> Commitment:
    found = Commitment(signatory_id=signatory.id, orientation_id=orientation.id,
                       text="Une permanence emploi chaque semaine.")
    db.add(found)
    db.flush()
    return found


@pytest.fixture
def other_commitment(db: Any, contract: Any, orientation: Any) -> Commitment:
    other = factories.make_signatory(db, contract, name="Bailleur social")
    found = Commitment(signatory_id=other.id, orientation_id=orientation.id,
                       text="Rénover les halls d’immeubles.")
    db.add(found)
    db.flush()
    return found


INDICATOR = {"label": "Personnes reçues à la permanence", "unit": "personnes",
             "baseline": "120", "baseline_year": 2023, "target": "300", "target_year": 2030}
