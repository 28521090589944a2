"""The pages of the measured commitments: who sees and does what, and hostile or
mistaken input answered next to its field, never with a 500."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from civic.evaluation import services
from civic.evaluation.models import CommitmentIndicator, IndicatorValue
from tests.evaluation.conftest import INDICATOR, NOW


@pytest.fixture
def indicator(db: Any, commitment: Any) -> CommitmentIndicator:
    return services.add_indicator(db, commitment, {
        **INDICATOR, "baseline": Decimal(INDICATOR["baseline"]),
        "target": Decimal(INDICATOR["target"])}, actor=None, now=NOW)


def test_the_referent_enters_a_value_with_a_french_comma(
        login_as: Any, db: Any, people: dict, indicator: Any) -> None:
    client = login_as(people["signatory"])
    page = client.get(f"/engagements/indicateurs/{indicator.id}/valeur")
    assert page.status_code == 200
    assert 'value="2025"' in page.get_data(as_text=True)  # last year, proposed
    answer = client.post(f"/engagements/indicateurs/{indicator.id}/valeur", data={
        "year": "2025", "value": "1 210,5", "source": "Bilan de la Mission locale"})
    assert answer.status_code == 302
    [row] = db.scalars(select(IndicatorValue)).all()
    assert (row.year, row.value, row.entered_by_id) == (2025, Decimal("1210.50"),
                                                        people["signatory"].id)
    board = client.get("/engagements").get_data(as_text=True)
    assert "Dernière valeur : 1 210,5 en 2025." in board.replace("\u202f", " ") \
        .replace("\xa0", " ")
    assert "Pas de valeur" in board  # 2023, 2024 and 2026 stay missing


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"value": "beaucoup"}, "value", "Écrivez un nombre, par exemple 120 ou 12,5."),
    ({"value": "1e999"}, "value", "Écrivez un nombre, par exemple 120 ou 12,5."),
    ({"value": "NaN"}, "value", "Écrivez un nombre, par exemple 120 ou 12,5."),
    ({"value": "9" * 40}, "value", "Écrivez un nombre, par exemple 120 ou 12,5."),
    ({"value": "1,234"}, "value", "Écrivez un nombre, par exemple 120 ou 12,5."),
    ({"year": "deux mille"}, "year", "Indiquez une année entre 2000 et 2100."),
    ({"year": "99999999999999999999"}, "year", "Indiquez une année entre 2000 et 2100."),
    ({"year": "2027"}, "year", "Cette année n’est pas encore passée."),
    ({"year": "2020"}, "year", "Cette année vient avant le point de départ de l’indicateur."),
    ({"source": "Bilan\x00"}, "source", None),
    ({"source": ""}, "source", "Ce champ est obligatoire."),
])
def test_a_wrong_value_is_told_next_to_its_field_and_kept(
        login_as: Any, db: Any, people: dict, indicator: Any, data: dict, field: str,
        message: str | None) -> None:
    client = login_as(people["signatory"])
    sent = {"year": "2025", "value": "210", "source": "Bilan", **data}
    answer = client.post(f"/engagements/indicateurs/{indicator.id}/valeur", data=sent)
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    if message is not None:
        assert message in page, page[page.find(f'id="{field}-error"'):][:200]
    assert db.scalars(select(IndicatorValue)).all() == []


def test_a_pilot_adds_changes_and_removes_an_indicator(
        login_as: Any, db: Any, people: dict, commitment: Any) -> None:
    client = login_as(people["pilot"])
    refused = client.post(f"/engagements/{commitment.id}/indicateur", data={
        **INDICATOR, "target": "120"})
    assert refused.status_code == 400
    assert "L’objectif doit être différent du point de départ." in refused.get_data(
        as_text=True)
    assert 'value="Personnes reçues à la permanence"' in refused.get_data(as_text=True)
    added = client.post(f"/engagements/{commitment.id}/indicateur", data={
        **INDICATOR, "baseline": "12,5"})
    assert added.status_code == 302
    indicator = db.scalars(select(CommitmentIndicator)).one()
    assert indicator.baseline == Decimal("12.50")
    changed = client.post(f"/engagements/indicateurs/{indicator.id}", data={
        **INDICATOR, "target": "350"})
    assert changed.status_code == 302
    assert db.get(CommitmentIndicator, indicator.id).target == Decimal(350)
    unconfirmed = client.post(f"/engagements/indicateurs/{indicator.id}/supprimer")
    assert unconfirmed.status_code == 400
    assert "Cochez la case pour confirmer." in unconfirmed.get_data(as_text=True)
    removed = client.post(f"/engagements/indicateurs/{indicator.id}/supprimer",
                          data={"remove-confirm": "y"})
    assert removed.status_code == 302
    assert db.scalars(select(CommitmentIndicator)).all() == []


def test_pages_refuse_who_may_not_and_know_nothing_of_unknown_ids(
        login_as: Any, client: Any, db: Any, people: dict, indicator: Any,
        other_commitment: Any) -> None:
    other = services.add_indicator(db, other_commitment, {
        **INDICATOR, "baseline": Decimal(1), "target": Decimal(2)}, actor=None, now=NOW)
    assert client.get("/engagements").status_code in (302, 403)  # anonymous
    referent = login_as(people["signatory"])
    assert referent.get("/engagements").status_code == 200
    assert referent.get(f"/engagements/indicateurs/{other.id}/valeur").status_code == 403
    assert referent.post(f"/engagements/indicateurs/{other.id}/valeur", data={
        "year": "2025", "value": "1", "source": "x"}).status_code == 403
    assert referent.get(f"/engagements/indicateurs/{indicator.id}").status_code == 403
    assert referent.get("/engagements/indicateurs/99999/valeur").status_code == 404
    assert referent.get("/engagements/indicateurs/99999999999999999999/valeur"
                        ).status_code == 404
    resident = login_as(people["resident"])
    assert resident.get("/engagements").status_code == 403


def test_the_cooperative_dashboard_shows_progress_and_missing_values_as_missing(
        login_as: Any, db: Any, people: dict, indicator: Any, other_commitment: Any) -> None:
    services.add_indicator(db, other_commitment, {
        **INDICATOR, "label": "Halls rénovés", "baseline": Decimal(0),
        "target": Decimal(40)}, actor=None, now=NOW)
    services.record_value(db, indicator, 2025, Decimal("210.5"), "Bilan", actor=None,
                          now=NOW)
    client = login_as(people["signatory"])
    table = client.get("/api/v1/tables/measured_commitments?annee=2025")
    assert table.status_code == 401  # a table of the cooperative dashboard needs a token
    from civic.pilotage.indicators import measured_commitments
    from civic.pilotage.scope import for_year

    rows = {r["indicator"]: r for r in measured_commitments(db, for_year(2025)).rows}
    assert (rows["Personnes reçues à la permanence"]["latest"],
            rows["Personnes reçues à la permanence"]["progress"]) == (210.5, 50)
    assert (rows["Halls rénovés"]["latest"], rows["Halls rénovés"]["progress"]) == (None,
                                                                                    None)
    # Read for 2024, the value of 2025 is not known yet.
    earlier = {r["indicator"]: r for r in measured_commitments(db, for_year(2024)).rows}
    assert earlier["Personnes reçues à la permanence"]["latest"] is None
    page = client.get("/pilotage/cooperatif?annee=2025").get_data(as_text=True)
    assert "Engagements mesurés" in page
