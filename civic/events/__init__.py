"""Events: cafés, shared meals, fêtes de projet…; signups, waiting lists, reminders,
attendance and calendar feeds."""

from flask import Blueprint

bp = Blueprint("events", __name__)


@bp.app_context_processor
def _labels() -> dict[str, object]:
    from civic.events.labels import KINDS, STATUSES, WEEKDAYS
    from civic.events.notifications import token

    return {"event_kinds": KINDS, "signup_statuses": STATUSES, "weekdays": WEEKDAYS,
            "signup_token": token}


from civic.events import cli, kinds, permissions, personal_data, section, views  # noqa: E402, F401
