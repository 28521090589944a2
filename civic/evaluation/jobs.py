"""The survey answers are mixed before they become responses.

The register (``survey_participations``) names who answered and the responses say what
was answered; neither keeps a moment, and both have random ids. But PostgreSQL stamps
every row with the transaction that wrote it (``xmin``) and keeps rows on disk in the
order they were written, so a response written with its register line could be joined
back to it by whoever reads the raw tables. The answer's transaction therefore writes
its answers to an inbox; this job moves them into the responses, shuffled, in a
transaction of its own, once at least the secrecy threshold of answers are waiting
(``surveys.mix``). The results' publication mixes what is left.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from civic.core.db import commit
from civic.core.db import session as db_session
from civic.core.jobs import job
from civic.evaluation import surveys
from civic.evaluation.models import Survey, SurveyInbox


@job("evaluation.mix_answers", cron="*/10 * * * *")
def mix_answers() -> None:
    db = db_session()
    minimum = int(current_app.config["SMALL_CELL_THRESHOLD"])
    waiting = db.scalars(select(Survey).where(
        Survey.id.in_(select(SurveyInbox.survey_id).distinct())))
    for survey in waiting:
        surveys.mix(db, survey, minimum=minimum)
        commit(db)
