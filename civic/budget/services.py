"""Verbs of the FPH: funds and rounds, proposals, review, the vote, the count, follow-up.

Services take the database session, the acting person and ``now`` as arguments, check
the rule, change, flush and write the audit entry. They never commit.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from civic.budget import ballots as ballot_rules
from civic.budget import box, identity, queries
from civic.budget.models import (
    Channel,
    FollowUp,
    Fund,
    PaperVoid,
    Participation,
    Project,
    ProjectStatus,
    ProjectUpdate,
    RememberedDeclaration,
    Round,
    SealedBallot,
    Trustee,
)
from civic.budget.phases import NEXT_BOUNDARY, Phase, Schedule
from civic.core import audit
from civic.core.errors import RuleBroken

if TYPE_CHECKING:
    from civic.accounts.models import User


class BudgetError(RuleBroken):
    """A rule of the FPH was broken."""


# --- Funds and rounds (pilot) ---------------------------------------------------------

FUND_FIELDS = ("year", "envelope_cents", "cap_cents", "min_project_cents", "min_age",
               "rules_text", "vote_method", "approval_min", "approval_max", "points_total",
               "points_max", "tally_rule", "min_score")


def _check_fund(values: dict[str, Any]) -> None:
    if values["cap_cents"] > values["envelope_cents"]:
        raise BudgetError("cap_over_envelope", "cap_cents")
    if values["min_project_cents"] > values["cap_cents"]:
        raise BudgetError("min_over_cap", "min_project_cents")
    if values["vote_method"] == "approval" and values["approval_max"] is not None and (
            values["approval_max"] < values["approval_min"]):
        raise BudgetError("approval_range", "approval_max")
    if values["vote_method"] == "cumulative" and (
            values["points_total"] < 1 or not 1 <= values["points_max"] <= values["points_total"]):
        raise BudgetError("points_range", "points_max")


def save_fund(db: Session, quartier: Any, fund: Fund | None, values: dict[str, Any], *,
              actor: User | None, now: datetime) -> Fund:
    values = {k: values[k] for k in FUND_FIELDS}
    _check_fund(values)
    clash = db.scalar(select(Fund.id).where(Fund.quartier_id == quartier.id,
                                            Fund.year == values["year"]))
    if clash is not None and (fund is None or fund.id != clash):
        raise BudgetError("fund_exists", "year")
    if fund is None:
        fund = Fund(quartier_id=quartier.id, created_at=now, **values)
        db.add(fund)
        db.flush()
        audit.record(db, actor=actor, action="budget.fund_created", target_type="fund",
                     target_id=fund.id, now=now, values=values)
        return fund
    if any(r.vote_starts_at <= now for r in fund.rounds) and any(
            getattr(fund, k) != values[k] for k in ("vote_method", "tally_rule", "envelope_cents")):
        raise BudgetError("fund_locked", "vote_method")
    changed = audit.changes(fund, values)
    db.flush()
    if changed:
        audit.record(db, actor=actor, action="budget.fund_updated", target_type="fund",
                     target_id=fund.id, now=now, changed=changed)
    return fund


ROUND_DATES = ("submission_starts_at", "review_starts_at", "vote_starts_at", "vote_ends_at",
               "follow_up_starts_at")


#: A date typed in a form is to the minute: within this of the stored one, it is the same.
TYPED_PRECISION = timedelta(minutes=1)


def _kept_dates(round_: Round, values: dict[str, Any], now: datetime) -> None:
    """Dates already passed stay as they are, to the second (a phase moved on by hand
    set them to that instant, which the form shows to the minute); a date still to
    come may move, but not into the past (moving on now is the pilot's button)."""
    for name in ROUND_DATES:
        stored = getattr(round_, name)
        if stored <= now:
            if abs(values[name] - stored) >= TYPED_PRECISION:
                raise BudgetError("date_passed", name)
            values[name] = stored
        elif values[name] <= now:
            raise BudgetError("date_in_past", name)


def save_round(db: Session, fund: Fund, round_: Round | None, values: dict[str, Any], *,
               actor: User | None, now: datetime) -> Round:
    """Create a round, or change its title and dates: those already passed stay, the
    close of an open vote may move (extended, audited with the others)."""
    values = dict(values)
    if round_ is not None:
        _kept_dates(round_, values, now)
    schedule = Schedule(*(values[k] for k in ROUND_DATES))
    wrong = schedule.problems()
    if wrong:
        raise BudgetError("dates_order", wrong[0])
    if round_ is None:
        round_ = Round(fund=fund, title=values["title"], secret=os.urandom(32),
                       seal=box.EMPTY_SEAL, created_at=now,
                       **{k: values[k] for k in ROUND_DATES})
        db.add(round_)
        db.flush()
        audit.record(db, actor=actor, action="budget.round_created", target_type="round",
                     target_id=round_.id, now=now, title=values["title"],
                     seal=round_.seal, ballots=0)
        return round_
    changed = audit.changes(round_, {"title": values["title"],
                                     **{k: values[k] for k in ROUND_DATES}})
    db.flush()
    if changed:
        audit.record(db, actor=actor, action="budget.round_updated", target_type="round",
                     target_id=round_.id, now=now,
                     changed={k: [str(a), str(b)] for k, (a, b) in changed.items()})
    return round_


def advance_phase(db: Session, round_: Round, *, actor: User | None, now: datetime) -> Phase:
    """Move the round to its next phase now, by the pilot's hand."""
    phase = round_.phase(now)
    field = NEXT_BOUNDARY.get(phase)
    if field is None:
        raise BudgetError("cannot_advance")
    if field == "vote_starts_at" and round_.box_key is None:
        raise BudgetError("box_not_ready")
    setattr(round_, field, now)
    later = ROUND_DATES[ROUND_DATES.index(field) + 1:]
    for name in later:  # keep the dates in order
        if getattr(round_, name) <= now:
            raise BudgetError("dates_order", name)
    db.flush()
    new_phase = round_.phase(now)
    audit.record(db, actor=actor, action="budget.phase_advanced", target_type="round",
                 target_id=round_.id, now=now, phase=[phase.value, new_phase.value],
                 seal=round_.seal, ballots=queries.ballot_count(db, round_))
    return new_phase


# --- Projects (residents, associations) -----------------------------------------------

PROJECT_FIELDS = ("title", "summary", "description", "amount_cents", "budget_lines",
                  "orientation_id", "carrier_kind", "carrier_name", "contact", "place",
                  "latitude", "longitude")


def _check_project(fund: Fund, values: dict[str, Any]) -> None:
    lines_total = sum(line["amount_cents"] for line in values["budget_lines"])
    if lines_total != values["amount_cents"]:
        raise BudgetError("lines_total", "amount_cents", lines=lines_total)
    if values["amount_cents"] > fund.cap_cents:
        raise BudgetError("over_cap", "amount_cents", cap=fund.cap_cents)
    if values["amount_cents"] < fund.min_project_cents:
        raise BudgetError("under_min", "amount_cents", min=fund.min_project_cents)


def propose(db: Session, round_: Round, values: dict[str, Any], *, author: Any,
            now: datetime) -> Project:
    if round_.phase(now) != Phase.SUBMISSION:
        raise BudgetError("not_submission")
    values = {k: values.get(k) for k in PROJECT_FIELDS}
    _check_project(round_.fund, values)
    project = Project(round=round_, author_id=author.id, created_at=now, updated_at=now,
                      status=ProjectStatus.SUBMITTED.value, **values)
    db.add(project)
    db.flush()
    return project


def edit_project(db: Session, project: Project, values: dict[str, Any], *, now: datetime) -> None:
    if project.round.phase(now) != Phase.SUBMISSION or project.status not in (
            ProjectStatus.SUBMITTED, ProjectStatus.CHANGES_REQUESTED):
        raise BudgetError("not_editable")
    values = {k: values.get(k) for k in PROJECT_FIELDS}
    _check_project(project.round.fund, values)
    for key, value in values.items():
        setattr(project, key, value)
    project.status = ProjectStatus.SUBMITTED.value
    project.updated_at = now
    db.flush()


def set_photo(db: Session, project: Project, photo: str | None) -> None:
    project.photo = photo
    db.flush()


def withdraw(db: Session, project: Project, *, now: datetime) -> None:
    if project.round.phase(now) != Phase.SUBMISSION:
        raise BudgetError("not_editable")
    project.status = ProjectStatus.WITHDRAWN.value
    project.updated_at = now
    db.flush()


# --- Review (FPH committee: moderators of the quartier) -------------------------------

CHECKLIST = ("within_cap", "in_quartier", "fund_rules", "carried_locally")


def _reviewable(project: Project, actor: User, now: datetime) -> None:
    if project.round.phase(now) not in (Phase.SUBMISSION, Phase.REVIEW):
        raise BudgetError("not_review")
    if project.author_id == actor.id:
        raise BudgetError("own_project")
    if project.status in (ProjectStatus.MERGED, ProjectStatus.WITHDRAWN):
        raise BudgetError("not_reviewable")


def review(db: Session, project: Project, decision: str, *, checklist: dict[str, bool],
           message: str, merge_into: Project | None, actor: User, now: datetime) -> None:
    """admit, changes, reject or merge; every decision is audited and told to the author."""
    _reviewable(project, actor, now)
    if decision == "admit":
        if not all(checklist.get(item) for item in CHECKLIST):
            raise BudgetError("checklist_incomplete", "within_cap")
        project.status = ProjectStatus.ADMITTED.value
    elif decision == "changes":
        if project.round.phase(now) != Phase.SUBMISSION:
            raise BudgetError("changes_too_late", "decision")
        if not message:
            raise BudgetError("message_required", "message")
        project.status = ProjectStatus.CHANGES_REQUESTED.value
    elif decision == "reject":
        if not message:
            raise BudgetError("message_required", "message")
        project.status = ProjectStatus.REJECTED.value
    elif decision == "merge":
        if merge_into is None or merge_into.id == project.id or (
                merge_into.round_id != project.round_id) or merge_into.status in (
                ProjectStatus.MERGED, ProjectStatus.REJECTED, ProjectStatus.WITHDRAWN):
            raise BudgetError("merge_target", "merge_into")
        project.status = ProjectStatus.MERGED.value
        project.merged_into_id = merge_into.id
    else:
        raise BudgetError("decision", "decision")
    project.checklist = {item: bool(checklist.get(item)) for item in CHECKLIST}
    project.review_message = message
    project.updated_at = now
    db.flush()
    audit.record(db, actor=actor, action=f"budget.project_{decision}", target_type="project",
                 target_id=project.id, now=now, message=message,
                 merged_into=merge_into.id if merge_into else None)


# --- The vote -------------------------------------------------------------------------


@dataclass(frozen=True)
class Declaration:
    """What the voter declares on honour."""

    name: str
    birth_date: date
    lives_in_quartier: bool


def method_of(fund: Fund) -> ballot_rules.Method:
    return ballot_rules.Method(kind=fund.vote_method, envelope=fund.envelope_cents,
                               min_choices=fund.approval_min, max_choices=fund.approval_max,
                               points_total=fund.points_total, points_max=fund.points_max)


def ballot_costs(db: Session, round_: Round) -> dict[int, int]:
    """The projects on the ballot, with their costs."""
    return dict(db.execute(select(Project.id, Project.amount_cents).where(
        Project.round_id == round_.id, Project.status == ProjectStatus.ADMITTED)).all())


def check_declaration(fund: Fund, declaration: Declaration, today: date) -> None:
    if not declaration.name.strip():
        raise BudgetError("name_required", "name")
    if not declaration.lives_in_quartier:
        raise BudgetError("must_live_here", "lives_in_quartier")
    if declaration.birth_date > today or declaration.birth_date.year < 1900:
        raise BudgetError("birth_date", "birth_date")
    if identity.age_on(declaration.birth_date, today) < fund.min_age:
        raise BudgetError("too_young", "birth_date", min_age=fund.min_age)


def check_choices(db: Session, round_: Round, choices: dict[int, int], *,
                  costs: dict[int, int] | None = None) -> dict[int, int]:
    """The ballot's projects with their costs, or BudgetError with the first problem.
    ``costs`` saves the query when the caller has the ballot's projects loaded."""
    costs = ballot_costs(db, round_) if costs is None else costs
    problems = ballot_rules.problems(method_of(round_.fund), choices, costs)
    if problems:
        raise BudgetError(problems[0], "choices")
    return costs


def has_voted(db: Session, round_: Round, user: User) -> bool:
    if user is None:
        return False
    return db.scalar(select(Participation.id).where(Participation.round_id == round_.id,
                                                    Participation.user_id == user.id)) is not None


@dataclass(frozen=True)
class CheckedVoter:
    """A declaration already checked at a permanence: only its fingerprint goes on."""

    fingerprint: str


Voter = Declaration | CheckedVoter


def _lock_round(db: Session, round_: Round) -> str:
    """Lock the round's row and return its seal. Taken before writing rows that reference
    the round, so that casts update the seal one at a time and never deadlock on the
    foreign keys' share locks."""
    return db.execute(select(Round.seal).where(Round.id == round_.id)
                      .with_for_update(key_share=True)).scalar_one()


def _open_for_votes(round_: Round, now: datetime) -> None:
    if round_.phase(now) != Phase.VOTE or round_.secret is None:
        raise BudgetError("not_vote")
    if round_.box_key is None:
        raise BudgetError("box_not_ready")


def fingerprint_of(round_: Round, declaration: Declaration, today: date) -> str:
    """The register's fingerprint of a declaration, once it is checked."""
    assert round_.secret is not None
    check_declaration(round_.fund, declaration, today)
    return identity.fingerprint(round_.secret, declaration.name, declaration.birth_date)


def _fingerprints(round_: Round, declaration: Declaration, fingerprint: str) -> list[str]:
    """Every fingerprint the register may hold for this person: today's, and the one
    folded the older way (words in the order typed) for lines written before."""
    assert round_.secret is not None
    return [fingerprint, identity.legacy_fingerprint(round_.secret, declaration.name,
                                                     declaration.birth_date)]


def _refuse_if_registered(db: Session, round_: Round, declaration: Declaration,
                          fingerprint: str) -> None:
    if db.scalar(select(Participation.id).where(
            Participation.round_id == round_.id,
            Participation.fingerprint.in_(_fingerprints(round_, declaration, fingerprint)))):
        raise BudgetError("already_voted", "name")


def _register_line(round_: Round, fingerprint: str, channel: Channel, user: User | None,
                   today: date, permanence_id: int | None) -> Participation:
    return Participation(
        id=secrets.token_hex(16), round_id=round_.id, channel=channel.value, voted_on=today,
        fingerprint=fingerprint, user_id=getattr(user, "id", None),
        permanence_id=permanence_id)


def seal_choices(round_: Round, choices: dict[int, int], costs: dict[int, int]) -> bytes:
    """The choices encrypted to the round's count key, padded to the round's width; from
    here on only the ciphertext exists."""
    assert round_.box_key is not None
    fund = round_.fund
    most = fund.points_max if fund.vote_method == "cumulative" else 1
    return box.encrypt(round_.box_key, choices, box.width(costs, most))


def _into_box(db: Session, round_: Round, seal: str, ciphertext: bytes, channel: Channel,
              permanence_id: int | None = None) -> str:
    tracker = box.tracker(ciphertext)
    db.add(SealedBallot(tracker=tracker, round_id=round_.id, ciphertext=ciphertext,
                        channel=channel.value, permanence_id=permanence_id))
    round_.seal = box.add_to_seal(seal, tracker)
    return tracker


def can_vote(db: Session, round_: Round, declaration: Declaration, *, now: datetime,
             today: date) -> str:
    """Check a declaration before the ballot is handed over (kiosk): right phase, old
    enough, not yet in the register by any channel; returns its fingerprint. Says nothing
    of when or how."""
    _open_for_votes(round_, now)
    fingerprint = fingerprint_of(round_, declaration, today)
    _refuse_if_registered(db, round_, declaration, fingerprint)
    return fingerprint


def cast(db: Session, round_: Round, voter: Voter, choices: dict[int, int], *,
         channel: Channel, user: User | None, now: datetime, today: date,
         permanence_id: int | None = None,
         also: Callable[[Session], None] | None = None) -> str:
    """Seal one ballot into the box and the voter into the register; returns the receipt.

    The choices are encrypted as soon as they are valid: the plaintext is never written
    anywhere. Both rows are written in one savepoint: the register's unique fingerprint
    makes a second vote by the same person, by any channel, fail as a whole
    ("already_voted"). ``also`` runs in the same savepoint (a vote code is spent there).
    ``today`` is the day in the contract's time zone, the only time the register keeps.
    """
    _open_for_votes(round_, now)
    fingerprint = voter.fingerprint if isinstance(voter, CheckedVoter) else \
        fingerprint_of(round_, voter, today)
    ciphertext = seal_choices(round_, choices, check_choices(db, round_, choices))
    try:
        with db.begin_nested():
            seal = _lock_round(db, round_)
            if not isinstance(voter, CheckedVoter):
                _refuse_if_registered(db, round_, voter, fingerprint)
            if also is not None:
                also(db)
            db.add(_register_line(round_, fingerprint, channel, user, today, permanence_id))
            tracker = _into_box(db, round_, seal, ciphertext, channel)
            db.flush()
    except IntegrityError as error:
        raise BudgetError("already_voted") from error
    return box.receipt(tracker)


def register_paper_voter(db: Session, round_: Round, declaration: Declaration, *,
                         permanence_id: int, now: datetime, today: date) -> None:
    """A resident votes on paper at a permanence: the register line now, the ballot later
    (entered with the others once the paper box is opened)."""
    _open_for_votes(round_, now)
    _write_paper_voter(db, round_, declaration, permanence_id=permanence_id, today=today)


def _write_paper_voter(db: Session, round_: Round, declaration: Declaration, *,
                       permanence_id: int, today: date) -> None:
    """The register line of a paper voter, once: under the round's lock, checked against
    every fingerprint the register may hold for the person."""
    fingerprint = fingerprint_of(round_, declaration, today)
    try:
        with db.begin_nested():
            _lock_round(db, round_)
            _refuse_if_registered(db, round_, declaration, fingerprint)
            db.add(_register_line(round_, fingerprint, Channel.PAPER, None, today,
                                  permanence_id))
            db.flush()
    except IntegrityError as error:
        raise BudgetError("already_voted") from error


def enter_paper_ballot(db: Session, round_: Round, choices: dict[int, int], *,
                       permanence_id: int, now: datetime) -> str:
    """A paper ballot typed in after the paper box is opened (during the vote or after
    it, until the count); it is sealed and joins the box like any other. Never more
    ballots than the permanence's register has paper voters: one too many would block
    the count. Returns its receipt, by which a mistake can be voided."""
    _paper_open(round_, now)
    ciphertext = seal_choices(round_, choices, check_choices(db, round_, choices))
    with db.begin_nested():
        seal = _lock_round(db, round_)
        voters, ballots = queries.paper_counts(db, round_).get(permanence_id, (0, 0))
        if ballots >= voters:
            raise BudgetError("paper_over_register")
        tracker = _into_box(db, round_, seal, ciphertext, Channel.PAPER,
                            permanence_id=permanence_id)
        db.flush()
    return box.receipt(tracker)


def _paper_open(round_: Round, now: datetime) -> None:
    """Paper ballots and their register can be corrected until the count starts."""
    if round_.phase(now) not in (Phase.VOTE, Phase.COUNTING) or round_.count_started_at:
        raise BudgetError("paper_closed")
    if round_.box_key is None or round_.secret is None:
        raise BudgetError("box_not_ready")


def add_forgotten_paper_voter(db: Session, round_: Round, declaration: Declaration, *,
                              permanence_id: int, actor: User, now: datetime,
                              today: date) -> None:
    """After the vote closed and until the count: a person who voted on paper but was
    left out of the register. Audited (the permanence, never the person)."""
    _paper_open(round_, now)
    _write_paper_voter(db, round_, declaration, permanence_id=permanence_id, today=today)
    audit.record(db, actor=actor, action="budget.paper_voter_added", target_type="round",
                 target_id=round_.id, now=now, permanence=permanence_id)


def ask_paper_void(db: Session, round_: Round, *, permanence_id: int, receipt: str,
                   reason: str, actor: User, now: datetime) -> PaperVoid:
    """Ask for a paper ballot entered by mistake to be taken out of the box; another
    person confirms it."""
    _paper_open(round_, now)
    ballot = receipt_in_box(db, receipt)
    if ballot is None or (ballot.round_id, ballot.channel, ballot.permanence_id) != (
            round_.id, Channel.PAPER.value, permanence_id):
        raise BudgetError("paper_not_found", "receipt")
    if db.scalar(select(PaperVoid.id).where(PaperVoid.tracker == ballot.tracker)):
        raise BudgetError("paper_void_pending", "receipt")
    void = PaperVoid(round_id=round_.id, permanence_id=permanence_id, tracker=ballot.tracker,
                     reason=reason, asked_by_id=actor.id, asked_at=now)
    db.add(void)
    db.flush()
    audit.record(db, actor=actor, action="budget.paper_void_asked", target_type="round",
                 target_id=round_.id, now=now, permanence=permanence_id,
                 receipt=box.receipt(ballot.tracker), reason=reason)
    return void


def confirm_paper_void(db: Session, void: PaperVoid, *, actor: User, now: datetime) -> None:
    """A second person takes the ballot out of the box: the seal loses its tracker."""
    round_ = db.get(Round, void.round_id)
    assert round_ is not None
    _paper_open(round_, now)
    if void.confirmed_at is not None:
        raise BudgetError("paper_void_done")
    if void.asked_by_id == actor.id:
        raise BudgetError("paper_void_same_person")
    with db.begin_nested():
        seal = _lock_round(db, round_)
        ballot = db.get(SealedBallot, void.tracker)
        if ballot is None:
            raise BudgetError("paper_not_found")
        db.delete(ballot)
        round_.seal = box.remove_from_seal(seal, void.tracker)
        void.confirmed_by_id, void.confirmed_at = actor.id, now
        db.flush()
    audit.record(db, actor=actor, action="budget.paper_void_confirmed", target_type="round",
                 target_id=round_.id, now=now, permanence=void.permanence_id,
                 receipt=box.receipt(void.tracker), asked_by=void.asked_by_id)


def withdraw_paper_void(db: Session, void: PaperVoid, *, actor: User, now: datetime) -> None:
    """A request made by mistake is withdrawn (by anyone who may fix paper ballots)."""
    if void.confirmed_at is not None:
        raise BudgetError("paper_void_done")
    db.delete(void)
    db.flush()
    audit.record(db, actor=actor, action="budget.paper_void_withdrawn", target_type="round",
                 target_id=void.round_id, now=now, permanence=void.permanence_id,
                 receipt=box.receipt(void.tracker))


def remembered(db: Session, user: User | None, quartier_id: int
               ) -> RememberedDeclaration | None:
    """The declaration this person asked to be remembered for this quartier, if any."""
    if user is None or not getattr(user, "id", None):
        return None
    found = db.get(RememberedDeclaration, user.id)
    return found if found is not None and found.quartier_id == quartier_id else None


def remember_declaration(db: Session, user: User, declaration: Declaration, *,
                         quartier_id: int, now: datetime) -> None:
    """Keep the person's name and birth date, at their request, for the next votes of
    this quartier (one quartier at a time: the last one they voted in)."""
    found = db.get(RememberedDeclaration, user.id)
    if found is None:
        found = RememberedDeclaration(user_id=user.id)
        db.add(found)
    found.quartier_id = quartier_id
    found.name = declaration.name
    found.birth_date = declaration.birth_date
    found.saved_at = now
    db.flush()


def forget_declaration(db: Session, user: User) -> bool:
    """Forget what was remembered; whether there was something."""
    found = db.get(RememberedDeclaration, user.id)
    if found is None:
        return False
    db.delete(found)
    db.flush()
    return True


def receipt_in_box(db: Session, code: str) -> SealedBallot | None:
    """The sealed ballot whose tracker starts with this receipt, if any (never its
    choices: nobody can read them before the count)."""
    prefix = box.receipt_prefix(code)
    if prefix is None:
        return None
    low, high = box.tracker_range(prefix)
    return db.scalars(select(SealedBallot).where(SealedBallot.tracker >= low,
                                                 SealedBallot.tracker < high)
                      .order_by(SealedBallot.tracker).limit(1)).first()


def seal_intact(db: Session, round_: Round) -> bool:
    """Every tracker is the hash of its ciphertext and they add up to the round's seal."""
    rows = db.execute(select(SealedBallot.tracker, SealedBallot.ciphertext)
                      .where(SealedBallot.round_id == round_.id))
    return box.seal_holds(rows, round_.seal)


# --- Follow-up ------------------------------------------------------------------------


def set_follow_up(db: Session, project: Project, status: FollowUp, spent_cents: int | None, *,
                  actor: User | None, now: datetime) -> None:
    if project.follow_up is None:
        raise BudgetError("not_funded")
    changed = audit.changes(project, {"follow_up": status.value, "spent_cents": spent_cents})
    project.updated_at = now
    db.flush()
    if changed:
        audit.record(db, actor=actor, action="budget.follow_up", target_type="project",
                     target_id=project.id, now=now, changed=changed)


def add_update(db: Session, project: Project, text: str, photo: str | None, *, actor: User,
               now: datetime) -> ProjectUpdate:
    if project.follow_up is None:
        raise BudgetError("not_funded")
    update = ProjectUpdate(project=project, author_id=actor.id, at=now, text=text, photo=photo)
    db.add(update)
    db.flush()
    return update


def destroy_secrets(db: Session, *, published_before: datetime, now: datetime) -> list[int]:
    """Once the contest period is over: forget the register's keys, delete the sealed
    ballots' ciphertexts and the trustees' pieces of the count key. The published
    trackers stay; nothing can link a register line to a choice any more."""
    rounds = list(db.scalars(select(Round).where(Round.secret.is_not(None),
                                                 Round.results_published_at < published_before)))
    ids = [r.id for r in rounds]
    for round_ in rounds:
        round_.secret = None
        round_.secret_destroyed_at = now
        audit.record(db, actor=None, action="budget.secret_destroyed", target_type="round",
                     target_id=round_.id, now=now)
    if ids:
        db.execute(update(SealedBallot).where(SealedBallot.round_id.in_(ids))
                   .values(ciphertext=None))
        db.execute(update(Trustee).where(Trustee.round_id.in_(ids)).values(sealed_piece=None))
    db.flush()
    return ids
