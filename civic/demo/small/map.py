"""The small demo's map of Grand Mirail: landmarks, residents' points (one still
waiting) and a walk with its points."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from civic.accounts.models import User
from civic.core.db import session as db
from civic.demo.small.people import ANIMATOR, MODERATOR, PILOT, RESIDENT
from civic.map import geometry
from civic.map import services as map_services
from civic.map.kinds import PointKind
from civic.moderation import services as moderation
from civic.territory.models import Quartier

LANDMARKS = ["Métro Reynerie", "Place Abbal", "École Didier-Daurat", "Lac de la Reynerie",
             "Centre social Bellefontaine", "Métro Mirail-Université"]
#: (polarity, category, text)
POINTS = [
    ("negative", "cleanliness", "Dépôts sauvages au pied de l’immeuble, depuis deux semaines."),
    ("positive", "green", "Le parc est bien entretenu, les enfants adorent les jeux."),
    ("negative", "safety", "Le passage sous la dalle n’est pas éclairé le soir."),
    ("negative", "housing", "La porte d’entrée du bâtiment ne ferme plus."),
    ("positive", "social", "Le jardin partagé réunit les voisins le samedi."),
    ("negative", "mobility", "Le trottoir est trop étroit pour les poussettes."),
    ("positive", "shops", "Le marché du dimanche est très vivant."),
    ("negative", "facilities", "L’ascenseur est souvent en panne."),
    ("positive", "facilities", "La médiathèque a de nouveaux horaires le soir."),
    ("negative", "cleanliness", "Les poubelles débordent après le marché."),
]


def inside(perimeter: dict[str, Any], n: int, rng: random.Random) -> list[tuple[float, float]]:
    """n positions drawn inside the perimeter (rounded to about 10 cm)."""
    (south, west), (north, east) = geometry.bounds(perimeter)
    found: list[tuple[float, float]] = []
    while len(found) < n:
        lat, lon = rng.uniform(south, north), rng.uniform(west, east)
        if geometry.contains(perimeter, lat, lon):
            found.append((round(lat, 6), round(lon, 6)))
    return found


def seed(mirail: Quartier, users: dict[str, User], now: datetime) -> None:
    """The landmarks and points above, at positions spread over the perimeter, the same
    on every run; the last point still waits for moderation."""
    animator, resident = users[ANIMATOR], users[RESIDENT]
    assert mirail.perimeter is not None
    places = inside(mirail.perimeter, len(LANDMARKS) + 2 * len(POINTS), random.Random(17))
    for name, (lat, lon) in zip(LANDMARKS, places, strict=False):
        map_services.add_landmark(db(), mirail, name, lat, lon, actor=users[PILOT], now=now)
    spots = places[len(LANDMARKS):]
    for n, (polarity, category, text) in enumerate(POINTS):
        lat, lon = spots[n]
        point = map_services.add_point(db(), mirail, {
            "polarity": polarity, "category": category, "text": text, "latitude": lat,
            "longitude": lon}, author=resident if n % 2 else animator,
            now=now - timedelta(days=60 - 5 * n))
        if n < len(POINTS) - 1:
            moderation.decide(db(), PointKind(), point, "publish", actor=users[MODERATOR],
                              now=now)
    walk = map_services.save_walk(db(), mirail, None, {
        "title": "Diagnostic en marchant de la Reynerie",
        "starts_at": now - timedelta(days=7), "meeting_point": "Métro Reynerie",
        "route": "Métro Reynerie, place Abbal, le lac, la dalle, retour au métro.",
        "participants": 14}, actor=animator, now=now - timedelta(days=8))
    for n, (polarity, category, text) in enumerate(POINTS[:6]):
        lat, lon = spots[len(POINTS) + n]
        map_services.add_point(db(), mirail, {
            "polarity": polarity, "category": category, "text": text, "latitude": lat,
            "longitude": lon}, author=animator, walk=walk, now=now - timedelta(days=7))
