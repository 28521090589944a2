"""Counting the votes of a neighbourhood fund: pure rules over plain data.

A rule reads the cost of each project, the ballots and the budget, and returns the ids of
the funded projects in the order it chose them. Amounts are whole units of currency
(``int``); a ``Fraction`` is accepted where a file gives a non-whole amount. Every
division is a ``Fraction``: no result ever depends on float rounding.

A ballot maps a project id to the points the voter gave it: 1 for each approved project
on approval and choose-1 ballots, the voter's points on cumulative ballots. A voter
*supports* the projects given at least one point.

Ties are broken by project id compared as text (``"10" < "9"``), as pabutools does; the
greedy rule first prefers the cheaper of two projects with the same score.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import gcd, lcm
from typing import NamedTuple, TypeAlias

#: An amount of money: whole units, or an exact fraction when a file has decimals.
Amount: TypeAlias = int | Fraction
#: A ballot: project id → points (1 per approved project on approval ballots).
Ballot: TypeAlias = Mapping[str, int]


def scores(costs: Mapping[str, Amount], ballots: Sequence[Ballot]) -> dict[str, int]:
    """Score of every project: its number of approvals, or its sum of points."""
    _check(costs, ballots)
    total = dict.fromkeys(costs, 0)
    for ballot in ballots:
        for project, points in ballot.items():
            total[project] += points
    return total


def approvals(ballots: Sequence[Ballot]) -> list[frozenset[str]]:
    """Each voter's supported projects: the ones given at least one point."""
    return [frozenset(ballot) if not ballot or min(ballot.values()) > 0
            else frozenset(p for p, points in ballot.items() if points > 0)
            for ballot in ballots]


def _check(costs: Mapping[str, Amount], ballots: Sequence[Collection[str]],
           budget: Amount = 0) -> None:
    if budget < 0:
        raise ValueError("negative budget")
    negative = sorted(p for p, cost in costs.items() if cost < 0)
    if negative:
        raise ValueError(f"negative cost for project {negative[0]!r}")
    unknown = set().union(*ballots) - costs.keys()
    if unknown:
        raise ValueError(f"a ballot names the unknown project {min(unknown)!r}")


# --- Greedy -------------------------------------------------------------------------


def greedy(costs: Mapping[str, Amount], score: Mapping[str, int], budget: Amount, *,
           min_score: Amount | None = None) -> list[str]:
    """Most voted first, while the money lasts.

    Projects are taken from the highest score down. Each one is funded if its cost fits in
    what is left of the budget; otherwise it is skipped and the count goes on with the
    next, so a cheaper, less voted project can still be funded after a dearer one did not
    fit. A project costing more than the whole budget is never funded. A project whose
    score is below ``min_score`` cannot win; without a minimum, a project nobody voted for
    is funded if money is left (as pabutools does). Equal scores: the cheaper project
    first, then the smaller id (as text).
    """
    _check(costs, [], budget)
    order = sorted(costs, key=lambda p: (-score.get(p, 0), costs[p], p))
    left = budget
    chosen: list[str] = []
    for project in order:
        if min_score is not None and score.get(project, 0) < min_score:
            continue
        if costs[project] <= left:
            chosen.append(project)
            left -= costs[project]
    return chosen


# --- Method of Equal Shares: the definition, step by step -----------------------------


def _share(cost: Amount, budgets: list[Fraction]) -> Fraction | None:
    """The payment ``q`` such that the supporters, each paying ``min(budget, q)``, pay
    ``cost`` exactly; ``None`` when all their money together is not enough."""
    rest, payers = Fraction(cost), len(budgets)
    for money in sorted(budgets):  # the poorest give all they have, the others share
        if money * payers >= rest:
            return rest / payers
        rest -= money
        payers -= 1
    return None


def mes_outcome_reference(costs: Mapping[str, Amount], ballots: Sequence[Collection[str]],
                          per_voter: Amount) -> list[str]:
    """One run of Equal Shares with cost utilities, written as the definition reads.

    Every voter starts with ``per_voter``. At each step every remaining project is priced
    again from each supporter's own budget, and the one with the lowest price per unit of
    cost is bought (ties: smallest id as text). Slow but plain: the reference that
    ``mes_outcome`` is checked against.
    """
    _check(costs, ballots, per_voter)
    money = [Fraction(per_voter)] * len(ballots)
    backers = {p: [i for i, ballot in enumerate(ballots) if p in ballot] for p in costs}
    chosen = sorted(p for p in costs if costs[p] == 0 and backers[p])
    remaining = sorted(p for p in costs if costs[p] > 0 and backers[p])
    while True:
        best: tuple[Fraction, str, Fraction] | None = None
        for project in list(remaining):
            payment = _share(costs[project], [money[i] for i in backers[project]])
            if payment is None:
                remaining.remove(project)
                continue
            price = payment / costs[project]
            if best is None or price < best[0]:
                best = (price, project, payment)
        if best is None:
            return chosen
        _, project, payment = best
        remaining.remove(project)
        chosen.append(project)
        for i in backers[project]:
            money[i] -= min(money[i], payment)


# --- Method of Equal Shares: the fast core ---------------------------------------------


class _Prepared:
    """What does not depend on the voters' budget, computed once for many runs."""

    def __init__(self, costs: Mapping[str, Amount], ballots: Sequence[Collection[str]]):
        _check(costs, ballots)
        self.costs = costs
        self.voters = len(ballots)
        supported: set[str] = set().union(*ballots)
        #: Zero-cost projects somebody supports: funded before anything else.
        self.free = sorted(p for p in supported if costs[p] == 0)
        #: Projects Equal Shares can buy (supported, not free), sorted by id.
        self.available = sorted(p for p in supported if costs[p] > 0)
        #: Supporters of each available project, as voter numbers from 1.
        self.members: dict[str, list[int]] = {p: [] for p in self.available}
        for voter, ballot in enumerate(ballots, start=1):
            for p in ballot:
                if p in self.members:
                    self.members[p].append(voter)
        #: Each cost as a fraction (numerator, denominator), and their common denominator.
        self.cost_parts = {p: Fraction(costs[p]).as_integer_ratio() for p in self.available}
        self.cost_den = lcm(*(den for _, den in self.cost_parts.values()))
        #: Bits that hold a number of voters in the keys of ``_Run.price``.
        self.shift = self.voters.bit_length()

    def run(self, per_voter: Amount) -> list[str]:
        """The projects Equal Shares buys when every voter starts with ``per_voter``."""
        if per_voter < 0:
            raise ValueError("negative budget")
        state = _Run(self, Fraction(per_voter))
        heap = [_Offer(1, len(self.members[p]), p) for p in self.available]
        heapq.heapify(heap)
        chosen = list(self.free)
        while heap:
            project = heapq.heappop(heap).project
            priced = state.price(project)
            if priced is None:
                continue  # its supporters cannot pay for it: they never will
            if heap and heap[0] < priced.offer:
                heapq.heappush(heap, priced.offer)
                continue
            state.pay(project, priced)
            chosen.append(project)
        return chosen

    def spent(self, chosen: Collection[str]) -> Amount:
        return sum((self.costs[p] for p in chosen), 0)

    def exhaustive(self, chosen: Collection[str], budget: Amount) -> bool:
        """No available project left out would still fit in the budget."""
        left = budget - self.spent(chosen)
        picked = set(chosen)
        return all(p in picked or self.costs[p] > left for p in self.available)


class _Offer:
    """A project at its price per unit of cost, ``num / den``: the cheaper first, then
    the smaller id. Exact, by cross-multiplication (cheaper than ``Fraction``s)."""

    __slots__ = ("den", "num", "project")

    def __init__(self, num: int, den: int, project: str):
        self.num, self.den, self.project = num, den, project

    def __lt__(self, other: _Offer) -> bool:
        mine, theirs = self.num * other.den, other.num * self.den
        return mine < theirs or (mine == theirs and self.project < other.project)


class _Priced(NamedTuple):
    #: The project at its price per unit of cost, the quantity Equal Shares minimises.
    offer: _Offer
    #: What the supporters who do not give all their money pay together (scaled)...
    rest: int
    #: ...and how many they are: each pays ``rest / payers``.
    payers: int
    #: Supporters of the project in each budget class.
    counts: Counter[int]


#: The budget class of the voters who have no money left.
_BROKE = 0


class _Run:
    """The voters' money during one run.

    Voters who paid for the same projects so far hold the same money: they form a budget
    class, and a project is priced from the number of its supporters in each class rather
    than voter by voter. Money is kept as integers over a common denominator ``scale``
    (multiplied when a payment does not divide evenly): comparisons are exact and fast.
    """

    def __init__(self, prepared: _Prepared, per_voter: Fraction):
        self.prepared = prepared
        self.scale = lcm(per_voter.denominator, prepared.cost_den)
        start = per_voter.numerator * (self.scale // per_voter.denominator)
        #: Money of each class that has some (times ``scale``) and its number of voters.
        self.money: dict[int, int] = {1: start} if start else {}
        self.size: dict[int, int] = {1: prepared.voters}
        self.classes = 1
        #: Class of each voter.
        self.voter_class = dict.fromkeys(range(1, prepared.voters + 1), 1 if start else _BROKE)
        #: Supporters of each project, voters with no money left removed now and then.
        self.members = dict(prepared.members)

    def cost(self, project: str) -> int:
        numerator, denominator = self.prepared.cost_parts[project]
        return numerator * (self.scale // denominator)

    def price(self, project: str) -> _Priced | None:
        """How much each supporter must pay, at most, to buy ``project`` now."""
        members = self.members[project]
        counts = Counter(map(self.voter_class.__getitem__, members))
        broke = counts.pop(_BROKE, 0)
        payers = len(members) - broke
        if broke > payers:
            self.members[project] = [v for v in members if self.voter_class[v] != _BROKE]
        money = self.money
        rest = cost = self.cost(project)
        rich = [(money[k], m) for k, m in counts.items()]
        while payers:  # who cannot pay an equal share gives all they have; repeat
            limit = (rest - 1) // payers
            poor = [(have, m) for have, m in rich if have <= limit]
            if not poor:
                return _Priced(_Offer(rest, payers * cost, project), rest, payers, counts)
            rich = [(have, m) for have, m in rich if have > limit]
            rest -= sum(have * m for have, m in poor)
            payers -= sum(m for _, m in poor)
        return None

    def pay(self, project: str, priced: _Priced) -> None:
        rest, payers = priced.rest, priced.payers
        grow = payers // gcd(rest, payers)
        if grow > 1:
            self.money = {k: have * grow for k, have in self.money.items()}
            self.scale *= grow
            rest *= grow
        payment = rest // payers
        moved = self._moves(priced.counts, payment)
        if moved:
            members = self.members[project]
            before = list(map(self.voter_class.__getitem__, members))
            self.voter_class.update(zip(members, map(moved.get, before, before), strict=True))

    def _moves(self, counts: Counter[int], payment: int) -> dict[int, int]:
        """Take ``payment`` from the supporters counted in ``counts``; the new class of
        the supporters of each class that splits or runs out of money."""
        money, size = self.money, self.size
        moved: dict[int, int] = {}
        for k, m in counts.items():
            after = money[k] - payment
            if m == size[k]:  # the whole class paid: it keeps its number
                if after > 0:
                    money[k] = after
                    continue
                del money[k], size[k]
            else:
                size[k] -= m
            if after > 0:
                self.classes += 1
                money[self.classes], size[self.classes] = after, m
                moved[k] = self.classes
            else:
                moved[k] = _BROKE
        return moved


def mes_outcome(costs: Mapping[str, Amount], ballots: Sequence[Collection[str]],
                per_voter: Amount) -> list[str]:
    """One run of Equal Shares with cost utilities when each voter starts with ``per_voter``.

    Same result as ``mes_outcome_reference``, much faster: voters holding the same money
    (budget classes) are priced together, money is integers over a common denominator
    rather than ``Fraction``s, and a project is priced again only when it reaches the top
    of a priority queue (prices only rise during a run, so its last price is a lower
    bound).
    """
    return _Prepared(costs, ballots).run(per_voter)


# --- Method of Equal Shares: the rules --------------------------------------------------


def equal_shares(costs: Mapping[str, Amount], ballots: Sequence[Collection[str]],
                 budget: Amount) -> list[str]:
    """Method of Equal Shares (Peters & Skowron) with cost utilities, without completion.

    The budget is shared equally between the voters (those with an empty ballot too).
    Step by step, the project bought is the one whose supporters can pay for it at the
    lowest price per unit of cost, each paying an equal part, or all they have left if
    that is less (the others then pay the difference, equally). A project its supporters
    can no longer afford is dropped. Zero-cost projects with a supporter come first (by
    id). Ties: smallest id as text. The money is often not all spent, possibly nothing at
    all: see ``equal_shares_add1``.
    """
    if not ballots:
        return []
    return mes_outcome(costs, ballots, Fraction(budget) / len(ballots))


#: How much one-by-one checking the Add1 completion affords (raises times approvals):
#: enough for the whole completion of a neighbourhood-sized election.
EXACT_WORK = 1_000_000


class _Add1:
    """The Add1 completion over one prepared election.

    ``stops(step)``: the run with ``step`` raises costs more than the budget, or leaves no
    room for any other supported project. Add1 keeps the run before the first step that
    costs too much, or the first step that leaves no room.
    """

    def __init__(self, prepared: _Prepared, run: Callable[[Amount], list[str]],
                 budget: Amount, increment: Amount):
        self.prepared, self.run, self.budget = prepared, run, budget
        self.increment = increment
        self.start = Fraction(budget) / prepared.voters
        self.outcomes: dict[int, list[str]] = {}

    def outcome(self, step: int) -> list[str]:
        if step not in self.outcomes:
            self.outcomes[step] = self.run(self.start + step * self.increment)
        return self.outcomes[step]

    def too_dear(self, step: int) -> bool:
        return self.prepared.spent(self.outcome(step)) > self.budget

    def stops(self, step: int) -> bool:
        return self.too_dear(step) or self.prepared.exhaustive(self.outcome(step), self.budget)

    def search(self) -> int:
        """The first step that stops, assuming that once a step stops every larger one
        does: from the money the plain run left unspent, shared out between the voters,
        double the number of raises until a run stops, then halve the interval between
        the last step that did not stop and the first that did."""
        if self.stops(0):
            return 0
        left = Fraction(self.budget - self.prepared.spent(self.outcome(0)),
                        self.prepared.voters * self.increment)
        low, high = 0, max(1, math.ceil(left))
        while not self.stops(high):
            low, high = high, 2 * high
        while high - low > 1:
            middle = (low + high) // 2
            if self.stops(middle):
                high = middle
            else:
                low = middle
        return high

    def first_stop(self, exact_steps: int) -> int:
        """The first step that stops. When the search finds it within ``exact_steps``,
        every step below is also tried, so the assumption is not needed."""
        found = self.search()
        if found <= exact_steps:
            return next(step for step in range(found + 1) if self.stops(step))
        return found

    def result(self, exact_steps: int) -> list[str]:
        step = self.first_stop(exact_steps)
        if self.too_dear(step):  # never step 0: with the real budget MES spends at most it
            return self.outcome(step - 1)
        return self.outcome(step)


def equal_shares_add1(costs: Mapping[str, Amount], ballots: Sequence[Collection[str]],
                      budget: Amount, *, increment: Amount = 1,
                      exact_steps: int | None = None) -> list[str]:
    """Method of Equal Shares with the "Add1" completion, as cities run it.

    Equal Shares often leaves money unspent. So the count is run again with every voter's
    share raised by ``increment`` (one unit of currency), again and again, and the last
    result that fits in the real budget is kept: the count stops at the first raise whose
    result costs more than the budget (the result before it is kept) or leaves no room
    for any other supported project (that result is kept). Same as pabutools'
    ``method_of_equal_shares(..., sat_class=Cost_Sat, voter_budget_increment=1)``.

    A search (doubling, then halving the number of raises) finds the stopping raise in a
    few dozen runs instead of hundreds. It assumes that once a raise stops, every larger
    raise stops too: true on every sample election (tests and bench check it), not
    always (some tiny random elections stop, then not, then stop again). So when the
    stopping raise is at most ``exact_steps`` (by default what ``EXACT_WORK`` allows: the
    whole completion of a neighbourhood-sized election), every raise below it is also
    tried, one by one, and the result is exactly the definition's.
    """
    if not ballots:
        return []
    if increment <= 0:
        raise ValueError("the increment must be positive")
    prepared = _Prepared(costs, ballots)
    if exact_steps is None:
        exact_steps = EXACT_WORK // (sum(len(m) for m in prepared.members.values()) + 1)
    return _Add1(prepared, prepared.run, budget, increment).result(exact_steps)


def equal_shares_add1_stepwise(costs: Mapping[str, Amount],
                               ballots: Sequence[Collection[str]], budget: Amount, *,
                               increment: Amount = 1) -> list[str]:
    """Add1 exactly as defined, on the plain reference run, one raise at a time.

    Slow: it is there to check ``equal_shares_add1`` on small elections.
    """
    if not ballots:
        return []
    prepared = _Prepared(costs, ballots)
    add1 = _Add1(prepared, lambda share: mes_outcome_reference(costs, ballots, share),
                 budget, increment)
    step = 0
    while not add1.stops(step):
        step += 1
    return add1.outcome(step - 1) if add1.too_dear(step) else add1.outcome(step)


# --- The registry --------------------------------------------------------------------


@dataclass(frozen=True)
class Election:
    """Everything a rule reads: costs, budget, ballots and the minimum score (greedy)."""

    budget: Amount
    costs: Mapping[str, Amount]
    ballots: Sequence[Ballot]
    min_score: Amount | None = None


def count_greedy(election: Election) -> list[str]:
    """Projects are ranked by votes (approvals, or points on cumulative ballots), most
    voted first, and funded in that order as long as the money lasts: a project that no
    longer fits is skipped and the next ones are still considered. Equal votes: the
    cheaper project first."""
    return greedy(election.costs, scores(election.costs, election.ballots), election.budget,
                  min_score=election.min_score)


def count_equal_shares(election: Election) -> list[str]:
    """The budget is shared equally between all voters. Step by step, the project bought
    is the one its supporters can pay for most cheaply, each paying an equal part of its
    cost (or all they have left, the others paying the difference); voters who got a
    project have less left for the next. This often leaves money unspent, so the count
    is done again with every voter's share raised by one unit of currency, then again,
    until a result would cost more than the budget (the one before is kept) or leaves no
    room for another project (it is kept)."""
    return equal_shares_add1(election.costs, approvals(election.ballots), election.budget)


Rule: TypeAlias = Callable[[Election], list[str]]

#: Tally rules by name: the name is stored with a round and given to ``pb tally --rule``.
RULES: dict[str, Rule] = {
    "greedy": count_greedy,
    "equal-shares": count_equal_shares,
}
