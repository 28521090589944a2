"""One moderation queue over everything residents post, whatever the part."""

from flask import Blueprint

bp = Blueprint("moderation", __name__)


def reportable(kind_name: str, obj: object) -> bool:
    """May the current visitor report this post? (templates)"""
    from civic.core.permissions import can
    from civic.core.web import visitor
    from civic.moderation.registry import get

    kind = get(kind_name)
    user = visitor()
    return kind is not None and can(user, "moderation.report", kind.describe(obj))


@bp.app_context_processor
def _labels() -> dict[str, object]:
    from civic.core.i18n import _l

    return {"reportable": reportable, "moderation_states": {
        "pending": _l("En attente de relecture"),
        "published": _l("Publié"),
        "rejected": _l("Refusé"),
        "hidden": _l("Masqué"),
    }}


from civic.moderation import permissions, views  # noqa: E402,F401
