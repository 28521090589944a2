"""Small-cell suppression on tables computed by hand, then on random tables."""

from __future__ import annotations

import copy
import dataclasses
import random
from typing import Any

import pytest

from civic.pilotage.suppression import Suppressed, shown, suppress_series, suppress_table

# --- Series: one line and its total ----------------------------------------------------


def test_a_series_with_one_small_cell_hides_two() -> None:
    # 3 is small; alone it would be 78 - 20 - 15 - 40, so the smallest other (15) goes too.
    assert suppress_series([3, 20, 15, 40], 11) == ([None, 20, None, 40], 78)
    result = suppress_table([[3, 20, 15, 40]], 11, col_totals=False)
    assert result.primary == {(0, 0)}
    assert result.secondary == {(0, 2)}
    assert result.row_totals == [78]
    assert result.col_totals == []
    assert result.total == 78


def test_a_series_without_total_only_hides_the_small_cells() -> None:
    assert suppress_series([3, 20, 15], 11, with_total=False) == ([None, 20, 15], None)


def test_a_series_with_nothing_small_is_published_whole() -> None:
    assert suppress_series([12, 0, 30], 11) == ([12, 0, 30], 42)


def test_a_small_total_of_a_series_is_hidden() -> None:
    # 2 + 3 = 5 < 11: the total is hidden, so the two small cells protect each other.
    assert suppress_series([2, 3, 0], 11) == ([None, None, 0], None)


def test_non_zero_cells_are_hidden_before_zeros() -> None:
    assert suppress_series([5, 0, 0, 30], 11) == ([None, 0, 0, None], 35)
    assert suppress_series([5, 0, 30], 11) == ([None, 0, None], 35)


def test_ties_hide_the_lowest_index() -> None:
    assert suppress_series([5, 20, 20], 11) == ([None, None, 20], 45)
    assert suppress_series([20, 20, 5], 11) == ([None, 20, None], 45)


def test_an_empty_series() -> None:
    assert suppress_series([], 11) == ([], 0)
    assert suppress_series([], 11, with_total=False) == ([], None)


# --- Tables -----------------------------------------------------------------------------


def test_a_small_cell_forces_a_chain_across_rows_and_columns() -> None:
    # 4 is small. Row 0 then hides 25 (smallest other); column 0 hides 20, column 2 hides
    # 60; row 1 is left with one hidden cell and hides 40, row 2 hides 15; every row and
    # column then has two hidden cells (a cycle: 4, 25, 60, 15, 40, 20).
    result = suppress_table([[4, 30, 25],
                             [20, 40, 90],
                             [35, 15, 60]], 11)
    assert result.cells == [[None, 30, None],
                            [None, None, 90],
                            [35, None, None]]
    assert result.primary == {(0, 0)}
    assert result.secondary == {(0, 2), (1, 0), (1, 1), (2, 1), (2, 2)}
    assert result.row_totals == [59, 150, 110]
    assert result.col_totals == [59, 85, 175]
    assert result.total == 319


def test_every_cell_small_but_totals_large() -> None:
    result = suppress_table([[5, 6, 7],
                             [8, 9, 10]], 11)
    assert result.cells == [[None] * 3, [None] * 3]
    assert result.primary == {(i, j) for i in range(2) for j in range(3)}
    assert result.secondary == frozenset()
    assert result.row_totals == [18, 27]
    assert result.col_totals == [13, 15, 17]
    assert result.total == 45


def test_every_cell_and_every_total_small() -> None:
    result = suppress_table([[1, 2], [3, 4]], 11)
    assert result == Suppressed(cells=[[None, None], [None, None]], row_totals=[None, None],
                                col_totals=[None, None], total=None,
                                primary=frozenset({(0, 0), (0, 1), (1, 0), (1, 1)}),
                                secondary=frozenset())


def test_zeros_are_published() -> None:
    result = suppress_table([[0, 0], [0, 25]], 11)
    assert result.cells == [[0, 0], [0, 25]]
    assert result.row_totals == [0, 25]
    assert result.col_totals == [0, 25]
    assert result.total == 25
    assert result.primary == result.secondary == frozenset()


def test_a_zero_is_hidden_when_it_is_the_only_other_cell() -> None:
    # 5 is small; row 0 hides 20; column 0 hides 30; column 1 holds 20 (hidden) and 0:
    # the 0 must go, or 20 = 20 - 0.
    result = suppress_table([[5, 20, 0],
                             [30, 0, 0]], 11)
    assert result.cells == [[None, None, 0],
                            [None, None, 0]]
    assert result.primary == {(0, 0)}
    assert result.secondary == {(0, 1), (1, 0), (1, 1)}
    assert result.row_totals == [25, 30]
    assert result.col_totals == [35, 20, 0]
    assert result.total == 55


def test_one_cell_columns_hide_their_total() -> None:
    # Row 0 hides 5 and 20; column 1 is the 20 alone, so its total (20) is hidden.
    result = suppress_table([[5, 20, 30]], 11)
    assert result.cells == [[None, None, 30]]
    assert result.primary == {(0, 0)}
    assert result.secondary == {(0, 1)}
    assert result.row_totals == [55]
    assert result.col_totals == [None, None, 30]
    assert result.total == 55


def test_one_cell_rows_and_the_row_totals() -> None:
    # Column 0 hides 5, so also 20; the row totals are the cells themselves and the grand
    # total is published: 5's row total is hidden, so 20's goes too.
    result = suppress_table([[5], [20], [30]], 11)
    assert result.cells == [[None], [None], [30]]
    assert result.row_totals == [None, None, 30]
    assert result.col_totals == [55]
    assert result.total == 55
    assert result.secondary == {(1, 0)}


def test_a_hidden_total_is_not_left_recoverable_by_addition() -> None:
    # Column totals only: 5's column total is small; the other column total (20) is hidden
    # so that it is not 25 - 5's; then 20 itself is hidden, or it would give its total back.
    result = suppress_table([[5, 20]], 11, row_totals=False)
    assert result.cells == [[None, None]]
    assert result.row_totals == []
    assert result.col_totals == [None, None]
    assert result.total == 25
    assert result.secondary == {(0, 1)}


def test_a_small_row_total() -> None:
    # Row 0 sums to 7: hidden with its cells; columns then hide row 1; the row totals line
    # has 7 hidden, so 70 goes too (else 77 - 70).
    result = suppress_table([[3, 4],
                             [30, 40]], 11)
    assert result.cells == [[None, None], [None, None]]
    assert result.primary == {(0, 0), (0, 1)}
    assert result.secondary == {(1, 0), (1, 1)}
    assert result.row_totals == [None, None]
    assert result.col_totals == [33, 44]
    assert result.total == 77


def test_a_small_column_total() -> None:
    result = suppress_table([[2, 50],
                             [3, 60]], 11)
    assert result.cells == [[None, None], [None, None]]
    assert result.row_totals == [52, 63]
    assert result.col_totals == [None, None]
    assert result.total == 115


def test_a_small_grand_total() -> None:
    result = suppress_table([[0, 4], [0, 0]], 11)
    assert result.cells == [[0, None], [0, 0]]
    assert result.row_totals == [None, 0]
    assert result.col_totals == [0, None]
    assert result.total is None


def test_without_totals_only_small_cells_are_hidden() -> None:
    result = suppress_table([[4, 30], [20, 40]], 11, row_totals=False, col_totals=False)
    assert result.cells == [[None, 30], [20, 40]]
    assert result.row_totals == result.col_totals == []
    assert result.total is None
    assert result.secondary == frozenset()


def test_row_totals_only() -> None:
    # Without column totals the columns are not lines: each row is protected on its own.
    result = suppress_table([[4, 30, 25], [20, 40, 90]], 11, col_totals=False)
    assert result.cells == [[None, 30, None], [20, 40, 90]]
    assert result.row_totals == [59, 150]
    assert result.col_totals == []
    assert result.total == 209


def test_empty_tables() -> None:
    assert suppress_table([], 11) == Suppressed([], [], [], 0, frozenset(), frozenset())
    assert suppress_table([[], []], 11) == Suppressed([[], []], [0, 0], [], 0, frozenset(),
                                                      frozenset())


# --- The threshold setting -----------------------------------------------------------------


def test_the_threshold_is_a_setting() -> None:
    assert suppress_series([6, 20, 30], 5) == ([6, 20, 30], 56)
    assert suppress_series([6, 20, 30], 11) == ([None, None, 30], 56)
    assert suppress_series([4, 20, 30], 5) == ([None, None, 30], 54)
    assert suppress_series([5, 20, 30], 5) == ([5, 20, 30], 55)
    assert suppress_series([10, 11, 30], 11) == ([None, None, 30], 51)
    table = [[4, 30, 25], [20, 40, 90], [35, 15, 60]]
    assert suppress_table(table, 1).cells == table
    assert suppress_table(table, 5).secondary == {(0, 2), (1, 0), (1, 1), (2, 1), (2, 2)}
    assert suppress_table(table, 16).primary == {(0, 0), (2, 1)}


def test_shown() -> None:
    assert shown(None, 11) == "< 11"
    assert shown(None, 5) == "< 5"
    assert shown(0, 11) == "0"
    assert shown(12345, 11) == "12345"
    with pytest.raises(ValueError, match="threshold"):
        shown(None, 0)
    with pytest.raises(ValueError, match="count"):
        shown(-1, 11)


# --- Input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("cells", [
    [[1, 2], [3]],
    [[1, -2]],
    [[1, 2.0]],
    [[True, 2]],
    [[1, "2"]],
    ["12"],
    "12",
    [[1, None]],
])
def test_bad_tables_are_refused(cells: object) -> None:
    with pytest.raises(ValueError, match=r"table|row \d|cell"):
        suppress_table(cells, 11)  # type: ignore[arg-type]


@pytest.mark.parametrize("threshold", [0, -11, 11.0, True, "11"])
def test_bad_thresholds_are_refused(threshold: object) -> None:
    with pytest.raises(ValueError, match="threshold"):
        suppress_table([[1]], threshold)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="threshold"):
        suppress_series([1], threshold)  # type: ignore[arg-type]


def test_bad_series_are_refused() -> None:
    with pytest.raises(ValueError, match="series"):
        suppress_series("12", 11)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-negative"):
        suppress_series([1, -1], 11)


def test_the_input_is_not_modified_and_tuples_are_accepted() -> None:
    table = [[4, 30, 25], [20, 40, 90], [35, 15, 60]]
    before = copy.deepcopy(table)
    result = suppress_table(table, 11)
    assert table == before
    assert suppress_table(tuple(tuple(row) for row in table), 11) == result
    result.cells[0][1] = 0  # the result's lists are its own
    assert table == before


def test_the_result_is_frozen() -> None:
    result = suppress_table([[1]], 11)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.total = 1  # type: ignore[misc]


# --- Random tables ------------------------------------------------------------------------


def _lines(table: list[list[int]], result: Suppressed, row_totals: bool, col_totals: bool,
           ) -> list[tuple[list[int], list[int | None], int, int | None]]:
    """Every line: its true parts, its published parts, its true total, its published total."""
    n_rows, n_cols = len(table), len(table[0])
    row_sums = [sum(row) for row in table]
    col_sums = [sum(row[j] for row in table) for j in range(n_cols)]
    lines: list[tuple[list[int], list[int | None], int, int | None]] = []
    if row_totals:
        lines += [(table[i], result.cells[i], row_sums[i], result.row_totals[i])
                  for i in range(n_rows)]
        lines.append((row_sums, result.row_totals, sum(row_sums), result.total))
    if col_totals:
        lines += [([row[j] for row in table], [row[j] for row in result.cells], col_sums[j],
                   result.col_totals[j]) for j in range(n_cols)]
        lines.append((col_sums, result.col_totals, sum(col_sums), result.total))
    return lines


def _random_table(rng: random.Random, threshold: int) -> list[list[int]]:
    n_rows, n_cols = rng.randint(1, 5), rng.randint(1, 5)
    def count() -> int:
        return rng.choice([0, rng.randint(1, threshold), rng.randint(1, 6 * threshold)])
    return [[count() for _ in range(n_cols)] for _ in range(n_rows)]


def _assert_no_line_gives_a_hidden_value(table: list[list[int]], result: Any,
                                         row_totals: bool, col_totals: bool) -> None:
    for parts, shown_parts, total, shown_total in _lines(table, result, row_totals,
                                                         col_totals):
        assert shown_total is None or shown_total == total
        concealed = [n for n, s in zip(parts, shown_parts, strict=True) if s is None]
        if shown_total is not None:
            # Never exactly one unknown under a published total.
            assert len(concealed) != 1
        elif parts:
            # A hidden total is not the sum of published parts.
            assert concealed


def _assert_each_hidden_cell_is_one_of_two_unknowns(
        table: list[list[int]], result: Any, hidden: set[tuple[int, int]], row_totals: bool,
        col_totals: bool) -> None:
    """Each hidden cell, seen from its row and its column: subtracting the published
    cells from a published total leaves the sum of at least two unknowns."""
    for i, j in hidden:
        seen: list[tuple[int | None, list[int | None], list[int]]] = []
        if row_totals:
            seen.append((result.row_totals[i], result.cells[i], table[i]))
        if col_totals:
            seen.append((result.col_totals[j], [row[j] for row in result.cells],
                         [row[j] for row in table]))
        for line_total, shown_parts, parts in seen:
            if line_total is None:
                continue
            remainder = line_total - sum(n for n in shown_parts if n is not None)
            unknowns = [n for n, s in zip(parts, shown_parts, strict=True) if s is None]
            assert remainder == sum(unknowns)
            assert len(unknowns) >= 2


@pytest.mark.parametrize("seed", range(8))
def test_random_tables_leave_nothing_small_and_nothing_recoverable(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(250):
        threshold = rng.choice([1, 3, 5, 11])
        table = _random_table(rng, threshold)
        row_totals, col_totals = rng.random() < 0.8, rng.random() < 0.8
        before = copy.deepcopy(table)
        result = suppress_table(table, threshold, row_totals=row_totals, col_totals=col_totals)
        assert table == before
        assert result == suppress_table(table, threshold, row_totals=row_totals,
                                        col_totals=col_totals)

        # The cells: published ones are true, small ones are primary, the rest secondary.
        small = {(i, j) for i, row in enumerate(table) for j, n in enumerate(row)
                 if 0 < n < threshold}
        hidden = {(i, j) for i, row in enumerate(result.cells) for j, n in enumerate(row)
                  if n is None}
        assert result.primary == small
        assert result.secondary == hidden - small
        for i, row in enumerate(result.cells):
            for j, n in enumerate(row):
                assert n is None or n == table[i][j]

        # Every published number is a true one, and never a small non-zero count.
        published = [n for row in result.cells for n in row]
        published += [*result.row_totals, *result.col_totals, result.total]
        assert all(n is None or n == 0 or n >= threshold for n in published)
        assert len(result.row_totals) == (len(table) if row_totals else 0)
        assert len(result.col_totals) == (len(table[0]) if col_totals else 0)
        if not row_totals and not col_totals:
            assert result.total is None
            assert result.secondary == frozenset()

        _assert_no_line_gives_a_hidden_value(table, result, row_totals, col_totals)
        _assert_each_hidden_cell_is_one_of_two_unknowns(table, result, hidden, row_totals,
                                                        col_totals)

        # Nothing small anywhere: nothing hidden.
        sums = [total for _, _, total, _ in _lines(table, result, row_totals, col_totals)]
        if not small and all(n == 0 or n >= threshold for n in sums):
            assert not hidden
            assert None not in (*result.row_totals, *result.col_totals)
