"""The idea box: ideas by orientation of the contract, and the ideas forwarded to each
signatory with their answers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, literal, select
from sqlalchemy.orm import Session

from civic.core import clock
from civic.core.i18n import _l
from civic.ideas.models import Forwarding, Idea
from civic.moderation.models import State
from civic.pilotage.indicators.common import _day_of, _days, _in, _middle
from civic.pilotage.scope import Scope
from civic.pilotage.tables import Column, Rows, indicator
from civic.territory.models import Orientation, Signatory


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


@indicator(
    "ideas_by_orientation", _l("Idées par orientation"),
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
    ), audience="open")
def ideas_by_orientation(db: Session, scope: Scope) -> Rows:
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
    return rows, total


@indicator(
    "ideas_by_signatory", _l("Idées transmises aux signataires"),
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
    ), audience="cooperative")
def ideas_by_signatory(db: Session, scope: Scope) -> Rows:
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
    return rows, total
