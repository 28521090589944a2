"""Who took part: participants, by channel, by month, by gender and by age.

Who counts as a participant:

- **With an account**, a person is counted once however many things they did and by
  whatever channel: an online vote (the register's line carries the account), an idea,
  a comment, a support, a map point (during a walk: channel "event"), a « moi aussi »,
  being ticked present at an event, an answer to an evaluation survey online.
- **Without an account**, people cannot be recognised from one act to the next, so each
  act counts as one person: a vote at a permanence's kiosk, on paper or with a printed
  code without an account; an idea typed by an animator for a named person; a person
  present at an event who was not ticked under an account (walk-ins, guests, and
  everyone present at an event whose names were deleted after it); an answer to a
  survey without an account (on the tablet of a permanence: channel "permanence"; on
  paper; through a poster's link or QR code: channel "online").

The orientation never narrows these tables: it tags projects and ideas, not people.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import String, cast, func, literal, null, select, union_all
from sqlalchemy.orm import Session

from civic.accounts.models import AGE_BRACKETS, GENDERS, User
from civic.core.i18n import _l
from civic.events.models import AttendanceFigure, Event
from civic.pilotage import figures
from civic.pilotage.indicators.common import CHANNELS, _in, _memo, _months
from civic.pilotage.models import ParticipationDay as Day
from civic.pilotage.scope import Scope
from civic.pilotage.tables import Column, Rows, indicator

# --- The counts the tables share -------------------------------------------------------
# They read the daily figures (``civic.pilotage.figures``), computed from the acts above.


def _days(scope: Scope) -> list[Any]:
    """The daily figures' rows of the scope's days and quartier."""
    q = scope.quartier_id
    return [Day.day >= scope.first_day, Day.day <= scope.last_day,
            *([Day.quartier_id == q] if q else [])]


def _month_index(scope: Scope) -> dict[date, int]:
    """The first day of each calendar month of the period → its index in ``_months``."""
    return {first.replace(day=1): i for i, (first, _) in enumerate(_months(scope))}


def _anonymous(db: Session, scope: Scope, months: Sequence[tuple[date, date]] | None = None
               ) -> dict[tuple[str, int | None], int]:
    """People counted by their act (no account): {(channel, month or None): count}."""
    if months is None:
        return dict(_memo(db, ("anonymous", scope), lambda: _count_anonymous(db, scope)))
    return _count_anonymous(db, scope, by_month=True)


def _count_anonymous(db: Session, scope: Scope, *, by_month: bool = False
                     ) -> dict[tuple[str, int | None], int]:
    figures.settle(db)
    index = _month_index(scope)
    found: dict[tuple[str, int | None], int] = {}
    for channel, month, count in db.execute(
            select(Day.channel, Day.month if by_month else null(), func.sum(Day.acts))
            .where(Day.user_id.is_(None), *_days(scope))
            .group_by(Day.channel, *([Day.month] if by_month else []))):
        key = (channel, index.get(_as_date(month)) if by_month else None)
        found[key] = found.get(key, 0) + int(count or 0)
    return found


def _as_date(value: Any) -> date:
    """A date column read back (SQLite may give its text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _summary(db: Session, scope: Scope) -> dict[tuple[str, str], int]:
    """Every count of distinct accounts the participation tables need, in one query
    on the daily figures: in all, already active a year before, by channel, by month,
    by (gender, age bracket) of the profile."""
    figures.settle(db)
    acts = select(Day.user_id, Day.channel, Day.month).where(
        Day.user_id.is_not(None), *_days(scope)).cte("acts")
    people = select(acts.c.user_id).distinct().cte("people")
    # IN, not a join: both engines then build the set once (a join of two DISTINCT
    # subqueries made SQLite scan one for each row of the other).
    before = select(Day.user_id).where(Day.user_id.is_not(None), *_days(scope.year_before()))
    said = func.coalesce(User.gender, "") + "|" + func.coalesce(User.age_bracket, "")
    parts = union_all(
        select(literal("all").label("what"), literal("").label("value"),
               func.count().label("n")).select_from(people),
        select(literal("returning"), literal(""), func.count())
        .select_from(people).where(people.c.user_id.in_(before)),
        select(literal("channel"), acts.c.channel, func.count(func.distinct(acts.c.user_id)))
        .group_by(acts.c.channel),
        select(literal("month"), cast(acts.c.month, String),
               func.count(func.distinct(acts.c.user_id)))
        .group_by(acts.c.month),
        select(literal("profile"), said, func.count())
        .select_from(people.join(User, User.id == people.c.user_id)).group_by(said),
    )
    index = _month_index(scope)
    found: dict[tuple[str, str], int] = {}
    for what, value, n in db.execute(parts):
        if what == "month":
            value = str(index[_as_date(value)])
        found[(what, str(value))] = int(n)
    return found


def _summary_of(db: Session, scope: Scope) -> dict[tuple[str, str], int]:
    """``_summary``, computed once for the tables of a page."""
    found: dict[tuple[str, str], int] = _memo(db, ("summary", scope),
                                               lambda: _summary(db, scope))
    return found


def _accounts(db: Session, scope: Scope) -> tuple[int, int]:
    """(distinct accounts active in the scope, of whom active a year before)."""
    found = _summary_of(db, scope)
    return found.get(("all", ""), 0), found.get(("returning", ""), 0)


# --- Participants ----------------------------------------------------------------------


@indicator(
    "participants", _l("Participants"),
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
    ), audience="dashboard")
def participants(db: Session, scope: Scope) -> Rows:
    """Distinct participants of the period: people with an account counted once across
    every part and channel, plus people without an account counted by their acts; of
    the accounts, those already active in the twelve months before the period (for a
    calendar year: the year before) and the others, new."""
    accounts, returning = _accounts(db, scope)
    anonymous = sum(_anonymous(db, scope).values())
    return [{"total": accounts + anonymous, "accounts": accounts,
             "without_account": anonymous, "new": accounts - returning,
             "returning": returning}], None


CHANNEL_LABELS: dict[str, Any] = {
    "online": _l("En ligne"), "permanence": _l("À une permanence"),
    "paper": _l("Sur papier"), "event": _l("À un événement"),
}


@indicator(
    "participants_by_channel", _l("Participants par canal"),
    _l("Les participants selon leur façon de participer : en ligne, à une permanence, "
       "sur papier ou à un événement. Une personne avec un compte qui a participé de "
       "deux façons est dans les deux lignes, mais une seule fois dans le total ; une "
       "personne sans compte est comptée à chaque participation."), (
        Column("label", _l("Canal"), "text"),
        Column("accounts", _l("Avec un compte"), "people"),
        Column("without_account", _l("Sans compte"), "people"),
        Column("people", _l("Participants"), "people"),
    ), audience="open")
def participants_by_channel(db: Session, scope: Scope) -> Rows:
    """Participants by the channel they took part through: distinct accounts per channel
    (a person who used two channels is in both lines, once in the total), plus people
    without an account by their acts."""
    found = _summary_of(db, scope)
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
    return rows, total


@indicator(
    "participation_by_month", _l("Participants par mois"),
    _l("Les participants mois par mois. Une personne avec un compte est comptée une "
       "fois dans chaque mois où elle a participé ; une personne sans compte est "
       "comptée à chaque participation."), (
        Column("month", _l("Mois"), "text"),
        Column("accounts", _l("Avec un compte"), "people"),
        Column("without_account", _l("Sans compte"), "people"),
        Column("people", _l("Participants"), "people"),
    ), audience="dashboard")
def participation_by_month(db: Session, scope: Scope) -> Rows:
    """Participants month by month: distinct accounts active in the month plus people
    without an account by their acts in the month (a person active in two months is
    in both)."""
    months = _months(scope)
    found = _summary_of(db, scope)
    per = {int(month): n for (what, month), n in found.items() if what == "month"}
    anonymous: dict[int, int] = {}
    for (_channel, month), count in _anonymous(db, scope, months).items():
        if month is not None:
            anonymous[month] = anonymous.get(month, 0) + count
    return [{"month": first.strftime("%Y-%m"), "accounts": int(per.get(i, 0)),
             "without_account": anonymous.get(i, 0),
             "people": int(per.get(i, 0)) + anonymous.get(i, 0)}
            for i, (first, _) in enumerate(months)], None


# --- Declared profiles -----------------------------------------------------------------

GENDER_LABELS: dict[str, Any] = {"woman": _l("Femmes"), "man": _l("Hommes"),
                                 "other": _l("Autre"), "": _l("Non dit")}
AGE_LABELS: dict[str, Any] = {"under_18": _l("Moins de 18 ans"), "18_24": _l("18 à 24 ans"),
                              "25_39": _l("25 à 39 ans"), "40_54": _l("40 à 54 ans"),
                              "55_64": _l("55 à 64 ans"), "65_plus": _l("65 ans et plus"),
                              "": _l("Non dit")}


def _profiles(db: Session, scope: Scope) -> dict[tuple[str, str], int]:
    """Active accounts by (gender, age bracket) of their profile, "" when not said."""
    profiles: dict[tuple[str, str], int] = {}
    for (what, value), n in _summary_of(db, scope).items():
        if what == "profile":
            gender, _bar, age = value.partition("|")
            profiles[(gender, age)] = n
    return profiles


def _declared(db: Session, scope: Scope, dimension: str, values: Sequence[str],
              labels: dict[str, Any]) -> Rows:
    """The rows of a table by a declared attribute (``dimension``: "gender" or "age"):
    active accounts by their profile, and the counts noted at events' doors."""
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
             "people": int(accounts.get(v, 0)) + (int(counted.get(v, 0)) if v else 0),
             "label": labels[v]}
            for v in [*values, ""]], None


def _declared_columns(title: Any) -> tuple[Column, ...]:
    """The columns of a table by a declared attribute, the first one named as the table."""
    return (
        Column("label", title, "text"),
        Column("accounts", _l("Comptes qui l’ont dit"), "people",
               _l("Comptes actifs sur la période, selon leur profil")),
        Column("event_counts", _l("Comptés aux événements"), "people",
               _l("Chiffres notés à l’entrée des événements")),
        Column("people", _l("Total"), "people"),
    )


@indicator(
    "participants_by_gender", _l("Participants par genre"),
    _l("Les participants selon leur genre, quand ils l’ont dit : les "
       "comptes actifs, d’après leur profil, et les chiffres notés à "
       "l’entrée des événements (une personne présente dans les deux est "
       "comptée deux fois). Les totaux ne sont publiés que s’ils atteignent "
       "le seuil du secret statistique."),
    _declared_columns(_l("Participants par genre")), audience="open")
def participants_by_gender(db: Session, scope: Scope) -> Rows:
    """Participants by gender, where they said it: active accounts by the gender of their
    profile, and the counts animators noted at events' doors (a person in both is
    counted twice). Published in totals of at least the secrecy threshold."""
    return _declared(db, scope, "gender", GENDERS, GENDER_LABELS)


@indicator(
    "participants_by_age", _l("Participants par âge"),
    _l("Les participants selon leur tranche d’âge, quand ils l’ont dite : "
       "les comptes actifs, d’après leur profil, et les chiffres notés à "
       "l’entrée des événements (une personne présente dans les deux est "
       "comptée deux fois). Les totaux ne sont publiés que s’ils atteignent "
       "le seuil du secret statistique."),
    _declared_columns(_l("Participants par âge")), audience="open")
def participants_by_age(db: Session, scope: Scope) -> Rows:
    """Participants by age bracket, where they said it: active accounts by the bracket
    of their profile, and the counts noted at events' doors (a person in both is
    counted twice). Published in totals of at least the secrecy threshold."""
    return _declared(db, scope, "age", AGE_BRACKETS, AGE_LABELS)
