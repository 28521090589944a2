"""The large demo's permanences: the weekly hours of every quartier's animator, the
sessions where animators take kiosk and paper votes, and the printed vote codes."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from sqlalchemy import select

from civic.budget.models import Round
from civic.demo.large.run import DAY, QuartierPlan, Run, dt, local_ts
from civic.permanence import codes, slots
from civic.permanence.models import Permanence, VoteCode, WeeklySlot

#: (weekday, local start hour, local end hour, topics) of each quartier's weekly hours.
WEEKLY_HOURS = [(1, 14, 17, "Aide aux démarches, idées, vote FPH"),
                (3, 9, 12, "Questions sur le quartier")]


def weekly_hours(run: Run) -> None:
    """When the animators of the other quartiers can be met, every week."""
    taken = set(run.db.scalars(select(WeeklySlot.quartier_id)))
    for q in run.quartiers:
        if q.id in taken:
            continue
        animator = run.user(q.animators[-1])
        for weekday, starts, ends, topics in WEEKLY_HOURS:
            slots.add_slot(run.db, q.obj, weekday=weekday, starts=time(starts),
                           ends=time(ends), place=q.places[0],
                           host=animator.display_name.split(" (")[0] + ", animation",
                           topics=topics, actor=animator, now=dt(run.start + DAY))


def sessions(run: Run, q: QuartierPlan, begins: float,
             ends: float) -> list[tuple[int, float, float]]:
    """Sessions where the animators take kiosk and paper votes during the vote:
    (permanence id, opens, closes)."""
    rng = run.rng
    rows: list[dict[str, Any]] = []
    for _ in range(rng.randint(2, 5)):
        day = run.day_between(begins, ends)
        if day.weekday() == 6:
            day -= timedelta(days=1)
        hour = rng.choice((9, 14))
        starts, finish = local_ts(day, hour), local_ts(day, hour + 3)
        if starts < begins or finish > ends:
            continue
        animator = rng.choice(q.animators)
        rows.append({"quartier_id": q.id, "place": rng.choice(q.places),
                     "starts_at": dt(starts), "ends_at": dt(finish),
                     "animator_id": animator, "created_at": dt(starts - DAY)})
    ids = run.insert(Permanence, rows, ids=True)
    for permanence_id, row in zip(ids, rows, strict=True):
        run.audit(row["created_at"].timestamp(), row["animator_id"], "permanence.opened",
                  "permanence", permanence_id, place=row["place"])
    return [(i, r["starts_at"].timestamp(), r["ends_at"].timestamp())
            for i, r in zip(ids, rows, strict=True)]


def vote_codes(run: Run, round_: Round, q: QuartierPlan, spent: int) -> None:
    """The printed codes: as many spent as code ballots, the rest unused."""
    if not spent:
        return
    printed = spent + run.rng.randint(10, 40)
    made: set[str] = set()
    while len(made) < printed:
        made.add(codes.digest(codes.generate()))
    rows = [{"digest": digest, "round_id": round_.id, "batch": 1, "spent": n < spent,
             "void": False} for n, digest in enumerate(sorted(made))]
    run.insert(VoteCode, rows)
    at = round_.vote_starts_at.timestamp() - 10 * DAY
    run.audit(max(at, round_.created_at.timestamp()), run.rng.choice(q.animators),
              "permanence.codes_generated", "round", round_.id, batch=1, count=printed)
