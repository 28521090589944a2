"""The contract's steering indicators, each a small named function that asks the
database for an aggregate (never every row) and returns a ``Table``. Its docstring says
exactly what it counts.

Who counts as a participant:

- **With an account**, a person is counted once however many things they did and by
  whatever channel: an online vote (the register's line carries the account), an idea,
  a comment, a support, a map point (during a walk: channel "event"), a « moi aussi »,
  being ticked present at an event.
- **Without an account**, people cannot be recognised from one act to the next, so each
  act counts as one person: a vote at a permanence's kiosk, on paper or with a printed
  code without an account; an idea typed by an animator for a named person; a person
  present at an event who was not ticked under an account (walk-ins, guests, and
  everyone present at an event whose names were deleted after it).

Orientations tag FPH projects and ideas: the orientation narrows those tables only.
Times are counted in the contract's time zone, by local day.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from civic.accounts.models import AGE_BRACKETS, GENDERS, User
from civic.budget.models import Fund, Participation, Project, ProjectStatus, Round
from civic.core import clock
from civic.core.i18n import _l
from civic.events.labels import KINDS as KIND_LABELS
from civic.events.models import AttendanceFigure, Event, Signup
from civic.ideas.models import Comment, Forwarding, Idea, Support
from civic.map.labels import CATEGORIES as CATEGORY_LABELS
from civic.map.models import CATEGORIES, MapPoint, PointSupport
from civic.moderation.models import State
from civic.pilotage.scope import Scope
from civic.pilotage.tables import Column, Table
from civic.territory.models import Commitment, Orientation, Quartier, Signatory

CHANNELS = ("online", "permanence", "paper", "event")
#: How the register's channels read in the steering figures.
VOTE_CHANNEL = {"online": "online", "code": "online", "kiosk": "permanence", "paper": "paper"}


# --- Helpers ---------------------------------------------------------------------------


def _days(db: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    """Days between two timestamps, as a fraction, in SQL."""
    if db.get_bind().dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return func.extract("epoch", later - earlier) / 86400.0


def _in(column: Any, scope: Scope) -> ColumnElement[bool]:
    return and_(column >= scope.start, column < scope.end)


def _on_days(column: Any, scope: Scope) -> ColumnElement[bool]:
    return and_(column >= scope.first_day, column <= scope.last_day)


def _months(scope: Scope) -> list[tuple[date, date]]:
    """The months of the period as (first day, first day after), at most 60."""
    months: list[tuple[date, date]] = []
    day = scope.first_day.replace(day=1)
    while day <= scope.last_day and len(months) < 60:
        following = (day + timedelta(days=32)).replace(day=1)
        months.append((max(day, scope.first_day), min(following, scope.last_day
                                                       + timedelta(days=1))))
        day = following
    return months


def _bucket(column: Any, bounds: Sequence[tuple[Any, Any]], first: int = 0
            ) -> ColumnElement[Any]:
    """The index of the (start, end) interval ``column`` falls in, or NULL: a balanced
    tree of CASEs (contiguous intervals), so a row costs a few comparisons, not one per
    month."""
    if len(bounds) <= 2:
        return case(*((and_(column >= a, column < b), first + i)
                      for i, (a, b) in enumerate(bounds)), else_=null())
    middle = len(bounds) // 2
    return case((column < bounds[middle][0], _bucket(column, bounds[:middle], first)),
                else_=_bucket(column, bounds[middle:], first + middle))


def _local(day: date, scope: Scope) -> datetime:
    return datetime.combine(day, datetime.min.time(), scope.start.tzinfo)


def _median(rows: Sequence[tuple[Any, ...]]) -> dict[Any, float | None]:
    """Medians from (group, value, rank, count) rows where ranks are the middle ones."""
    found: dict[Any, list[float]] = {}
    for group, value, _rank, _count in rows:
        found.setdefault(group, []).append(float(value))
    return {group: round(sum(values) / len(values), 1) for group, values in found.items()}


def _middle(db: Session, group: Any, value: Any, where: Sequence[Any],
            joins: Sequence[tuple[Any, Any]] = ()) -> dict[Any, float | None]:
    """The median of ``value`` per ``group``, in one query: window functions rank the
    values and only the one or two middle rows come back."""
    ranked = select(group.label("g"), value.label("v"),
                    func.row_number().over(partition_by=group, order_by=value).label("r"),
                    func.count().over(partition_by=group).label("n"))
    for target, on in joins:
        ranked = ranked.join(target, on)
    inner = ranked.where(*where).subquery()
    rows = db.execute(select(inner.c.g, inner.c.v, inner.c.r, inner.c.n).where(
        inner.c.r.in_([(inner.c.n + 1) // 2, (inner.c.n + 2) // 2]))).all()
    return _median([tuple(r) for r in rows])


# --- Who took part ---------------------------------------------------------------------


def _account_acts(scope: Scope, months: Sequence[tuple[date, date]] | None = None
                  ) -> Any:
    """(user_id, channel, month) of every act with an account in the scope."""
    q = scope.quartier_id
    local = [(_local(a, scope), _local(b, scope)) for a, b in months or []]

    def month(column: Any, dates: bool = False) -> Any:
        if months is None:
            return null()
        return _bucket(column, months if dates else local)

    acts = [
        select(Participation.user_id.label("user_id"), literal("online").label("channel"),
               month(Participation.voted_on, dates=True).label("month"))
        .join(Round, Round.id == Participation.round_id).join(Fund, Fund.id == Round.fund_id)
        .where(Participation.user_id.is_not(None), _on_days(Participation.voted_on, scope),
               *([Fund.quartier_id == q] if q else [])),
        select(Idea.author_id, literal("online"), month(Idea.created_at))
        .where(Idea.author_id.is_not(None), _in(Idea.created_at, scope),
               *([Idea.quartier_id == q] if q else [])),
        select(Comment.author_id, literal("online"), month(Comment.created_at))
        .join(Idea, Idea.id == Comment.idea_id)
        .where(Comment.author_id.is_not(None), _in(Comment.created_at, scope),
               *([Idea.quartier_id == q] if q else [])),
        select(Support.user_id, literal("online"), month(Support.created_at))
        .join(Idea, Idea.id == Support.idea_id)
        .where(_in(Support.created_at, scope), *([Idea.quartier_id == q] if q else [])),
        select(MapPoint.author_id, case((MapPoint.walk_id.is_not(None), "event"),
                                        else_="online"), month(MapPoint.created_at))
        .where(MapPoint.author_id.is_not(None), _in(MapPoint.created_at, scope),
               *([MapPoint.quartier_id == q] if q else [])),
        select(PointSupport.user_id, literal("online"), month(PointSupport.created_at))
        .join(MapPoint, MapPoint.id == PointSupport.point_id)
        .where(_in(PointSupport.created_at, scope),
               *([MapPoint.quartier_id == q] if q else [])),
        select(Signup.user_id, literal("event"), month(Event.starts_at))
        .join(Event, Event.id == Signup.event_id)
        .where(Signup.user_id.is_not(None), Signup.present.is_(True),
               _in(Event.starts_at, scope), *([Event.quartier_id == q] if q else [])),
    ]
    return union_all(*acts)


_shared: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar("pilotage_shared",
                                                                  default=None)


@contextmanager
def one_page() -> Iterator[None]:
    """Tables computed together (a page, a workbook) share the figures they have in
    common, computed once; outside, every call asks the database."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def _memo(db: Session, key: tuple[Any, ...], compute: Any) -> Any:
    cache = _shared.get()
    if cache is None:
        return compute()
    key = (id(db), *key)
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _anonymous(db: Session, scope: Scope, months: Sequence[tuple[date, date]] | None = None
               ) -> dict[tuple[str, int | None], int]:
    """People counted by their act (no account): {(channel, month or None): count}."""
    if months is None:
        return dict(_memo(db, ("anonymous", scope), lambda: _count_anonymous(db, scope)))
    return _count_anonymous(db, scope, months)


def _count_anonymous(db: Session, scope: Scope,
                     months: Sequence[tuple[date, date]] | None = None
                     ) -> dict[tuple[str, int | None], int]:
    q = scope.quartier_id
    local = [(_local(a, scope), _local(b, scope)) for a, b in months or []]
    found: dict[tuple[str, int | None], int] = {}

    def add(channel: str, month: Any, count: Any) -> None:
        key = (channel, None if month is None else int(month))
        found[key] = found.get(key, 0) + int(count or 0)

    vote_month = _bucket(Participation.voted_on, months) if months else null()
    for channel, month, count in db.execute(
            select(Participation.channel, vote_month, func.count())
            .join(Round, Round.id == Participation.round_id)
            .join(Fund, Fund.id == Round.fund_id)
            .where(Participation.user_id.is_(None), _on_days(Participation.voted_on, scope),
                   *([Fund.quartier_id == q] if q else []))
            .group_by(Participation.channel, *([vote_month] if months else []))):
        add(VOTE_CHANNEL.get(channel, "online"), month, count)
    idea_month = _bucket(Idea.created_at, local) if months else null()
    for month, count in db.execute(
            select(idea_month, func.count()).where(
                Idea.author_id.is_(None), _in(Idea.created_at, scope),
                *([Idea.quartier_id == q] if q else []))
            .group_by(*([idea_month] if months else []))):
        add("permanence", month, count)
    # Everybody present, minus those ticked under an account (counted with the accounts).
    event_month = _bucket(Event.starts_at, local) if months else null()
    ticked = (select(func.count()).where(Signup.event_id == Event.id,
                                         Signup.user_id.is_not(None),
                                         Signup.present.is_(True))
              .correlate(Event).scalar_subquery())
    for month, count in db.execute(
            select(event_month, func.sum(Event.attendance - ticked)).where(
                _in(Event.starts_at, scope), *([Event.quartier_id == q] if q else []))
            .group_by(*([event_month] if months else []))):
        add("event", month, count)
    return found


def _summary(db: Session, scope: Scope) -> dict[tuple[str, str], int]:
    """Every count of distinct accounts the participation tables need, in one query
    that reads the acts once (a shared CTE): in all, already active a year before, by
    channel, by month, by (gender, age bracket) of the profile."""
    months = _months(scope)
    acts = _account_acts(scope, months).cte("acts")
    people = select(acts.c.user_id).distinct().cte("people")
    before = select(_account_acts(scope.year_before()).subquery().c.user_id).distinct().cte(
        "before")
    said = func.coalesce(User.gender, "") + "|" + func.coalesce(User.age_bracket, "")
    parts = union_all(
        select(literal("all").label("what"), literal("").label("value"),
               func.count().label("n")).select_from(people),
        select(literal("returning"), literal(""), func.count())
        .select_from(people.join(before, before.c.user_id == people.c.user_id)),
        select(literal("channel"), acts.c.channel, func.count(func.distinct(acts.c.user_id)))
        .group_by(acts.c.channel),
        select(literal("month"), cast(acts.c.month, String),
               func.count(func.distinct(acts.c.user_id)))
        .where(acts.c.month.is_not(None)).group_by(acts.c.month),
        select(literal("profile"), said, func.count())
        .select_from(people.join(User, User.id == people.c.user_id)).group_by(said),
    )
    return {(what, str(value)): int(n) for what, value, n in db.execute(parts)}


def _accounts(db: Session, scope: Scope) -> tuple[int, int]:
    """(distinct accounts active in the scope, of whom active a year before)."""
    found = _memo(db, ("summary", scope), lambda: _summary(db, scope))
    return found.get(("all", ""), 0), found.get(("returning", ""), 0)


def participants(db: Session, scope: Scope) -> Table:
    """Distinct participants of the period: people with an account counted once across
    every part and channel, plus people without an account counted by their acts; of
    the accounts, those already active in the twelve months before the period (for a
    calendar year: the year before) and the others, new."""
    accounts, returning = _accounts(db, scope)
    anonymous = sum(_anonymous(db, scope).values())
    table = Table("participants", _l("Participants"),
                  _l("Les personnes qui ont participé pendant la période. Une personne qui a un "
                     "compte est comptée une seule fois, même si elle a participé souvent et de "
                     "plusieurs façons ; une personne sans compte est comptée à chaque "
                     "participation, car on ne peut pas la reconnaître d’une fois à l’autre. Les "
                     "comptes sont aussi séparés entre nouveaux et déjà actifs dans les douze mois "
                     "d’avant (pour une année entière : l’année d’avant)."), (
        Column("total", _l("Participants"), "people", _l("Comptes distincts et personnes "
                                                         "sans compte")),
        Column("accounts", _l("Avec un compte"), "people", _l("Comptes distincts")),
        Column("without_account", _l("Sans compte"), "people",
               _l("Personnes sans compte, comptées à chaque participation")),
        Column("new", _l("Nouveaux comptes"), "people",
               _l("Comptes actifs cette période et pas dans les douze mois d’avant")),
        Column("returning", _l("Déjà actifs l’an passé"), "people",
               _l("Comptes actifs cette période et dans les douze mois d’avant")),
    ))
    return table.with_rows([{"total": accounts + anonymous, "accounts": accounts,
                             "without_account": anonymous, "new": accounts - returning,
                             "returning": returning}])


CHANNEL_LABELS: dict[str, Any] = {
    "online": _l("En ligne"), "permanence": _l("À une permanence"),
    "paper": _l("Sur papier"), "event": _l("À un événement"),
}


def participants_by_channel(db: Session, scope: Scope) -> Table:
    """Participants by the channel they took part through: distinct accounts per channel
    (a person who used two channels is in both lines, once in the total), plus people
    without an account by their acts."""
    found = _memo(db, ("summary", scope), lambda: _summary(db, scope))
    per = {channel: n for (what, channel), n in found.items() if what == "channel"}
    accounts = _accounts(db, scope)[0]
    anonymous = _anonymous(db, scope)
    rows = []
    for channel in CHANNELS:
        without = anonymous.get((channel, None), 0)
        rows.append({"channel": channel, "label": CHANNEL_LABELS[channel],
                     "accounts": int(per.get(channel, 0)), "without_account": without,
                     "people": int(per.get(channel, 0)) + without})
    total = {"channel": "total", "label": _l("Total (chaque compte une fois)"),
             "accounts": accounts, "without_account": sum(anonymous.values()),
             "people": accounts + sum(anonymous.values())}
    return Table("participants_by_channel", _l("Participants par canal"),
                 _l("Les participants selon leur façon de participer : en ligne, à une permanence, "
                    "sur papier ou à un événement. Une personne avec un compte qui a participé de "
                    "deux façons est dans les deux lignes, mais une seule fois dans le total ; une "
                    "personne sans compte est comptée à chaque participation."), (
                     Column("label", _l("Canal"), "text"),
                     Column("accounts", _l("Avec un compte"), "people"),
                     Column("without_account", _l("Sans compte"), "people"),
                     Column("people", _l("Participants"), "people"),
                 ), rows, total)


def participation_by_month(db: Session, scope: Scope) -> Table:
    """Participants month by month: distinct accounts active in the month plus people
    without an account by their acts in the month (a person active in two months is
    in both)."""
    months = _months(scope)
    found = _memo(db, ("summary", scope), lambda: _summary(db, scope))
    per = {int(month): n for (what, month), n in found.items() if what == "month"}
    anonymous: dict[int, int] = {}
    for (_channel, month), count in _anonymous(db, scope, months).items():
        if month is not None:
            anonymous[month] = anonymous.get(month, 0) + count
    rows = [{"month": first.strftime("%Y-%m"), "accounts": int(per.get(i, 0)),
             "without_account": anonymous.get(i, 0),
             "people": int(per.get(i, 0)) + anonymous.get(i, 0)}
            for i, (first, _) in enumerate(months)]
    return Table("participation_by_month", _l("Participants par mois"),
                 _l("Les participants mois par mois. Une personne avec un compte est comptée une "
                    "fois dans chaque mois où elle a participé ; une personne sans compte est "
                    "comptée à chaque participation."), (
                     Column("month", _l("Mois"), "text"),
                     Column("accounts", _l("Avec un compte"), "people"),
                     Column("without_account", _l("Sans compte"), "people"),
                     Column("people", _l("Participants"), "people"),
                 ), rows)


GENDER_LABELS: dict[str, Any] = {"woman": _l("Femmes"), "man": _l("Hommes"),
                                 "other": _l("Autre"), "": _l("Non dit")}
AGE_LABELS: dict[str, Any] = {"under_18": _l("Moins de 18 ans"), "18_24": _l("18 à 24 ans"),
                              "25_39": _l("25 à 39 ans"), "40_54": _l("40 à 54 ans"),
                              "55_64": _l("55 à 64 ans"), "65_plus": _l("65 ans et plus"),
                              "": _l("Non dit")}


def _profiles(db: Session, scope: Scope) -> dict[tuple[str, str], int]:
    """Active accounts by (gender, age bracket) of their profile, "" when not said."""
    found = _memo(db, ("summary", scope), lambda: _summary(db, scope))
    profiles: dict[tuple[str, str], int] = {}
    for (what, value), n in found.items():
        if what == "profile":
            gender, _bar, age = value.partition("|")
            profiles[(gender, age)] = n
    return profiles


def _declared(db: Session, scope: Scope, dimension: str, values: Sequence[str]
              ) -> list[dict[str, Any]]:
    profiles = _profiles(db, scope)
    accounts: dict[str, int] = {}
    for (gender, age), count in profiles.items():
        value = gender if dimension == "gender" else age
        accounts[value] = accounts.get(value, 0) + count
    q = scope.quartier_id
    counted = dict(db.execute(
        select(AttendanceFigure.value, func.sum(AttendanceFigure.count))
        .join(Event, Event.id == AttendanceFigure.event_id)
        .where(AttendanceFigure.dimension == dimension, _in(Event.starts_at, scope),
               *([Event.quartier_id == q] if q else []))
        .group_by(AttendanceFigure.value)).all())
    return [{"value": v, "accounts": int(accounts.get(v, 0)),
             "event_counts": int(counted.get(v, 0)) if v else 0,
             "people": int(accounts.get(v, 0)) + (int(counted.get(v, 0)) if v else 0)}
            for v in [*values, ""]]


def _declared_table(key: str, title: Any, doc: str, rows: list[dict[str, Any]],
                    labels: dict[str, Any]) -> Table:
    for row in rows:
        row["label"] = labels[row["value"]]
    return Table(key, title, doc, (
        Column("label", title, "text"),
        Column("accounts", _l("Comptes qui l’ont dit"), "people",
               _l("Comptes actifs sur la période, selon leur profil")),
        Column("event_counts", _l("Comptés aux événements"), "people",
               _l("Chiffres notés à l’entrée des événements")),
        Column("people", _l("Total"), "people"),
    ), rows)


def participants_by_gender(db: Session, scope: Scope) -> Table:
    """Participants by gender, where they said it: active accounts by the gender of their
    profile, and the counts animators noted at events' doors (a person in both is
    counted twice). Published in totals of at least the secrecy threshold."""
    return _declared_table("participants_by_gender", _l("Participants par genre"),
                           _l("Les participants selon leur genre, quand ils l’ont dit : les "
                              "comptes actifs, d’après leur profil, et les chiffres notés à "
                              "l’entrée des événements (une personne présente dans les deux est "
                              "comptée deux fois). Les totaux ne sont publiés que s’ils atteignent "
                              "le seuil du secret statistique."),
                           _declared(db, scope, "gender", GENDERS),
                           GENDER_LABELS)


def participants_by_age(db: Session, scope: Scope) -> Table:
    """Participants by age bracket, where they said it: active accounts by the bracket
    of their profile, and the counts noted at events' doors (a person in both is
    counted twice). Published in totals of at least the secrecy threshold."""
    return _declared_table("participants_by_age", _l("Participants par âge"),
                           _l("Les participants selon leur tranche d’âge, quand ils l’ont dite : "
                              "les comptes actifs, d’après leur profil, et les chiffres notés à "
                              "l’entrée des événements (une personne présente dans les deux est "
                              "comptée deux fois). Les totaux ne sont publiés que s’ils atteignent "
                              "le seuil du secret statistique."),
                           _declared(db, scope, "age", AGE_BRACKETS),
                           AGE_LABELS)


# --- FPH -------------------------------------------------------------------------------

_LIVE_PROJECT = ~Project.status.in_([ProjectStatus.WITHDRAWN.value, ProjectStatus.MERGED.value])


def fph_rounds(db: Session, scope: Scope) -> Table:
    """Each FPH round whose vote ended in the period: the envelope, what the projects
    asked (all but withdrawn and merged ones), what was granted and spent for the funded
    projects, how many were funded, and how many people voted by channel (the register's
    lines: one per voter)."""
    q, o = scope.quartier_id, scope.orientation_id
    rounds = db.execute(
        select(Round.id, Round.title, Quartier.name, Fund.envelope_cents)
        .join(Fund, Fund.id == Round.fund_id).join(Quartier, Quartier.id == Fund.quartier_id)
        .where(_in(Round.vote_ends_at, scope), *([Fund.quartier_id == q] if q else []))
        .order_by(Quartier.name, Round.vote_ends_at, Round.id)).all()
    ids = [r[0] for r in rounds]
    money = {r[0]: r[1:] for r in db.execute(
        select(Project.round_id,
               func.coalesce(func.sum(case((_LIVE_PROJECT, Project.amount_cents), else_=0)), 0),
               func.coalesce(func.sum(case((Project.follow_up.is_not(None),
                                            Project.amount_cents), else_=0)), 0),
               func.count(Project.follow_up),
               func.coalesce(func.sum(Project.spent_cents), 0))
        .where(Project.round_id.in_(ids), *([Project.orientation_id == o] if o else []))
        .group_by(Project.round_id))}
    votes: dict[int, dict[str, int]] = {}
    for round_id, channel, count in db.execute(
            select(Participation.round_id, Participation.channel, func.count())
            .where(Participation.round_id.in_(ids))
            .group_by(Participation.round_id, Participation.channel)):
        by = votes.setdefault(round_id, {})
        name = VOTE_CHANNEL.get(channel, "online")
        by[name] = by.get(name, 0) + count
    rows: list[dict[str, Any]] = []
    for round_id, title, quartier, envelope in rounds:
        requested, granted, funded, spent = money.get(round_id, (0, 0, 0, 0))
        by = votes.get(round_id, {})
        rows.append({"_round": round_id, "quartier": quartier, "round": title,
                     "envelope": envelope,
                     "requested": int(requested), "granted": int(granted),
                     "funded": int(funded), "spent": int(spent),
                     "use": round(100 * granted / envelope, 1) if envelope else None,
                     "voters_online": by.get("online", 0),
                     "voters_permanence": by.get("permanence", 0),
                     "voters_paper": by.get("paper", 0), "voters": sum(by.values())})
    sums = ("envelope", "requested", "granted", "funded", "spent", "voters_online",
            "voters_permanence", "voters_paper", "voters")
    total: dict[str, Any] = {"quartier": _l("Total"), "round": ""}
    total.update({k: sum(r[k] for r in rows) for k in sums})
    total["use"] = (round(100 * total["granted"] / total["envelope"], 1)
                    if total["envelope"] else None)
    return Table("fph_rounds", _l("FPH : enveloppes et votes"),
                 _l("Chaque appel à projets du FPH dont le vote s’est terminé pendant la période : "
                    "l’enveloppe, le montant demandé par les projets (sauf ceux retirés ou "
                    "fusionnés), le montant accordé et le montant dépensé pour les projets "
                    "financés, combien ont été financés, et le nombre de votants en ligne, à une "
                    "permanence et sur papier. Chaque votant est compté une seule fois, d’après la "
                    "liste des votants."), (
        Column("quartier", _l("Quartier"), "text"),
        Column("round", _l("Appel à projets"), "text"),
        Column("envelope", _l("Enveloppe"), "money"),
        Column("requested", _l("Demandé"), "money", _l("Total des projets proposés")),
        Column("granted", _l("Accordé"), "money", _l("Total des projets financés")),
        Column("use", _l("Part de l’enveloppe"), "percent"),
        Column("funded", _l("Projets financés"), "int"),
        Column("spent", _l("Dépensé"), "money"),
        Column("voters_online", _l("Votants en ligne"), "people"),
        Column("voters_permanence", _l("Votants en permanence"), "people"),
        Column("voters_paper", _l("Votants sur papier"), "people"),
        Column("voters", _l("Votants"), "people"),
    ), rows, total if rows else None)


FOLLOW_UP_LABELS: dict[str, Any] = {
    "to_start": _l("À démarrer"), "in_progress": _l("En cours"), "done": _l("Réalisé"),
    "abandoned": _l("Abandonné"),
}


def fph_follow_up(db: Session, scope: Scope) -> Table:
    """Funded projects of the rounds whose vote ended in the period, by follow-up status:
    how many, the amount granted and the amount spent."""
    q, o = scope.quartier_id, scope.orientation_id
    found = {status: (count, granted, spent) for status, count, granted, spent in db.execute(
        select(Project.follow_up, func.count(), func.sum(Project.amount_cents),
               func.coalesce(func.sum(Project.spent_cents), 0))
        .join(Round, Round.id == Project.round_id).join(Fund, Fund.id == Round.fund_id)
        .where(Project.follow_up.is_not(None), _in(Round.vote_ends_at, scope),
               *([Fund.quartier_id == q] if q else []),
               *([Project.orientation_id == o] if o else []))
        .group_by(Project.follow_up))}
    rows = [{"status": s, "label": label, "projects": int(found.get(s, (0, 0, 0))[0]),
             "granted": int(found.get(s, (0, 0, 0))[1] or 0),
             "spent": int(found.get(s, (0, 0, 0))[2] or 0)}
            for s, label in FOLLOW_UP_LABELS.items()]
    total = {"status": "total", "label": _l("Total"),
             **{k: sum(r[k] for r in rows) for k in ("projects", "granted", "spent")}}
    return Table("fph_follow_up", _l("FPH : suivi des projets financés"),
                 _l("Les projets financés des appels à projets du FPH dont le vote s’est terminé "
                    "pendant la période, selon leur avancement : leur nombre, le montant accordé "
                    "et le montant dépensé."), (
                     Column("label", _l("Avancement"), "text"),
                     Column("projects", _l("Projets"), "int"),
                     Column("granted", _l("Accordé"), "money"),
                     Column("spent", _l("Dépensé"), "money"),
                 ), rows, total)


# --- Ideas -----------------------------------------------------------------------------


def _idea_filters(scope: Scope) -> list[Any]:
    q, o = scope.quartier_id, scope.orientation_id
    return [_in(Idea.created_at, scope), *([Idea.quartier_id == q] if q else []),
            *([Idea.orientation_id == o] if o else [])]


def _idea_counts(db: Session, scope: Scope, group: Any) -> list[Any]:
    published = Idea.moderation == State.PUBLISHED
    refused = Idea.moderation.in_([State.REJECTED, State.HIDDEN])
    return list(db.execute(
        select(group, func.count(), func.count().filter(published),
               func.count().filter(refused), func.count(Idea.responded_at))
        .where(*_idea_filters(scope)).group_by(group)))


def ideas_by_orientation(db: Session, scope: Scope) -> Table:
    """Ideas posted in the period by orientation of the contract: how many, published,
    rejected or hidden by moderation, answered by the project team, and the median
    number of days from posting to the answer."""
    names = dict(db.execute(select(Orientation.id, Orientation.name)
                            .order_by(Orientation.position, Orientation.id)).all())
    counts = {g: rest for g, *rest in _idea_counts(db, scope, Idea.orientation_id)}
    delay = _days(db, Idea.responded_at, Idea.created_at)
    medians = _middle(db, func.coalesce(Idea.orientation_id, 0), delay,
                      [*_idea_filters(scope), Idea.responded_at.is_not(None)])
    rows = []
    for oid, name in [*names.items(), (None, _l("Sans orientation"))]:
        if scope.orientation_id and oid != scope.orientation_id:
            continue
        posted, published, refused, answered = counts.get(oid, (0, 0, 0, 0))
        rows.append({"orientation": name, "posted": posted, "published": published,
                     "rejected": refused, "answered": answered,
                     "median_days": medians.get(oid or 0)})
    overall = _middle(db, literal(1), delay, [*_idea_filters(scope),
                                              Idea.responded_at.is_not(None)])
    total = {"orientation": _l("Total"),
             **{k: sum(r[k] for r in rows) for k in ("posted", "published", "rejected",
                                                      "answered")},
             "median_days": overall.get(1)}
    return Table("ideas_by_orientation", _l("Idées par orientation"),
                 _l("Les idées proposées pendant la période, par orientation du contrat de ville : "
                    "combien, combien publiées, combien refusées ou masquées par la modération, "
                    "combien ont reçu une réponse de l’équipe du contrat de ville. Le délai médian "
                    "de réponse est en jours : la moitié des réponses sont arrivées plus vite."), (
                     Column("orientation", _l("Orientation"), "text"),
                     Column("posted", _l("Proposées"), "int"),
                     Column("published", _l("Publiées"), "int"),
                     Column("rejected", _l("Refusées ou masquées"), "int"),
                     Column("answered", _l("Avec une réponse"), "int"),
                     Column("median_days", _l("Délai médian de réponse (jours)"), "days"),
                 ), rows, total)


def ideas_by_signatory(db: Session, scope: Scope) -> Table:
    """Ideas forwarded in the period to each signatory: how many, how many answered,
    how many answered after the date asked, how many still waiting past that date, and
    the median days from forwarding to the answer."""
    q, o = scope.quartier_id, scope.orientation_id
    filters = [_in(Forwarding.forwarded_at, scope), *([Idea.quartier_id == q] if q else []),
               *([Idea.orientation_id == o] if o else [])]
    today = clock.local_day(clock.now(), scope.timezone)
    answered = Forwarding.answered_at.is_not(None)
    late_answer = and_(answered, _day_of(db, Forwarding.answered_at) > Forwarding.due_on)
    counts = {sid: rest for sid, *rest in db.execute(
        select(Forwarding.signatory_id, func.count(), func.count().filter(answered),
               func.count().filter(late_answer),
               func.count().filter(and_(~answered, Forwarding.due_on < today)))
        .join(Idea, Idea.id == Forwarding.idea_id).where(*filters)
        .group_by(Forwarding.signatory_id))}
    medians = _middle(db, Forwarding.signatory_id,
                      _days(db, Forwarding.answered_at, Forwarding.forwarded_at),
                      [*filters, answered], joins=[(Idea, Idea.id == Forwarding.idea_id)])
    rows: list[dict[str, Any]] = []
    for sid, name in db.execute(select(Signatory.id, Signatory.name).order_by(Signatory.name)):
        forwarded, done, late, overdue = counts.get(sid, (0, 0, 0, 0))
        rows.append({"signatory": name, "forwarded": forwarded, "answered": done,
                     "answered_late": late, "overdue": overdue,
                     "median_days": medians.get(sid)})
    total: dict[str, Any] = {"signatory": _l("Total"), **{k: sum(r[k] for r in rows) for k in (
        "forwarded", "answered", "answered_late", "overdue")}, "median_days": None}
    return Table("ideas_by_signatory", _l("Idées transmises aux signataires"),
                 _l("Les idées transmises à chaque signataire pendant la période : combien, "
                    "combien ont reçu une réponse (dont combien après la date demandée) et combien "
                    "attendent encore alors que cette date est passée. Le délai médian va de "
                    "l’envoi à la réponse, en jours : la moitié des réponses sont arrivées plus "
                    "vite."), (
                     Column("signatory", _l("Signataire"), "text"),
                     Column("forwarded", _l("Transmises"), "int"),
                     Column("answered", _l("Répondues"), "int"),
                     Column("answered_late", _l("Répondues en retard"), "int"),
                     Column("overdue", _l("En retard, sans réponse"), "int"),
                     Column("median_days", _l("Délai médian (jours)"), "days"),
                 ), rows, total)


def _day_of(db: Session, moment: Any) -> ColumnElement[Any]:
    """The (UTC) day of a timestamp, comparable with a date column, in SQL."""
    if db.get_bind().dialect.name == "sqlite":
        return func.date(moment)
    return cast(moment, Date)


# --- Map -------------------------------------------------------------------------------


def points_by_category(db: Session, scope: Scope) -> Table:
    """Map points placed in the period by category, positive and negative, next to the
    same period a year before. Only published points count: one waiting for the conseil
    citoyen, or refused, is not a fact about the quartier yet."""
    q = scope.quartier_id
    before = scope.previous()
    now = _in(MapPoint.created_at, scope)
    then = _in(MapPoint.created_at, before)
    positive, negative = MapPoint.polarity == "positive", MapPoint.polarity == "negative"
    found = {cat: rest for cat, *rest in db.execute(
        select(MapPoint.category, func.count().filter(and_(now, positive)),
               func.count().filter(and_(now, negative)),
               func.count().filter(and_(then, positive)),
               func.count().filter(and_(then, negative)))
        .where(or_(now, then), MapPoint.moderation == State.PUBLISHED,
               *([MapPoint.quartier_id == q] if q else []))
        .group_by(MapPoint.category))}
    rows = []
    for category in CATEGORIES:
        pos, neg, pos_before, neg_before = found.get(category, (0, 0, 0, 0))
        rows.append({"category": category, "label": CATEGORY_LABELS[category],
                     "positive": pos, "negative": neg,
                     "positive_before": pos_before, "negative_before": neg_before,
                     "change": (pos + neg) - (pos_before + neg_before)})
    keys = ("positive", "negative", "positive_before", "negative_before", "change")
    total = {"category": "total", "label": _l("Total"),
             **{k: sum(r[k] for r in rows) for k in keys}}
    return Table("points_by_category", _l("Points de la carte par sujet"),
                 _l("Les points posés sur la carte pendant la période, par sujet, positifs et "
                    "négatifs, à côté de la même période un an plus tôt. Seuls les points publiés "
                    "comptent : un point qui attend la relecture du conseil citoyen, ou qui a été "
                    "refusé, n’est pas compté."), (
                     Column("label", _l("Sujet"), "text"),
                     Column("positive", _l("Points +"), "int"),
                     Column("negative", _l("Points −"), "int"),
                     Column("positive_before", _l("Points + l’an passé"), "int"),
                     Column("negative_before", _l("Points − l’an passé"), "int"),
                     Column("change", _l("Évolution"), "int",
                            _l("Points de la période moins ceux de l’an passé")),
                 ), rows, total)


# --- Events ----------------------------------------------------------------------------


def events_by_kind(db: Session, scope: Scope) -> Table:
    """Events that started in the period, by kind: how many took place and how many were
    cancelled, people signed up (confirmed places, party sizes added), people present
    (ticked and walk-ins), and the fill rate of the events that had a number of places
    (places taken / places offered)."""
    from civic.events.models import KINDS

    q = scope.quartier_id
    held = Event.cancelled_at.is_(None)
    found = {kind: rest for kind, *rest in db.execute(
        select(Event.kind, func.count().filter(held), func.count().filter(~held),
               func.coalesce(func.sum(case((held, Event.seats_taken), else_=0)), 0),
               func.coalesce(func.sum(case((held, Event.attendance), else_=0)), 0),
               func.coalesce(func.sum(case((and_(held, Event.capacity.is_not(None)),
                                             Event.seats_taken), else_=0)), 0),
               func.coalesce(func.sum(case((held, Event.capacity), else_=0)), 0))
        .where(Event.moderation == State.PUBLISHED, _in(Event.starts_at, scope),
               *([Event.quartier_id == q] if q else []))
        .group_by(Event.kind))}

    def rate(taken: int, offered: int) -> float | None:
        return round(100 * taken / offered, 1) if offered else None

    rows = []
    for kind in KINDS:
        events, cancelled, signed, present, taken, offered = found.get(kind, (0,) * 6)
        rows.append({"kind": kind, "label": KIND_LABELS[kind], "events": events,
                     "cancelled": cancelled,
                     "signed_up": int(signed), "present": int(present),
                     "fill_rate": rate(int(taken), int(offered)),
                     "_taken": int(taken), "_offered": int(offered)})
    total = {"kind": "total", "label": _l("Total"), **{k: sum(r[k] for r in rows) for k in (
        "events", "cancelled", "signed_up", "present", "_taken", "_offered")}}
    total["fill_rate"] = rate(total["_taken"], total["_offered"])
    for row in [*rows, total]:
        del row["_taken"], row["_offered"]
    return Table("events_by_kind", _l("Événements par type"),
                 _l("Les événements qui ont commencé pendant la période, par type : combien ont eu "
                    "lieu, combien ont été annulés, les inscrits (places confirmées, accompagnants "
                    "compris) et les présents (pointés sur la liste ou venus sans inscription). Le "
                    "taux de remplissage ne concerne que les événements à places limitées : places "
                    "prises sur places offertes."), (
        Column("label", _l("Type d’événement"), "text"),
        Column("events", _l("Événements"), "int"),
        Column("cancelled", _l("Annulés"), "int"),
        Column("signed_up", _l("Inscrits"), "people"),
        Column("present", _l("Présents"), "people"),
        Column("fill_rate", _l("Taux de remplissage"), "percent",
               _l("Places prises sur places offertes, pour les événements à places "
                  "limitées")),
    ), rows, total)


# --- Cooperative dashboard ------------------------------------------------------------


def commitments(db: Session, scope: Scope) -> Table:
    """What each signatory committed to, by orientation of the contract."""
    o = scope.orientation_id
    rows = [{"signatory": s, "orientation": name, "commitment": text}
            for s, name, text in db.execute(
                select(Signatory.name, Orientation.name, Commitment.text)
                .join(Signatory, Signatory.id == Commitment.signatory_id)
                .join(Orientation, Orientation.id == Commitment.orientation_id)
                .where(*([Commitment.orientation_id == o] if o else []))
                .order_by(Signatory.name, Orientation.position, Commitment.id))]
    return Table("commitments", _l("Engagements des signataires"),
                 _l("Ce à quoi chaque signataire s’est engagé, pour chaque orientation du contrat "
                    "de ville."), (
                     Column("signatory", _l("Signataire"), "text"),
                     Column("orientation", _l("Orientation"), "text"),
                     Column("commitment", _l("Engagement"), "text"),
                 ), rows)


FORWARDING_STATES: dict[str, Any] = {
    "answered": _l("Répondue"), "answered_late": _l("Répondue en retard"),
    "waiting": _l("En attente"), "late": _l("En retard"),
}


def forwardings(db: Session, scope: Scope) -> Table:
    """Every idea forwarded to a signatory in the period (an idea, or a map point turned
    into an idea): where, when, the date asked, the answer's date and delay, and where it
    stands (answered, answered late, waiting, late)."""
    q, o = scope.quartier_id, scope.orientation_id
    today = clock.local_day(clock.now(), scope.timezone)
    rows = []
    for name, title, quartier, forwarded, due, answered in db.execute(
            select(Signatory.name, Idea.title, Quartier.name, Forwarding.forwarded_at,
                   Forwarding.due_on, Forwarding.answered_at)
            .join(Idea, Idea.id == Forwarding.idea_id)
            .join(Signatory, Signatory.id == Forwarding.signatory_id)
            .join(Quartier, Quartier.id == Idea.quartier_id)
            .where(_in(Forwarding.forwarded_at, scope), *([Idea.quartier_id == q] if q else []),
                   *([Idea.orientation_id == o] if o else []))
            .order_by(Signatory.name, Forwarding.forwarded_at.desc()).limit(2000)):
        if answered is not None:
            state = "answered_late" if answered.date() > due else "answered"
        else:
            state = "late" if due < today else "waiting"
        rows.append({"signatory": name, "idea": title, "quartier": quartier,
                     "forwarded_on": clock.local_day(forwarded, scope.timezone).isoformat(),
                     "due_on": due.isoformat(),
                     "answered_on": answered.date().isoformat() if answered else "",
                     "delay_days": (answered - forwarded).days if answered else None,
                     "state": FORWARDING_STATES[state]})
    return Table("forwardings", _l("Idées transmises et réponses"),
                 _l("Chaque idée transmise à un signataire pendant la période (une idée, ou un "
                    "point de la carte devenu une idée) : le quartier, la date d’envoi, la date de "
                    "réponse demandée, la date et le délai de la réponse, et où elle en est "
                    "(répondue, répondue en retard, en attente, en retard)."), (
                     Column("signatory", _l("Signataire"), "text"),
                     Column("idea", _l("Idée"), "text"),
                     Column("quartier", _l("Quartier"), "text"),
                     Column("forwarded_on", _l("Transmise le"), "date"),
                     Column("due_on", _l("Réponse attendue le"), "date"),
                     Column("answered_on", _l("Répondue le"), "date"),
                     Column("delay_days", _l("Délai (jours)"), "days"),
                     Column("state", _l("Où en est-on"), "text"),
                 ), rows)


def signatory_events(db: Session, scope: Scope) -> Table:
    """Events the signatories organised in the period, with the people present."""
    q = scope.quartier_id
    rows = [{"signatory": name, "event": title,
             "date": clock.local_day(starts, scope.timezone).isoformat(),
             "present": present, "cancelled": cancelled is not None}
            for name, title, starts, present, cancelled in db.execute(
                select(Signatory.name, Event.title, Event.starts_at, Event.attendance,
                       Event.cancelled_at)
                .join(Signatory, Signatory.id == Event.signatory_id)
                .where(Event.moderation == State.PUBLISHED, _in(Event.starts_at, scope),
                       *([Event.quartier_id == q] if q else []))
                .order_by(Signatory.name, Event.starts_at).limit(2000))]
    return Table("signatory_events", _l("Événements organisés par les signataires"),
                 _l("Les événements organisés par les signataires pendant la période, avec le "
                    "nombre de présents."), (
                     Column("signatory", _l("Signataire"), "text"),
                     Column("event", _l("Événement"), "text"),
                     Column("date", _l("Date"), "date"),
                     Column("present", _l("Présents"), "people"),
                 ), rows)


#: The steering dashboard's tables, in the order the page shows them.
DASHBOARD = (participants, participants_by_channel, participation_by_month,
             participants_by_gender, participants_by_age, fph_rounds, fph_follow_up,
             ideas_by_orientation, ideas_by_signatory, points_by_category, events_by_kind)
COOPERATIVE = (commitments, forwardings, signatory_events, ideas_by_signatory)
#: Aggregates anyone may read once small cells are suppressed.
OPEN = (participants_by_channel, participants_by_gender, participants_by_age,
        ideas_by_orientation, points_by_category, events_by_kind, fph_rounds)
ALL = {f.__name__: f for f in (*DASHBOARD, commitments, forwardings, signatory_events)}


def funded_projects(db: Session, scope: Scope, *, limit: int = 15) -> list[dict[str, Any]]:
    """The funded projects of the rounds whose vote ended in the period, largest first
    (for the yearly report's short list)."""
    q, o = scope.quartier_id, scope.orientation_id
    return [{"title": title, "quartier": quartier, "amount": amount, "follow_up": follow_up,
             "label": FOLLOW_UP_LABELS.get(follow_up or "", "")}
            for title, quartier, amount, follow_up in db.execute(
                select(Project.title, Quartier.name, Project.amount_cents, Project.follow_up)
                .join(Round, Round.id == Project.round_id).join(Fund, Fund.id == Round.fund_id)
                .join(Quartier, Quartier.id == Fund.quartier_id)
                .where(Project.follow_up.is_not(None), _in(Round.vote_ends_at, scope),
                       *([Fund.quartier_id == q] if q else []),
                       *([Project.orientation_id == o] if o else []))
                .order_by(Project.amount_cents.desc(), Project.id).limit(limit))]
