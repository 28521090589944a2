"""The large demo's survey answers: the small demo's survey of the mid-term evaluation,
answered by thousands of residents of every quartier since it opened, on every channel.

Written in bulk, as ``evaluation.surveys.answer`` and ``mix`` would have written them:

- each answer is one line of the register (``SurveyParticipation``) and one response
  with its answers, of the same channel; the register keeps the day, the response
  neither the day nor the person, and the responses go in shuffled, apart from the
  register, as the mix leaves them;
- online, a resident answers once with the account (the register keeps it) or with a
  printed code; a poster's QR code takes a code too; each such code is printed for the
  quartier and spent, and a few printed ones stay unused;
- at a permanence's tablet the register keeps the session and its quartier; paper forms
  come in one counted pile per quartier, as many typed in as counted, then closed;
- free texts wait for the moderators of the quartier the answer counts in, dated by the
  day of their mix (the mix job moves the answers as soon as eleven wait), never by the
  day they were written;
- printing codes, opening and closing a pile are in the journal.
"""

from __future__ import annotations

import secrets
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from flask import current_app
from sqlalchemy import select

from civic.demo.large.permanence import sessions
from civic.demo.large.run import DAY, HOUR, Run, dt, local_day, local_ts
from civic.demo.small import survey as small_survey
from civic.evaluation.models import (
    PaperBatch,
    Survey,
    SurveyAnswer,
    SurveyCode,
    SurveyParticipation,
    SurveyResponse,
    SurveyText,
)
from civic.moderation.models import State
from civic.permanence import codes as code_format

#: How answers come, in shares: online with an account, online with a printed code,
#: through a poster's QR code (with a code), at a permanence's tablet, on paper.
CHANNEL_SHARES = {"account": 0.30, "online": 0.15, "poster": 0.10, "kiosk": 0.25,
                  "paper": 0.20}


@dataclass
class Answers:
    """The rows planned so far."""

    register: list[dict[str, Any]] = field(default_factory=list)
    responses: list[tuple[dict[str, Any], list[dict[str, Any]]]] = field(default_factory=list)
    texts: list[dict[str, Any]] = field(default_factory=list)
    #: Codes spent, by quartier index.
    spent: dict[int, int] = field(default_factory=dict)
    #: Paper forms typed in, by quartier index: [(day, …)].
    paper: dict[int, list[date]] = field(default_factory=dict)
    #: Accounts that answered already (once per account).
    accounts: set[int] = field(default_factory=set)
    #: The quartiers a profile may name.
    quartiers: list[Any] = field(default_factory=list)
    #: When each answer came (seconds), to date the free texts by their mix.
    moments: list[float] = field(default_factory=list)


def survey_answers(run: Run) -> None:
    """Answers to the demo's survey, from its opening until now."""
    survey = run.db.scalar(select(Survey).order_by(Survey.id).limit(1))
    if survey is None:
        return
    opens = max(survey.opens_at.timestamp(), run.start)
    until = min(run.now, survey.closes_at.timestamp()) - HOUR
    if until <= opens:
        return
    planned = Answers(quartiers=[q.obj for q in run.quartiers])
    tablets = [sessions(run, q, opens, until) for q in run.quartiers]
    how = list(CHANNEL_SHARES)
    for _ in range(run.n("survey_participations")):
        channel = run.rng.choices(how, [CHANNEL_SHARES[h] for h in how])[0]
        qi = run.rng.choices(range(len(run.quartiers)), run.q_weights)[0]
        if channel == "kiosk" and not tablets[qi]:
            channel = "paper"
        _plan(run, survey, planned, channel, qi, tablets[qi], opens, until)
    _write(run, survey, planned, opens, until)


def _plan(run: Run, survey: Survey, planned: Answers, channel: str, qi: int,
          tablets: Sequence[tuple[int, float, float]], opens: float, until: float) -> None:
    rng = run.rng
    q = run.quartiers[qi]
    t = run.moment(opens, until)
    user: int | None = None
    permanence: int | None = None
    if channel == "account":
        resident = run.resident(qi, t)
        if resident is None or run.u_id[resident] in planned.accounts:
            channel = "online"
        else:
            user = run.u_id[resident]
            planned.accounts.add(user)
            run.touched(resident, t)
            qi = run.u_home[resident] if run.u_home[resident] >= 0 else qi
            q = run.quartiers[qi]
    if channel == "kiosk":
        permanence, starts, ends = rng.choice(tablets)
        t = rng.uniform(starts, ends)
    if channel in ("online", "poster"):
        planned.spent[qi] = planned.spent.get(qi, 0) + 1
    if channel == "paper":
        t = run.moment(max(opens, until - 10 * DAY), until)
        planned.paper.setdefault(qi, []).append(local_day(t))
    profile = small_survey.profile_of(planned.quartiers, rng)
    # Someone who answers with an account, at a tablet or on paper counts in its
    # quartier; with a code, where the profile says, if it says.
    counted_in = q.id if channel in ("account", "kiosk", "paper") else profile.quartier_id
    day = local_day(t)
    planned.moments.append(t)
    planned.register.append({
        "id": secrets.token_hex(16), "survey_id": survey.id, "user_id": user,
        "channel": "online" if channel == "account" else channel, "answered_on": day,
        "quartier_id": counted_in, "permanence_id": permanence})
    response_id = secrets.token_hex(16)
    answers: list[dict[str, Any]] = []
    for item_id, given in small_survey.answers_of(survey, rng).items():
        answers.extend({"response_id": response_id, "item_id": item_id, "rank": rank,
                        "choice": choice, "number": None}
                       for rank, choice in enumerate(given.choices))
        if given.number is not None:
            answers.append({"response_id": response_id, "item_id": item_id, "rank": 0,
                            "choice": None, "number": given.number})
        if given.text:
            planned.texts.append({
                "survey_id": survey.id, "item_id": item_id, "quartier_id": counted_in,
                "body": given.text, "created_at": t,  # the answer's moment, for now
                "moderation": State.PENDING.value, "moderation_reason": "",
                "moderated_at": None, "moderated_by_id": None, "original_title": None})
    planned.responses.append(({
        "id": response_id, "survey_id": survey.id,
        "channel": "online" if channel == "account" else channel,
        "quartier_id": profile.quartier_id, "gender": profile.gender,
        "age_bracket": profile.age_bracket}, answers))


def _write(run: Run, survey: Survey, planned: Answers, opens: float, until: float) -> None:
    """The codes, the piles, the register, then the responses shuffled as a mix leaves
    them, and the free texts."""
    _codes(run, survey, planned, opens)
    _piles(run, survey, planned, until)
    run.rng.shuffle(planned.register)
    run.insert(SurveyParticipation, planned.register)
    run.rng.shuffle(planned.responses)
    run.insert(SurveyResponse, [response for response, _ in planned.responses])
    run.insert(SurveyAnswer, [a for _, answers in planned.responses for a in answers])
    _date_by_mix(planned, int(current_app.config.get("SMALL_CELL_THRESHOLD", 11)))
    run.insert(SurveyText, sorted(planned.texts, key=lambda row: row["created_at"]))


def _date_by_mix(planned: Answers, threshold: int) -> None:
    """Each free text takes the day of its mix: the answers are mixed ``threshold`` at a
    time, in the order they came, when the last of a group comes (the last group with
    the last answer, as the publication would)."""
    moments = sorted(planned.moments)
    for text in planned.texts:
        place = bisect_left(moments, text["created_at"])
        last = min(len(moments) - 1, (place // threshold + 1) * threshold - 1)
        text["created_at"] = datetime.combine(local_day(moments[last]), time(0), UTC)


def _codes(run: Run, survey: Survey, planned: Answers, opens: float) -> None:
    """One printed batch per quartier, as many spent as answers with a code, a few
    unused; the small demo's batch is the first."""
    first = int(run.db.scalar(select(SurveyCode.batch).where(
        SurveyCode.survey_id == survey.id).order_by(SurveyCode.batch.desc()).limit(1)) or 0)
    rows: list[dict[str, Any]] = []
    for n, (qi, spent) in enumerate(sorted(planned.spent.items())):
        q = run.quartiers[qi]
        printed = spent + run.rng.randint(5, 20)
        made: set[str] = set()
        while len(made) < printed:
            made.add(code_format.digest(code_format.generate()))
        batch = first + n + 1
        rows.extend({"digest": digest, "survey_id": survey.id, "batch": batch,
                     "quartier_id": q.id, "permanence_id": None, "spent": k < spent,
                     "void": False} for k, digest in enumerate(sorted(made)))
        run.audit(opens - DAY, run.rng.choice(q.animators), "evaluation.survey_codes_printed",
                  "survey", survey.id, batch=batch, count=printed, quartier=q.obj.name,
                  permanence=None)
    run.insert(SurveyCode, rows)


def _piles(run: Run, survey: Survey, planned: Answers, until: float) -> None:
    """One pile of paper forms per quartier, counted when it came back, typed in, and
    closed once reconciled."""
    rows: list[dict[str, Any]] = []
    for qi, days in sorted(planned.paper.items()):
        q = run.quartiers[qi]
        opened = local_ts(min(days), 8)
        closed = min(until, local_ts(max(days), 19))
        rows.append({"survey_id": survey.id, "quartier_id": q.id, "permanence_id": None,
                     "label": f"Questionnaires papier, {q.places[0]}",
                     "counted": len(days), "entered": len(days),
                     "created_by_id": run.rng.choice(q.animators), "created_at": dt(opened),
                     "closed_at": dt(max(opened, closed))})
    ids = run.insert(PaperBatch, rows, ids=True)
    for batch_id, row in zip(ids, rows, strict=True):
        quartier = run.quartiers[run.index_of(row["quartier_id"])].obj
        run.audit(row["created_at"].timestamp(), row["created_by_id"],
                  "evaluation.paper_batch_opened", "survey", survey.id, batch=batch_id,
                  quartier=quartier.name, label=row["label"], counted=row["counted"])
        run.audit(row["closed_at"].timestamp(), row["created_by_id"],
                  "evaluation.paper_batch_closed", "survey", survey.id, batch=batch_id)
