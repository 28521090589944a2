"""The contract's evaluations and their questions; what a commitment is measured by,
and the values measured year by year."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Date, ForeignKey, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.db import Base

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
    created_at: Mapped[datetime]

    contract = relationship("Contract")
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
