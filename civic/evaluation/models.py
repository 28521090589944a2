"""The contract's evaluations and their questions; what a commitment is measured by,
and the values measured year by year."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.db import Base
from civic.moderation.models import Moderated

#: The kinds of evaluation a contrat de ville goes through.
KINDS = ("midterm", "final")


class Evaluation(Base):
    """The contract's mid-term or final evaluation: its calendar and its questions."""

    __tablename__ = "evaluations"
    __table_args__ = (UniqueConstraint("contract_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"),
                                             index=True)
    #: "midterm" or "final".
    kind: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(160))
    #: What the evaluation is for, in everyday words.
    purpose: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: Last day residents may propose evaluation questions (from ``starts_on``); NULL:
    #: no proposal phase.
    proposals_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]

    contract = relationship("Contract")

    def takes_proposals(self, today: date) -> bool:
        """Residents propose questions from the start until ``proposals_until``, both
        local days."""
        return (self.proposals_until is not None
                and self.starts_on <= today <= self.proposals_until)

    surveys: Mapped[list[Survey]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Survey.opens_at")
    questions: Mapped[list[EvaluationQuestion]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", passive_deletes=True,
        order_by="(EvaluationQuestion.position, EvaluationQuestion.id)")


question_orientations = Table(
    "evaluation_question_orientations", Base.metadata,
    Column("question_id", ForeignKey("evaluation_questions.id", ondelete="CASCADE"),
           primary_key=True),
    Column("orientation_id", ForeignKey("orientations.id", ondelete="CASCADE"),
           primary_key=True),
)


class EvaluationQuestion(Base):
    """A question the evaluation answers (« Les jeunes du quartier trouvent-ils plus
    facilement un stage ? »), tied to one or more orientations of the contract."""

    __tablename__ = "evaluation_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]

    evaluation: Mapped[Evaluation] = relationship(back_populates="questions")
    #: The residents' proposals the committee kept as this question or merged into it.
    proposals: Mapped[list[QuestionProposal]] = relationship(
        back_populates="question", order_by="QuestionProposal.id")
    orientations = relationship("Orientation", secondary=question_orientations,
                                order_by="(Orientation.position, Orientation.id)",
                                lazy="selectin")


class CommitmentIndicator(Base):
    """A measure of one signatory commitment (« Stages proposés aux jeunes du
    quartier »): its unit, where it started (baseline, a year) and where it should go
    (target, a year). The target may be below the baseline (fewer evictions)."""

    __tablename__ = "commitment_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitments.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(160))
    #: What is counted: « stages », « % », « logements »…
    unit: Mapped[str] = mapped_column(String(40))
    baseline: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    baseline_year: Mapped[int]
    target: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    target_year: Mapped[int]
    created_at: Mapped[datetime]

    commitment = relationship("Commitment", lazy="joined")
    values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", passive_deletes=True,
        order_by="IndicatorValue.year")


class IndicatorValue(Base):
    """The value of an indicator for one year, with where it comes from; one per year
    (entering it again corrects it, audited)."""

    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("indicator_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("commitment_indicators.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    #: Where the figure comes from (« Bilan Mission locale 2025 »).
    source: Mapped[str] = mapped_column(Text)
    entered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime]

    indicator: Mapped[CommitmentIndicator] = relationship(back_populates="values")


# --- Questions proposed by residents -----------------------------------------------------


class Decision(enum.StrEnum):
    """What the evaluation committee made of a resident's proposed question."""

    PENDING = "pending"
    #: Became an evaluation question of its own (``question_id``).
    KEPT = "kept"
    #: Joined an evaluation question that asks the same (``question_id``).
    MERGED = "merged"
    SET_ASIDE = "set_aside"


class QuestionProposal(Moderated, Base):
    """A question a resident wants the evaluation to answer. It goes through the
    moderation queue of its quartier, gathers supports, then the committee keeps it,
    merges it into a question or sets it aside, always with a public reason."""

    __tablename__ = "evaluation_proposals"
    __table_args__ = (CheckConstraint("support_count >= 0", name="support_count"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    #: The quartier it comes from (its moderators take it).
    quartier_id: Mapped[int] = mapped_column(ForeignKey("quartiers.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: Shown as the author's display name; False: « un·e habitant·e ».
    show_name: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(Text)
    #: Why it matters to the author, in their words.
    why: Mapped[str] = mapped_column(Text, default="")
    #: Kept equal to the number of ProposalSupport rows in the same transaction.
    support_count: Mapped[int] = mapped_column(default=0)
    #: One of Decision.
    decision: Mapped[str] = mapped_column(String(10), default=Decision.PENDING.value,
                                          index=True)
    #: The committee's public reason.
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("evaluation_questions.id", ondelete="SET NULL"), index=True)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(index=True)

    evaluation: Mapped[Evaluation] = relationship()
    quartier = relationship("Quartier", lazy="joined")
    author = relationship("User", foreign_keys=[author_id], lazy="joined")
    question: Mapped[EvaluationQuestion | None] = relationship(back_populates="proposals")


class ProposalSupport(Base):
    """One account supports one proposed question, once: the primary key says so."""

    __tablename__ = "evaluation_proposal_supports"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_proposals.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    created_at: Mapped[datetime]


# --- Surveys -----------------------------------------------------------------------------

#: The kinds of survey item: one choice, several choices, a 1–5 scale with a word at
#: each point, a number, a short free text.
ITEM_KINDS = ("single", "multiple", "scale", "number", "text")
#: The languages every item is written in.
SURVEY_LANGUAGES = ("fr", "en", "ar")
#: Where an answer came from (the vote's channels, and a poster's link or QR code).
SURVEY_CHANNELS = ("online", "kiosk", "paper", "poster")


class Survey(Base):
    """A questionnaire of the evaluation, open between two moments."""

    __tablename__ = "surveys"
    __table_args__ = (CheckConstraint("closes_at > opens_at", name="closes_after_open"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    #: {"fr": {"title": …, "intro": …}, "en": {…}, "ar": {…}}
    texts: Mapped[dict[str, Any]]
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    #: True: one answer per account or per printed code; False: open to anyone, as often.
    once: Mapped[bool] = mapped_column(default=True)
    #: Ask the optional profile questions (gender, age bracket, quartier), once.
    ask_profile: Mapped[bool] = mapped_column(default=True)
    #: When the committee published the final results: no answer is taken after it
    #: (paper forms included), and the cross-tables become public, never to change.
    results_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    evaluation: Mapped[Evaluation] = relationship(back_populates="surveys")

    def is_open(self, now: datetime) -> bool:
        """Takes answers online, at the kiosk and through codes."""
        return self.results_at is None and self.opens_at <= now < self.closes_at

    def takes_paper(self, now: datetime) -> bool:
        """Paper forms are typed in from the opening until the results are published."""
        return self.results_at is None and self.opens_at <= now

    def text(self, language: str, field: str) -> str:
        """``field`` ("title", "intro") in ``language``, or in French when missing."""
        texts = self.texts or {}
        return str((texts.get(language) or {}).get(field)
                   or (texts.get("fr") or {}).get(field) or "")

    items: Mapped[list[SurveyItem]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", passive_deletes=True,
        order_by="(SurveyItem.position, SurveyItem.id)")


class SurveyItem(Base):
    """One question of a survey, tied to an evaluation question, written in every
    language of the site."""

    __tablename__ = "survey_items"
    __table_args__ = (CheckConstraint(
        "kind IN ('single', 'multiple', 'scale', 'number', 'text')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_questions.id", ondelete="CASCADE"), index=True)
    #: One of ITEM_KINDS.
    kind: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(default=0)
    required: Mapped[bool] = mapped_column(default=False)
    #: {"fr": {"label": …, "options": […], "scale": [5 words]}, "en": {…}, "ar": {…}};
    #: options for single and multiple, scale for scale.
    texts: Mapped[dict[str, Any]]
    #: Bounds of a number item.
    minimum: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    maximum: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))

    survey: Mapped[Survey] = relationship(back_populates="items")
    question: Mapped[EvaluationQuestion] = relationship()

    def words(self, language: str) -> dict[str, Any]:
        """The label, options and scale words in ``language``, French where missing."""
        french = (self.texts or {}).get("fr") or {}
        own = (self.texts or {}).get(language) or {}
        return {key: own.get(key) or french.get(key) or ([] if key != "label" else "")
                for key in ("label", "options", "scale")}


class SurveyParticipation(Base):
    """Who answered a survey, never what: the register that makes "one answer per
    account" hold, and what pilotage counts as participation.

    Its id is random and it keeps a day, never a moment, so nothing lines it up with
    an answer.
    """

    __tablename__ = "survey_participations"
    __table_args__ = (UniqueConstraint("survey_id", "user_id"), {"sqlite_with_rowid": False})

    #: Random, 32 hex characters.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    #: The account that answered online; NULL without an account, at the kiosk, on paper.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: One of SURVEY_CHANNELS.
    channel: Mapped[str] = mapped_column(String(10))
    answered_on: Mapped[date] = mapped_column(Date, index=True)
    #: The quartier the answer counts in, when one is known.
    quartier_id: Mapped[int | None] = mapped_column(ForeignKey("quartiers.id"))
    #: Kiosk and paper: the permanence where it was given.
    permanence_id: Mapped[int | None] = mapped_column(ForeignKey("permanences.id"))


class SurveyInbox(Base):
    """Answers checked and waiting to be mixed: written in the same transaction as the
    register line, which PostgreSQL stamps on both rows (``xmin``). The mix
    (``surveys.mix``) moves them, once enough have come and in a random order, into the
    responses in a transaction of its own, and deletes them here."""

    __tablename__ = "survey_inbox"
    __table_args__ = {"sqlite_with_rowid": False}

    #: Random, 32 hex characters.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    #: {"sealed": …}: encrypted with a key drawn from the site's secret key, it holds
    #: {"channel", "quartier_id", "gender", "age_bracket", "day", "text_quartier_id",
    #:  "answers": [[item, rank, choice, number]], "texts": [[item, body]]}
    payload: Mapped[dict[str, Any]]


class SurveyResponse(Base):
    """One person's answers: what was answered, never who, when or in what order.

    Random id, no moment, no account; the profile is what the person chose to give.
    """

    __tablename__ = "survey_responses"
    __table_args__ = {"sqlite_with_rowid": False}

    #: Random, 32 hex characters.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    channel: Mapped[str] = mapped_column(String(10))
    #: The profile, each part optional.
    quartier_id: Mapped[int | None] = mapped_column(ForeignKey("quartiers.id"))
    gender: Mapped[str | None] = mapped_column(String(10))
    age_bracket: Mapped[str | None] = mapped_column(String(10))

    answers: Mapped[list[SurveyAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True)


class SurveyAnswer(Base):
    """One answer to one item: a choice (an option's index, or the point 1–5 of a
    scale; several rows for several choices) or a number. Free text is not here: it
    goes to moderation alone (``SurveyText``)."""

    __tablename__ = "survey_answers"
    __table_args__ = {"sqlite_with_rowid": False}

    response_id: Mapped[str] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("survey_items.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    #: 0 for single, scale and number; 0, 1, 2… for the choices of a multiple item.
    rank: Mapped[int] = mapped_column(primary_key=True, default=0)
    choice: Mapped[int | None]
    number: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")


class SurveyText(Moderated, Base):
    """A free-text answer, kept apart from the rest of its response: moderators read
    it, and only a published one may be quoted."""

    __tablename__ = "survey_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("survey_items.id", ondelete="CASCADE"),
                                         index=True)
    #: The quartier whose moderators read it; NULL: the committee reads it.
    quartier_id: Mapped[int | None] = mapped_column(ForeignKey("quartiers.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    #: Midnight of the day it was given: the moment would line it up with the register.
    created_at: Mapped[datetime] = mapped_column(index=True)

    item: Mapped[SurveyItem] = relationship()


class SurveyCode(Base):
    """A single-use code printed on a paper form or a letter, for a survey answered
    "once": only its hash is kept, and spending it sets ``spent``, nothing else."""

    __tablename__ = "survey_codes"
    __table_args__ = {"sqlite_with_rowid": False}

    #: SHA-256 of the normalised code.
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    batch: Mapped[int]
    #: The quartier the run was printed for: whose animators list and void it.
    quartier_id: Mapped[int | None] = mapped_column(ForeignKey("quartiers.id"))
    permanence_id: Mapped[int | None] = mapped_column(ForeignKey("permanences.id"))
    spent: Mapped[bool] = mapped_column(default=False)
    void: Mapped[bool] = mapped_column(default=False)


class SurveyHandover(Base):
    """The tablet handed to one resident at a permanence, for one survey answer: the
    hash of a single-use token, until the answer, the animator taking the tablet back,
    or its expiry (expired ones are purged at each new handover)."""

    __tablename__ = "survey_handovers"
    __table_args__ = {"sqlite_with_rowid": False}

    #: SHA-256 of the token.
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    permanence_id: Mapped[int] = mapped_column(
        ForeignKey("permanences.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class PaperBatch(Base):
    """A pile of paper forms brought back from a permanence: counted by hand first,
    then typed in one by one; it is reconciled when both numbers agree."""

    __tablename__ = "survey_paper_batches"
    __table_args__ = (CheckConstraint("counted >= 0 AND entered >= 0", name="counts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    quartier_id: Mapped[int] = mapped_column(ForeignKey("quartiers.id"))
    permanence_id: Mapped[int | None] = mapped_column(ForeignKey("permanences.id"))
    #: e.g. « Permanence du 12 mars, maison de quartier ».
    label: Mapped[str] = mapped_column(String(160))
    #: The forms counted by hand.
    counted: Mapped[int]
    #: The forms typed in so far, moved only by atomic updates.
    entered: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]

    quartier = relationship("Quartier", lazy="joined")


# --- Workshops ---------------------------------------------------------------------------


class Workshop(Base):
    """An event of kind « atelier » held for an evaluation question, and what came out
    of it: conclusions, photos of the boards, how many took part."""

    __tablename__ = "evaluation_workshops"
    __table_args__ = (CheckConstraint("participants IS NULL OR participants >= 0",
                                      name="participants"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_questions.id", ondelete="CASCADE"), index=True)
    conclusions: Mapped[str] = mapped_column(Text, default="")
    participants: Mapped[int | None]
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime | None]

    event = relationship("Event", lazy="joined")
    question: Mapped[EvaluationQuestion] = relationship()
    photos: Mapped[list[WorkshopPhoto]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", passive_deletes=True,
        order_by="WorkshopPhoto.id")


class WorkshopPhoto(Base):
    """A photo of a board or of the flip charts of a workshop."""

    __tablename__ = "evaluation_workshop_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_workshops.event_id", ondelete="CASCADE"), index=True)
    photo: Mapped[str] = mapped_column(String(80))
    #: What the photo shows, for those who cannot see it.
    caption: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]

    workshop: Mapped[Workshop] = relationship(back_populates="photos")
