"""The tally rules on hand-computed elections, then on real ones (pabulib sample files)."""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import pytest

from civic.budget import pabulib, tally

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "pabulib"
SMALL = ["Netherlands_Amsterdam_643.pb", "Netherlands_Assen_2024.pb",
         "France_Toulouse_2022_17_-_Mirail-Universite_Reynerie_Bellefontaine.pb",
         "Poland_Czestochowa_2020_Grabowka.pb", "Poland_Swiecie_2023.pb"]
LARGE = "Poland_Warszawa_2020_Praga-Poludnie.pb"


def sample(name: str) -> pabulib.Instance:
    return pabulib.read((SAMPLES / name).read_text(encoding="utf-8"))


def approvals(*groups: tuple[int, set[str]]) -> list[frozenset[str]]:
    """``(2, {"a"}), (1, {"b"})`` → two voters approving a, one approving b."""
    return [frozenset(ballot) for count, ballot in groups for _ in range(count)]


# --- Scores and greedy ---------------------------------------------------------------


@pytest.mark.parametrize(("ballots", "expected"), [
    ([{"a": 1, "b": 1}, {"a": 1}, {}], {"a": 2, "b": 1, "c": 0}),  # approvals
    ([{"a": 3, "b": 2}, {"b": 5}], {"a": 3, "b": 7, "c": 0}),  # points
    ([], {"a": 0, "b": 0, "c": 0}),
])
def test_scores_count_approvals_or_points(ballots: list[dict[str, int]],
                                          expected: dict[str, int]) -> None:
    assert tally.scores({"a": 1, "b": 1, "c": 1}, ballots) == expected


@pytest.mark.parametrize(("costs", "score", "budget", "min_score", "expected"), [
    # a (60) fits, b (50) no longer does and is skipped, c (30) still fits, d (20) not.
    ({"a": 60, "b": 50, "c": 30, "d": 20}, {"a": 5, "b": 4, "c": 3, "d": 1}, 100, None,
     ["a", "c"]),
    # Equal scores: the cheaper first, then the smaller id.
    ({"x": 40, "y": 30, "z": 30}, {"x": 2, "y": 2, "z": 2}, 60, None, ["y", "z"]),
    # Ids are compared as text: "10" comes before "9".
    ({"9": 10, "10": 10}, {"9": 1, "10": 1}, 10, None, ["10"]),
    # Dearer than the whole budget: never funded, even with the most votes.
    ({"big": 200, "small": 50}, {"big": 10, "small": 1}, 100, None, ["small"]),
    # Below the minimum score a project cannot win...
    ({"a": 10, "b": 10}, {"a": 3, "b": 1}, 100, 2, ["a"]),
    # ...without one, a project nobody voted for is funded if money is left.
    ({"a": 10, "b": 10}, {"a": 3}, 100, None, ["a", "b"]),
    # No votes at all: cheapest first.
    ({"a": 70, "b": 20, "c": 20}, {}, 50, None, ["b", "c"]),
    # The budget spent to the last unit.
    ({"a": 50, "b": 50}, {"a": 2, "b": 1}, 100, None, ["a", "b"]),
    # No money: only what costs nothing.
    ({"a": 0, "b": 5}, {"b": 3}, 0, None, ["a"]),
    # Amounts in euros with cents, as exact fractions.
    ({"a": Fraction(3001, 100), "b": Fraction(2999, 100)}, {"a": 2, "b": 1},
     Fraction(60), None, ["a", "b"]),
])
def test_greedy(costs: dict[str, tally.Amount], score: dict[str, int], budget: tally.Amount,
                min_score: int | None, expected: list[str]) -> None:
    assert tally.greedy(costs, score, budget, min_score=min_score) == expected


def test_greedy_rule_ranks_cumulative_ballots_by_points() -> None:
    election = tally.Election(budget=10, costs={"a": 10, "b": 10},
                              ballots=[{"a": 1}, {"a": 1}, {"b": 5}])
    assert tally.RULES["greedy"](election) == ["b"]  # 5 points beat 2 voters


def test_greedy_rule_applies_the_minimum_score() -> None:
    election = tally.Election(budget=100, costs={"a": 10, "b": 10},
                              ballots=[{"a": 1, "b": 1}, {"a": 1}], min_score=2)
    assert tally.RULES["greedy"](election) == ["a"]


# --- Equal shares --------------------------------------------------------------------

# (why, costs, ballots, budget, plain Equal Shares, with the Add1 completion)
EQUAL_SHARES = [
    # 6 voters, 10 each. a1, a2, a3: price 5 each among 4 voters (per unit 1/4), b1: 10
    # among 2 (1/2). a1 (smallest id), then a2 empty the four; b1 for the two.
    ("proportional", {"a1": 20, "a2": 20, "a3": 20, "b1": 20},
     approvals((4, {"a1", "a2", "a3"}), (2, {"b1"})), 60,
     ["a1", "a2", "b1"], ["a1", "a2", "b1"]),
    # 4 voters, 10 each. p: 8 each among 3 (1/3) leaves v1 with 2. s: v1 gives all 2,
    # v4 pays 8 (8/10 per unit) and beats t (9/9). t then unaffordable; 6 left < 9.
    ("poor supporter pays all", {"p": 24, "s": 10, "t": 9},
     [frozenset({"p", "s"}), frozenset({"p"}), frozenset({"p"}), frozenset({"s", "t"})], 40,
     ["p", "s"], ["p", "s"]),
    # 25 each: a's two supporters have 50 < 60, b's one 25 < 30: nothing. Add1: at 30
    # each (5 raises) a then b are bought, 90 ≤ 100 and nothing left out: kept.
    ("nothing before completion", {"a": 60, "b": 30},
     approvals((2, {"a"}), (1, {"b"}), (1, set())), 100, [], ["a", "b"]),
    # 4 each. r: 4/3 each (1/3) leaves 8/3: m (6) and p (3) unaffordable. One raise (5
    # each) buys r, m and p: 13 > 12, too dear, so the result before the raise stands.
    ("raise too dear", {"p": 3, "m": 6, "r": 4},
     [frozenset({"p", "r"}), frozenset({"m", "r"}), frozenset({"m", "r"})], 12,
     ["r"], ["r"]),
    # One voter: every project at 1 per unit, by id; b no longer affordable after a.
    ("single voter", {"a": 60, "b": 50, "c": 30}, approvals((1, {"a", "b", "c"})), 100,
     ["a", "c"], ["a", "c"]),
    ("empty ballots", {"a": 10}, approvals((2, set())), 100, [], []),
    ("no ballots", {"a": 10}, [], 100, [], []),
    # Same price: "10" before "9" (ids as text); then nobody has money left.
    ("ids compared as text", {"9": 10, "10": 10}, approvals((2, {"9", "10"})), 10,
     ["10"], ["10"]),
    # Supported free projects first (c); a free project nobody supports is not funded.
    ("free projects", {"a": 0, "b": 10, "c": 0}, [frozenset({"b", "c"}), frozenset({"b"})],
     20, ["c", "b"], ["c", "b"]),
    # a costs more than the whole budget: never affordable before a raise, never fits.
    ("dearer than the budget", {"a": 150, "b": 40},
     [frozenset({"a", "b"}), frozenset({"a"})], 100, ["b"], ["b"]),
]


@pytest.mark.parametrize(("costs", "ballots", "budget", "plain", "add1"),
                         [case[1:] for case in EQUAL_SHARES],
                         ids=[case[0] for case in EQUAL_SHARES])
def test_equal_shares(costs: dict[str, int], ballots: list[frozenset[str]], budget: int,
                      plain: list[str], add1: list[str]) -> None:
    assert tally.equal_shares(costs, ballots, budget) == plain
    if ballots:
        share = Fraction(budget, len(ballots))
        assert tally.mes_outcome_reference(costs, ballots, share) == plain
    assert tally.equal_shares_add1(costs, ballots, budget) == add1
    assert tally.equal_shares_add1(costs, ballots, budget, exact_steps=0) == add1
    assert tally.equal_shares_add1_stepwise(costs, ballots, budget) == add1


def test_greedy_is_not_proportional_where_equal_shares_is() -> None:
    costs = {"a1": 20, "a2": 20, "a3": 20, "b1": 20}
    ballots = approvals((4, {"a1", "a2", "a3"}), (2, {"b1"}))
    assert tally.greedy(costs, tally.scores(costs, [dict.fromkeys(b, 1) for b in ballots]),
                        60) == ["a1", "a2", "a3"]


def test_add1_raises_by_the_given_increment_in_any_unit() -> None:
    """The "nothing before completion" case in cents (raise: 1 €) and in exact euros."""
    ballots = approvals((2, {"a"}), (1, {"b"}), (1, set()))
    assert tally.equal_shares_add1({"a": 6000, "b": 3000}, ballots, 10000,
                                   increment=100) == ["a", "b"]
    euros = {"a": Fraction(6000, 100), "b": Fraction(3000, 100)}
    assert tally.equal_shares_add1(euros, ballots, Fraction(10000, 100)) == ["a", "b"]


def test_equal_shares_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="unknown project 'z'"):
        tally.equal_shares({"a": 1}, [frozenset({"a", "z"})], 10)
    with pytest.raises(ValueError, match="negative cost"):
        tally.equal_shares({"a": -1}, [frozenset({"a"})], 10)
    with pytest.raises(ValueError, match="negative budget"):
        tally.equal_shares_add1({"a": 1}, [frozenset({"a"})], -10)
    with pytest.raises(ValueError, match="increment"):
        tally.equal_shares_add1({"a": 1}, [frozenset({"a"})], 10, increment=0)


def random_election(seed: int) -> tuple[dict[str, int], list[frozenset[str]], int]:
    rng = random.Random(seed)
    ids = [str(n) for n in rng.sample(range(1, 40), rng.randint(1, 7))]
    costs = {p: rng.choice([0, *range(1, 61)]) if rng.random() < 0.1 else rng.randint(1, 60)
             for p in ids}
    ballots = [frozenset(rng.sample(ids, rng.randint(0, len(ids))))
               for _ in range(rng.randint(1, 12))]
    return costs, ballots, rng.randint(1, 150)


@pytest.mark.parametrize("seed", range(0, 400, 4))
def test_fast_equal_shares_is_the_reference_on_random_elections(seed: int) -> None:
    costs, ballots, budget = random_election(seed)
    for share in (Fraction(budget, len(ballots)), Fraction(budget, len(ballots)) + 7,
                  Fraction(seed % 50, seed % 7 + 1)):
        assert tally.mes_outcome(costs, ballots, share) == tally.mes_outcome_reference(
            costs, ballots, share)
    assert tally.equal_shares_add1(costs, ballots, budget) == (
        tally.equal_shares_add1_stepwise(costs, ballots, budget))


def test_the_search_alone_can_miss_an_early_stop() -> None:
    """Why small elections are also checked one raise at a time.

    3 voters, budget 13. No raise (13/3 each): c at 4 each (1/2 per unit) beats b (1);
    then nothing is affordable: [c], 5 left, b would fit. One raise (16/3): c, then b:
    9 spent, a (11) cannot fit: that stops Add1 with [c, b]. Two raises (19/3): a at 11/2
    each ties with c at 1/2 and wins on id: [a], b would fit. Three (22/3): a, then c
    (v3 gives his last 11/6): 19 > 13, too dear, and so are all larger raises. Searching
    from the first guess (2 raises) finds the boundary at 3 and keeps [a].
    """
    costs = {"a": 11, "b": 1, "c": 8}
    ballots = [frozenset({"a"}), frozenset({"c"}), frozenset({"a", "b", "c"})]
    assert tally.equal_shares(costs, ballots, 13) == ["c"]
    assert tally.equal_shares_add1_stepwise(costs, ballots, 13) == ["c", "b"]
    assert tally.equal_shares_add1(costs, ballots, 13) == ["c", "b"]
    assert tally.equal_shares_add1(costs, ballots, 13, exact_steps=0) == ["a"]


# --- Real elections ------------------------------------------------------------------


def test_plain_equal_shares_selects_nothing_in_amsterdam() -> None:
    election = sample("Netherlands_Amsterdam_643.pb").election()
    ballots = tally.approvals(election.ballots)
    assert tally.equal_shares(election.costs, ballots, election.budget) == []
    assert tally.RULES["equal-shares"](election) == ["44250"]


@pytest.mark.parametrize(("name", "order"), [
    ("Netherlands_Assen_2024.pb", ["3", "9", "11", "2", "13", "14", "5", "6", "12"]),
    ("Poland_Swiecie_2023.pb", ["c12", "c10", "c20", "c21", "c2", "c13", "c3", "c1", "c9",
                                "c11", "c4", "c7", "c19", "c5", "c17", "c18", "c14"]),
])
def test_equal_shares_with_add1_gives_the_official_result(name: str, order: list[str]) -> None:
    instance = sample(name)
    selected = tally.RULES["equal-shares"](instance.election())
    assert sorted(selected) == sorted(instance.selected() or [])
    assert selected == order  # the order of selection, as pabutools gives it


def test_assen_greedy_is_not_the_official_result() -> None:
    election = sample("Netherlands_Assen_2024.pb").election()
    # 2 and 11 both have 24 votes: the cheaper (2: 10 000) first.
    assert tally.RULES["greedy"](election) == ["3", "9", "8", "2", "11", "13", "14"]


def test_greedy_gives_the_official_result_in_praga_poludnie() -> None:
    instance = sample(LARGE)
    selected = tally.RULES["greedy"](instance.election())
    assert selected == instance.selected()  # same order: the file lists by votes
    assert len(selected) == 26


@pytest.mark.parametrize("name", SMALL)
def test_searched_add1_is_the_one_by_one_add1_on_sample_files(name: str) -> None:
    election = sample(name).election()
    ballots = tally.approvals(election.ballots)
    one_by_one = tally.equal_shares_add1(election.costs, ballots, election.budget,
                                         exact_steps=10**6)
    assert tally.equal_shares_add1(election.costs, ballots, election.budget,
                                   exact_steps=0) == one_by_one


@pytest.mark.parametrize("name", ["Netherlands_Amsterdam_643.pb",
                                  "Poland_Czestochowa_2020_Grabowka.pb"])
def test_fast_add1_is_the_stepwise_definition_on_sample_files(name: str) -> None:
    election = sample(name).election()
    ballots = tally.approvals(election.ballots)
    assert tally.equal_shares_add1(election.costs, ballots, election.budget) == (
        tally.equal_shares_add1_stepwise(election.costs, ballots, election.budget))


def test_every_rule_is_explained_in_plain_words() -> None:
    assert set(tally.RULES) == {"greedy", "equal-shares"}
    for rule in tally.RULES.values():
        assert rule.__doc__
        assert len(rule.__doc__) > 100
