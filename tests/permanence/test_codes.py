"""Vote codes: no look-alike characters, a check character that catches typing mistakes."""

from __future__ import annotations

import pytest

from civic.permanence import codes


def test_generated_codes_are_well_formed_and_readable() -> None:
    made = {codes.generate() for _ in range(500)}
    assert len(made) == 500
    for code in made:
        assert len(code) == 10
        assert codes.well_formed(code)
        assert not set(code) & set("01OIL")


@pytest.mark.parametrize(("typed", "normalised"), [
    ("abcd-efgh-jk", "ABCDEFGHJK"), (" ABCD EFGH JK ", "ABCDEFGHJK"), ("abcdefghjk", "ABCDEFGHJK"),
])
def test_typing_is_forgiving_about_case_spaces_and_dashes(typed: str, normalised: str) -> None:
    assert codes.normalise(typed) == normalised


@pytest.mark.parametrize("attempt", range(20))
def test_every_single_mistake_and_every_swap_is_caught(attempt: int) -> None:
    code = codes.generate()
    for position in range(10):
        for other in codes.ALPHABET:
            if other != code[position]:
                assert not codes.well_formed(code[:position] + other + code[position + 1:])
    for position in range(9):
        if code[position] != code[position + 1]:
            swapped = (code[:position] + code[position + 1] + code[position]
                       + code[position + 2:])
            assert not codes.well_formed(swapped)


def test_only_a_digest_is_stored_and_it_ignores_presentation() -> None:
    code = codes.generate()
    assert codes.digest(codes.grouped(code).lower()) == codes.digest(code)
    assert code not in codes.digest(code)
    assert codes.grouped("ABCDEFGHJK") == "ABCD-EFGH-JK"
