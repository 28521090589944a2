"""The contract's evaluation: a mid-term and a final evaluation with their questions, and
what the signatories promised, measured year by year (indicators of their commitments,
with a baseline, a target and a value a year entered by their referent)."""

from flask import Blueprint

bp = Blueprint("evaluation", __name__)


@bp.app_context_processor
def _labels() -> dict[str, object]:
    from civic.evaluation.forms import KIND_LABELS

    return {"kind_labels": KIND_LABELS}

from civic.evaluation import permissions, views  # noqa: E402,F401
