"""Verbs of a permanence: open it, vote at the kiosk or on paper, print and spend codes.

The casting itself is the FPH's: ``civic.budget.services.cast`` with another channel,
so secrecy, the register, the seal and the one-vote rule are written once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from civic.budget import queries as budget_queries
from civic.budget import services as budget
from civic.budget.models import Channel, Round
from civic.budget.services import BudgetError, CheckedVoter, Declaration
from civic.core import audit
from civic.permanence import codes
from civic.permanence.models import KioskTicket, Permanence, VoteCode

if TYPE_CHECKING:
    from civic.accounts.models import User


def open_permanence(db: Session, quartier: Any, place: str, starts_at: datetime,
                    ends_at: datetime, *, actor: User, now: datetime) -> Permanence:
    if ends_at <= starts_at:
        raise BudgetError("permanence_times", "ends_at")
    permanence = Permanence(quartier_id=quartier.id, place=place, starts_at=starts_at,
                            ends_at=ends_at, animator_id=actor.id, created_at=now)
    db.add(permanence)
    db.flush()
    audit.record(db, actor=actor, action="permanence.opened", target_type="permanence",
                 target_id=permanence.id, now=now, place=place)
    return permanence


#: How long the tablet may stay with the resident between the check and the vote.
TICKET_MINUTES = 15


def _ticket_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_ticket(db: Session, round_: Round, permanence: Permanence, declaration: Declaration,
                 *, now: datetime, today: date) -> str:
    """The animator has checked the declaration: hand the tablet over with an opaque token.
    Only the declaration's fingerprint is kept, with the token's hash, for 15 minutes."""
    fingerprint = budget.can_vote(db, round_, declaration, now=now, today=today)
    db.execute(delete(KioskTicket).where(KioskTicket.expires_at < now))
    token = secrets.token_urlsafe(24)
    db.add(KioskTicket(digest=_ticket_digest(token), round_id=round_.id,
                       permanence_id=permanence.id, fingerprint=fingerprint,
                       expires_at=now + timedelta(minutes=TICKET_MINUTES)))
    db.flush()
    return token


def voter_of_ticket(db: Session, round_: Round, permanence: Permanence, token: str, *,
                    now: datetime) -> CheckedVoter | None:
    """The voter a live ticket was issued for, at this permanence and round; else None."""
    ticket = db.get(KioskTicket, _ticket_digest(token)) if token else None
    if ticket is None or ticket.expires_at <= now or ticket.round_id != round_.id or (
            ticket.permanence_id != permanence.id):
        return None
    return CheckedVoter(ticket.fingerprint)


def drop_ticket(db: Session, token: str) -> None:
    """The tablet is given back: the ticket is gone."""
    db.execute(delete(KioskTicket).where(KioskTicket.digest == _ticket_digest(token)))


def kiosk_cast(db: Session, round_: Round, permanence: Permanence, token: str,
               voter: CheckedVoter, choices: dict[int, int], *, now: datetime,
               today: date) -> str:
    """The resident votes on the tablet the animator handed over; the ticket is spent in
    the ballot's own savepoint."""
    return budget.cast(db, round_, voter, choices, channel=Channel.KIOSK, user=None,
                       now=now, today=today, permanence_id=permanence.id,
                       also=lambda session: drop_ticket(session, token))


# --- Printed vote codes ---------------------------------------------------------------


def generate_codes(db: Session, round_: Round, count: int, *, actor: User | None,
                   now: datetime, permanence_id: int | None = None) -> tuple[int, list[str]]:
    """A new print run of ``count`` codes; returns (batch, codes). Only hashes are kept:
    the codes exist in clear on this one answer, to be printed. A run printed by an
    animator belongs to their permanence."""
    if round_.phase(now) not in ("upcoming", "submission", "review", "vote"):
        raise BudgetError("codes_too_late")
    batch = (db.scalar(select(func.max(VoteCode.batch)).where(VoteCode.round_id == round_.id))
             or 0) + 1
    made: set[str] = set()
    while len(made) < count:
        made.add(codes.generate())
    db.add_all(VoteCode(digest=codes.digest(code), round_id=round_.id, batch=batch,
                        permanence_id=permanence_id) for code in made)
    db.flush()
    audit.record(db, actor=actor, action="permanence.codes_generated", target_type="round",
                 target_id=round_.id, now=now, batch=batch, count=count,
                 permanence=permanence_id)
    return batch, sorted(made)


def void_batch(db: Session, round_: Round, batch: int, *, actor: User | None, now: datetime,
               permanence_id: int | None = None) -> int:
    """Cancel the unused codes of a lost print run (of this permanence, when given)."""
    narrowing = [VoteCode.permanence_id == permanence_id] if permanence_id else []
    result = cast(CursorResult[Any], db.execute(update(VoteCode).where(
        VoteCode.round_id == round_.id, VoteCode.batch == batch, *narrowing,
        VoteCode.spent.is_(False)).values(void=True)))
    audit.record(db, actor=actor, action="permanence.codes_voided", target_type="round",
                 target_id=round_.id, now=now, batch=batch, count=result.rowcount,
                 permanence=permanence_id)
    return int(result.rowcount)


@dataclass(frozen=True)
class Batch:
    number: int
    printed: int
    used: int
    void: int
    #: Where it was printed: a permanence's place, or "" for a pilot's run.
    place: str = ""


def code_batches(db: Session, round_: Round, permanence_id: int | None = None
                 ) -> list[Batch]:
    """How many codes each print run has, and how many were used or voided — never which;
    those of one permanence when given."""
    rows = db.execute(select(
        VoteCode.batch, func.count(), func.sum(case((VoteCode.spent, 1), else_=0)),
        func.sum(case((VoteCode.void, 1), else_=0)), func.max(Permanence.place))
        .outerjoin(Permanence, Permanence.id == VoteCode.permanence_id)
        .where(VoteCode.round_id == round_.id,
               *([VoteCode.permanence_id == permanence_id] if permanence_id else []))
        .group_by(VoteCode.batch).order_by(VoteCode.batch))
    return [Batch(number, printed, int(used or 0), int(void or 0), place or "")
            for number, printed, used, void, place in rows]


def check_code(db: Session, round_: Round, typed: str) -> str:
    """The normalised code if it may still vote; else BudgetError telling a typing mistake
    ("code_mistyped") from a code unknown or already used ("code_used")."""
    code = codes.normalise(typed)
    if not codes.well_formed(code):
        raise BudgetError("code_mistyped", "code")
    found = db.get(VoteCode, codes.digest(code))
    if found is None or found.round_id != round_.id or found.spent or found.void:
        raise BudgetError("code_used", "code")
    return code


def code_cast(db: Session, round_: Round, typed: str, declaration: Declaration,
              choices: dict[int, int], *, now: datetime, today: date) -> str:
    """Vote with a printed code: the code is spent in the ballot's own savepoint."""
    code = check_code(db, round_, typed)

    def spend(session: Session) -> None:
        spent = cast(CursorResult[Any], session.execute(update(VoteCode).where(
            VoteCode.digest == codes.digest(code), VoteCode.spent.is_(False),
            VoteCode.void.is_(False)).values(spent=True)))
        if spent.rowcount != 1:
            raise BudgetError("code_used", "code")

    return budget.cast(db, round_, declaration, choices, channel=Channel.CODE, user=None,
                       now=now, today=today, also=spend)


# --- Paper ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PaperCount:
    permanence: Permanence
    voters: int
    ballots: int

    @property
    def consistent(self) -> bool:
        return self.voters == self.ballots


def paper_counts(db: Session, round_: Round) -> list[PaperCount]:
    """Per permanence: paper voters in the register against paper ballots entered."""
    counts = budget_queries.paper_counts(db, round_)
    permanences = db.scalars(select(Permanence).where(Permanence.id.in_(list(counts)))
                             .order_by(Permanence.starts_at))
    return [PaperCount(p, *counts[p.id]) for p in permanences]


def paper_consistent(db: Session, round_: Round) -> bool:
    return all(count.consistent for count in paper_counts(db, round_))
