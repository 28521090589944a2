"""Bring a finished election from a pabulib file in as a closed, published round."""

from __future__ import annotations

import os
import secrets
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session

from civic.budget import box, counting
from civic.budget.models import Ballot, Channel, Fund, Project, ProjectStatus, Round
from civic.budget.pabulib import Instance
from civic.budget.services import BudgetError
from civic.core import audit

RULES = {"greedy": "greedy", "equalshares": "equal-shares", "equalshares/add1": "equal-shares"}
CHANNELS = {"internet": Channel.ONLINE, "online": Channel.ONLINE, "paper": Channel.PAPER,
            "kiosk": Channel.KIOSK, "code": Channel.CODE}


def _cents(value: Any) -> int:
    amount = Fraction(value) * 100
    if amount.denominator != 1:
        raise BudgetError("amount_not_cents")
    return int(amount)


def _day(text: str | None, default: date) -> date:
    if not text:
        return default
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%Y"):
        try:
            return datetime.strptime(text.strip()[:10], pattern).date()
        except ValueError:
            continue
    return default


def import_instance(db: Session, quartier: Any, instance: Instance, *, now: datetime,
                    title: str | None = None) -> Round:
    """Create the fund (if needed), a round whose vote is over, its projects and its
    anonymous ballots, then count and publish with the file's rule."""
    if instance.vote_type not in ("approval", "choose-1", "cumulative"):
        raise BudgetError("vote_type")
    costs = {pid: _cents(Decimal(row["cost"])) for pid, row in instance.projects.items()}
    budget = _cents(Decimal(instance.meta["budget"]))
    end = _day(instance.meta.get("date_end"), now.date() - timedelta(days=1))
    begin = _day(instance.meta.get("date_begin"), end)
    cumulative = instance.vote_type == "cumulative"
    def meta_int(key: str, default: int) -> int:
        value = instance.number(key)
        return int(value) if value is not None else default

    max_length = instance.number("max_length")
    fund = Fund(
        quartier_id=quartier.id, year=end.year, envelope_cents=budget,
        cap_cents=min(budget, max(costs.values(), default=budget)), min_project_cents=0,
        min_age=0, rules_text="", created_at=now,
        vote_method="cumulative" if cumulative else "approval",
        approval_min=1 if cumulative else meta_int("min_length", 1),
        approval_max=1 if instance.vote_type == "choose-1" else (
            int(max_length) if max_length is not None else None),
        points_total=meta_int("max_sum_points", 0),
        points_max=meta_int("max_points", meta_int("max_sum_points", 0)),
        tally_rule=RULES.get(instance.meta.get("rule", "greedy").lower(), "greedy"),
        min_score=meta_int("min_project_score_threshold", 0))
    db.add(fund)
    start = datetime.combine(begin, time(8), tzinfo=UTC)
    round_ = Round(fund=fund, title=title or instance.meta.get("description", "")[:120]
                   or f"{quartier.name} {end.year}",
                   submission_starts_at=start - timedelta(days=60),
                   review_starts_at=start - timedelta(days=30), vote_starts_at=start,
                   vote_ends_at=datetime.combine(end, time(20), tzinfo=UTC),
                   follow_up_starts_at=datetime.combine(end, time(20), tzinfo=UTC)
                   + timedelta(days=30),
                   secret=os.urandom(32), seal=box.EMPTY_SEAL, created_at=now)
    db.add(round_)
    db.flush()
    ids: dict[str, int] = {}
    for pid, row in instance.projects.items():
        title_text = (row.get("name") or row.get("title") or f"Projet {pid}")[:120]
        project = Project(round=round_, author_id=None, title=title_text,
                          summary=(row.get("description") or title_text)[:300],
                          description=row.get("description") or title_text,
                          amount_cents=costs[pid],
                          budget_lines=[{"label": title_text, "amount_cents": costs[pid]}],
                          carrier_kind="residents", carrier_name=row.get("proposer", "")[:120],
                          contact="", status=ProjectStatus.ADMITTED.value, created_at=now,
                          updated_at=now)
        db.add(project)
        db.flush()
        ids[pid] = project.id
    points = instance.cumulative_ballots() if cumulative else [
        dict.fromkeys(b, 1) for b in instance.approval_ballots()]
    ballots: list[dict[str, int]] = []
    turnout: Counter[str] = Counter()
    for row, ballot_points in zip(instance.votes, points, strict=True):
        channel = CHANNELS.get(row.get("voting_method", "").lower(), Channel.ONLINE)
        choices = {str(ids[p]): n for p, n in sorted(ballot_points.items())}
        db.add(Ballot(id=secrets.token_hex(16), round_id=round_.id, channel=channel.value,
                      choices=choices))
        ballots.append(choices)
        turnout[channel.value] += 1
    db.flush()
    # A past election comes counted: it has no sealed ballots, so its seal stays empty.
    audit.record(db, actor=None, action="budget.round_imported", target_type="round",
                 target_id=round_.id, now=now, ballots=len(instance.votes))
    round_.count_started_at = round_.count_confirmed_at = now
    round_.results = counting.compute(db, round_, ballots, dict(turnout))
    counting.publish(db, round_, actor=None, now=now)
    return round_
