"""Money is an integer number of cents; this module turns it into text."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_decimal_symbol, get_group_symbol


def format_cents(amount_cents: int, locale: str, currency: str = "EUR") -> str:
    """``150000`` → ``1 500,00 €`` in French, ``€1,500.00`` in English."""
    return format_currency(Decimal(amount_cents) / 100, currency, locale=locale)


def money_parts(locale: str, currency: str = "EUR") -> dict[str, str]:
    """How this locale writes an amount, for a script that adds amounts up on the page
    and must write them as the server does: the pattern around the number ("{}"), the
    group and the decimal signs. (A browser's own Intl may differ from Babel's data.)"""
    sample = format_cents(123456, locale, currency)  # 1 234,56
    group, decimal = get_group_symbol(locale), get_decimal_symbol(locale)
    number = f"1{group}234{decimal}56"
    pattern = sample.replace(number, "{}") if number in sample else "{} €"
    return {"pattern": pattern, "group": group, "decimal": decimal}


class NotAnAmount(ValueError):
    """The text is not an amount of euros with at most two decimals."""


def parse_euros(text: str) -> int:
    """``"1 500,50"``, ``"1500.5"`` or ``"1500 €"`` → ``150050`` cents."""
    cleaned = text.strip().replace("€", "").replace("\u202f", "").replace("\xa0", "")
    cleaned = cleaned.replace(" ", "").replace(",", ".")
    if not cleaned or cleaned.count(".") > 1 or not cleaned.replace(".", "").isdigit():
        raise NotAnAmount(text)
    whole, _, decimals = cleaned.partition(".")
    if len(decimals) > 2 or len(whole) > 9:
        raise NotAnAmount(text)
    return int(whole or "0") * 100 + int((decimals + "00")[:2])


def cents_to_input(amount_cents: int | None) -> str:
    """The value put back into a form field: ``150050`` → ``"1500,50"``, ``150000`` → ``"1500"``."""
    if amount_cents is None:
        return ""
    euros, cents = divmod(amount_cents, 100)
    return f"{euros},{cents:02d}" if cents else str(euros)
