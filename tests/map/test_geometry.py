"""Point in perimeter with a tolerance, on the real QPV perimeters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from civic.map import geometry
from civic.map.geojson import feature_collection, problems

QPV = Path(__file__).resolve().parents[2] / "civic" / "demo_data" / "qpv2015_toulouse_4.geojson"


@pytest.fixture(scope="module")
def perimeters() -> dict[str, Any]:
    data = json.loads(QPV.read_text(encoding="utf-8"))
    return {f["properties"]["code_qp"]: f["geometry"] for f in data["features"]}


def test_inside_and_outside_the_real_perimeter_of_grand_mirail(perimeters: dict) -> None:
    mirail = perimeters["QP031007"]
    assert geometry.contains(mirail, 43.5724, 1.4046)  # near the middle of the quartier
    assert not geometry.contains(mirail, 43.6045, 1.4440)  # the Capitole, in the centre
    assert not geometry.within(mirail, 43.6045, 1.4440)
    assert geometry.distance_m(mirail, 43.6045, 1.4440) > 2_000


def test_the_tolerance_is_200_metres_outside_the_edge(perimeters: dict) -> None:
    """Walk north from the northernmost vertex: 150 m out is accepted, 250 m is not."""
    mirail = perimeters["QP031007"]
    lon, lat = max(mirail["coordinates"][0], key=lambda p: p[1])
    metre = 1 / 111_195  # degrees of latitude in a metre
    assert 140 < geometry.distance_m(mirail, lat + 150 * metre, lon) < 160
    assert geometry.within(mirail, lat + 150 * metre, lon)
    assert not geometry.within(mirail, lat + 250 * metre, lon)
    assert geometry.within(mirail, lat + 250 * metre, lon, tolerance_m=300)


def test_each_quartier_holds_its_own_points_only(perimeters: dict) -> None:
    empalot, mirail = perimeters["QP031010"], perimeters["QP031007"]
    (south, west), (north, east) = geometry.bounds(empalot)
    middle = ((south + north) / 2, (west + east) / 2)
    assert geometry.within(empalot, *middle)
    assert not geometry.within(mirail, *middle)


def test_holes_and_multipolygons() -> None:
    square = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]
    hole = [[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]]
    donut = {"type": "Polygon", "coordinates": [square, hole]}
    assert geometry.contains(donut, 0.5, 0.5)
    assert not geometry.contains(donut, 2, 2)
    islands = {"type": "MultiPolygon", "coordinates": [[square], [[[10, 10], [11, 10],
                                                                   [11, 11], [10, 10]]]]}
    assert geometry.contains(islands, 10.2, 10.8)  # lat 10.2, lon 10.8: in the triangle
    assert not geometry.contains(islands, 10.8, 10.2)  # across its long side
    with pytest.raises(ValueError, match="not a surface"):
        geometry.contains({"type": "Point", "coordinates": [0, 0]}, 0, 0)
    assert not geometry.within(donut, 95, 0)  # no such latitude


def test_geojson_follows_rfc_7946() -> None:
    document = feature_collection([{"id": 3, "polarity": "negative", "category": "housing",
                                    "text": "Porte cassée", "latitude": 43.5724123456,
                                    "longitude": 1.4046987654, "date": "2026-03-14",
                                    "supports": 2, "photo": None, "url": "/points/3"}])
    assert problems(document) == []
    [feature] = document["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [1.404699, 43.572412]}
    assert json.loads(json.dumps(document)) == document
    swapped = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point",
                                                           "coordinates": [43.5, 181.0]}}]}
    assert problems(swapped) == ["0: longitude, latitude out of range (or swapped)"]
    assert problems({"type": "Feature"}) == ["not a FeatureCollection"]
