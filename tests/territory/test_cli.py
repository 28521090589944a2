"""``flask territory import-qpv``: create, then update on re-import, and say what was skipped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from civic.territory.models import Quartier
from tests.territory.test_geo import SHARED, SQUARE, collection, feature


def run(app: Any, db: Any, *args: str) -> Any:
    db.commit()  # the command opens its own transaction (the outer one stays open)
    return app.test_cli_runner().invoke(args=["territory", "import-qpv", *args])


def test_import_creates_then_updates_without_duplicates(app: Any, db: Any, contract: Any,
                                                        tmp_path: Path) -> None:
    first = run(app, db, str(SHARED))
    assert first.exit_code == 0, first.output
    assert "4 created, 0 updated, 0 unchanged, 0 skipped." in first.output
    assert db.scalar(select(func.count(Quartier.id))) == 4

    again = run(app, db, str(SHARED))
    assert "0 created, 0 updated, 4 unchanged, 0 skipped." in again.output

    edition_2024 = tmp_path / "qpv2024.geojson"
    edition_2024.write_text(json.dumps(collection(
        feature({"code_qp": "QP031010", "lib_qp": "Empalot (2024)", "lib_com": "Toulouse"}),
        feature({"code_qp": "QN03101M", "lib_qp": "Nouveau", "lib_com": "Toulouse"}),
        feature({"lib_qp": "Sans code"}),
    )), encoding="utf-8")
    third = run(app, db, str(edition_2024))
    assert "1 created, 1 updated, 0 unchanged, 1 skipped." in third.output
    assert "skipped   feature 3 (no code): no valid QPV code" in third.output
    empalot = db.scalar(select(Quartier).where(Quartier.code == "QP031010"))
    assert (empalot.name, empalot.perimeter) == ("Empalot (2024)", SQUARE)
    assert db.scalar(select(func.count(Quartier.id))) == 5


def test_import_refuses_a_file_that_is_not_geojson(app: Any, db: Any, contract: Any,
                                                   tmp_path: Path) -> None:
    path = tmp_path / "notes.geojson"
    path.write_text("ceci n'est pas du json", encoding="utf-8")
    result = run(app, db, str(path))
    assert result.exit_code != 0
    assert "notes.geojson" in result.output


def test_a_quartier_of_another_departement_is_imported_with_a_warning(
        app: Any, db: Any, contract: Any, tmp_path: Path) -> None:
    run(app, db, str(SHARED))  # Toulouse: Haute-Garonne (31)
    elsewhere = tmp_path / "tarbes.geojson"
    elsewhere.write_text(json.dumps(collection(feature(
        {"code_qp": "QP065004", "nom_qp": "Tarbes Est", "commune_qp": "Tarbes",
         "nom_commune": "Séméac, Tarbes", "code_departement": "65"}))), encoding="utf-8")
    result = run(app, db, str(elsewhere))
    assert "1 created" in result.output
    assert ("warning   QP065004 is in département 65, the contract's quartiers in 31"
            in result.output)
    tarbes = db.scalar(select(Quartier).where(Quartier.code == "QP065004"))
    assert tarbes.commune == "Séméac, Tarbes"
    again = run(app, db, str(SHARED))
    assert "warning" not in again.output
