"""FPH funds, rounds, projects, the ballot box and the register of who voted."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.budget.phases import Phase, Schedule, phase_at
from civic.core.db import Base


class VoteMethod(enum.StrEnum):
    APPROVAL = "approval"
    KNAPSACK = "knapsack"
    CUMULATIVE = "cumulative"


class TallyRule(enum.StrEnum):
    GREEDY = "greedy"
    EQUAL_SHARES = "equal-shares"


class ProjectStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ADMITTED = "admitted"
    REJECTED = "rejected"
    MERGED = "merged"
    WITHDRAWN = "withdrawn"


class FollowUp(enum.StrEnum):
    TO_START = "to_start"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    ABANDONED = "abandoned"


class Channel(enum.StrEnum):
    ONLINE = "online"
    KIOSK = "kiosk"
    PAPER = "paper"
    CODE = "code"


class Fund(Base):
    """A quartier's yearly FPH envelope and its rules."""

    __tablename__ = "funds"
    __table_args__ = (
        UniqueConstraint("quartier_id", "year"),
        CheckConstraint("envelope_cents > 0", name="envelope"),
        CheckConstraint("cap_cents > 0 AND cap_cents <= envelope_cents", name="cap"),
        CheckConstraint("min_project_cents >= 0 AND min_project_cents <= cap_cents",
                        name="min_project"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quartier_id: Mapped[int] = mapped_column(ForeignKey("quartiers.id"), index=True)
    year: Mapped[int]
    #: The whole envelope of the year, in cents.
    envelope_cents: Mapped[int]
    #: The most one project may ask for, in cents.
    cap_cents: Mapped[int]
    #: The least one project may ask for, in cents.
    min_project_cents: Mapped[int] = mapped_column(default=0)
    #: Who may vote: the youngest age allowed on the day of the vote.
    min_age: Mapped[int] = mapped_column(default=16)
    #: Free text of the fund's own rules, shown to those who propose.
    rules_text: Mapped[str] = mapped_column(Text, default="")
    #: approval, knapsack or cumulative (VoteMethod).
    vote_method: Mapped[str] = mapped_column(String(20))
    #: Approval: how many projects a ballot must and may hold.
    approval_min: Mapped[int] = mapped_column(default=1)
    approval_max: Mapped[int | None]
    #: Cumulative: points each voter spreads, and the most on one project.
    points_total: Mapped[int] = mapped_column(default=0)
    points_max: Mapped[int] = mapped_column(default=0)
    #: greedy or equal-shares (TallyRule).
    tally_rule: Mapped[str] = mapped_column(String(20))
    #: Greedy: a project needs at least this score to win.
    #: Votes (or points) a project needs to be funded: 1, so that a project nobody
    #: voted for is never funded, unless the pilot sets 0.
    min_score: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime]

    quartier = relationship("Quartier", lazy="joined")
    rounds: Mapped[list[Round]] = relationship(back_populates="fund",
                                               order_by="Round.vote_starts_at")


class Round(Base):
    """One cycle of a fund: submission → review → vote → count → results → follow-up."""

    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    #: e.g. « Appel à projets 2026 ».
    title: Mapped[str] = mapped_column(String(120))
    submission_starts_at: Mapped[datetime]
    review_starts_at: Mapped[datetime]
    vote_starts_at: Mapped[datetime]
    vote_ends_at: Mapped[datetime]
    follow_up_starts_at: Mapped[datetime]
    #: Keys the register's fingerprints; NULL once destroyed (then nobody can be linked).
    secret: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    secret_destroyed_at: Mapped[datetime | None]
    #: The public count key: every ballot is encrypted to it. NULL until every trustee
    #: has received their share; the private key is kept nowhere (see ``box``).
    box_key: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    #: When the empty box was sealed (the key made, the trustees' pieces sealed).
    box_opened_at: Mapped[datetime | None]
    #: How many trustees' shares open the box (Shamir's threshold).
    trustees_needed: Mapped[int] = mapped_column(default=2)
    #: Sum of the sealed ballots' trackers modulo 2^256, in hex: changes if any ballot is
    #: removed or altered, does not depend on the order of casting, and cannot be
    #: computed from the plaintext ballots published after the count.
    seal: Mapped[str] = mapped_column(String(64))
    #: The count: the first two trustees whose shares opened the box.
    count_started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    count_started_at: Mapped[datetime | None]
    count_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    count_confirmed_at: Mapped[datetime | None]
    #: Computed results (selected projects, scores, turnout…), frozen once published.
    results: Mapped[dict[str, Any] | None]
    #: SHA-256 of the published results and ballots: anyone can recompute it.
    results_hash: Mapped[str | None] = mapped_column(String(64))
    results_published_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    fund: Mapped[Fund] = relationship(back_populates="rounds", lazy="joined")
    trustees: Mapped[list[Trustee]] = relationship(back_populates="round",
                                                   order_by="Trustee.position")
    projects: Mapped[list[Project]] = relationship(
        back_populates="round", order_by="Project.id",
        primaryjoin="Project.round_id == Round.id")

    @property
    def schedule(self) -> Schedule:
        return Schedule(self.submission_starts_at, self.review_starts_at, self.vote_starts_at,
                        self.vote_ends_at, self.follow_up_starts_at)

    def phase(self, now: datetime) -> Phase:
        return phase_at(self.schedule, self.results_published_at is not None, now)


class Project(Base):
    """A micro-project proposed by residents or a local association."""

    __tablename__ = "projects"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(120))
    #: One or two sentences shown on the ballot.
    summary: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    #: What is asked from the fund, in cents: the sum of the budget lines.
    amount_cents: Mapped[int]
    #: [{"label": "Location de tables", "amount_cents": 12000}, …]
    budget_lines: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    orientation_id: Mapped[int | None] = mapped_column(
        ForeignKey("orientations.id", ondelete="SET NULL"))
    #: residents (a collective of residents) or association.
    carrier_kind: Mapped[str] = mapped_column(String(20))
    #: Name of the collective or association.
    carrier_name: Mapped[str] = mapped_column(String(120))
    #: How the committee reaches the carrier: phone or e-mail (never published).
    contact: Mapped[str] = mapped_column(String(254))
    #: Where it happens, in words (a street, a building, a square).
    place: Mapped[str] = mapped_column(String(200), default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    #: Stored file name of the re-encoded photo (no EXIF).
    photo: Mapped[str | None] = mapped_column(String(80))
    #: submitted, changes_requested, admitted, rejected, merged, withdrawn.
    status: Mapped[str] = mapped_column(String(20), default=ProjectStatus.SUBMITTED.value)
    #: The committee's message: what to change, or the public reason for a rejection.
    review_message: Mapped[str] = mapped_column(Text, default="")
    #: The eligibility checklist as ticked by the committee.
    checklist: Mapped[dict[str, Any]] = mapped_column(default=dict)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    #: Follow-up of a funded project: to_start, in_progress, done, abandoned.
    follow_up: Mapped[str | None] = mapped_column(String(20))
    spent_cents: Mapped[int | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    round: Mapped[Round] = relationship(back_populates="projects", foreign_keys=[round_id])
    author = relationship("User", foreign_keys=[author_id])
    orientation = relationship("Orientation", lazy="joined")
    merged_into: Mapped[Project | None] = relationship(remote_side=[id])
    updates: Mapped[list[ProjectUpdate]] = relationship(
        back_populates="project", order_by="ProjectUpdate.at.desc()")


class ProjectUpdate(Base):
    """A dated news item of a funded project, with an optional photo."""

    __tablename__ = "project_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)
    photo: Mapped[str | None] = mapped_column(String(80))

    project: Mapped[Project] = relationship(back_populates="updates")


class Trustee(Base):
    """A member of the round's *bureau de vote* who holds one share of the count key.

    The share itself (a private key) was printed or downloaded once; the server keeps its
    public half and the piece of the count key sealed to it, which only the share opens.
    """

    __tablename__ = "trustees"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),
                      UniqueConstraint("round_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Shamir's index of this trustee's piece: 1, 2, 3…
    position: Mapped[int]
    #: The public half of the trustee's share; NULL until they have received it.
    public_key: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    received_at: Mapped[datetime | None]
    #: This trustee's piece of the count key, sealed to their share; NULL until the box
    #: is sealed, and again once the round's secrets are destroyed.
    sealed_piece: Mapped[bytes | None] = mapped_column(LargeBinary(128))

    round: Mapped[Round] = relationship(back_populates="trustees")
    user = relationship("User", lazy="joined")


class SealedBallot(Base):
    """One ballot as cast: encrypted to the round's count key, never readable before the
    count. Its register line may be found (same transaction); its choices may not."""

    __tablename__ = "sealed_ballots"
    __table_args__ = {"sqlite_with_rowid": False}

    #: SHA-256 of the ciphertext, in hex: the voter's receipt starts with it, the seal
    #: adds it up, and the list of trackers is published after the count.
    tracker: Mapped[str] = mapped_column(String(64), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    #: The sealed box; NULL once the round's secrets are destroyed.
    ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: online, kiosk, paper or code (the register says as much).
    channel: Mapped[str] = mapped_column(String(10))
    #: Paper ballots only: the permanence where they were counted, so that each
    #: permanence's paper ballots can be checked against its paper voters.
    permanence_id: Mapped[int | None] = mapped_column(ForeignKey("permanences.id"), index=True)


class RememberedDeclaration(Base):
    """What a resident with an account asked the site to remember of their declaration,
    to find it filled in on the next votes of the same quartier (they still confirm it).
    Kept only on their request, shown on their account page, forgotten on request and
    when the account is deleted. It says nothing of any vote."""

    __tablename__ = "remembered_declarations"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    quartier_id: Mapped[int] = mapped_column(ForeignKey("quartiers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    birth_date: Mapped[date] = mapped_column(Date)
    saved_at: Mapped[datetime]


class PaperVoid(Base):
    """A paper ballot entered by mistake, taken out of the box before the count: one
    person asks (with a reason), another confirms; both are in the audit log. The ballot
    is named by its tracker, never by its choices."""

    __tablename__ = "paper_voids"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    permanence_id: Mapped[int] = mapped_column(ForeignKey("permanences.id"))
    tracker: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(300))
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    asked_at: Mapped[datetime]
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None]


class Ballot(Base):
    """One counted ballot: what was chosen, never who chose it, when or where.

    Written at the count, shuffled, with fresh random ids, all in one transaction, so that
    nothing in the database lines it up with a sealed ballot or the register.
    """

    __tablename__ = "ballots"
    __table_args__ = {"sqlite_with_rowid": False}

    #: Random, 32 hex characters.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    #: {"project id": points}; approval and knapsack give 1 point per chosen project.
    choices: Mapped[dict[str, Any]]
    #: online, kiosk, paper or code; NULL where fewer ballots than the secrecy threshold
    #: came by that channel (their counts are in the results).
    channel: Mapped[str | None] = mapped_column(String(10))


class Participation(Base):
    """The register (émargement): who voted in a round, never what.

    One line per person and round, guaranteed by the unique fingerprint of the declared
    identity, so the same person cannot vote online and again at a permanence.
    """

    __tablename__ = "participations"
    __table_args__ = (
        UniqueConstraint("round_id", "fingerprint"),
        UniqueConstraint("round_id", "user_id"),
        {"sqlite_with_rowid": False},
    )

    #: Random, 32 hex characters: no order to line up with the ballot box.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    #: HMAC of the normalised name and birth date with the round's secret.
    fingerprint: Mapped[str] = mapped_column(String(64))
    #: The account that voted online; NULL at a permanence or on paper.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(10))
    voted_on: Mapped[date] = mapped_column(Date, index=True)
    #: Kiosk and paper: the permanence where the person signed the register.
    permanence_id: Mapped[int | None] = mapped_column(ForeignKey("permanences.id"), index=True)
