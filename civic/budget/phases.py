"""Which phase a round is in, from its dates and its count: pure, time is an argument.

submission → review → vote → counting → results → follow-up. The vote closes on its
date; the results phase starts when the results are published, not on a date, because
the count needs two people.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise


class Phase(enum.StrEnum):
    UPCOMING = "upcoming"
    SUBMISSION = "submission"
    REVIEW = "review"
    VOTE = "vote"
    COUNTING = "counting"
    RESULTS = "results"
    FOLLOW_UP = "follow_up"


#: Phases a pilot can move on from by hand, and the date field that moving sets to now.
NEXT_BOUNDARY = {
    Phase.UPCOMING: "submission_starts_at",
    Phase.SUBMISSION: "review_starts_at",
    Phase.REVIEW: "vote_starts_at",
    Phase.VOTE: "vote_ends_at",
    Phase.RESULTS: "follow_up_starts_at",
}


@dataclass(frozen=True)
class Schedule:
    submission_starts_at: datetime
    review_starts_at: datetime
    vote_starts_at: datetime
    vote_ends_at: datetime
    follow_up_starts_at: datetime

    def problems(self) -> list[str]:
        """Names of the dates that do not come after the one before them."""
        order = ["submission_starts_at", "review_starts_at", "vote_starts_at", "vote_ends_at",
                 "follow_up_starts_at"]
        return [later for earlier, later in pairwise(order)
                if getattr(self, later) <= getattr(self, earlier)]


def phase_at(schedule: Schedule, results_published: bool, now: datetime) -> Phase:
    if now < schedule.submission_starts_at:
        return Phase.UPCOMING
    if now < schedule.review_starts_at:
        return Phase.SUBMISSION
    if now < schedule.vote_starts_at:
        return Phase.REVIEW
    if now < schedule.vote_ends_at:
        return Phase.VOTE
    if not results_published:
        return Phase.COUNTING
    if now < schedule.follow_up_starts_at:
        return Phase.RESULTS
    return Phase.FOLLOW_UP
