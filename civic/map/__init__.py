"""The quartier map: points, landmarks, walks (diagnostics en marchant), GeoJSON."""

from flask import Blueprint

bp = Blueprint("map", __name__)


@bp.app_context_processor
def _labels() -> dict[str, object]:
    from civic.map.labels import CATEGORIES, POLARITIES, SIGNS

    return {"map_categories": CATEGORIES, "map_polarities": POLARITIES, "map_signs": SIGNS}


from civic.map import kinds, permissions, personal_data, section, views  # noqa: E402, F401
