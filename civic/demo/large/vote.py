"""The large demo's FPH votes: the trustees named before the vote, each ballot and
register line written as ``budget.services.cast`` writes them with the seal summed as
``cast`` sums it, and the count started, confirmed and published by ``budget.counting``,
which checks the seal and freezes the results; then the follow-up of funded projects."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from civic.budget import ballots as ballot_rules
from civic.budget import box as ballot_box
from civic.budget import counting, identity, trustees
from civic.budget import services as budget
from civic.budget.models import Channel, FollowUp, Fund, Participation, Project, Round, SealedBallot
from civic.demo.large import permanence
from civic.demo.large.people import FIRST_NAMES, SURNAMES
from civic.demo.large.run import DAY, HOUR, QuartierPlan, Run, dt, local_day, local_ts

CHANNEL_WEIGHTS = [(Channel.ONLINE, 45), (Channel.KIOSK, 25), (Channel.PAPER, 20),
                   (Channel.CODE, 10)]
PROJECT_NEWS = ["Le matériel est commandé.", "Première séance avec 25 participants.",
                "Report de deux semaines à cause de la météo.",
                "Le projet est terminé, merci à toutes et à tous !"]


def bureau(run: Run, round_: Round, q: QuartierPlan) -> None:
    """A pilot and two moderators named trustees a week before the vote; each takes
    their share, which the demo keeps for the count (a real server keeps none)."""
    at = dt(round_.vote_starts_at.timestamp() - 7 * DAY)
    pilot = run.users_by_id[run.rng.choice(run.pilots)]
    people = [pilot, *(run.user(m) for m in run.rng.sample(q.moderators,
                                                           min(2, len(q.moderators))))]
    trustees.name(run.db, round_, people, 2, actor=pilot, now=at)
    run.shares[round_.id] = [trustees.hand_share(run.db, round_, person, now=at)
                             for person in people]


def vote(run: Run, round_: Round, q: QuartierPlan, voters: int, *, forced: bool) -> None:
    """The register and the box, written as ``budget.services.cast`` writes them."""
    rng = run.rng
    fund = round_.fund
    costs = budget.ballot_costs(run.db, round_)
    if not costs or round_.secret is None:
        return
    popularity = {p: rng.paretovariate(1.5) for p in costs}
    begins = round_.vote_starts_at.timestamp()
    ends = min(round_.vote_ends_at.timestamp(), run.now)
    method = budget.method_of(fund)
    sessions = permanence.sessions(run, q, begins, ends)
    channels = [rng.choices([c for c, _ in CHANNEL_WEIGHTS],
                            [w for _, w in CHANNEL_WEIGHTS])[0] for _ in range(voters)]
    if forced:  # every channel appears, however small the scale
        channels[:4] = [Channel.ONLINE, Channel.KIOSK, Channel.PAPER, Channel.CODE]
    register: list[dict[str, Any]] = []
    sealed: list[dict[str, Any]] = []
    seal = round_.seal
    fingerprints: set[str] = set()
    online: set[int] = set()
    code_votes = 0
    for wanted in channels:
        channel, at, session, user = how(run, wanted, q, begins, ends, sessions, online)
        code_votes += channel == Channel.CODE
        day = local_day(at)
        declared = fingerprint(run, round_.secret, fund.min_age, day, fingerprints)
        register.append({
            "id": secrets.token_hex(16), "round_id": round_.id, "fingerprint": declared,
            "user_id": run.u_id[user] if user is not None else None,
            "channel": channel.value, "voted_on": day, "permanence_id": session})
        choices = choose(run, fund, costs, popularity)
        assert not ballot_rules.problems(method, choices, costs)
        ciphertext = budget.seal_choices(round_, choices, costs)
        tracker = ballot_box.tracker(ciphertext)
        sealed.append({"tracker": tracker, "round_id": round_.id, "ciphertext": ciphertext,
                       "channel": channel.value,
                       "permanence_id": session if channel == Channel.PAPER else None})
        seal = ballot_box.add_to_seal(seal, tracker)
    rng.shuffle(register)
    rng.shuffle(sealed)
    run.insert(Participation, register)
    run.insert(SealedBallot, sealed)
    permanence.vote_codes(run, round_, q, code_votes)
    round_.seal = seal
    run.db.flush()


def how(run: Run, channel: Channel, q: QuartierPlan, begins: float, ends: float,
        sessions: list[tuple[int, float, float]], online: set[int]
        ) -> tuple[Channel, float, int | None, int | None]:
    """How, when and where one person votes: (channel, time, permanence, resident).
    Online needs an account that has not voted; kiosk and paper need a permanence;
    what cannot be falls back to a permanence, then to a printed code."""
    at = run.rng.uniform(begins, ends)
    if channel == Channel.ONLINE:
        user = voter(run, q, at, online)
        if user is not None:
            return channel, at, None, user
        channel = Channel.KIOSK
    if channel in (Channel.KIOSK, Channel.PAPER) and sessions:
        session, opens, closes = run.rng.choice(sessions)
        return channel, run.rng.uniform(opens, closes), session, None
    return Channel.CODE, at, None, None


def voter(run: Run, q: QuartierPlan, at: float, online: set[int]) -> int | None:
    """A resident of the quartier with an account who has not voted yet."""
    for _ in range(10):
        user = run.resident(run.quartiers.index(q), at)
        if user is not None and user not in online:
            online.add(user)
            run.touched(user, at)
            return user
    return None


def fingerprint(run: Run, secret: bytes, min_age: int, day: date, seen: set[str]) -> str:
    """The keyed fingerprint of a declared identity, one per person and round."""
    while True:
        name = f"{run.rng.choice(FIRST_NAMES)} {run.rng.choice(SURNAMES)}"
        born = date(run.rng.randint(1938, day.year - min_age - 1),
                    run.rng.randint(1, 12), run.rng.randint(1, 28))
        found = identity.fingerprint(secret, name, born)
        if found not in seen:
            seen.add(found)
            return found


def choose(run: Run, fund: Fund, costs: dict[int, int],
           popularity: dict[int, float]) -> dict[int, int]:
    """One voter's choices, as the fund's vote method allows."""
    rng = run.rng
    # Weighted order without replacement (Efraimidis–Spirakis keys).
    order = sorted(costs, key=lambda p: -rng.random() ** (1 / popularity[p]))
    if fund.vote_method == "approval":
        most = min(len(order), fund.approval_max or 5)
        return dict.fromkeys(order[:rng.randint(max(1, fund.approval_min), most)], 1)
    if fund.vote_method == "knapsack":
        picked: dict[int, int] = {}
        left = fund.envelope_cents
        for project in order[:rng.randint(2, 6)]:
            if costs[project] <= left:
                picked[project] = 1
                left -= costs[project]
        return picked or {min(costs, key=lambda p: costs[p]): 1}
    points: dict[int, int] = {}
    budget_left = rng.randint(max(1, fund.points_total // 2), fund.points_total)
    for project in order[:rng.randint(1, 4)]:
        if budget_left <= 0:
            break
        given = rng.randint(1, min(fund.points_max, budget_left))
        points[project] = given
        budget_left -= given
    return points


def count(run: Run, round_: Round, q: QuartierPlan) -> None:
    """Two trustees' shares open the box, a pilot publishes: the services' own way.
    Funded projects then move on, and the register's key is destroyed after a while."""
    rng = run.rng
    ended = round_.vote_ends_at.timestamp()
    started = ended + rng.uniform(1, 5) * DAY
    if started >= run.now:
        return
    pilot = run.users_by_id[rng.choice(run.pilots)]
    confirmed = started + rng.uniform(1, 30) * HOUR
    if confirmed >= run.now:
        return
    if round_.id not in run.shares:
        return
    shares = rng.sample(run.shares[round_.id], 2)
    counting.count(run.db, round_, shares, actor=pilot, now=dt(confirmed),
                   small=int(current_app.config.get("SMALL_CELL_THRESHOLD", 11)))
    published = confirmed + rng.uniform(1, 48) * HOUR
    if published >= run.now:
        return
    counting.publish(run.db, round_, actor=pilot, now=dt(published))
    follow_up(run, round_, q, published)
    months = int(current_app.config.get("FPH_SECRET_MONTHS", 6))
    forgotten = local_ts(local_day(published + months * 30 * DAY) + timedelta(days=1), 4)
    if forgotten < run.now:
        round_.secret, round_.secret_destroyed_at = None, dt(forgotten)
        run.audit(forgotten, None, "budget.secret_destroyed", "round", round_.id)


def follow_up(run: Run, round_: Round, q: QuartierPlan, published: float) -> None:
    """Where each funded project stands, and now and then a word of news."""
    rng = run.rng
    begins = max(round_.follow_up_starts_at.timestamp(), published)
    if begins >= run.now:
        return
    age = (run.now - begins) / DAY
    for project in run.db.scalars(select(Project).where(
            Project.round_id == round_.id, Project.follow_up.is_not(None))):
        status = _progress(run, age)
        share = {FollowUp.DONE: rng.uniform(0.85, 1.0),
                 FollowUp.IN_PROGRESS: rng.uniform(0.2, 0.7),
                 FollowUp.ABANDONED: rng.uniform(0, 0.2)}.get(status)
        spent = None if share is None else int(round(project.amount_cents * share, -2))
        at = rng.uniform(begins, run.now)
        actor = run.user(rng.choice(q.animators))
        if status != FollowUp.TO_START:
            budget.set_follow_up(run.db, project, status, spent, actor=actor, now=dt(at))
            if rng.random() < 0.5:
                news = PROJECT_NEWS[:3] if status != FollowUp.DONE else PROJECT_NEWS[3:]
                budget.add_update(run.db, project, rng.choice(news), None, actor=actor,
                                  now=dt(at))


def _progress(run: Run, age: float) -> FollowUp:
    """Where a funded project stands ``age`` days after the follow-up began."""
    if age > 300:
        return run.rng.choices([FollowUp.DONE, FollowUp.ABANDONED, FollowUp.IN_PROGRESS],
                               (70, 8, 22))[0]
    if age > 100:
        return run.rng.choices([FollowUp.DONE, FollowUp.IN_PROGRESS, FollowUp.TO_START],
                               (40, 50, 10))[0]
    return run.rng.choices([FollowUp.TO_START, FollowUp.IN_PROGRESS], (60, 40))[0]
