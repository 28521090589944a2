"""What each resident chose to hear, asked by every mail about the topics of
``civic.outreach.topics``; and the verbs that change those choices.

``wants`` answers for one person, ``wants_many`` for the recipients of one mail in one
query, so that a mail to a thousand followers does not ask a thousand times. A mail
that leaves at once asks for "immediately"; the weekly digest reads the choices in bulk
(``civic.outreach.digest``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from civic.core.errors import RuleBroken
from civic.outreach import topics
from civic.outreach.models import Preference
from civic.outreach.topics import FREQUENCIES, IDEA_ANSWERS, IMMEDIATELY, NEVER, TOPICS

if TYPE_CHECKING:
    from civic.accounts.models import User


class PreferenceError(RuleBroken):
    """A choice of what to hear was refused."""


# --- Reading the choices --------------------------------------------------------------


def wants(user: Any, quartier_id: int | None, topic: str, *,
          db: Session | None = None) -> str:
    """"immediately", "weekly" or "never": what ``user`` chose to hear about ``topic``
    in that quartier, or the topic's default. Nobody without an address hears anything."""
    if user is None or not getattr(user, "email", None) or quartier_id is None:
        return NEVER
    if db is None:
        from civic.core.db import session

        db = session()
    return wants_many(db, [user.id], quartier_id, topic)[user.id]


def wants_many(db: Session, user_ids: Iterable[int], quartier_id: int, topic: str, *,
               default: str | None = None) -> dict[int, str]:
    """``wants`` for many accounts at once, in one query; ``default`` replaces the
    topic's own for those who chose nothing."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    stored = dict(db.execute(select(Preference.user_id, Preference.frequency).where(
        Preference.user_id.in_(ids), Preference.quartier_id == quartier_id,
        Preference.topic == topic)).all())
    fallback = default or topics.default(topic)
    return {i: stored.get(i, fallback) for i in ids}


def answer_audience(db: Session, idea: Any, followers: Collection[Any]) -> list[Any]:
    """Who hears at once of an answer to ``idea``: its followers (its author among them)
    unless they chose otherwise for its quartier, and those who supported it and chose
    "immediately" there. Two queries, whatever the number of people."""
    from civic.accounts.models import User
    from civic.ideas.models import Support

    chosen = wants_many(db, [u.id for u in followers], idea.quartier_id, IDEA_ANSWERS)
    audience = [u for u in followers if chosen.get(u.id) == IMMEDIATELY]
    known = {u.id for u in followers}
    supporters = db.scalars(
        select(User).join(Support, Support.user_id == User.id)
        .join(Preference, Preference.user_id == User.id)
        .where(Support.idea_id == idea.id, Preference.quartier_id == idea.quartier_id,
               Preference.topic == IDEA_ANSWERS, Preference.frequency == IMMEDIATELY,
               User.deleted_at.is_(None), User.email.is_not(None))
        .order_by(User.id))
    return audience + [u for u in supporters if u.id not in known]


def choices_of(db: Session, user: User) -> dict[int, dict[str, str]]:
    """The account's stored choices: quartier id → topic → frequency."""
    found: dict[int, dict[str, str]] = {}
    for row in db.scalars(select(Preference).where(Preference.user_id == user.id)):
        found.setdefault(row.quartier_id, {})[row.topic] = row.frequency
    return found


def shown_quartiers(user: User, stored: Mapping[int, Any], added: int | None) -> list[int]:
    """The quartiers of the preferences page, in order: the person's own quartier, those
    already chosen, then the one being added."""
    order: list[int] = []
    for quartier_id in (user.quartier_id, *sorted(stored), added):
        if quartier_id is not None and quartier_id not in order:
            order.append(quartier_id)
    return order


# --- Changing them --------------------------------------------------------------------


def save(db: Session, user: User, chosen: Mapping[tuple[int, str], str | None], *,
         quartier_ids: Collection[int], now: datetime) -> int:
    """Store the account's choices, ``(quartier id, topic) → frequency``, every one of
    them (an explicit choice equal to the default still counts: it says the person
    chose). ``quartier_ids``: the quartiers that exist. Returns how many changed."""
    for (quartier_id, topic), frequency in chosen.items():
        if quartier_id not in quartier_ids:
            raise PreferenceError("unknown_quartier", None)
        if topic not in TOPICS:
            raise PreferenceError("unknown_topic", None)
        if frequency not in FREQUENCIES:
            raise PreferenceError("unknown_frequency", f"q{quartier_id}_{topic}")
    stored = {(p.quartier_id, p.topic): p for p in db.scalars(
        select(Preference).where(Preference.user_id == user.id))}
    changed = 0
    for (quartier_id, topic), frequency in sorted(chosen.items()):
        row = stored.get((quartier_id, topic))
        if row is None:
            db.add(Preference(user_id=user.id, quartier_id=quartier_id, topic=topic,
                              frequency=frequency, updated_at=now))
            changed += 1
        elif row.frequency != frequency:
            row.frequency, row.updated_at = str(frequency), now
            changed += 1
    db.flush()
    return changed


def forget_quartier(db: Session, user: User, quartier_id: int) -> int:
    """The account's choices for a quartier go: its topics are back to their default."""
    done = db.execute(delete(Preference).where(Preference.user_id == user.id,
                                               Preference.quartier_id == quartier_id))
    db.flush()
    return int(getattr(done, "rowcount", 0))


def stop_news(db: Session, user: User, *, now: datetime) -> int:
    """One click in a news mail: every choice of the account becomes "never" (the
    answers to the ideas it follows still come, until it stops following them)."""
    done = db.execute(update(Preference).where(Preference.user_id == user.id,
                                               Preference.frequency != NEVER)
                      .values(frequency=NEVER, updated_at=now))
    db.flush()
    return int(getattr(done, "rowcount", 0))
