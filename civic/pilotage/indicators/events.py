"""Events: how many by kind, with the people signed up and present, and the events the
signatories organised."""

from __future__ import annotations

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from civic.core import clock
from civic.core.i18n import _l
from civic.events.labels import KINDS as KIND_LABELS
from civic.events.models import Event
from civic.moderation.models import State
from civic.pilotage.indicators.common import _in
from civic.pilotage.scope import Scope
from civic.pilotage.tables import Column, Rows, indicator
from civic.territory.models import Signatory


def _rate(taken: int, offered: int) -> float | None:
    """Places taken out of places offered, in percent, or None without places."""
    return round(100 * taken / offered, 1) if offered else None


@indicator(
    "events_by_kind", _l("Événements par type"),
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
    ), audience="open")
def events_by_kind(db: Session, scope: Scope) -> Rows:
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
    rows = []
    for kind in KINDS:
        events, cancelled, signed, present, taken, offered = found.get(kind, (0,) * 6)
        rows.append({"kind": kind, "label": KIND_LABELS[kind], "events": events,
                     "cancelled": cancelled,
                     "signed_up": int(signed), "present": int(present),
                     "fill_rate": _rate(int(taken), int(offered)),
                     "_taken": int(taken), "_offered": int(offered)})
    total = {"kind": "total", "label": _l("Total"), **{k: sum(r[k] for r in rows) for k in (
        "events", "cancelled", "signed_up", "present", "_taken", "_offered")}}
    total["fill_rate"] = _rate(total["_taken"], total["_offered"])
    for row in [*rows, total]:
        del row["_taken"], row["_offered"]
    return rows, total


@indicator(
    "signatory_events", _l("Événements organisés par les signataires"),
    _l("Les événements organisés par les signataires pendant la période, avec le "
       "nombre de présents."), (
        Column("signatory", _l("Signataire"), "text"),
        Column("event", _l("Événement"), "text"),
        Column("date", _l("Date"), "date"),
        Column("present", _l("Présents"), "people"),
    ), audience="cooperative")
def signatory_events(db: Session, scope: Scope) -> Rows:
    """Events the signatories organised in the period, with the people present."""
    q = scope.quartier_id
    return [{"signatory": name, "event": title,
             "date": clock.local_day(starts, scope.timezone).isoformat(),
             "present": present, "cancelled": cancelled is not None}
            for name, title, starts, present, cancelled in db.execute(
                select(Signatory.name, Event.title, Event.starts_at, Event.attendance,
                       Event.cancelled_at)
                .join(Signatory, Signatory.id == Event.signatory_id)
                .where(Event.moderation == State.PUBLISHED, _in(Event.starts_at, scope),
                       *([Event.quartier_id == q] if q else []))
                .order_by(Signatory.name, Event.starts_at).limit(2000))], None
