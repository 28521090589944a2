"""Disclosure audit of a release: intervals worked out by hand, then random releases
checked against two plain linear programmes per hidden cell."""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Hashable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

import pytest
from scipy.optimize import linprog

from civic.pilotage import disclosure
from civic.pilotage.disclosure import (
    Finding,
    Line,
    audit,
    intervals,
    is_safe,
    lines_of_table,
)

K = 11


def _table(name: str, cells: list[list[int]]) -> tuple[dict[Hashable, int], list[Line],
                                                        list[list[Hashable]]]:
    """The values and lines of a table with its margins, keys ``(name, kind, i, j)``."""
    keys: list[list[Hashable]] = [[(name, "cell", i, j) for j in range(len(cells[0]))]
                                  for i in range(len(cells))]
    row_totals: list[Hashable] = [(name, "row", i, 0) for i in range(len(cells))]
    col_totals: list[Hashable] = [(name, "col", j, 0) for j in range(len(cells[0]))]
    total = (name, "all", 0, 0)
    values: dict[Hashable, int] = {}
    for i, row in enumerate(cells):
        for j, value in enumerate(row):
            values[keys[i][j]] = value
        values[row_totals[i]] = sum(row)
    for j, key in enumerate(col_totals):
        values[key] = sum(row[j] for row in cells)
    values[total] = sum(map(sum, cells))
    return values, lines_of_table(keys, row_totals, col_totals, total), keys


def _by_cell(findings: list[Finding]) -> dict[Hashable, tuple[int, float, float, bool]]:
    return {f.cell: (f.value, f.low, f.high, f.safe) for f in findings}


# --- One line ---------------------------------------------------------------------------


def test_one_hidden_cell_in_a_row_with_its_total_is_recovered() -> None:
    values = {"a": 3, "b": 20, "c": 15, "total": 38}
    findings = audit(values, {"a"}, [Line(("a", "b", "c"), "total")], K)
    assert findings == [Finding(cell="a", value=3, low=3.0, high=3.0, safe=False)]


def test_published_zeros_next_to_a_hidden_cell_give_it_away() -> None:
    values = {"a": 5, "b": 0, "c": 0, "total": 5}
    findings = audit(values, ["a"], [Line(("a", "b", "c"), "total")], K)
    assert findings == [Finding(cell="a", value=5, low=5.0, high=5.0, safe=False)]


def test_a_hidden_total_and_a_hidden_other_part_leave_no_upper_bound() -> None:
    values = {"a": 3, "b": 4, "c": 20, "total": 27}
    findings = audit(values, {"a", "b", "total"}, [Line(("a", "b", "c"), "total")], K)
    assert findings == [
        Finding(cell="a", value=3, low=0.0, high=math.inf, safe=True),
        Finding(cell="b", value=4, low=0.0, high=math.inf, safe=True),
        # total = a + b + 20: at least the published part.
        Finding(cell="total", value=27, low=20.0, high=math.inf, safe=True),
    ]


def test_a_hidden_cell_in_no_line_is_anything() -> None:
    values = {"a": 3, "b": 4, "total": 7, "lonely": 2}
    assert intervals(values, {"a", "b", "lonely"}, [Line(("a", "b"), "total")]) == {
        "a": (0.0, 7.0), "b": (0.0, 7.0), "lonely": (0.0, math.inf)}
    assert audit({"x": 4}, {"x"}, [], K) == [Finding("x", 4, 0.0, math.inf, True)]


def test_overlapping_parts_with_a_hidden_part() -> None:
    # Distinct people: 13 in all, 12 in one part, x in the other. 13 <= 12 + x gives
    # x >= 1; a part is never more than the total, so x <= 13.
    values = {"part": 12, "x": 5, "people": 13}
    line = Line(("part", "x"), "people", exact=False)
    assert intervals(values, {"x"}, [line]) == {"x": (1.0, 13.0)}
    assert audit(values, {"x"}, [line], K) == [Finding("x", 5, 1.0, 13.0, True)]
    # With a threshold of 13, a width of 12 is not enough.
    assert audit(values, {"x"}, [line], 13) == [Finding("x", 5, 1.0, 13.0, False)]


def test_overlapping_parts_with_a_hidden_total() -> None:
    # The total is at least the largest part and at most their sum.
    values = {"a": 12, "b": 5, "people": 13}
    line = Line(("a", "b"), "people", exact=False)
    assert audit(values, {"people"}, [line], K) == [Finding("people", 13, 12.0, 17.0, False)]


# --- Tables with margins ----------------------------------------------------------------


def test_a_two_by_two_table_with_every_cell_hidden() -> None:
    # Margins 23, 24 (rows) and 23, 24 (columns): the cell (0, 0) ranges over
    # [max(0, 23 - 24), min(23, 23)] = [0, 23]; the others follow from it.
    values, lines, keys = _table("t", [[3, 20], [20, 4]])
    hidden = [key for row in keys for key in row]
    found = _by_cell(audit(values, hidden, lines, K))
    assert found == {
        keys[0][0]: (3, 0.0, 23.0, True),
        keys[0][1]: (20, 0.0, 23.0, True),  # 23 - x
        keys[1][0]: (20, 0.0, 23.0, True),  # 23 - x
        keys[1][1]: (4, 1.0, 24.0, True),  # 24 - (23 - x) = 1 + x
    }


def test_a_two_by_two_table_whose_margins_pin_two_cells() -> None:
    # Rows 7 and 31, columns 6 and 32: x = cell (0, 0) is in [max(0, 7 - 32), min(7, 6)]
    # = [0, 6], so 7 - x is in [1, 7] and 31 - (6 - x) = 25 + x in [25, 31]: six wide.
    values, lines, keys = _table("t", [[5, 2], [1, 30]])
    hidden = [key for row in keys for key in row]
    found = _by_cell(audit(values, hidden, lines, K))
    assert found == {
        keys[0][0]: (5, 0.0, 6.0, True),  # may be 0
        keys[0][1]: (2, 1.0, 7.0, False),
        keys[1][0]: (1, 0.0, 6.0, True),
        keys[1][1]: (30, 25.0, 31.0, False),
    }


def test_two_independent_tables_in_one_release() -> None:
    first, first_lines, first_keys = _table("a", [[5, 2], [1, 30]])
    second, second_lines, second_keys = _table("b", [[3, 20, 14], [20, 4, 18]])
    first_hidden = [key for row in first_keys for key in row]
    second_hidden = [second_keys[0][0], second_keys[0][1], second_keys[1][0], second_keys[1][1]]
    together = audit(first | second, first_hidden + second_hidden,
                     first_lines + second_lines, K)
    apart = (audit(first, first_hidden, first_lines, K)
             + audit(second, second_hidden, second_lines, K))
    assert together == sorted(apart, key=lambda finding: repr(finding.cell))
    assert len(together) == 8


# --- Periods ----------------------------------------------------------------------------


def _year(quarters: list[int], hidden: Collection[str],
          months: list[int] | None = None) -> list[Finding]:
    """A year and its quarters, the third quarter also split into months if given."""
    values = {f"Q{n}": count for n, count in enumerate(quarters, start=1)}
    values["year"] = sum(quarters)
    lines = [Line(("Q1", "Q2", "Q3", "Q4"), "year")]
    if months is not None:
        values |= {f"M{n}": count for n, count in enumerate(months, start=7)}
        lines.append(Line(("M7", "M8", "M9"), "Q3"))
    return audit(values, hidden, lines, K)


def test_the_last_quarter_alone_is_recovered_from_the_year() -> None:
    assert _year([20, 30, 25, 4], {"Q4"}) == [Finding("Q4", 4, 4.0, 4.0, False)]


def test_two_hidden_quarters_may_each_be_zero() -> None:
    # Q3 + Q4 = 7 is known; each may be anything in [0, 7], zero included: safe.
    assert _year([20, 30, 3, 4], {"Q3", "Q4"}) == [
        Finding("Q3", 3, 0.0, 7.0, True),
        Finding("Q4", 4, 0.0, 7.0, True),
    ]


def test_published_months_give_a_hidden_quarter_a_floor() -> None:
    # Q3 + Q4 = 20, and Q3 = 12 + 0 + M9: Q3 is in [12, 20], only 8 wide.
    assert _year([20, 30, 15, 5], {"Q3", "Q4", "M9"}, months=[12, 0, 3]) == [
        Finding("M9", 3, 0.0, 8.0, True),
        Finding("Q3", 15, 12.0, 20.0, False),
        Finding("Q4", 5, 0.0, 8.0, True),
    ]
    # Q3 + Q4 = 40 and Q3 >= 12: [12, 40] is wide enough.
    assert _year([20, 30, 30, 10], {"Q3", "Q4", "M9"}, months=[12, 0, 18]) == [
        Finding("M9", 18, 0.0, 28.0, True),
        Finding("Q3", 30, 12.0, 40.0, True),
        Finding("Q4", 10, 0.0, 28.0, True),
    ]


# --- is_safe, order, checks -------------------------------------------------------------


def test_is_safe() -> None:
    assert is_safe(0.0, 3.0, K)
    assert not is_safe(3.0, 3.0, K)
    assert not is_safe(3.0, 13.0, K)
    assert is_safe(3.0, 14.0, K)
    assert is_safe(3.0, 13.9999999, K)
    assert is_safe(1e-9, 2.0, K)
    assert is_safe(3.0, math.inf, K)
    with pytest.raises(ValueError, match="threshold"):
        is_safe(0.0, 3.0, 0)


def test_intervals_and_findings_are_sorted_by_key() -> None:
    values = {("b", 1): 3, ("a", 2): 4, ("a", 10): 20, ("t",): 27}
    line = Line((("b", 1), ("a", 2), ("a", 10)), ("t",))
    hidden = [("b", 1), ("a", 2), ("a", 10)]
    order = [("a", 10), ("a", 2), ("b", 1)]  # by repr
    assert list(intervals(values, hidden, [line])) == order
    assert [f.cell for f in audit(values, hidden, [line], K)] == order


def test_parts_given_as_a_list_are_kept_as_a_tuple() -> None:
    line = Line(["a", "b"], "t")  # type: ignore[arg-type]
    assert line.parts == ("a", "b")
    assert hash(line) == hash(Line(("a", "b"), "t"))


@pytest.mark.parametrize(("values", "hidden", "lines", "threshold", "message"), [
    ({"a": 1, "t": 1}, {"a"}, [Line(("a", "b"), "t")], K, "'b'"),
    ({"a": 1, "b": 2}, {"a"}, [Line(("a", "b"), "t")], K, "'t'"),
    ({"a": 1, "t": 1}, {"z"}, [], K, "'z'"),
    ({"a": -1, "t": -1}, {"a"}, [Line(("a",), "t")], K, "non-negative"),
    ({"a": True, "t": 1}, {"a"}, [Line(("a",), "t")], K, "non-negative"),
    ({"a": 1.0, "t": 1}, {"a"}, [Line(("a",), "t")], K, "non-negative"),
    ({"a": 1, "t": 1}, {"a"}, [Line(("a",), "t")], 0, "threshold"),
    ({"a": 1, "t": 1}, {"a"}, [Line(("a",), "t")], True, "threshold"),
    ({"a": 1, "t": 1}, {"a"}, [Line(("a",), "t")], 2.5, "threshold"),
    # An exact line the true values contradict, hidden cells or not.
    ({"a": 1, "b": 2, "t": 4}, {"a"}, [Line(("a", "b"), "t")], K, "does not hold"),
    ({"a": 1, "b": 2, "t": 4}, set(), [Line(("a", "b"), "t")], K, "does not hold"),
    # Overlapping parts: the total is below the largest part, or above their sum.
    ({"a": 5, "b": 2, "t": 4}, {"a"}, [Line(("a", "b"), "t", exact=False)], K,
     "does not hold"),
    ({"a": 1, "b": 2, "t": 4}, {"t"}, [Line(("a", "b"), "t", exact=False)], K,
     "does not hold"),
    ({"a": 1, "t": 1}, {"a"}, [("a", "t")], K, "not a Line"),
])
def test_bad_input_is_refused(values: Any, hidden: Any, lines: Any, threshold: Any,
                              message: str) -> None:
    with pytest.raises(ValueError, match=message):
        audit(values, hidden, lines, threshold)


def test_bad_values_are_refused_by_intervals_too() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        intervals({"a": -2}, {"a"}, [])
    with pytest.raises(ValueError, match="values"):
        intervals([("a", 2)], {"a"}, [])  # type: ignore[arg-type]


def test_a_solver_failure_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(*args: object, **kwargs: object) -> SimpleNamespace:
        return SimpleNamespace(status=2, message="The problem is infeasible.")

    monkeypatch.setattr(disclosure, "linprog", failing)
    values = {"a": 3, "b": 4, "total": 7}
    with pytest.raises(RuntimeError, match="infeasible"):
        intervals(values, {"a", "b"}, [Line(("a", "b"), "total")])


# --- lines_of_table ---------------------------------------------------------------------


def test_lines_of_a_two_by_three_table() -> None:
    cells = [["a", "b", "c"], ["d", "e", "f"]]
    assert lines_of_table(cells, ["r0", "r1"], ["k0", "k1", "k2"], "T") == [
        Line(("a", "b", "c"), "r0"),
        Line(("d", "e", "f"), "r1"),
        Line(("a", "d"), "k0"),
        Line(("b", "e"), "k1"),
        Line(("c", "f"), "k2"),
        Line(("r0", "r1"), "T"),
        Line(("k0", "k1", "k2"), "T"),
    ]
    assert lines_of_table(cells, ["r0", "r1"], None, "T", exact=False) == [
        Line(("a", "b", "c"), "r0", exact=False),
        Line(("d", "e", "f"), "r1", exact=False),
        Line(("r0", "r1"), "T", exact=False),
    ]
    assert lines_of_table(cells, None, ["k0", "k1", "k2"], None) == [
        Line(("a", "d"), "k0"),
        Line(("b", "e"), "k1"),
        Line(("c", "f"), "k2"),
    ]
    assert lines_of_table(cells, None, None, "T") == []
    assert lines_of_table([], None, None, None) == []


@pytest.mark.parametrize(("cells", "row_totals", "col_totals"), [
    ([["a", "b"], ["c"]], None, None),
    ([["a", "b"]], ["r0", "r1"], None),
    ([["a", "b"]], None, ["k0"]),
])
def test_lines_of_a_table_that_does_not_fit(cells: list[list[str]],
                                            row_totals: list[str] | None,
                                            col_totals: list[str] | None) -> None:
    with pytest.raises(ValueError, match=r"row|column"):
        lines_of_table(cells, row_totals, col_totals, None)


# --- Random releases against a plain computation --------------------------------------


def _reference(values: Mapping[Hashable, int], hidden: Collection[Hashable],
               lines: Sequence[Line]) -> dict[Hashable, tuple[float, float]]:
    """Two linear programmes per hidden cell over the whole release: no components, no
    shortcut."""
    keys = sorted(set(hidden), key=repr)
    index = {key: n for n, key in enumerate(keys)}
    a_eq: list[list[float]] = []
    b_eq: list[float] = []
    a_ub: list[list[float]] = []
    b_ub: list[float] = []

    def add(terms: list[tuple[Hashable, int]], rows: list[list[float]],
            rhs: list[float]) -> None:
        row = [0.0] * len(keys)
        constant = 0.0
        for key, coef in terms:
            if key in index:
                row[index[key]] += coef
            else:
                constant -= coef * values[key]
        rows.append(row)
        rhs.append(constant)

    for line in lines:
        if line.exact:
            add([*((key, 1) for key in line.parts), (line.total, -1)], a_eq, b_eq)
        else:
            add([(line.total, 1), *((key, -1) for key in line.parts)], a_ub, b_ub)
            for key in line.parts:
                add([(key, 1), (line.total, -1)], a_ub, b_ub)

    def solve(objective: list[float]) -> Any:
        result = linprog(objective, A_ub=a_ub or None, b_ub=b_ub or None,
                         A_eq=a_eq or None, b_eq=b_eq or None, bounds=(0, None),
                         method="highs", options={"presolve": False})
        assert result.status in (0, 3), result.message
        return result

    bounds: dict[Hashable, tuple[float, float]] = {}
    for n, key in enumerate(keys):
        objective = [0.0] * len(keys)
        objective[n] = 1.0
        low = solve(objective).fun
        objective[n] = -1.0
        result = solve(objective)
        bounds[key] = (low, math.inf if result.status == 3 else -result.fun)
    return bounds


def _random_release(rng: random.Random) -> tuple[dict[Hashable, int], set[Hashable],
                                                 list[Line]]:
    """One or two small tables with margins, sometimes an overlapping count of distinct
    people over the row totals, a stray hidden cell, and a random set of hidden keys."""
    values: dict[Hashable, int] = {}
    lines: list[Line] = []
    for name in ("a", "b")[:rng.randint(1, 2)]:
        n_rows, n_cols = rng.randint(1, 4), rng.randint(1, 4)
        cells = [[rng.choice([0, rng.randint(1, 10), rng.randint(1, 40)])
                  for _ in range(n_cols)] for _ in range(n_rows)]
        table_values, table_lines, _ = _table(name, cells)
        values |= table_values
        lines += table_lines
        if rng.random() < 0.5:
            row_totals = [values[(name, "row", i, 0)] for i in range(n_rows)]
            values[(name, "people", 0, 0)] = rng.randint(max(row_totals), sum(row_totals))
            lines.append(Line(tuple((name, "row", i, 0) for i in range(n_rows)),
                              (name, "people", 0, 0), exact=False))
    values[("stray",)] = 6
    keys = sorted(values, key=repr)
    hidden = set(rng.sample(keys, rng.randint(1, min(10, len(keys)))))
    return values, hidden, lines


@pytest.mark.parametrize("seed", range(8))
def test_random_releases_match_two_programmes_per_cell(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(25):
        values, hidden, lines = _random_release(rng)
        found = intervals(values, hidden, lines)
        expected = _reference(values, hidden, lines)
        assert found.keys() == expected.keys()
        for key, (low, high) in found.items():
            assert low == pytest.approx(expected[key][0], abs=1e-6), key
            assert high == pytest.approx(expected[key][1], abs=1e-6), key
            assert low <= values[key] <= high


def test_a_large_table_is_audited() -> None:
    # A 40 × 40 table of random counts with its margins and 150 hidden cells.
    rng = random.Random(40)
    values, lines, keys = _table("t", [[rng.randint(0, 30) for _ in range(40)]
                                       for _ in range(40)])
    hidden = rng.sample([key for row in keys for key in row], 150)
    findings = audit(values, hidden, lines, K)
    assert len(findings) == 150
    assert all(f.low <= f.value <= f.high and f.high < math.inf for f in findings)
    assert all(f.safe == is_safe(f.low, f.high, K) for f in findings)
