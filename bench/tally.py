"""Tally rules against pabutools on the real pabulib elections: same outcome, and speed.

Run with ``make bench-tally`` (``python -m bench.tally [NAME-FRAGMENT…]``); pabutools is a
dev dependency. For every approval, choose-1 and cumulative file in ../shared/data/pabulib/,
each rule is timed, parsing included, in civic and in pabutools on the same ballots:

- greedy: ``greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)``; utility
  = cost, so projects are ranked by approvals. On cumulative ballots Cost_Sat would count
  supporters, not points: the bench gives pabutools "points × cost" instead, so that it
  ranks by points as civic does.
- equal-shares: ``method_of_equal_shares(instance, profile, sat_class=Cost_Sat,
  voter_budget_increment=1)``, Equal Shares with the Add1 completion.

Aims: identical outcomes everywhere (and the official result where the file has one, for
the rule the city used); civic at least 100 times faster than pabutools on the largest
election for equal-shares. pabutools' Add1 reruns the whole method for each unit of
currency: on Praga-Południe it takes several minutes.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from civic.budget import pabulib, tally

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pabulib"
COUNTED = ("approval", "choose-1", "cumulative")
SPEED_AIM = 100
#: The value of META ``rule`` under which a city's official result was computed.
CITY_RULE = {"greedy": "greedy", "equal-shares": "equalshares/add1"}
REPEAT = 3  # civic's time is the best of REPEAT runs; pabutools runs once (too slow)


def civic_count(path: Path, rule: str) -> list[str]:
    election = pabulib.read(path.read_text(encoding="utf-8")).election()
    return tally.RULES[rule](election)


def pabutools_count(path: Path, rule: str) -> list[str]:
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

    instance, profile = parse_pabulib(str(path))
    if rule == "greedy":
        cumulative = instance.meta["vote_type"] == "cumulative"
        sat = points_cost_sat() if cumulative else Cost_Sat
        chosen = greedy_utilitarian_welfare(instance, profile, sat_class=sat)
    else:
        chosen = method_of_equal_shares(instance, profile, sat_class=Cost_Sat,
                                        voter_budget_increment=1)
    return [project.name for project in chosen]


def points_cost_sat() -> Any:
    """A pabutools satisfaction worth points × cost: greedy then ranks by points."""
    from pabutools.election.satisfaction import AdditiveSatisfaction

    def points_cost(instance: Any, profile: Any, ballot: Any, project: Any,
                    precomputed: Any) -> Any:
        return ballot[project] * project.cost if project in ballot else 0

    class PointsCostSat(AdditiveSatisfaction):
        def __init__(self, instance: Any, profile: Any, ballot: Any) -> None:
            super().__init__(instance, profile, ballot, points_cost)

    return PointsCostSat


def timed(count: Callable[[Path, str], list[str]], path: Path, rule: str,
          repeat: int = 1) -> tuple[list[str], float]:
    best, chosen = float("inf"), []
    for _ in range(repeat):
        start = time.perf_counter()
        chosen = count(path, rule)
        best = min(best, time.perf_counter() - start)
    return chosen, best


def official(instance: pabulib.Instance, rule: str, chosen: list[str]) -> str:
    selected = instance.selected()
    if selected is None:
        return "—"
    if instance.meta.get("rule") != CITY_RULE[rule]:
        return f"n/a ({instance.meta.get('rule')})"
    return "yes" if sorted(chosen) == sorted(selected) else "NO"


def main(fragments: list[str]) -> None:
    import pabutools.rules  # noqa: F401  (imported once, outside the timings)

    files = [p for p in sorted(SAMPLES.glob("*.pb"))
             if not fragments or any(f in p.name for f in fragments)]
    instances = {p: pabulib.read(p.read_text(encoding="utf-8")) for p in files}
    files = sorted((p for p in files if instances[p].vote_type in COUNTED),
                   key=lambda p: len(instances[p].votes))
    if not files:
        sys.exit(f"no approval, choose-1 or cumulative .pb file in {SAMPLES}")
    largest = files[-1]
    print(f"{'election':<34}{'voters':>7}{'rule':>14}{'civic s':>10}{'pabutools s':>13}"
          f"{'ratio':>9}  {'same':<6}{'official'}")
    all_same, ratios = True, {}
    for path in files:
        instance = instances[path]
        for rule in ("greedy", "equal-shares"):
            ours, our_time = timed(civic_count, path, rule, REPEAT)
            theirs, their_time = timed(pabutools_count, path, rule)
            same = "yes" if ours == theirs else ("set" if set(ours) == set(theirs) else "NO")
            all_same = all_same and same != "NO" and official(instance, rule, ours) != "NO"
            ratio = their_time / our_time
            ratios[(path, rule)] = ratio
            aim = f"  aim ≥{SPEED_AIM}×" if path == largest and rule == "equal-shares" else ""
            print(f"{path.stem[:33]:<34}{len(instance.votes):>7}{rule:>14}{our_time:>10.3f}"
                  f"{their_time:>13.3f}{ratio:>8.0f}×  {same:<6}"
                  f"{official(instance, rule, ours)}{aim}", flush=True)
    speed = ratios[(largest, "equal-shares")]
    print(f"aim: identical outcomes everywhere — {'met' if all_same else 'NOT MET'} "
          f"(same: identical lists in the same order; set: same projects, other order)")
    print(f"aim: civic ≥ {SPEED_AIM}× faster than pabutools on the largest election "
          f"({largest.stem}, equal-shares) — {speed:.0f}×, "
          f"{'met' if speed >= SPEED_AIM else 'NOT MET'}")


if __name__ == "__main__":
    main(sys.argv[1:])
