"""The daily figures of participation (``ParticipationDay``): who took part, a local day
at a time, by quartier, orientation, channel and part, so that the dashboards count
people in one small table instead of the union of every act of every part.

How they stay true:

- **The actions that change them.** A flush that adds, changes or removes an act (a
  vote's register line, an idea, a comment, a support, a map point or its « moi aussi »,
  a signup ticked present, an event's attendance, a survey's register line) marks the
  days it touches stale, and so does a DELETE or UPDATE statement on acts (a support
  withdrawn, the purge of an event's names, an account deleted), from the rows it is
  about to touch. Before the transaction commits, and before the figures are read in
  the same transaction, each stale day is computed again from the acts: its rows are
  replaced, never adjusted.
  Only SQL sent past the session would go unseen: it marks its days with ``stale``.
- **Concurrent writers** (PostgreSQL): a day is computed under a lock of that day held
  until the commit, so the second of two transactions waits for the first and then reads
  its acts; a full rebuild takes every day's lock at once.
- **The nightly rebuild** (job ``pilotage.refresh_figures``, ``flask pilotage figures``)
  computes every day again, and an empty table is built on its first read: a change
  that was missed is mended by the next night.

Who counts as a participant is said in ``civic.pilotage.indicators.participation``; this
module computes exactly those acts, nothing else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import delete, event, func, insert, inspect, select, text
from sqlalchemy.orm import ORMExecuteState, Session

from civic.budget.models import Fund, Participation, Round
from civic.evaluation.models import SurveyParticipation
from civic.events.models import Event, Signup
from civic.ideas.models import Comment, Idea, Support
from civic.map.models import MapPoint, PointSupport
from civic.pilotage.models import ParticipationDay

#: How a vote's register line reads as a channel (the same as ``indicators.VOTE_CHANNEL``).
VOTE_CHANNEL = {"online": "online", "code": "online", "kiosk": "permanence", "paper": "paper"}
#: How a survey's register line reads as a channel: the tablet of a permanence is the
#: permanence, and a poster's link or QR code is answered online (the steering figures
#: have no channel of their own for posters).
SURVEY_CHANNEL = {"online": "online", "kiosk": "permanence", "paper": "paper",
                  "poster": "online"}
#: Where ``Session.info`` keeps the days a transaction made stale.
_STALE = "civic.pilotage.stale_days"
#: The attributes whose change moves an act's figures, by kind of act.
_MOVES: dict[type, tuple[str, ...]] = {
    Participation: ("user_id", "voted_on", "channel", "round_id"),
    Idea: ("author_id", "created_at", "quartier_id", "orientation_id"),
    Comment: ("author_id", "created_at", "idea_id"),
    Support: ("user_id", "created_at", "idea_id"),
    MapPoint: ("author_id", "created_at", "walk_id", "quartier_id"),
    PointSupport: ("user_id", "created_at", "point_id"),
    Signup: ("user_id", "present", "event_id"),
    Event: ("attendance", "starts_at", "quartier_id"),
    SurveyParticipation: ("user_id", "answered_on", "channel", "quartier_id"),
}
#: Beyond so many stale days, one rebuild is quicker than each day in turn.
_AT_MOST = 60
#: Advisory lock keys (PostgreSQL): every day at once, and one day.
_ALL_DAYS, _ONE_DAY = 7_310_001, 7_310_002
_LOCK_ALL = text("SELECT pg_advisory_xact_lock(CAST(:k AS bigint))")
_LOCK_ALL_SHARED = text("SELECT pg_advisory_xact_lock_shared(CAST(:k AS bigint))")
_LOCK_DAY = text("SELECT pg_advisory_xact_lock(CAST(:k AS integer), CAST(:d AS integer))")

Row = tuple[date, int | None, int | None, str, str, int | None]


def timezone() -> str:
    """The contract's time zone, in which days are counted."""
    if has_app_context():
        return str(current_app.config.get("TIMEZONE", "Europe/Paris"))
    return "Europe/Paris"


# --- Marking days stale --------------------------------------------------------------


def stale(db: Session, days: Iterable[date]) -> None:
    """The figures of these days must be computed again before they are read or this
    transaction commits."""
    db.info.setdefault(_STALE, set()).update(days)


def _local_day(moment: datetime, tz: str) -> date:
    return moment.astimezone(ZoneInfo(tz)).date()


def _values(obj: Any, name: str) -> list[Any]:
    """The attribute's value now and, if the flush changes it, before."""
    history = inspect(obj).attrs[name].history
    return [v for v in (*history.added, *history.unchanged, *history.deleted)
            if v is not None]


def _days_of(db: Session, obj: Any, tz: str) -> set[date]:
    if isinstance(obj, Participation):
        return set(_values(obj, "voted_on"))
    if isinstance(obj, SurveyParticipation):
        return set(_values(obj, "answered_on"))
    if isinstance(obj, Signup):
        return {_local_day(e.starts_at, tz) for i in _values(obj, "event_id")
                if (e := db.get(Event, i)) is not None}
    if isinstance(obj, Event):
        return {_local_day(m, tz) for m in _values(obj, "starts_at")}
    return {_local_day(m, tz) for m in _values(obj, "created_at")}


def _changed(obj: Any, names: tuple[str, ...]) -> bool:
    state = inspect(obj)
    return any(state.attrs[n].history.has_changes() for n in names)


@event.listens_for(Session, "before_flush")
def _mark(db: Session, _context: Any, _instances: Any) -> None:
    """Note the days whose acts this flush adds, changes or removes."""
    found: set[date] = set()
    tz = timezone()
    with db.no_autoflush:
        for obj in [*db.new, *db.deleted]:
            if type(obj) in _MOVES:
                found |= _days_of(db, obj, tz)
        for obj in db.dirty:
            names = _MOVES.get(type(obj))
            if names and _changed(obj, names):
                found |= _days_of(db, obj, tz)
    if found:
        stale(db, found)


_TABLES: dict[Any, type] = {inspect(model).local_table: model for model in _MOVES}


@event.listens_for(Session, "do_orm_execute")
def _mark_bulk(state: ORMExecuteState) -> None:
    """A DELETE or UPDATE statement on acts (withdrawing a support, the purge of an
    event's names, an account's deletion) bypasses the flush: read the days of the rows
    it is about to touch."""
    if not (state.is_delete or state.is_update):
        return
    statement: Any = state.statement
    model = _TABLES.get(statement.table)
    if model is None:
        return
    values = getattr(statement, "_values", None)
    if state.is_update and values is not None and not any(
            getattr(column, "key", column) in _MOVES[model] for column in values):
        return
    where = statement.whereclause
    if model is Participation:
        days = select(Participation.voted_on)
    elif model is SurveyParticipation:
        days = select(SurveyParticipation.answered_on)
    elif model is Signup:
        days = select(Event.starts_at).join(Signup, Signup.event_id == Event.id)
    else:
        days = select(getattr(model, "starts_at" if model is Event else "created_at"))
    if where is not None:
        days = days.where(where)
    tz = timezone()
    found = {d if isinstance(d, date) and not isinstance(d, datetime) else _local_day(d, tz)
             for d in state.session.scalars(days.distinct())}
    if found:
        stale(state.session, found)


@event.listens_for(Session, "before_commit")
def _settle_before_commit(db: Session) -> None:
    """The commit's own flush comes after this hook: flush first, then compute. (Days
    marked by a transaction that rolled back stay marked: computing a day again is
    harmless, forgetting one is not.) A savepoint's release waits for the transaction's
    own commit."""
    if db.in_nested_transaction():
        return
    if db.new or db.dirty or db.deleted:
        db.flush()
    if db.info.get(_STALE):
        settle(db)


# --- Computing -----------------------------------------------------------------------


def settle(db: Session) -> None:
    """Compute the stale days of this transaction again (before reading the figures);
    the whole table if it was never built."""
    days = db.info.pop(_STALE, set())
    if not _built(db) or len(days) > _AT_MOST:
        rebuild(db)
        return
    if not days:
        return
    postgres = db.get_bind().dialect.name == "postgresql"
    if postgres:
        db.execute(_LOCK_ALL_SHARED, {"k": _ALL_DAYS})
    for day in sorted(days):
        if postgres:
            db.execute(_LOCK_DAY, {"k": _ONE_DAY, "d": day.toordinal()})
        db.execute(delete(ParticipationDay).where(ParticipationDay.day == day))
        _store(db, _compute(db, day, day, timezone()))


def rebuild(db: Session) -> int:
    """Every day computed again from the acts (the nightly mend); the rows written."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(_LOCK_ALL, {"k": _ALL_DAYS})
    db.info.pop(_STALE, None)
    db.execute(delete(ParticipationDay))
    return _store(db, from_acts(db))


def from_acts(db: Session) -> Counter[Row]:
    """Every row the acts give, with its number of acts: what ``rebuild`` writes."""
    return _compute(db, *EVER, timezone())


#: Every day an act can fall on.
EVER = (date(1970, 1, 1), date(2999, 12, 31))


def _built(db: Session) -> bool:
    """Built once, or nothing to build (comments, supports and presences come with an
    idea, a point or an event)."""
    if db.scalar(select(ParticipationDay.id).limit(1)) is not None:
        return True
    return all(db.scalar(select(column).limit(1)) is None
               for column in (Participation.id, Idea.id, MapPoint.id, Event.id,
                              SurveyParticipation.id))


def _store(db: Session, counts: Counter[Row]) -> int:
    rows = [{"day": day, "month": day.replace(day=1), "quartier_id": quartier,
             "orientation_id": orientation, "channel": channel, "part": part,
             "user_id": user, "acts": n}
            for (day, quartier, orientation, channel, part, user), n in counts.items() if n]
    for start in range(0, len(rows), 5000):
        db.execute(insert(ParticipationDay), rows[start:start + 5000])
    return len(rows)


def _compute(db: Session, first: date, last: date, tz: str) -> Counter[Row]:
    """The rows of the days from ``first`` to ``last``, both included, from the acts."""
    zone = ZoneInfo(tz)
    start = datetime.combine(first, time.min, zone)
    end = datetime.combine(last + timedelta(days=1), time.min, zone)
    counts: Counter[Row] = Counter()
    for row in _acts(db, first, last, start, end):
        moment, quartier, orientation, channel, part, user, n = row
        day = moment if isinstance(moment, date) and not isinstance(moment, datetime) \
            else _local_day(moment, tz)
        counts[(day, quartier, orientation, channel, part, user)] += int(n or 0)
    return counts


def _acts(db: Session, first: date, last: date, start: datetime, end: datetime
          ) -> Iterator[tuple[Any, ...]]:
    """(day or moment, quartier, orientation, channel, part, account or None, acts)."""
    quartier: int | None
    user: int | None
    for user, channel, day, quartier, n in db.execute(
            select(Participation.user_id, Participation.channel, Participation.voted_on,
                   Fund.quartier_id, func.count())
            .join(Round, Round.id == Participation.round_id)
            .join(Fund, Fund.id == Round.fund_id)
            .where(Participation.voted_on >= first, Participation.voted_on <= last)
            .group_by(Participation.user_id, Participation.channel, Participation.voted_on,
                      Fund.quartier_id)):
        yield (day, quartier, None, "online" if user else VOTE_CHANNEL.get(channel, "online"),
               "vote", user, n)
    for user, moment, quartier, orientation in db.execute(
            select(Idea.author_id, Idea.created_at, Idea.quartier_id, Idea.orientation_id)
            .where(Idea.created_at >= start, Idea.created_at < end)):
        # An idea without an account was typed in by an animator at a permanence.
        yield (moment, quartier, orientation, "online" if user else "permanence", "idea",
               user, 1)
    for user, moment, quartier, orientation in db.execute(
            select(Comment.author_id, Comment.created_at, Idea.quartier_id,
                   Idea.orientation_id).join(Idea, Idea.id == Comment.idea_id)
            .where(Comment.author_id.is_not(None), Comment.created_at >= start,
                   Comment.created_at < end)):
        yield moment, quartier, orientation, "online", "comment", user, 1
    for user, moment, quartier, orientation in db.execute(
            select(Support.user_id, Support.created_at, Idea.quartier_id, Idea.orientation_id)
            .join(Idea, Idea.id == Support.idea_id)
            .where(Support.created_at >= start, Support.created_at < end)):
        yield moment, quartier, orientation, "online", "support", user, 1
    for user, moment, quartier, walk in db.execute(
            select(MapPoint.author_id, MapPoint.created_at, MapPoint.quartier_id,
                   MapPoint.walk_id)
            .where(MapPoint.author_id.is_not(None), MapPoint.created_at >= start,
                   MapPoint.created_at < end)):
        yield moment, quartier, None, "event" if walk else "online", "point", user, 1
    for user, moment, quartier in db.execute(
            select(PointSupport.user_id, PointSupport.created_at, MapPoint.quartier_id)
            .join(MapPoint, MapPoint.id == PointSupport.point_id)
            .where(PointSupport.created_at >= start, PointSupport.created_at < end)):
        yield moment, quartier, None, "online", "point_support", user, 1
    ticked_by_event: dict[int, int] = {}
    for event_id, moment, quartier, user in db.execute(
            select(Event.id, Event.starts_at, Event.quartier_id, Signup.user_id)
            .join(Signup, Signup.event_id == Event.id)
            .where(Signup.user_id.is_not(None), Signup.present.is_(True),
                   Event.starts_at >= start, Event.starts_at < end)):
        ticked_by_event[event_id] = ticked_by_event.get(event_id, 0) + 1
        yield moment, quartier, None, "event", "attendance", user, 1
    # Everybody present, minus those ticked under an account (counted above).
    for event_id, moment, quartier, attendance in db.execute(
            select(Event.id, Event.starts_at, Event.quartier_id, Event.attendance)
            .where(Event.starts_at >= start, Event.starts_at < end)):
        yield (moment, quartier, None, "event", "attendance", None,
               int(attendance or 0) - ticked_by_event.get(event_id, 0))
    # A survey's register: the account that answered online, or a person without one
    # at a kiosk, on paper or through a poster; no orientation (a survey asks about
    # several).
    for user, channel, day, quartier, n in db.execute(
            select(SurveyParticipation.user_id, SurveyParticipation.channel,
                   SurveyParticipation.answered_on, SurveyParticipation.quartier_id,
                   func.count())
            .where(SurveyParticipation.answered_on >= first,
                   SurveyParticipation.answered_on <= last)
            .group_by(SurveyParticipation.user_id, SurveyParticipation.channel,
                      SurveyParticipation.answered_on, SurveyParticipation.quartier_id)):
        yield day, quartier, None, SURVEY_CHANNEL.get(channel, "online"), "survey", user, n
