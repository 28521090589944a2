"""The read side of the FPH."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from civic.budget.models import (
    Ballot,
    Fund,
    PaperVoid,
    Participation,
    Project,
    ProjectStatus,
    Round,
    SealedBallot,
)

if TYPE_CHECKING:
    from civic.accounts.models import User


def funds(db: Session) -> list[Fund]:
    return list(db.scalars(select(Fund).options(selectinload(Fund.rounds))
                           .order_by(Fund.year.desc(), Fund.id)))


def rounds_of_quartier(db: Session, quartier_id: int) -> list[Round]:
    return list(db.scalars(select(Round).join(Round.fund).where(Fund.quartier_id == quartier_id)
                           .order_by(Round.vote_starts_at.desc())))


def projects(db: Session, round_: Round, statuses: tuple[str, ...] | None = None) -> list[Project]:
    query = select(Project).where(Project.round_id == round_.id).order_by(Project.id)
    if statuses is not None:
        query = query.where(Project.status.in_(statuses))
    return list(db.scalars(query))


def ballot_projects(db: Session, round_: Round) -> list[Project]:
    return projects(db, round_, (ProjectStatus.ADMITTED.value,))


def my_projects(db: Session, round_: Round, user: User) -> list[Project]:
    if user is None:
        return []
    return list(db.scalars(select(Project).where(Project.round_id == round_.id,
                                                 Project.author_id == user.id)
                           .order_by(Project.id)))


def ballots(db: Session, round_: Round) -> list[Ballot]:
    """The counted box, in the order of its random ids (never the order of casting)."""
    return list(db.scalars(select(Ballot).where(Ballot.round_id == round_.id)
                           .order_by(Ballot.id)))


def turnout(db: Session, round_: Round) -> dict[str, int]:
    """Voters in the register, by channel."""
    rows = db.execute(select(Participation.channel, func.count()).where(
        Participation.round_id == round_.id).group_by(Participation.channel))
    return {channel: count for channel, count in rows}


def paper_counts(db: Session, round_: Round) -> dict[int, tuple[int, int]]:
    """Per permanence id: (paper voters in the register, paper ballots entered)."""
    voters = dict(db.execute(select(Participation.permanence_id, func.count()).where(
        Participation.round_id == round_.id, Participation.channel == "paper",
        Participation.permanence_id.is_not(None)).group_by(Participation.permanence_id)).all())
    ballots = dict(db.execute(select(SealedBallot.permanence_id, func.count()).where(
        SealedBallot.round_id == round_.id, SealedBallot.channel == "paper",
        SealedBallot.permanence_id.is_not(None)).group_by(SealedBallot.permanence_id)).all())
    return {pid: (int(voters.get(pid, 0)), int(ballots.get(pid, 0)))
            for pid in set(voters) | set(ballots) if pid is not None}


def paper_voids(db: Session, round_: Round, permanence_id: int) -> list[PaperVoid]:
    """The requests to void a paper ballot of a permanence, waiting ones first."""
    return list(db.scalars(select(PaperVoid).where(
        PaperVoid.round_id == round_.id, PaperVoid.permanence_id == permanence_id)
        .order_by(PaperVoid.confirmed_at.is_not(None), PaperVoid.asked_at.desc())))


def ballot_count(db: Session, round_: Round) -> int:
    """Ballots in the box: the sealed ones until the count, then the counted ones."""
    model = Ballot if round_.count_confirmed_at is not None else SealedBallot
    return db.scalar(select(func.count()).select_from(model)
                     .where(model.round_id == round_.id)) or 0


def trackers(db: Session, round_: Round) -> list[str]:
    """The trackers of the sealed ballots, sorted (nothing of the order of casting)."""
    return list(db.scalars(select(SealedBallot.tracker).where(SealedBallot.round_id == round_.id)
                           .order_by(SealedBallot.tracker)))
