"""Is a point in a quartier's perimeter, give or take a tolerance? Pure: no Flask, no
database. GeoJSON positions are [longitude, latitude] in WGS 84 (RFC 7946).

Distances use a local equirectangular projection around the point: at the scale of a
quartier (a few kilometres) its error is far below a metre, which a 200 m tolerance
does not notice.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from itertools import pairwise
from typing import Any

EARTH_RADIUS_M = 6_371_008.8
#: How far outside the official perimeter a point is still accepted: the perimeter
#: follows streets, and what residents point at is often just across one.
TOLERANCE_M = 200.0

Ring = Sequence[Sequence[float]]


def _polygons(geometry: dict[str, Any]) -> Iterator[Sequence[Ring]]:
    kind = geometry.get("type")
    if kind == "Polygon":
        yield geometry["coordinates"]
    elif kind == "MultiPolygon":
        yield from geometry["coordinates"]
    else:
        raise ValueError(f"not a surface: {kind!r}")


def _in_ring(lon: float, lat: float, ring: Ring) -> bool:
    """Ray casting: does a ray going east from the point cross the ring an odd number
    of times?"""
    inside = False
    previous = ring[-1]
    for current in ring:
        x1, y1 = previous[0], previous[1]
        x2, y2 = current[0], current[1]
        if (y1 > lat) != (y2 > lat):
            crossing = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < crossing:
                inside = not inside
        previous = current
    return inside


def contains(geometry: dict[str, Any], lat: float, lon: float) -> bool:
    """Inside the outer ring of one of the polygons, and outside its holes."""
    for polygon in _polygons(geometry):
        if polygon and _in_ring(lon, lat, polygon[0]) and not any(
                _in_ring(lon, lat, hole) for hole in polygon[1:]):
            return True
    return False


def _segment_distance(px: float, py: float, ax: float, ay: float, bx: float,
                      by: float) -> float:
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def distance_m(geometry: dict[str, Any], lat: float, lon: float) -> float:
    """Metres from the point to the perimeter: 0 inside, else to the nearest edge."""
    if contains(geometry, lat, lon):
        return 0.0
    scale_x = math.radians(1) * EARTH_RADIUS_M * math.cos(math.radians(lat))
    scale_y = math.radians(1) * EARTH_RADIUS_M
    best = math.inf
    for polygon in _polygons(geometry):
        for ring in polygon:
            for a, b in pairwise(ring):
                best = min(best, _segment_distance(
                    0.0, 0.0, (a[0] - lon) * scale_x, (a[1] - lat) * scale_y,
                    (b[0] - lon) * scale_x, (b[1] - lat) * scale_y))
    return best


def within(geometry: dict[str, Any], lat: float, lon: float,
           tolerance_m: float = TOLERANCE_M) -> bool:
    """In the perimeter, or less than ``tolerance_m`` outside it."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return False
    return distance_m(geometry, lat, lon) <= tolerance_m


def bounds(geometry: dict[str, Any]) -> tuple[tuple[float, float], tuple[float, float]]:
    """((south, west), (north, east)) of the outer rings, for fitting a map to them."""
    lons, lats = [], []
    for polygon in _polygons(geometry):
        for lon, lat, *_rest in polygon[0]:
            lons.append(lon)
            lats.append(lat)
    return (min(lats), min(lons)), (max(lats), max(lons))
