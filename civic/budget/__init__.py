"""FPH: funds, rounds, projects, votes, results."""

from flask import Blueprint

bp = Blueprint("budget", __name__)


@bp.app_context_processor
def _labels() -> dict[str, object]:
    from civic.budget.labels import all_labels

    return {"budget_labels": all_labels()}


from civic.budget import moderation, permissions, personal_data, section, views  # noqa: E402, F401
