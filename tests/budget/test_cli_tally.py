"""``flask pb tally FILE --rule …``: the funded projects, one a line; clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.budget.test_pabulib import GOOD, SAMPLES


def tally(app: Any, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["pb", "tally", *args])


@pytest.mark.parametrize(("name", "rule", "expected"), [
    ("Netherlands_Amsterdam_643.pb", "greedy", ["44251"]),
    ("Netherlands_Amsterdam_643.pb", "equal-shares", ["44250"]),
    # The official result, in the order Equal Shares chose.
    ("Netherlands_Assen_2024.pb", "equal-shares", ["3", "9", "11", "2", "13", "14", "5", "6",
                                                   "12"]),
    # Cumulative ballots: ranked by points (196: 435, 443: 378, 448: 286…).
    ("Poland_Czestochowa_2020_Grabowka.pb", "greedy", ["196", "443", "463", "47", "198"]),
    ("France_Toulouse_2022_17_-_Mirail-Universite_Reynerie_Bellefontaine.pb", "greedy",
     ["182", "183"]),
])
def test_prints_the_funded_projects_in_order(app: Any, name: str, rule: str,
                                             expected: list[str]) -> None:
    result = tally(app, str(SAMPLES / name), "--rule", rule)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == expected


def test_praga_poludnie_greedy_is_the_official_result(app: Any) -> None:
    from civic.budget.pabulib import read

    path = SAMPLES / "Poland_Warszawa_2020_Praga-Poludnie.pb"
    result = tally(app, str(path), "--rule", "greedy")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == read(path.read_text(encoding="utf-8")).selected()


def test_a_broken_file_is_a_clear_error_without_traceback(app: Any, tmp_path: Path) -> None:
    path = tmp_path / "broken.pb"
    path.write_text(GOOD.replace("v2;2", "v2;7"), encoding="utf-8")
    result = tally(app, str(path), "--rule", "greedy")
    assert result.exit_code == 1
    assert result.output == f"Error: {path}: line 12: vote for unknown project '7'\n"
    assert "Traceback" not in result.output


def test_a_file_that_is_not_text_is_a_clear_error(app: Any, tmp_path: Path) -> None:
    path = tmp_path / "photo.pb"
    path.write_bytes(b"\xff\xd8\xff\xe0 not a pabulib file")
    result = tally(app, str(path), "--rule", "equal-shares")
    assert result.exit_code == 1
    assert "cannot read the file" in result.output


def test_ordinal_ballots_are_refused(app: Any, tmp_path: Path) -> None:
    path = tmp_path / "ordinal.pb"
    path.write_text(GOOD.replace("vote_type;approval", "vote_type;ordinal"), encoding="utf-8")
    result = tally(app, str(path), "--rule", "greedy")
    assert result.exit_code == 1
    assert "ordinal ballots cannot be counted" in result.output


def test_the_rule_is_required_and_checked(app: Any, tmp_path: Path) -> None:
    path = tmp_path / "good.pb"
    path.write_text(GOOD, encoding="utf-8")
    assert tally(app, str(path)).exit_code == 2
    assert tally(app, str(path), "--rule", "borda").exit_code == 2
    result = tally(app, str(path), "--rule", "equal-shares")
    assert (result.exit_code, result.output) == (0, "2\n")
