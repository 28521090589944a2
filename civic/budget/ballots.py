"""What a valid ballot is for each vote method. Pure.

Choices are always a mapping project id → points: approval and knapsack give 1 point
to each chosen project, cumulative spreads points. (The box they are sealed into, and
its seal, are ``box``'s.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Method:
    """The rules of a fund's ballot."""

    kind: str  #: approval, knapsack or cumulative
    envelope: int  #: cents
    min_choices: int = 1
    max_choices: int | None = None
    points_total: int = 0
    points_max: int = 0


Checker = Callable[[Method, Mapping[int, int], Mapping[int, int]], list[str]]


def _approval(method: Method, choices: Mapping[int, int], _costs: Mapping[int, int]) -> list[str]:
    count = len(choices)
    if count < method.min_choices:
        return ["too_few"]
    if method.max_choices is not None and count > method.max_choices:
        return ["too_many"]
    return []


def _knapsack(method: Method, choices: Mapping[int, int], costs: Mapping[int, int]) -> list[str]:
    if not choices:
        return ["too_few"]
    if sum(costs[p] for p in choices) > method.envelope:
        return ["over_envelope"]
    return []


def _cumulative(method: Method, choices: Mapping[int, int],
                _costs: Mapping[int, int]) -> list[str]:
    errors = []
    if sum(choices.values()) < 1:
        errors.append("too_few")
    if sum(choices.values()) > method.points_total:
        errors.append("too_many_points")
    if any(points > method.points_max for points in choices.values()):
        errors.append("too_many_on_one")
    return errors


CHECKERS: dict[str, Checker] = {"approval": _approval, "knapsack": _knapsack,
                                "cumulative": _cumulative}


def problems(method: Method, choices: Mapping[int, int], costs: Mapping[int, int]) -> list[str]:
    """Error codes for a ballot; empty when it may be cast."""
    if any(project not in costs for project in choices):
        return ["unknown_project"]
    if any(points < 1 for points in choices.values()):
        return ["bad_points"]
    if method.kind != "cumulative" and any(points != 1 for points in choices.values()):
        return ["bad_points"]
    return CHECKERS[method.kind](method, choices, costs)
