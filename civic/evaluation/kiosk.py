"""A survey at a permanence's tablet, and the paper forms typed in later.

The tablet is handed to one resident at a time, as for a vote. The animator's screen
starts a *handover*: a single-use token, kept by the animator's browser session between
the animator's screen and the resident's, then carried by the resident's form in a
hidden field. The server keeps only its hash (``SurveyHandover``), with the survey, the
permanence and its expiry. The answer deletes that row by one conditional DELETE in its
own transaction, so a reload, the back button, a double tap or two tabs make one answer
at most, and the next person needs the animator again. A handover given back is deleted
too; expired ones (the tablet switched off mid-answer) are purged at the next handover.

Nothing here is audited or logged: an answer never is. The piles of paper forms are
audited by ``civic.evaluation.surveys``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from civic.core.db import delete_count
from civic.evaluation import surveys
from civic.evaluation.models import Evaluation, PaperBatch, Survey, SurveyHandover
from civic.evaluation.surveys import Parsed, Profile, SurveyError
from civic.permanence.models import Permanence

#: How long the tablet may stay with the resident before the animator starts again.
HANDOVER_MINUTES = 15


def _digest(token: str) -> str:
    return hashlib.sha256(f"survey-kiosk:{token}".encode()).hexdigest()


def start_handover(db: Session, survey: Survey, permanence: Permanence, *,
                   now: datetime) -> str:
    """The animator hands the tablet to one resident: a fresh token, returned once."""
    if not survey.is_open(now):
        raise SurveyError("survey_closed")
    db.execute(delete(SurveyHandover).where(SurveyHandover.expires_at <= now))
    token = secrets.token_urlsafe(24)
    db.add(SurveyHandover(digest=_digest(token), survey_id=survey.id,
                          permanence_id=permanence.id,
                          expires_at=now + timedelta(minutes=HANDOVER_MINUTES)))
    db.flush()
    return token


def _mine(survey: Survey, permanence: Permanence, token: str, now: datetime) -> list[Any]:
    return [SurveyHandover.digest == _digest(token), SurveyHandover.survey_id == survey.id,
            SurveyHandover.permanence_id == permanence.id, SurveyHandover.expires_at > now]


def handover_live(db: Session, survey: Survey, permanence: Permanence, token: str, *,
                  now: datetime) -> bool:
    """Whether ``token`` was handed over for this survey at this permanence, has not
    served and has not expired."""
    return db.scalar(select(SurveyHandover.digest).where(
        *_mine(survey, permanence, token, now))) is not None


def drop_handover(db: Session, token: str) -> None:
    """The tablet is given back, or the handover expired: it can never serve."""
    db.execute(delete(SurveyHandover).where(SurveyHandover.digest == _digest(token)))


def answer_at_kiosk(db: Session, survey: Survey, permanence: Permanence, token: str,
                    parsed: Mapping[int, Parsed], profile: Profile, *, now: datetime,
                    today: date) -> None:
    """The resident's answers, taken once per handover: the token is spent by the same
    transaction that records them. Raises SurveyError("handover_gone") for a token
    expired, given back or already used; on any SurveyError the caller rolls back."""
    if not delete_count(db, delete(SurveyHandover).where(
            *_mine(survey, permanence, token, now))):
        raise SurveyError("handover_gone")
    surveys.answer(db, survey, parsed, profile, channel="kiosk", today=today, now=now,
                   permanence=permanence)


# --- Reads -------------------------------------------------------------------------------


def surveys_taking_paper(db: Session, contract_id: int, now: datetime) -> list[Survey]:
    """The contract's surveys that have opened and whose results are not published:
    open ones take the tablet and paper, closed ones only paper still to type in."""
    return list(db.scalars(
        select(Survey).join(Evaluation, Evaluation.id == Survey.evaluation_id)
        .where(Evaluation.contract_id == contract_id, Survey.opens_at <= now,
               Survey.results_at.is_(None))
        .order_by(Survey.closes_at, Survey.id)))


def piles(db: Session, survey: Survey, quartier: Any) -> list[PaperBatch]:
    """The paper piles of a survey in a quartier, oldest first."""
    return list(db.scalars(select(PaperBatch).where(
        PaperBatch.survey_id == survey.id, PaperBatch.quartier_id == quartier.id)
        .order_by(PaperBatch.created_at, PaperBatch.id)))


def permanences_since(db: Session, quartier: Any, since: datetime) -> list[Permanence]:
    """The quartier's permanences that started since ``since`` (a pile may come from
    one of them), latest first."""
    return list(db.scalars(select(Permanence).where(
        Permanence.quartier_id == quartier.id, Permanence.starts_at >= since)
        .order_by(Permanence.starts_at.desc(), Permanence.id.desc())))
