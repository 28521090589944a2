"""The contract, its quartiers, orientations and signatories."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.db import Base

SIGNATORY_KINDS = (
    "commune", "epci", "state", "departement", "region", "caf", "landlord",
    "france_travail", "ars", "other",
)


class Contract(Base):
    __tablename__ = "contracts"
    __table_args__ = (CheckConstraint("end_year >= start_year", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. « Contrat de ville de Toulouse Métropole — Engagements Quartiers 2030 ».
    name: Mapped[str] = mapped_column(String(200))
    #: First and last year of the contract (2024–2030 for Engagements Quartiers 2030).
    start_year: Mapped[int]
    end_year: Mapped[int]
    created_at: Mapped[datetime]

    quartiers: Mapped[list[Quartier]] = relationship(
        back_populates="contract", order_by="Quartier.name"
    )
    orientations: Mapped[list[Orientation]] = relationship(
        back_populates="contract", order_by="(Orientation.position, Orientation.id)"
    )
    signatories: Mapped[list[Signatory]] = relationship(
        back_populates="contract", order_by="Signatory.name"
    )


class Quartier(Base):
    __tablename__ = "quartiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    #: Official QPV code: QN09301M (2024 geography) or QP031007 (2015 geography).
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: The commune(s), e.g. « Toulouse » or « Séméac, Tarbes ».
    commune: Mapped[str] = mapped_column(String(200))
    #: Inhabitants in the official perimeter (INSEE), when known.
    population: Mapped[int | None]
    #: GeoJSON geometry (Polygon or MultiPolygon, lon/lat) of the official perimeter.
    perimeter: Mapped[dict[str, Any] | None] = mapped_column(deferred=True)
    #: pre (residents' posts wait for the conseil citoyen) or post (published at once).
    moderation_mode: Mapped[str] = mapped_column(String(4), default="pre",
                                                 server_default="pre")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    contract: Mapped[Contract] = relationship(back_populates="quartiers")


class Orientation(Base):
    __tablename__ = "orientations"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    #: A theme of the contract: emploi, éducation, cadre de vie, santé…
    name: Mapped[str] = mapped_column(String(120))
    #: What the contract commits to under this theme, in everyday words.
    description: Mapped[str] = mapped_column(Text, default="")
    #: Display order.
    position: Mapped[int] = mapped_column(default=0)

    contract: Mapped[Contract] = relationship(back_populates="orientations")


class Signatory(Base):
    __tablename__ = "signatories"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    #: e.g. « Ville de Toulouse », « Préfecture de la Haute-Garonne ».
    name: Mapped[str] = mapped_column(String(160))
    #: One of SIGNATORY_KINDS.
    kind: Mapped[str] = mapped_column(String(20))
    #: The named person who answers for this signatory.
    referent_name: Mapped[str] = mapped_column(String(120))
    referent_email: Mapped[str] = mapped_column(String(254))
    #: What the signatory commits to, in a few sentences.
    commitment: Mapped[str] = mapped_column(Text, default="")

    contract: Mapped[Contract] = relationship(back_populates="signatories")
    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="signatory", cascade="all, delete-orphan")


class Commitment(Base):
    """What a signatory commits to under one orientation of the contract."""

    __tablename__ = "commitments"
    __table_args__ = (UniqueConstraint("signatory_id", "orientation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    signatory_id: Mapped[int] = mapped_column(ForeignKey("signatories.id", ondelete="CASCADE"),
                                              index=True)
    orientation_id: Mapped[int] = mapped_column(ForeignKey("orientations.id",
                                                           ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)

    signatory: Mapped[Signatory] = relationship(back_populates="commitments")
    orientation = relationship("Orientation", lazy="joined")
