"""Words residents read for the map's categories and polarities."""

from __future__ import annotations

from typing import Any

from civic.core.i18n import _l

CATEGORIES: dict[str, Any] = {
    "cleanliness": _l("Propreté"),
    "safety": _l("Sécurité et tranquillité"),
    "facilities": _l("Équipements et services"),
    "green": _l("Espaces verts"),
    "mobility": _l("Se déplacer"),
    "shops": _l("Commerces"),
    "housing": _l("Logement"),
    "social": _l("Lien social"),
    "other": _l("Autre"),
}

POLARITIES: dict[str, Any] = {
    "positive": _l("Ce qui va bien"),
    "negative": _l("Ce qui ne va pas"),
}

#: Short words next to the + and − symbols, so that colour is never the only cue.
SIGNS: dict[str, Any] = {"positive": _l("Positif"), "negative": _l("Négatif")}
