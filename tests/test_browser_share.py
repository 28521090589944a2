"""CI gives each of its two runs half of the browser journeys: together they hold every
journey once."""

from __future__ import annotations

import pytest

from tests.browser.conftest import share_of

JOURNEYS = [f"tests/browser/test_{name}.py::test_{n}" for name in ("fph", "map", "kiosk")
            for n in range(7)]


@pytest.mark.parametrize("n", [1, 2, 3])
def test_the_shares_hold_every_journey_once(n: int) -> None:
    shares = [share_of(JOURNEYS, f"{k}/{n}") for k in range(1, n + 1)]
    assert sorted(j for share in shares for j in share) == sorted(JOURNEYS)
    assert max(map(len, shares)) - min(map(len, shares)) <= 1


def test_a_share_does_not_depend_on_the_order_of_collection() -> None:
    assert share_of(JOURNEYS, "1/2") == share_of(list(reversed(JOURNEYS)), "1/2")


@pytest.mark.parametrize("share", ["0/2", "3/2", "1/0", "half", "", "1/2/3"])
def test_a_wrong_share_is_refused(share: str) -> None:
    with pytest.raises(pytest.UsageError, match="k/n"):
        share_of(JOURNEYS, share)
