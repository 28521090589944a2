"""Disclosure audit of a release: how precisely every published figure pins down each
hidden count.

Small-cell suppression (``civic.pilotage.suppression``) protects each table on its own,
one line at a time. A *release* publishes many tables together (the contract and each
quartier, a year and its quarters…), and whoever reads it can combine every published
figure: a count hidden in one table may be recovered from several others. The audit
states every published figure as linear constraints, as τ-ARGUS does, and computes for
each hidden cell the interval of values that those figures allow:

* every cell has a true value (``values``); the published cells are constants and the
  hidden ones are the unknowns of a linear programme, each ``>= 0`` with no upper bound;
* a :class:`Line` is a relation the reader knows: parts that add up to a total
  (``exact``), or parts that may overlap (a person counted in two parts counts once in the
  total), so that ``max(parts) <= total <= sum(parts)``;
* each hidden cell is minimised and maximised subject to every line; a maximum without
  bound is ``math.inf``.

A hidden cell is *safe* when the published figures still allow it to be 0 (nobody may be
there at all) or leave it an interval at least ``threshold`` wide. Intervals are those of
the linear relaxation (the reader may know that counts are integers: on a two-way table
with its margins, the relaxation's bounds are integers anyway).

To stay fast on a release of thousands of cells, the hidden cells are split into
connected components (two hidden cells are connected when one line holds both) and each
component is solved with its own constraints only; a hidden cell in no line is
``[0, inf)`` without solving anything. Within a component, fewer than two programmes
per cell are solved: bounds implied by one line at a time are computed first, and such a
bound is the answer as soon as a feasible point reaches it (the true values, or any point
the solver returns: a few programmes push every cell down, then up, at once); the cells
without upper bound are found together from the directions along which every line stays
true.

The true values must satisfy every line (they are a feasible point of every programme):
a line they contradict, an unknown key, a count that is not a non-negative ``int``
(``bool`` refused) or a threshold below 1 is a ``ValueError``.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

from scipy.optimize import linprog
from scipy.sparse import csr_array

from civic.pilotage.suppression import smallest, suppress_lines

#: Floating-point slack when comparing bounds (HiGHS solves to about 1e-7).
_TOLERANCE = 1e-6
#: Decimals kept on the bounds.
_DECIMALS = 6
#: Slack when a point reaches a bound, or when a bound improves on another.
_EPSILON = 1e-9
#: Rounds of bound propagation through the constraints.
_ROUNDS = 10
#: Below this many matrix entries (rows × variables), constraints are passed dense.
_DENSE_LIMIT = 4_000

#: Sparse linear terms: variable index → coefficient.
_Row: TypeAlias = dict[int, float]
#: The key of a cell: anything hashable, tuples in practice.
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Line:
    """Parts that add up to a total."""

    parts: tuple[Hashable, ...]
    total: Hashable
    #: True: total == sum(parts). False: the parts may overlap (distinct people, a person
    #: in two parts counts once in the total): then max(parts) <= total <= sum(parts).
    exact: bool = True

    def __post_init__(self) -> None:
        # Any sequence of parts is accepted, kept as a tuple so that the line stays hashable.
        if not isinstance(self.parts, tuple):
            object.__setattr__(self, "parts", tuple(self.parts))


@dataclass(frozen=True)
class Finding:
    """What the published figures reveal about one hidden cell."""

    cell: Hashable
    #: The true (hidden) value.
    value: int
    #: The smallest value the published figures allow (>= 0).
    low: float
    #: The largest, ``math.inf`` when unbounded.
    high: float
    safe: bool


def is_safe(low: float, high: float, threshold: int) -> bool:
    """A hidden cell is safe when it may be 0 or when its interval is at least
    ``threshold`` wide."""
    _check_threshold(threshold)
    return low <= _TOLERANCE or high - low >= threshold - _TOLERANCE


def audit(values: Mapping[K, int], hidden: Collection[K], lines: Sequence[Line],
          threshold: int) -> list[Finding]:
    """One finding per hidden cell, sorted by the ``repr`` of its key."""
    _check_threshold(threshold)
    bounds = intervals(values, hidden, lines)
    return [Finding(cell=key, value=values[key], low=low, high=high,
                    safe=is_safe(low, high, threshold))
            for key, (low, high) in bounds.items()]


def until_safe(values: Mapping[Hashable, int], hidden: set[Hashable],
                lines: Sequence[Line], threshold: int) -> None:
    """Hide one more cell of a line of every unsafe hidden cell, close again, and audit
    again, until the audit passes. It ends: each round hides at least one cell, and a
    line whose cells are all hidden leaves each of them free down to 0."""
    pairs = [(ln.parts, ln.total) for ln in lines]
    by_cell: dict[Hashable, list[Line]] = {}
    for ln in lines:
        for cell in (*ln.parts, ln.total):
            by_cell.setdefault(cell, []).append(ln)
    while True:
        unsafe = [f.cell for f in audit(values, hidden, lines, threshold)
                  if not f.safe]
        if not unsafe:
            return
        grew = False
        for cell in unsafe:
            for ln in by_cell.get(cell, []):
                shown = [c for c in (*ln.parts, ln.total) if c not in hidden]
                if shown:
                    hidden.add(smallest(shown, values))
                    grew = True
                    break
        if not grew:  # nothing left to hide around them: cannot happen, see above
            raise RuntimeError(f"cells still unsafe with every line hidden: {unsafe}")
        hidden.update(suppress_lines(values, pairs, threshold, hidden=hidden))


def intervals(values: Mapping[K, int], hidden: Collection[K],
              lines: Sequence[Line]) -> dict[K, tuple[float, float]]:
    """For each hidden cell (sorted by the ``repr`` of its key), the smallest and the
    largest value that the published cells and the lines allow."""
    if not isinstance(values, Mapping):
        raise ValueError("values map every cell to its true count")
    known: dict[Hashable, int] = {key: count for key, count in values.items()}
    concealed = _check(known, hidden, lines)
    bounds: dict[Hashable, tuple[float, float]] = {key: (0.0, math.inf) for key in concealed}
    for variables, component in _components(concealed, lines):
        bounds.update(_solve(variables, component, known, concealed))
    return {key: bounds[key] for key in sorted(set(hidden), key=repr)}


def lines_of_table(cells: Sequence[Sequence[Hashable]], row_totals: Sequence[Hashable] | None,
                   col_totals: Sequence[Hashable] | None, total: Hashable | None,
                   *, exact: bool = True) -> list[Line]:
    """The lines of a rectangular table of keys: each row with its row total, each column
    with its column total, the row totals and the column totals with the grand total (those
    that are given)."""
    rows = [tuple(row) for row in cells]
    n_cols = len(rows[0]) if rows else 0
    for i, row in enumerate(rows):
        if len(row) != n_cols:
            raise ValueError(f"row {i} has {len(row)} cells, row 0 has {n_cols}")
    if row_totals is not None and len(row_totals) != len(rows):
        raise ValueError(f"{len(row_totals)} row totals for {len(rows)} rows")
    if col_totals is not None and len(col_totals) != n_cols:
        raise ValueError(f"{len(col_totals)} column totals for {n_cols} columns")
    lines: list[Line] = []
    if row_totals is not None:
        lines += [Line(row, row_total, exact)
                  for row, row_total in zip(rows, row_totals, strict=True)]
    if col_totals is not None:
        lines += [Line(tuple(row[j] for row in rows), col_total, exact)
                  for j, col_total in enumerate(col_totals)]
    if total is not None:
        for margin in (row_totals, col_totals):
            if margin is not None:
                lines.append(Line(tuple(margin), total, exact))
    return lines


# --- Checks -----------------------------------------------------------------------------


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_threshold(threshold: object) -> None:
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1:
        raise ValueError(f"the threshold is an int of at least 1, not {threshold!r}")


def _check(values: Mapping[Hashable, int], hidden: Collection[Hashable],
           lines: Sequence[Line]) -> set[Hashable]:
    """The hidden keys as a set, after checking the counts, the keys and that the true
    values satisfy every line."""
    for key, value in values.items():
        if not _is_count(value):
            raise ValueError(f"the count of {key!r} is not a non-negative int: {value!r}")
    concealed = set(hidden)
    for key in concealed:
        if key not in values:
            raise ValueError(f"the hidden cell {key!r} has no value")
    for line in lines:
        _check_line(line, values)
    return concealed


def _check_line(line: Line, values: Mapping[Hashable, int]) -> None:
    """Every key of the line has a value, and the true values satisfy the line."""
    if not isinstance(line, Line):
        raise ValueError(f"not a Line: {line!r}")
    for key in (*line.parts, line.total):
        if key not in values:
            raise ValueError(f"the cell {key!r} of the line {line!r} has no value")
    parts = [values[key] for key in line.parts]
    total = values[line.total]
    if line.exact and sum(parts) != total:
        raise ValueError(f"the line {line!r} does not hold: its parts add up to "
                         f"{sum(parts)}, its total is {total}")
    if not line.exact and not max(parts, default=0) <= total <= sum(parts):
        raise ValueError(f"the line {line!r} does not hold: its total {total} is not "
                         f"between the largest part and the sum of the parts")


# --- Components -------------------------------------------------------------------------


def _components(hidden: set[Hashable],
                lines: Sequence[Line]) -> list[tuple[list[Hashable], list[Line]]]:
    """The hidden cells that appear in lines, grouped so that no line joins two groups,
    each group with its lines (variables in order of first appearance)."""
    parent: dict[Hashable, Hashable] = {}

    def root(key: Hashable) -> Hashable:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    first: list[tuple[Hashable, Line]] = []
    for line in lines:
        members = [key for key in (*line.parts, line.total) if key in hidden]
        if not members:
            continue
        for key in members:
            parent.setdefault(key, key)
        anchor = root(members[0])
        for key in members[1:]:
            other = root(key)
            if other != anchor:
                parent[other] = anchor
        first.append((members[0], line))

    groups: dict[Hashable, tuple[list[Hashable], list[Line]]] = {}
    for key in parent:  # dicts keep insertion order: first appearance
        groups.setdefault(root(key), ([], []))[0].append(key)
    for key, line in first:
        groups[root(key)][1].append(line)
    return list(groups.values())


# --- Linear programmes ------------------------------------------------------------------


class _Programme:
    """The constraints of one component: ``row · x == rhs`` for each of ``eq``,
    ``row · x <= rhs`` for each of ``ub``, and ``x >= 0``."""

    def __init__(self, size: int, eq: list[tuple[_Row, float]],
                 ub: list[tuple[_Row, float]]) -> None:
        self.size = size
        self.eq = eq
        self.ub = ub
        self.a_eq = _matrix([row for row, _ in eq], size)
        self.a_ub = _matrix([row for row, _ in ub], size)
        self.b_eq = [rhs for _, rhs in eq] or None
        self.b_ub = [rhs for _, rhs in ub] or None

    def optimum(self, objective: Sequence[float], *,
                bounds: Sequence[tuple[float, float | None]] | None = None,
                cone: bool = False) -> list[float] | None:
        """A point minimising the objective (``None`` when unbounded), each variable within
        its ``bounds`` (default ``>= 0``). With ``cone``, the right-hand sides are 0: the
        directions along which the constraints stay true."""
        arguments = {
            "A_ub": self.a_ub, "b_ub": ([0.0] * len(self.ub) or None) if cone else self.b_ub,
            "A_eq": self.a_eq, "b_eq": ([0.0] * len(self.eq) or None) if cone else self.b_eq,
            "bounds": (0, None) if bounds is None else bounds, "method": "highs",
        }
        result = linprog(objective, **arguments)
        if result.status == 4:
            # Presolve may only tell "infeasible or unbounded": solving without it tells which.
            result = linprog(objective, **arguments, options={"presolve": False})
        if result.status == 0:
            return [float(x) for x in result.x]
        if result.status == 3:
            return None
        raise RuntimeError(f"linear programme not solved: {result.message}")


def _terms(line: Line,
           hidden: set[Hashable]) -> Iterable[tuple[list[tuple[Hashable, int]], bool]]:
    """The constraints of a line as terms ``sum(coef * cell) (== or <=) 0`` and whether
    each is an equality."""
    if line.exact:
        yield [*((key, 1) for key in line.parts), (line.total, -1)], True
        return
    # total <= sum(parts), and part <= total for every part.
    yield [(line.total, 1), *((key, -1) for key in line.parts)], False
    for key in dict.fromkeys(line.parts):
        if key != line.total and (key in hidden or line.total in hidden):
            yield [(key, 1), (line.total, -1)], False


def _row(terms: list[tuple[Hashable, int]], index: Mapping[Hashable, int],
         values: Mapping[Hashable, int], hidden: set[Hashable]) -> tuple[_Row, float]:
    """Hidden terms on the left, published ones moved to the right-hand side."""
    row: _Row = {}
    rhs = 0.0
    for key, coef in terms:
        if key in hidden:
            row[index[key]] = row.get(index[key], 0.0) + coef
        else:
            rhs -= coef * values[key]
    return {n: coef for n, coef in row.items() if coef}, rhs


def _matrix(rows: list[_Row], size: int) -> Any:
    """The rows as a sparse matrix, or a dense array when small; ``None`` without rows."""
    if not rows:
        return None
    data = [coef for row in rows for coef in row.values()]
    row_ind = [i for i, row in enumerate(rows) for _ in row]
    col_ind = [n for row in rows for n in row]
    matrix = csr_array((data, (row_ind, col_ind)), shape=(len(rows), size))
    return matrix.toarray() if len(rows) * size <= _DENSE_LIMIT else matrix


def _programme(variables: list[Hashable], lines: list[Line], values: Mapping[Hashable, int],
               hidden: set[Hashable]) -> _Programme:
    index = {key: n for n, key in enumerate(variables)}
    eq: list[tuple[_Row, float]] = []
    ub: list[tuple[_Row, float]] = []
    for line in lines:
        for terms, equality in _terms(line, hidden):
            row, rhs = _row(terms, index, values, hidden)
            if row:  # else only published cells: already checked on the true values
                (eq if equality else ub).append((row, rhs))
    return _Programme(len(variables), eq, ub)


# --- Cheap bounds -----------------------------------------------------------------------


def _propagate(programme: _Programme) -> tuple[list[float], list[float]]:
    """Bounds implied by one constraint at a time, repeated a few rounds (what a solver's
    presolve does). They hold for every feasible point but need not be reached: a bound
    is only the answer once a feasible point reaches it."""
    lower = [0.0] * programme.size
    upper = [math.inf] * programme.size
    constraints = [(row, rhs, True) for row, rhs in programme.eq]
    constraints += [(row, rhs, False) for row, rhs in programme.ub]
    for _ in range(_ROUNDS):
        changed = False
        for row, rhs, equality in constraints:
            for n, least, most in _implied(row, rhs, equality, lower, upper):
                if least > lower[n] + _EPSILON:
                    lower[n], changed = least, True
                if most < upper[n] - _EPSILON:
                    upper[n], changed = most, True
        if not changed:
            break
    return lower, upper


def _implied(row: _Row, rhs: float, equality: bool, lower: list[float],
             upper: list[float]) -> Iterable[tuple[int, float, float]]:
    """For each variable of ``row · x (== or <=) rhs``, the bounds that the row and the
    bounds of the other variables imply."""
    # The smallest and largest value of each term, and of their sum (infinite parts
    # counted apart, so that the sum of the other terms can be taken out of it).
    terms = {n: (coef * lower[n], coef * upper[n]) if coef > 0
             else (coef * upper[n], coef * lower[n]) for n, coef in row.items()}
    least = [t for t, _ in terms.values()]
    most = [t for _, t in terms.values()]
    least_sum, least_inf = math.fsum(t for t in least if t > -math.inf), least.count(-math.inf)
    most_sum, most_inf = math.fsum(t for t in most if t < math.inf), most.count(math.inf)
    for n, coef in row.items():
        term_least, term_most = terms[n]
        # The other terms: rest_least <= rest <= rest_most; coef * x = rhs - rest.
        rest_least = (-math.inf if least_inf - (term_least == -math.inf) else
                      least_sum - (term_least if term_least > -math.inf else 0.0))
        rest_most = (math.inf if most_inf - (term_most == math.inf) else
                     most_sum - (term_most if term_most < math.inf else 0.0))
        # coef * x <= rhs - rest_least, and with an equality coef * x >= rhs - rest_most.
        from_least = (rhs - rest_least) / coef
        from_most = (rhs - rest_most) / coef if equality else None
        if coef > 0:  # x <= from_least, x >= from_most
            yield n, 0.0 if from_most is None else from_most, from_least
        else:  # x >= from_least, x <= from_most
            yield n, from_least, math.inf if from_most is None else from_most


# --- Solving ----------------------------------------------------------------------------


def _bound(x: float) -> float:
    """Rounded to a few decimals, never negative (nor ``-0.0``)."""
    rounded = round(x, _DECIMALS)
    return rounded if rounded > 0 else 0.0


class _Bounds:
    """What is known of the interval of each variable of a component: the bounds implied
    by single constraints, and those of them that a feasible point has reached (then they
    are the answer)."""

    def __init__(self, programme: _Programme) -> None:
        self.programme = programme
        self.lower, self.upper = _propagate(programme)
        self.low: dict[int, float] = {}
        self.high: dict[int, float] = {}

    def seen(self, point: Sequence[float]) -> int:
        """Record a feasible point; how many bounds it settles."""
        before = len(self.low) + len(self.high)
        for n, x in enumerate(point):
            if n not in self.low and x <= self.lower[n] + _EPSILON:
                self.low[n] = self.lower[n]
            if n not in self.high and x >= self.upper[n] - _EPSILON:
                self.high[n] = self.upper[n]
        return len(self.low) + len(self.high) - before

    def unbounded(self) -> None:
        """Settle the variables that can grow without limit: those that some direction of
        the recession cone increases. Each round looks for a direction increasing the
        candidates not yet found, until there is none."""
        candidates = {n for n in range(self.programme.size)
                      if n not in self.high and self.upper[n] == math.inf}
        while candidates:
            # Each candidate within [0, 1]: the objective is bounded; the others are free
            # to follow the direction as far as it takes them.
            objective = [-1.0 if n in candidates else 0.0 for n in range(self.programme.size)]
            box = [(0.0, 1.0 if n in candidates else None) for n in range(self.programme.size)]
            direction = self.programme.optimum(objective, bounds=box, cone=True)
            if direction is None:  # cannot happen: the candidates are within a box
                raise RuntimeError("linear programme not solved: unbounded box")
            found = {n for n in candidates if direction[n] > _TOLERANCE}
            if not found:
                return
            for n in found:
                self.high[n] = math.inf
            candidates -= found

    def sweep(self, *, maximum: bool) -> None:
        """Push all the unsettled variables down (or up) at once: one programme may reach
        many bounds. Repeated while it settles at least two."""
        size = self.programme.size
        while True:
            if maximum:
                objective = [0.0 if n in self.high else -1.0 / self.upper[n]
                             for n in range(size)]
            else:
                objective = [0.0 if n in self.low else 1.0 for n in range(size)]
            if sum(1 for c in objective if c) < 2:
                return
            point = self.programme.optimum(objective)
            if point is None:  # cannot happen: the unsettled variables are bounded
                raise RuntimeError("linear programme not solved: unbounded sweep")
            if self.seen(point) < 2:
                return

    def settle(self, n: int, *, maximum: bool) -> None:
        """Solve for the minimum (or maximum) of one variable."""
        objective = [0.0] * self.programme.size
        objective[n] = -1.0 if maximum else 1.0
        point = self.programme.optimum(objective)
        if point is None:
            if not maximum:  # cannot happen: the variables are >= 0
                raise RuntimeError("linear programme not solved: unbounded minimum")
            self.high[n] = math.inf
            return
        (self.high if maximum else self.low)[n] = point[n]
        self.seen(point)


def _solve(variables: list[Hashable], lines: list[Line], values: Mapping[Hashable, int],
           hidden: set[Hashable]) -> dict[Hashable, tuple[float, float]]:
    """The interval of every variable of one component.

    Two programmes per variable would do; fewer are solved. The true values are a first
    feasible point; the variables without upper bound are found together; a few
    programmes push every variable down, then up, at once; each point the solver returns
    settles the bounds it reaches. Only the variables left are solved one by one."""
    bounds = _Bounds(_programme(variables, lines, values, hidden))
    bounds.seen([float(values[key]) for key in variables])
    bounds.unbounded()
    bounds.sweep(maximum=False)
    bounds.sweep(maximum=True)
    for n in range(len(variables)):
        if n not in bounds.low:
            bounds.settle(n, maximum=False)
        if n not in bounds.high:
            bounds.settle(n, maximum=True)
    return {key: (_bound(bounds.low[n]), _bound(bounds.high[n]))
            for n, key in enumerate(variables)}
