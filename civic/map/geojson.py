"""GeoJSON (RFC 7946) of map points: pure, no Flask, no database.

Positions are [longitude, latitude] with six decimals (about 10 cm); properties carry
only what the map and the exports show, never the author's account.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: The properties of each feature, in order (also the CSV columns).
PROPERTIES = ("id", "polarity", "category", "text", "date", "supports", "photo", "url")


def feature(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": row["id"],
        "geometry": {"type": "Point",
                     "coordinates": [round(row["longitude"], 6), round(row["latitude"], 6)]},
        "properties": {name: row.get(name) for name in PROPERTIES},
    }


def feature_collection(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [feature(row) for row in rows]}


def problems(document: Any) -> list[str]:
    """What makes ``document`` not a FeatureCollection of Points as RFC 7946 defines it
    (§3.1.1 positions, §3.1.2 Point, §3.2 Feature, §3.3 FeatureCollection); empty if none."""
    found: list[str] = []
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        return ["not a FeatureCollection"]
    features = document.get("features")
    if not isinstance(features, list):
        return ["features is not an array"]
    for n, item in enumerate(features):
        if not isinstance(item, dict) or item.get("type") != "Feature":
            found.append(f"{n}: not a Feature")
            continue
        if "properties" not in item or not isinstance(item["properties"], dict | None):
            found.append(f"{n}: properties must be an object or null")
        if "id" in item and not isinstance(item["id"], str | int | float):
            found.append(f"{n}: id must be a string or a number")
        geometry = item.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") != "Point":
            found.append(f"{n}: geometry is not a Point")
            continue
        position = geometry.get("coordinates")
        if (not isinstance(position, list) or len(position) not in (2, 3)
                or not all(isinstance(x, int | float) for x in position)):
            found.append(f"{n}: a position is 2 or 3 numbers")
        elif not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90):
            found.append(f"{n}: longitude, latitude out of range (or swapped)")
    return found
