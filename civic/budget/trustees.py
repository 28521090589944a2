"""Verbs of the *bureau de vote*: the pilot names the trustees of a round's count key,
each trustee receives their share once, and the box is sealed when the last one has.

The server never holds a share after the request that hands it over: it keeps the
share's public half, and the trustee's piece of the count key sealed to it (``box``).
Like every service, these flush and never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from civic.accounts.models import Role, RoleGrant, User
from civic.budget import box
from civic.budget.models import Round, Trustee
from civic.budget.phases import Phase
from civic.budget.services import BudgetError
from civic.core import audit

#: The default bureau: three trustees, any two of whom open the box.
DEFAULT_COUNT = 3
DEFAULT_NEEDED = 2
MAX_COUNT = 7
#: Phases in which the bureau may still be named (the box is sealed before the vote).
BEFORE_VOTE = (Phase.UPCOMING, Phase.SUBMISSION, Phase.REVIEW)


def eligible(db: Session, round_: Round) -> list[User]:
    """Who may be a trustee: pilots, and the moderators (conseil citoyen) of the
    round's quartier, who log in with two steps (their roles wait for it)."""
    grants = select(RoleGrant.user_id).where(
        (RoleGrant.role == Role.PILOT.value)
        | ((RoleGrant.role == Role.MODERATOR.value)
           & (RoleGrant.quartier_id == round_.fund.quartier_id)))
    return list(db.scalars(select(User).where(User.id.in_(grants), User.deleted_at.is_(None),
                                              User.second_factor_at.is_not(None))
                           .order_by(User.display_name, User.id)))


def name(db: Session, round_: Round, people: Sequence[User], needed: int, *, actor: User | None,
         now: datetime) -> list[Trustee]:
    """Name (or name again) the trustees, while the box is not sealed. Naming again
    cancels the shares already handed out: they would open nothing."""
    if round_.phase(now) not in BEFORE_VOTE or round_.box_key is not None:
        raise BudgetError("box_sealed")
    allowed = {u.id for u in eligible(db, round_)}
    ids = list(dict.fromkeys(u.id for u in people))
    if len(ids) < 2 or len(ids) > MAX_COUNT:
        raise BudgetError("trustees_count", "trustees")
    if any(i not in allowed for i in ids):
        raise BudgetError("trustee_not_allowed", "trustees")
    if not 2 <= needed <= len(ids):
        raise BudgetError("trustees_needed", "needed")
    db.execute(delete(Trustee).where(Trustee.round_id == round_.id))
    round_.trustees_needed = needed
    seats = [Trustee(round_id=round_.id, user_id=i, position=n)
             for n, i in enumerate(ids, start=1)]
    db.add_all(seats)
    db.flush()
    db.expire(round_, ["trustees"])
    audit.record(db, actor=actor, action="budget.trustees_named", target_type="round",
                 target_id=round_.id, now=now, trustees=ids, needed=needed)
    return seats


def seat_of(round_: Round, user: User) -> Trustee | None:
    if user is None:
        return None
    return next((t for t in round_.trustees if t.user_id == user.id), None)


def hand_share(db: Session, round_: Round, user: User, *, now: datetime) -> str:
    """Make the trustee's share and return its text, for this one answer only. When every
    trustee has theirs, the count key is made and the box sealed, empty."""
    seat = seat_of(round_, user)
    if seat is None:
        raise BudgetError("not_trustee")
    if seat.public_key is not None or round_.box_key is not None:
        raise BudgetError("share_given")
    if round_.phase(now) not in BEFORE_VOTE:
        raise BudgetError("box_sealed")
    private, public = box.new_key()
    seat.public_key = public
    seat.received_at = now
    db.flush()
    audit.record(db, actor=user, action="budget.share_received", target_type="round",
                 target_id=round_.id, now=now, position=seat.position)
    if all(t.public_key is not None for t in round_.trustees):
        seal_empty_box(db, round_, now=now)
    return box.share_text(round_.id, seat.position, private)


def seal_empty_box(db: Session, round_: Round, *, now: datetime) -> None:
    seats = round_.trustees
    private, public = box.new_key()
    pieces = box.split(private, round_.trustees_needed, len(seats))
    del private  # from here on, only the trustees' shares can rebuild it
    for seat, piece in zip(seats, pieces, strict=True):
        assert seat.public_key is not None
        seat.sealed_piece = box.seal_to(seat.public_key, piece)
    round_.box_key = public
    round_.box_opened_at = now
    round_.seal = box.EMPTY_SEAL
    db.flush()
    audit.record(db, actor=None, action="budget.box_sealed", target_type="round",
                 target_id=round_.id, now=now, seal=round_.seal, trustees=len(seats),
                 needed=round_.trustees_needed)


def open_key(round_: Round, texts: Sequence[str]) -> tuple[bytes, list[Trustee]]:
    """The count key rebuilt from the trustees' shares, in memory, and the trustees whose
    shares opened it. BudgetError (field ``share_<n>``) names the first share that cannot
    be used: malformed, mistyped, of another round, not this bureau's, or given twice."""
    pieces: dict[int, bytes] = {}
    used: list[Trustee] = []
    seats = {t.position: t for t in round_.trustees}
    for n, text in enumerate(texts, start=1):
        field = f"share_{n}"
        if not text.strip():
            raise BudgetError("share_missing", field, needed=round_.trustees_needed)
        try:
            share = box.parse_share(text)
        except box.ShareError as error:
            raise BudgetError(error.code, field) from error
        seat = seats.get(share.position)
        if share.round_id != round_.id:
            raise BudgetError("share_other_round", field)
        if seat is None or seat.sealed_piece is None or seat.public_key != box.public_of(
                share.key):
            raise BudgetError("share_wrong", field)
        if seat.position in pieces:
            raise BudgetError("share_twice", field)
        try:
            pieces[seat.position] = box.open_with(share.key, seat.sealed_piece)
        except box.ShareError as error:
            raise BudgetError(error.code, field) from error
        used.append(seat)
    if len(pieces) < round_.trustees_needed:
        raise BudgetError("share_missing", f"share_{len(texts)}",
                          needed=round_.trustees_needed)
    key = box.combine(pieces)
    if round_.box_key is None or box.public_of(key) != round_.box_key:
        raise BudgetError("share_wrong", "share_1")
    return key, used
