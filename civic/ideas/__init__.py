"""The idea box: ideas, supports, comments, follows, and the institutions' answers."""

from flask import Blueprint

bp = Blueprint("ideas", __name__)


@bp.app_context_processor
def _labels() -> dict[str, object]:
    from civic.ideas.labels import STATUSES

    return {"idea_statuses": STATUSES}


from civic.ideas import kinds, permissions, personal_data, section, views  # noqa: E402, F401
