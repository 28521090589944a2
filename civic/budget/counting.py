"""The count: started by a pilot, confirmed by a moderator, computed with the fund's rule,
published frozen with the SHA-256 of the anonymous ballots file anyone can recount."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session

from civic.budget import pabulib, queries, tally
from civic.budget.models import FollowUp, Fund, Project, Round
from civic.budget.services import BudgetError, seal_intact
from civic.core import audit
from civic.core.i18n import _


def start(db: Session, round_: Round, *, actor: Any, now: datetime) -> None:
    """Refused while a permanence's paper ballots and paper voters differ."""
    if any(voters != ballots for voters, ballots in queries.paper_counts(db, round_).values()):
        raise BudgetError("paper_mismatch")
    round_.count_started_by_id = actor.id
    round_.count_started_at = now
    db.flush()
    audit.record(db, actor=actor, action="budget.count_started", target_type="round",
                 target_id=round_.id, now=now, seal=round_.seal,
                 ballots=queries.ballot_count(db, round_))


def confirm(db: Session, round_: Round, *, actor: Any, now: datetime) -> dict[str, Any]:
    """The second person confirms: the seal is checked, then the rule runs."""
    if not seal_intact(db, round_):
        audit.record(db, actor=actor, action="budget.seal_broken", target_type="round",
                     target_id=round_.id, now=now, seal=round_.seal)
        raise BudgetError("seal_broken")
    round_.results = compute(db, round_)
    round_.count_confirmed_by_id = actor.id
    round_.count_confirmed_at = now
    db.flush()
    audit.record(db, actor=actor, action="budget.count_confirmed", target_type="round",
                 target_id=round_.id, now=now, seal=round_.seal,
                 selected=round_.results["selected"])
    return round_.results


def election(fund: Fund, projects: list[Project], ballots: Sequence[Mapping[str, int]]
             ) -> tally.Election:
    """The round as the pure rules see it: amounts in euros, exactly (cents as fractions),
    so that "one unit of currency" in Equal Shares' completion is one euro."""
    return tally.Election(
        budget=Fraction(fund.envelope_cents, 100),
        costs={str(p.id): Fraction(p.amount_cents, 100) for p in projects},
        ballots=ballots, min_score=fund.min_score or None)


def compute(db: Session, round_: Round) -> dict[str, Any]:
    fund = round_.fund
    projects = queries.ballot_projects(db, round_)
    ballots = [{k: int(v) for k, v in b.choices.items()} for b in queries.ballots(db, round_)]
    the_election = election(fund, projects, ballots)
    selected = tally.RULES[fund.tally_rule](the_election)
    scores = tally.scores(the_election.costs, ballots)
    by_id = {str(p.id): p for p in projects}
    spent = sum(by_id[i].amount_cents for i in selected)
    turnout = queries.ballots_by_channel(db, round_)
    voters = sum(turnout.values())
    population = fund.quartier.population
    ranked = sorted(projects, key=lambda p: (-scores[str(p.id)], p.amount_cents, str(p.id)))
    return {
        "rule": fund.tally_rule,
        "envelope_cents": fund.envelope_cents,
        "spent_cents": spent,
        "left_cents": fund.envelope_cents - spent,
        "voters": voters,
        "ballots": len(ballots),
        "population": population,
        "turnout_rate": f"{voters / population:.1%}" if population else None,
        "turnout": turnout,
        "selected": [int(i) for i in selected],
        "projects": [{"id": p.id, "title": p.title, "amount_cents": p.amount_cents,
                      "score": scores[str(p.id)], "selected": str(p.id) in selected}
                     for p in ranked],
    }


def publish(db: Session, round_: Round, *, actor: Any, now: datetime) -> None:
    """Freeze the results: they and the ballots file are hashed; funded projects enter
    follow-up."""
    assert round_.results is not None
    round_.results_published_at = now
    for project in queries.ballot_projects(db, round_):
        if project.id in round_.results["selected"]:
            project.follow_up = FollowUp.TO_START.value
    db.flush()
    round_.results_hash = hashlib.sha256(export_pb(db, round_).encode()).hexdigest()
    db.flush()
    audit.record(db, actor=actor, action="budget.results_published", target_type="round",
                 target_id=round_.id, now=now, results_hash=round_.results_hash,
                 seal=round_.seal)


def _euros(cents: int) -> str:
    euros, rest = divmod(cents, 100)
    return f"{euros}.{rest:02d}" if rest else str(euros)


def export_pb(db: Session, round_: Round) -> str:
    """The anonymous ballots as a pabulib file: ids are the ballots' random ids, sorted."""
    fund = round_.fund
    projects = queries.ballot_projects(db, round_)
    selected = set((round_.results or {}).get("selected", []))
    vote_type = "cumulative" if fund.vote_method == "cumulative" else "approval"
    meta = {
        "description": f"{round_.title} — {fund.quartier.name}",
        "country": "France",
        "unit": fund.quartier.name,
        "instance": str(round_.id),
        "subunit": fund.quartier.code,
        "num_projects": str(len(projects)),
        "num_votes": str(queries.ballot_count(db, round_)),
        "budget": _euros(fund.envelope_cents),
        "currency": "EUR",
        "vote_type": vote_type,
        "rule": fund.tally_rule.replace("-", ""),
        "date_begin": round_.vote_starts_at.date().isoformat(),
        "date_end": round_.vote_ends_at.date().isoformat(),
    }
    if fund.min_score:
        meta["min_project_score_threshold"] = str(fund.min_score)
    if vote_type == "cumulative":
        meta["max_sum_points"] = str(fund.points_total)
    project_rows = {str(p.id): {"cost": _euros(p.amount_cents), "name": p.title,
                                "selected": "1" if p.id in selected else "0"}
                    for p in projects}
    votes = []
    for ballot in queries.ballots(db, round_):
        ids = sorted(ballot.choices, key=int)
        row = {"voter_id": ballot.id, "vote": ",".join(ids), "voting_method": ballot.channel}
        if vote_type == "cumulative":
            row["points"] = ",".join(str(ballot.choices[i]) for i in ids)
        votes.append(row)
    return pabulib.write(pabulib.Instance(meta=meta, projects=project_rows, votes=votes))


def explain(fund: Fund) -> str:
    """How the rule chose, in plain words."""
    if fund.tally_rule == "greedy":
        text = _("Les projets sont classés du plus soutenu au moins soutenu. On les finance "
                 "dans cet ordre tant qu’il reste assez d’argent : un projet trop cher pour "
                 "ce qui reste est sauté, et on regarde le suivant. À égalité, le moins cher "
                 "passe d’abord.")
        if fund.min_score:
            text += " " + _("Un projet doit avoir au moins %(n)s voix ou points pour être "
                            "financé.", n=fund.min_score)
        return text
    return _("Parts égales : l’enveloppe est partagée à égalité entre les votants. On "
             "finance d’abord le projet qui coûte le moins cher à chacun de ceux qui l’ont "
             "choisi. Ceux qui ont obtenu un projet ont ensuite moins à dépenser. Quand plus "
             "aucun projet ne peut être payé, on augmente la part de chacun d’un euro et on "
             "recommence, tant que le résultat tient dans l’enveloppe. Ainsi, chaque groupe "
             "de votants obtient des projets en proportion de sa taille.")


def choices_from_form(form: Mapping[str, Any], method: str) -> dict[int, int]:
    """The ballot typed in a vote form: checked projects, or points per project."""
    picked: dict[int, int] = {}
    if method == "cumulative":
        for key in form:
            if key.startswith("points-") and key[7:].isdigit():
                value = str(form.get(key, "")).strip()
                if value.isdigit() and int(value) > 0:
                    picked[int(key[7:])] = min(int(value), 10**6)
        return picked
    getlist = getattr(form, "getlist", None)
    values = getlist("project") if getlist else form.get("project", [])
    for value in values:
        if str(value).isdigit():
            picked[int(value)] = 1
    return picked

