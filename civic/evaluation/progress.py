"""How far an indicator has gone from its baseline towards its target: pure
arithmetic, no database."""

from __future__ import annotations

from decimal import Decimal


def progress(baseline: Decimal, target: Decimal, value: Decimal | None) -> int | None:
    """The share of the way from ``baseline`` to ``target`` that ``value`` covers, in
    whole percent: 0 at the baseline, 100 at the target, below 0 when it went the other
    way, above 100 beyond the target. None without a value (missing is not zero), or
    when baseline and target are the same."""
    if value is None or target == baseline:
        return None
    share = (value - baseline) / (target - baseline) * 100
    return int(share.quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def latest(values: dict[int, Decimal]) -> tuple[int, Decimal] | None:
    """The most recent (year, value), or None."""
    if not values:
        return None
    year = max(values)
    return year, values[year]
