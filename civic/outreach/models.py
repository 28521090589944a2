"""The mail a resident chooses: preferences per quartier and topic, the log of the news
mails sent (so that a week's digest leaves once), and the quartiers' letters that need
no account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.db import Base
from civic.outreach.topics import FREQUENCIES, TOPICS


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Preference(Base):
    """What one account chose to hear about one topic of one quartier, and how often.
    No row: the topic's default (``topics.default``)."""

    __tablename__ = "outreach_preferences"
    __table_args__ = (
        CheckConstraint(_one_of("topic", TOPICS), name="topic"),
        CheckConstraint(_one_of("frequency", FREQUENCIES), name="frequency"),
        # Who chose what for a quartier's topic: the immediate mails' one query.
        Index("ix_outreach_preferences_audience", "quartier_id", "topic", "frequency"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    quartier_id: Mapped[int] = mapped_column(ForeignKey("quartiers.id", ondelete="CASCADE"),
                                             primary_key=True)
    #: One of ``topics.TOPICS``.
    topic: Mapped[str] = mapped_column(String(20), primary_key=True)
    #: immediately, weekly or never.
    frequency: Mapped[str] = mapped_column(String(12))
    updated_at: Mapped[datetime]

    quartier = relationship("Quartier", lazy="joined")


class LetterSubscription(Base):
    """An address that asked for a quartier's letter, without an account.

    Double opt-in: nothing but the confirmation mail goes to an address until its owner
    opened the link (``confirmed_at``); the link works for ``LETTER_CONFIRM_HOURS``.
    The link's token is drawn at random (``token_seed``) and keyed with the site's
    secret, so that a copy of the database alone makes no working link; the database
    keeps its SHA-256 to find the subscription when the link comes back. The same token
    ends the subscription, from every letter (RFC 8058's one-click, or the page)."""

    __tablename__ = "letter_subscriptions"
    __table_args__ = (UniqueConstraint("email", "quartier_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-cased address.
    email: Mapped[str] = mapped_column(String(254))
    quartier_id: Mapped[int] = mapped_column(ForeignKey("quartiers.id", ondelete="CASCADE"),
                                             index=True)
    #: The language of the letters: fr, en or ar.
    language: Mapped[str] = mapped_column(String(5))
    #: Random bytes the link's token is made from (with the site's secret).
    token_seed: Mapped[bytes] = mapped_column(LargeBinary(32))
    #: SHA-256 (hex) of the token: how a link finds its subscription.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    #: When the confirmation link was last sent: it expires some hours after.
    asked_at: Mapped[datetime]
    #: When the owner of the address confirmed; NULL: nothing is sent but the request.
    confirmed_at: Mapped[datetime | None]

    quartier = relationship("Quartier", lazy="joined")


class NewsSent(Base):
    """One news mail that left, for one period: an account's digest or a letter.

    The unique keys make a period's mail leave once per person, even when its job runs
    twice at the same time: the second run's insert fails and its transaction, mails
    included, is rolled back."""

    __tablename__ = "outreach_news_sent"
    __table_args__ = (
        UniqueConstraint("cadence", "period_start", "user_id"),
        UniqueConstraint("cadence", "period_start", "subscription_id"),
        CheckConstraint("(user_id IS NULL) <> (subscription_id IS NULL)", name="one_recipient"),
        CheckConstraint("cadence IN ('weekly', 'hourly')", name="cadence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: weekly (the digest) or hourly (what was chosen "at once").
    cadence: Mapped[str] = mapped_column(String(10))
    #: The start of the period the mail covered (a Monday 00:00 local, or an hour), UTC.
    period_start: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                index=True)
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("letter_subscriptions.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime]
