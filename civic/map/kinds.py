"""Map points in the moderation queue."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.core.i18n import _
from civic.map.labels import CATEGORIES, SIGNS
from civic.map.models import MapPoint
from civic.moderation.models import State
from civic.moderation.registry import Item, Kind, register


class PointKind(Kind):
    name = "point"
    has_title = False

    def label(self) -> str:
        return _("Point de la carte")

    def pending(self, db: Session, quartier_ids: Collection[int], now: datetime) -> list[Any]:
        return list(db.scalars(select(MapPoint).where(
            MapPoint.moderation == State.PENDING, MapPoint.quartier_id.in_(list(quartier_ids)))
            .order_by(MapPoint.created_at, MapPoint.id)))

    def load(self, db: Session, ids: Iterable[int]) -> list[Any]:
        return list(db.scalars(select(MapPoint).where(MapPoint.id.in_(list(ids)))))

    def describe(self, obj: MapPoint) -> Item:
        return Item(kind=self.name, id=obj.id, quartier_id=obj.quartier_id,
                    title=f"{SIGNS[obj.polarity]} · {CATEGORIES[obj.category]}", text=obj.text,
                    author_id=obj.author_id,
                    author_name=obj.author.display_name if obj.author else "",
                    created_at=obj.created_at, state=obj.moderation, photo=obj.photo,
                    reason=obj.moderation_reason)

    def url(self, obj: MapPoint) -> str:
        return url_for("map.point", point_id=obj.id)


register(PointKind())
