"""The map: points placed by category, next to the same period a year before."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from civic.core.i18n import _l
from civic.map.labels import CATEGORIES as CATEGORY_LABELS
from civic.map.models import CATEGORIES, MapPoint
from civic.moderation.models import State
from civic.pilotage.indicators.common import _in
from civic.pilotage.scope import Scope
from civic.pilotage.tables import Column, Rows, indicator


@indicator(
    "points_by_category", _l("Points de la carte par sujet"),
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
    ), audience="open")
def points_by_category(db: Session, scope: Scope) -> Rows:
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
    return rows, total
