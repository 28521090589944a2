"""The contract's evaluation: a mid-term and a final evaluation with their questions, and
what the signatories promised, measured year by year (indicators of their commitments,
with a baseline, a target and a value a year entered by their referent)."""

from flask import Blueprint

bp = Blueprint("evaluation", __name__)


@bp.app_context_processor
def _labels() -> dict[str, object]:
    from civic.evaluation.forms import KIND_LABELS

    return {"kind_labels": KIND_LABELS}


@bp.app_context_processor
def _workshops() -> dict[str, object]:
    """``event_workshop(event)``: on an event's page, the evaluation question its workshop
    works on (events know nothing of the evaluation, which is built on them)."""
    from civic.evaluation.workshop_views import event_workshop

    return {"event_workshop": event_workshop}

from civic.evaluation import (  # noqa: E402,F401
    jobs,
    kinds,
    kiosk_views,
    permissions,
    personal_data,
    proposal_views,
    report_views,
    survey_views,
    text_kind,
    views,
    workshop_views,
)
