"""The QPV reader accepts both national editions and explains every skipped feature."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civic.territory.geo import NotAFeatureCollection, bounds, geometry_problem, read_qpv_features

SHARED = Path(__file__).resolve().parents[2] / "civic" / "demo_data" / "qpv2015_toulouse_4.geojson"
SQUARE = {"type": "Polygon", "coordinates": [[[1.0, 43.0], [1.1, 43.0], [1.1, 43.1], [1.0, 43.0]]]}


def feature(properties: dict, geometry: dict | None = None) -> dict:
    return {"type": "Feature", "properties": properties,
            "geometry": SQUARE if geometry is None else geometry}


def collection(*features: dict) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def test_reads_the_real_2015_toulouse_file() -> None:
    found, skipped = read_qpv_features(json.loads(SHARED.read_text(encoding="utf-8")))
    assert [(f.code, f.name, f.commune) for f in found] == [
        ("QP031007", "Grand Mirail", "Toulouse"),
        ("QP031010", "Empalot", "Toulouse"),
        ("QP031014", "Soupetard", "Toulouse"),
        ("QP031019", "La Gloire", "Toulouse"),
    ]
    assert skipped == []
    assert all(f.geometry["type"] == "Polygon" for f in found)


def test_reads_the_2024_edition_property_names() -> None:
    found, skipped = read_qpv_features(collection(feature(
        {"code_qp": "QN09301M", "lib_qp": "Les Tilleuls", "insee_com": "93001",
         "lib_com": "Séméac, Tarbes", "insee_dep": "93"})))
    assert skipped == []
    assert (found[0].code, found[0].name, found[0].commune) == (
        "QN09301M", "Les Tilleuls", "Séméac, Tarbes")


@pytest.mark.parametrize(("properties", "geometry", "reason"), [
    ({"nom_qp": "Sans code"}, None, "no valid QPV code in code_qp (e.g. QN09301M)"),
    ({"code_qp": "31555", "nom_qp": "Mauvais code"}, None,
     "no valid QPV code in code_qp (e.g. QN09301M)"),
    ({"code_qp": "QN09301M"}, None, "no name in lib_qp or nom_qp"),
    ({"code_qp": "QN09301M", "lib_qp": "Point"}, {"type": "Point", "coordinates": [1, 43]},
     "geometry is not a Polygon or MultiPolygon"),
    ({"code_qp": "QN09301M", "lib_qp": "Lambert"},
     {"type": "Polygon", "coordinates": [[[570000, 6280000], [570100, 6280000],
                                          [570100, 6280100], [570000, 6280000]]]},
     "geometry is not in longitude/latitude degrees (WGS84)"),
    ({"code_qp": "QN09301M", "lib_qp": "Trop court"},
     {"type": "Polygon", "coordinates": [[[1, 43], [1.1, 43]]]},
     "geometry has fewer than 4 positions"),
    ({"code_qp": "QN09301M", "lib_qp": "Texte"},
     {"type": "Polygon", "coordinates": [[["a", "b"], [1, 2], [3, 4], [1, 2]]]},
     "geometry has a position that is not a pair of numbers"),
])
def test_skips_unusable_features_with_the_reason(properties: dict, geometry: dict | None,
                                                 reason: str) -> None:
    found, skipped = read_qpv_features(collection(feature(properties, geometry)))
    assert found == []
    assert [(s.position, s.reason) for s in skipped] == [(1, reason)]


def test_a_code_repeated_in_the_file_is_skipped_the_second_time() -> None:
    found, skipped = read_qpv_features(collection(
        feature({"code_qp": "QN09301M", "lib_qp": "Un"}),
        feature({"code_qp": "qn09301m", "lib_qp": "Deux"})))
    assert [f.name for f in found] == ["Un"]
    assert [(s.position, s.code) for s in skipped] == [(2, "QN09301M")]


@pytest.mark.parametrize("document", [[], {"type": "Feature"}, {"type": "FeatureCollection"}])
def test_refuses_what_is_not_a_feature_collection(document: object) -> None:
    with pytest.raises(NotAFeatureCollection):
        read_qpv_features(document)


def test_multipolygon_is_accepted_and_bounded() -> None:
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"], [[[2.0, 44.0],
             [2.5, 44.0], [2.5, 44.5], [2.0, 44.0]]]]}
    assert geometry_problem(multi) is None
    assert bounds(multi) == (1.0, 43.0, 2.5, 44.5)


def test_a_qpv_over_two_communes_keeps_both() -> None:
    """Tarbes Est in the 2015 file: « Tarbes » in commune_qp, « Séméac, Tarbes » in
    nom_commune; both communes are kept, once each."""
    found, _skipped = read_qpv_features(collection(feature(
        {"code_qp": "QP065004", "nom_qp": "Tarbes Est", "commune_qp": "Tarbes",
         "nom_commune": "Séméac, Tarbes", "code_departement": "65"})))
    assert (found[0].commune, found[0].departement) == ("Séméac, Tarbes", "65")


@pytest.mark.parametrize(("code", "properties", "expected"), [
    ("QP031007", {}, "31"), ("QN09301M", {}, "93"), ("QN97101M", {}, "971"),
    ("QN02A01M", {"insee_dep": "2A"}, "2A"), ("QP065004", {"code_departement": "065"}, "65"),
])
def test_the_departement_comes_from_the_file_or_the_code(code: str, properties: dict,
                                                        expected: str) -> None:
    found, _skipped = read_qpv_features(collection(feature(
        {"code_qp": code, "lib_qp": "Q", **properties})))
    assert found[0].departement == expected
