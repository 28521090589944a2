"""The count: the trustees' shares open the encrypted box, the fund's rule runs, and the
results are published frozen with the SHA-256 of the anonymous ballots file anyone can
recount, next to the list of trackers every voter can find their receipt in."""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from civic.budget import box, pabulib, queries, tally, trustees
from civic.budget.models import Ballot, FollowUp, Fund, Project, Round, SealedBallot
from civic.budget.phases import Phase
from civic.budget.services import BudgetError
from civic.core import audit
from civic.core.forms import is_db_int
from civic.core.i18n import _

if TYPE_CHECKING:
    from civic.accounts.models import User


def count(db: Session, round_: Round, shares: Sequence[str], *, actor: User | None, now: datetime,
          small: int) -> dict[str, Any]:
    """Open the box with the trustees' shares, and count.

    In one request and one transaction: the shares rebuild the count key in memory; the
    seal is checked over the ciphertexts; every ballot is decrypted; the plaintext box is
    shuffled with ``secrets`` and written with fresh random ids; the fund's rule runs.
    The key is then dropped: nothing of it outlives the request. A wrong share, a missing
    one, the same share twice or a broken seal changes nothing. ``small`` is the secrecy
    threshold: a channel with fewer ballots is not named on any counted ballot.
    """
    if round_.count_confirmed_at is not None:
        raise BudgetError("already_counted")
    if round_.phase(now) != Phase.COUNTING:
        raise BudgetError("not_counting")
    if any(voters != ballots for voters, ballots in queries.paper_counts(db, round_).values()):
        raise BudgetError("paper_mismatch")
    key, used = trustees.open_key(round_, shares)
    rows = db.execute(select(SealedBallot.tracker, SealedBallot.ciphertext,
                             SealedBallot.channel)
                      .where(SealedBallot.round_id == round_.id)).all()
    if not box.seal_holds(((t, c) for t, c, _ in rows), round_.seal):
        audit.record(db, actor=actor, action="budget.seal_broken", target_type="round",
                     target_id=round_.id, now=now, seal=round_.seal)
        raise BudgetError("seal_broken")
    sealed = [(ciphertext, channel) for _, ciphertext, channel in rows
              if ciphertext is not None]
    opened = list(zip(box.decrypt_all(key, [c for c, _ in sealed]),
                      [channel for _, channel in sealed], strict=True))
    del key
    secrets.SystemRandom().shuffle(opened)
    turnout = Counter(channel for _, channel in opened)
    named = {channel for channel, n in turnout.items() if n >= small}
    counted = [{"id": secrets.token_hex(16), "round_id": round_.id, "choices": choices,
                "channel": channel if channel in named else None}
               for choices, channel in opened]
    if counted:
        db.execute(insert(Ballot), counted)
    round_.count_started_by_id = used[0].user_id
    round_.count_confirmed_by_id = used[1].user_id if len(used) > 1 else None
    round_.count_started_at = round_.count_confirmed_at = now
    round_.results = compute(db, round_, [choices for choices, _ in opened], dict(turnout))
    db.flush()
    audit.record(db, actor=actor, action="budget.counted", target_type="round",
                 target_id=round_.id, now=now, seal=round_.seal, ballots=len(opened),
                 trustees=[t.position for t in used], selected=round_.results["selected"])
    return round_.results


def election(fund: Fund, projects: list[Project], ballots: Sequence[Mapping[str, int]]
             ) -> tally.Election:
    """The round as the pure rules see it: amounts in euros, exactly (cents as fractions),
    so that "one unit of currency" in Equal Shares' completion is one euro."""
    return tally.Election(
        budget=Fraction(fund.envelope_cents, 100),
        costs={str(p.id): Fraction(p.amount_cents, 100) for p in projects},
        ballots=ballots, min_score=fund.min_score or None)


def compute(db: Session, round_: Round, ballots: Sequence[Mapping[str, int]],
            turnout: dict[str, int]) -> dict[str, Any]:
    """The results of the round from its ballots and its ballots by channel."""
    fund = round_.fund
    projects = queries.ballot_projects(db, round_)
    the_election = election(fund, projects, ballots)
    selected = tally.RULES[fund.tally_rule](the_election)
    scores = tally.scores(the_election.costs, ballots)
    by_id = {str(p.id): p for p in projects}
    spent = sum(by_id[i].amount_cents for i in selected)
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


def publish(db: Session, round_: Round, *, actor: User | None, now: datetime) -> None:
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


def trackers_text(db: Session, round_: Round) -> str:
    """The published list of trackers, sorted, under the seal they add up to: each voter
    finds the start of theirs, anyone can add them up."""
    lines = [f"# {round_.title} — {round_.fund.quartier.name}",
             f"# seal (sum of the trackers modulo 2^256): {round_.seal}",
             f"# ballots: {queries.ballot_count(db, round_)}"]
    return "\n".join([*lines, *queries.trackers(db, round_)]) + "\n"


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
    if fund.tally_rule == "greedy":
        # How ties were broken, so that a recount gives the same projects (pabutools:
        # greedy_utilitarian_welfare with Cost_Sat and min_cost_tie_breaking).
        meta["comment"] = ("ties: the cheaper project first, then the project id "
                           "compared as text")
    if vote_type == "cumulative":
        meta["max_sum_points"] = str(fund.points_total)
    project_rows = {str(p.id): {"cost": _euros(p.amount_cents), "name": p.title,
                                "selected": "1" if p.id in selected else "0"}
                    for p in projects}
    votes = []
    for ballot in queries.ballots(db, round_):
        ids = sorted(ballot.choices, key=int)
        row = {"voter_id": ballot.id, "vote": ",".join(ids),
               "voting_method": ballot.channel or ""}
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
                 "passe d’abord ; à prix égal, celui dont le numéro vient d’abord (les "
                 "numéros comparés comme des mots).")
        if fund.min_score:
            text += " " + _("Un projet doit avoir au moins %(n)s voix ou points pour être "
                            "financé.", n=fund.min_score)
        else:
            text += " " + _("Le règlement de ce fonds permet de financer un projet sans "
                            "aucune voix.")
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
            if key.startswith("points-") and is_db_int(key[7:]):
                value = str(form.get(key, "")).strip()
                if is_db_int(value) and int(value) > 0:
                    picked[int(key[7:])] = min(int(value), 10**6)
        return picked
    getlist = getattr(form, "getlist", None)
    values = getlist("project") if getlist else form.get("project", [])
    for value in values:
        if is_db_int(value):
            picked[int(value)] = 1
    return picked

