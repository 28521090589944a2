"""Money is an integer number of cents; this module turns it into text."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency


def format_cents(amount_cents: int, locale: str, currency: str = "EUR") -> str:
    """``150000`` → ``1 500,00 €`` in French, ``€1,500.00`` in English."""
    return format_currency(Decimal(amount_cents) / 100, currency, locale=locale)
