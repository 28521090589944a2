"""The evaluations and surveys a page may show: those of the contract this site serves.
Any other id, or no contract yet, is a 404."""

from __future__ import annotations

from flask import abort

from civic.core.db import session as db
from civic.evaluation.models import Evaluation, Survey
from civic.territory import queries as territory_queries


def evaluation_or_404(evaluation_id: int) -> Evaluation:
    found = db().get(Evaluation, evaluation_id) or abort(404)
    contract = territory_queries.current_contract(db())
    if contract is None or found.contract_id != contract.id:
        abort(404)
    return found


def survey_or_404(survey_id: int) -> Survey:
    found = db().get(Survey, survey_id) or abort(404)
    evaluation_or_404(found.evaluation_id)
    return found
