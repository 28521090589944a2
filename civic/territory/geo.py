"""Reading QPV perimeters from the national GeoJSON files: pure, no Flask, no database.

Both editions of the ANCT file are accepted: 2015 (``code_qp``, ``nom_qp``,
``commune_qp``/``nom_commune``, ``code_departement``) and 2024 (``code_qp``, ``lib_qp``,
``lib_com``, ``insee_dep``). A QPV spread over several communes keeps them all
(« Séméac, Tarbes »), whichever field lists them.
Features that cannot be used are returned as ``Skipped`` with the reason, never dropped
silently.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: QP031007 (2015 geography), QN09301M (2024 geography), and overseas variants.
QPV_CODE = re.compile(r"^Q[NP][0-9A-Z]{6,8}$")

_NAME_KEYS = ("lib_qp", "nom_qp")
_COMMUNE_KEYS = ("lib_com", "commune_qp", "nom_commune")
_DEPARTEMENT_KEYS = ("insee_dep", "code_departement")
_SURFACES = ("Polygon", "MultiPolygon")


@dataclass(frozen=True)
class QpvFeature:
    code: str
    name: str
    commune: str
    geometry: dict[str, Any]
    #: The département's code (« 31 », « 2A », « 971 »), from the file or the QPV code.
    departement: str = ""


@dataclass(frozen=True)
class Skipped:
    #: Position of the feature in the file, from 1.
    position: int
    #: The QPV code when the feature had one.
    code: str | None
    #: Why it was skipped, in plain words.
    reason: str


class NotAFeatureCollection(ValueError):
    """The document is not a GeoJSON FeatureCollection."""


def _first(properties: Mapping[str, Any], keys: Iterable[str]) -> str:
    for key in keys:
        value = properties.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def communes(properties: Mapping[str, Any]) -> str:
    """Every commune a feature names, once each: the field that lists the most of them
    first (2015 files give « Tarbes » in one field and « Séméac, Tarbes » in another)."""
    lists = sorted(([name.strip() for name in value.split(",") if name.strip()]
                    for key in _COMMUNE_KEYS
                    if isinstance(value := properties.get(key), str)),
                   key=len, reverse=True)
    found: list[str] = []
    for names in lists:
        found += [name for name in names if name not in found]
    return ", ".join(found)


def departement(properties: Mapping[str, Any], code: str) -> str:
    """The département of a QPV: its file's field, else its code (QP031007 → 31,
    QN09301M → 93, QN97101… → 971)."""
    given = _first(properties, _DEPARTEMENT_KEYS)
    if given:
        return given.upper().lstrip("0") or "0"
    digits = code[2:5]
    if digits.startswith("97"):
        return digits
    return digits.lstrip("0") or "0"


def _positions(geometry: Mapping[str, Any]) -> Iterable[Any]:
    rings = geometry["coordinates"]
    polygons = [rings] if geometry["type"] == "Polygon" else rings
    for polygon in polygons:
        for ring in polygon:
            yield from ring


def geometry_problem(geometry: Any) -> str | None:
    """Why ``geometry`` is not a usable lon/lat surface, or ``None`` when it is."""
    if not isinstance(geometry, Mapping) or geometry.get("type") not in _SURFACES:
        return "geometry is not a Polygon or MultiPolygon"
    try:
        positions = list(_positions(geometry))
    except (KeyError, TypeError):
        return "geometry has malformed coordinates"
    if len(positions) < 4:
        return "geometry has fewer than 4 positions"
    for position in positions:
        if (
            not isinstance(position, list | tuple)
            or len(position) < 2
            or not all(isinstance(c, int | float) and math.isfinite(c) for c in position[:2])
        ):
            return "geometry has a position that is not a pair of numbers"
        lon, lat = position[0], position[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return "geometry is not in longitude/latitude degrees (WGS84)"
    return None


def read_qpv_features(document: Any) -> tuple[list[QpvFeature], list[Skipped]]:
    """The usable QPV features of a FeatureCollection, and the ones skipped with why."""
    if not isinstance(document, Mapping) or document.get("type") != "FeatureCollection":
        raise NotAFeatureCollection("the file is not a GeoJSON FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list):
        raise NotAFeatureCollection("the FeatureCollection has no list of features")
    found: list[QpvFeature] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for position, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, Mapping) else None
        if not isinstance(properties, Mapping):
            skipped.append(Skipped(position, None, "feature has no properties"))
            continue
        raw_code = properties.get("code_qp")
        code = raw_code.strip().upper() if isinstance(raw_code, str) else ""
        if not QPV_CODE.match(code):
            skipped.append(Skipped(position, code or None,
                                   "no valid QPV code in code_qp (e.g. QN09301M)"))
            continue
        if code in seen:
            skipped.append(Skipped(position, code, "the same code appears earlier in the file"))
            continue
        name = _first(properties, _NAME_KEYS)
        if not name:
            skipped.append(Skipped(position, code, "no name in lib_qp or nom_qp"))
            continue
        problem = geometry_problem(feature.get("geometry"))
        if problem:
            skipped.append(Skipped(position, code, problem))
            continue
        seen.add(code)
        geometry = {"type": feature["geometry"]["type"],
                    "coordinates": feature["geometry"]["coordinates"]}
        found.append(QpvFeature(code, name, communes(properties), geometry,
                                departement(properties, code)))
    return found, skipped


def bounds(geometry: Mapping[str, Any]) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) of a Polygon or MultiPolygon."""
    lons: list[float] = []
    lats: list[float] = []
    for position in _positions(geometry):
        lons.append(float(position[0]))
        lats.append(float(position[1]))
    return min(lons), min(lats), max(lons), max(lats)
