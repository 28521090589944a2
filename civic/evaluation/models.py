"""What a commitment is measured by, and the values measured year by year."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.db import Base


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
