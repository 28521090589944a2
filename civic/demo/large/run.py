"""What every step of the large demo shares: one ``Run`` holds the random draws, the
calendar, the quartiers and residents planned so far, and the rows still to write."""

from __future__ import annotations

import math
import random
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import click
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from civic.accounts.models import User
from civic.core.audit import AuditEntry
from civic.moderation.models import Mode, State
from civic.territory.models import Contract, Quartier, Signatory

#: What one run writes at scale 1.0 (``scale`` multiplies every figure).
TARGETS = {
    "users": 20_000, "ideas": 8_000, "comments": 10_000, "supports": 25_000,
    "map_points": 12_000, "point_supports": 15_000, "walks": 60, "events": 900,
    "event_signups": 20_000, "participations": 10_000, "survey_participations": 5_000,
}
FIRST_YEAR, LAST_YEAR = 2024, 2026
CHUNK = 5_000
DAY = 86_400.0
HOUR = 3_600.0
PARIS = ZoneInfo("Europe/Paris")
MONTH_WEIGHTS = [0.9, 1.0, 1.15, 1.1, 1.1, 1.0, 0.6, 0.4, 1.15, 1.2, 1.05, 0.8]
WEEKDAY_WEIGHTS = [1.0, 1.0, 1.05, 1.0, 0.95, 0.8, 0.6]
#: Local hours of the day when residents post, with weights.
HOURS = [(7, 1), (8, 3), (9, 5), (10, 6), (11, 6), (12, 5), (13, 4), (14, 5), (15, 5),
         (16, 5), (17, 6), (18, 8), (19, 8), (20, 9), (21, 8), (22, 5), (23, 2)]


def dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def local_day(ts: float) -> date:
    return datetime.fromtimestamp(ts, PARIS).date()


def local_ts(day: date, hour: int, minute: int = 0) -> float:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS).timestamp()


def slug(text: str) -> str:
    bare = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in bare if c.isascii() and c.isalnum()) or "habitant"


@dataclass
class QuartierPlan:
    """What the generator needs to know of a quartier."""

    obj: Quartier
    weight: float
    of: str
    places: list[str]
    landmarks: list[tuple[int, str, float, float]] = field(default_factory=list)
    hotspots: list[tuple[float, float]] = field(default_factory=list)
    moderators: list[int] = field(default_factory=list)
    animators: list[int] = field(default_factory=list)
    #: Residents living here, in the order they joined, with cumulative activity weights.
    joins: list[float] = field(default_factory=list)
    members: list[int] = field(default_factory=list)
    cumulative: list[float] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.obj.id

    @property
    def pre(self) -> bool:
        return self.obj.moderation_mode == Mode.PRE


class Post:
    """An idea, a comment or a map point as planned, before it has an id."""

    __slots__ = ("appeal", "author", "created", "decisions", "hidden", "id", "moderated_at",
                 "moderator", "published", "q", "reason", "row", "state")

    def __init__(self, q: int, author: int, created: float, row: dict[str, Any]) -> None:
        self.q, self.author, self.created, self.row = q, author, created, row
        self.state = State.PENDING.value
        self.published: float | None = None
        self.hidden: float | None = None
        self.moderated_at: float | None = None
        self.moderator: int | None = None
        self.reason = ""
        #: (time, action, moderator id, state before, state after, reason)
        self.decisions: list[tuple[float, str, int, str, str, str]] = []
        self.appeal = 1.0
        self.id = 0

    def open_at(self, t: float) -> bool:
        """Published at ``t`` (reactions are only possible then)."""
        return self.published is not None and self.published <= t and (
            self.hidden is None or t < self.hidden)

    def moderation(self) -> dict[str, Any]:
        return {"moderation": self.state, "moderation_reason": self.reason,
                "moderated_at": None if self.moderated_at is None else dt(self.moderated_at),
                "moderated_by_id": self.moderator, "original_title": None}


class Pool:
    """Published posts of each quartier in the order of publication, to react to."""

    def __init__(self, posts: Sequence[Post], quartiers: int) -> None:
        by_q: list[list[Post]] = [[] for _ in range(quartiers)]
        for post in posts:
            if post.published is not None:
                by_q[post.q].append(post)
        for items in by_q:
            items.sort(key=lambda p: p.published or 0.0)
        self.items = by_q
        self.times = [[p.published or 0.0 for p in items] for items in by_q]


#: A reaction as planned: (post, resident index, time).
Reaction = tuple[Post, int, float]


class Run:
    """One run of the large seed: the steps (in ``civic.demo.large``) read and extend it."""

    # Set by territory.set_up.
    contract: Contract
    signatories: list[Signatory]
    orientations: list[int]
    demo_users: dict[str | None, User]
    pilot: User
    password_hash: str | None
    q_weights: list[float]
    by_code: dict[str, int]
    # Set by people.staff.
    signatory_users: dict[int, int]
    pilots: list[int]
    users_by_id: dict[int, User]

    def __init__(self, db: Session, rng: random.Random, scale: float, now: datetime) -> None:
        self.db, self.rng, self.scale = db, rng, scale
        self.now = now.timestamp()
        self.start = local_ts(date(FIRST_YEAR, 1, 8), 9)
        end_of_contract = local_ts(date(LAST_YEAR, 12, 31), 23, 59)
        self.end = min(self.now, end_of_contract)
        if self.end < self.start + 60 * DAY:
            raise click.ClickException("The large demo needs a clock after March 2024.")
        self.audit_rows: list[dict[str, Any]] = []
        self.quartiers: list[QuartierPlan] = []
        self.hour_cumulative = [sum(w for _, w in HOURS[:k + 1]) for k in range(len(HOURS))]
        self.hour_total = self.hour_cumulative[-1]
        self._calendar(local_day(self.start), local_day(self.now + 60 * DAY))
        # Residents, by index: id, join time, end of activity, home quartier, weight.
        self.u_id: list[int] = []
        self.u_join: list[float] = []
        self.u_leave: list[float] = []
        self.u_home: list[int] = []
        self.u_weight: list[float] = []
        self.u_name: list[str] = []
        self.u_email: list[str] = []
        self.u_last: list[float] = []
        #: What residents do, as (time, resident index), and the kind of each.
        self.slots: list[tuple[float, int]] = []
        self.kinds: list[str] = []
        #: The trustees' shares by round: kept by the demo only, to run the count.
        self.shares: dict[int, list[str]] = {}
        self.from_points: set[int] = set()
        self.ideas: list[Post] = []
        self.points: list[Post] = []
        self.comments: list[Post] = []
        self.support_rows: list[Reaction] = []
        self.follow_rows: list[Reaction] = []
        self.point_support_rows: list[Reaction] = []
        #: (kind, post, reporter index, time, resolved at)
        self.report_rows: list[tuple[str, Post, int, float, float | None]] = []
        self.forwarding_rows: list[tuple[Post, dict[str, Any]]] = []
        #: (idea, time, pilot id, status before, status after, signatory id, due on)
        self.answer_audit: list[tuple[Post, float, int, str, str, int | None, str | None]] = []
        self.signups_made = 0

    # --- Time ----------------------------------------------------------------------------

    def _calendar(self, first: date, last: date) -> None:
        self.days: list[date] = []
        self.day_cumulative: list[float] = []
        total = 0.0
        day = first
        while day <= last:
            total += MONTH_WEIGHTS[day.month - 1] * WEEKDAY_WEIGHTS[day.weekday()]
            self.days.append(day)
            self.day_cumulative.append(total)
            day += timedelta(days=1)
        self.first_ordinal = first.toordinal()

    def day_between(self, a: float, b: float) -> date:
        """A local day between the times, weighted by season and weekday."""
        low = max(0, local_day(a).toordinal() - self.first_ordinal)
        high = min(len(self.days) - 1, local_day(b).toordinal() - self.first_ordinal)
        base = self.day_cumulative[low - 1] if low > 0 else 0.0
        index = bisect_left(self.day_cumulative, self.rng.uniform(base,
                                                                  self.day_cumulative[high]))
        return self.days[min(max(index, low), high)]

    def moment(self, a: float, b: float) -> float:
        """A time between ``a`` and ``b`` when people are awake, favouring busy seasons."""
        if b - a < 2 * DAY:
            return self.rng.uniform(a, b) if b > a else a
        day = self.day_between(a, b)
        hour = HOURS[bisect_left(self.hour_cumulative, self.rng.random() * self.hour_total)][0]
        ts = local_ts(day, hour, self.rng.randrange(60))
        return ts if a <= ts <= b else self.rng.uniform(a, b)

    def delay(self, median_days: float, sigma: float = 0.9, most_days: float = 365) -> float:
        return min(self.rng.lognormvariate(math.log(median_days * DAY), sigma), most_days * DAY)

    def n(self, key: str, least: int = 1) -> int:
        return max(least, round(TARGETS[key] * self.scale))

    # --- Writing -------------------------------------------------------------------------

    def audit(self, at: float, actor: int | None, action: str, target_type: str,
              target: Any, **details: Any) -> None:
        """An audit entry; ``target`` (and details) may be a post still without an id."""
        self.audit_rows.append({"at": dt(at), "actor_id": actor, "action": action,
                                "target_type": target_type, "target_id": target,
                                "details": details})

    def write_audit(self) -> None:
        for entry in self.audit_rows:
            target = entry["target_id"]
            if isinstance(target, Post):
                target = target.id
            entry["target_id"] = None if target is None else str(target)
            for key, value in entry["details"].items():
                if isinstance(value, Post):
                    entry["details"][key] = value.id
        self.insert(AuditEntry, self.audit_rows)

    def insert(self, model: Any, rows: list[dict[str, Any]], *, ids: bool = False) -> list[int]:
        """Bulk insert in chunks; with ``ids``, the rows get the next ids of the table
        (RETURNING in bulk is far slower), and PostgreSQL's sequence is moved past them."""
        if not rows:
            return []
        first = 0
        if ids:
            first = int(self.db.scalar(select(func.max(model.id))) or 0) + 1
            for offset, row in enumerate(rows):
                row["id"] = first + offset
        for k in range(0, len(rows), CHUNK):
            self.db.execute(insert(model).execution_options(render_nulls=True),
                            rows[k:k + CHUNK])
        if ids and self.db.get_bind().dialect.name == "postgresql":
            self.db.execute(text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)"),
                            {"table": model.__tablename__, "last": first + len(rows) - 1})
        return list(range(first, first + len(rows))) if ids else []

    # --- Who ---------------------------------------------------------------------------

    def index_of(self, quartier_id: int | None) -> int:
        """The position of a quartier in ``self.quartiers``."""
        return next(i for i, q in enumerate(self.quartiers) if q.id == quartier_id)

    def resident(self, qi: int, t: float) -> int | None:
        """A resident of the quartier who had joined by ``t``, more likely an active one."""
        q = self.quartiers[qi]
        known = bisect_right(q.joins, t)
        if known == 0:
            return None
        for _ in range(6):
            index = bisect_right(q.cumulative, self.rng.random() * q.cumulative[known - 1])
            user = q.members[min(index, known - 1)]
            if self.u_leave[user] + 60 * DAY >= t:
                return user
        return q.members[self.rng.randrange(known)]

    def where(self, user: int) -> int:
        """The quartier a resident acts in: home, mostly."""
        home = self.u_home[user]
        if home >= 0 and self.rng.random() < 0.92:
            return home
        return self.rng.choices(range(len(self.quartiers)), self.q_weights)[0]

    def touched(self, user: int, t: float) -> None:
        if t > self.u_last[user]:
            self.u_last[user] = t

    def user(self, user_id: int) -> User:
        if user_id not in self.users_by_id:
            found = self.db.get(User, user_id)
            assert found is not None
            self.users_by_id[user_id] = found
        return self.users_by_id[user_id]
