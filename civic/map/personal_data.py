"""What the map holds about a person, for their "my data" export and erasure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.accounts.services import register_personal_data
from civic.map.models import MapPoint, PointSupport

if TYPE_CHECKING:
    from civic.accounts.models import User


def map_data(db: Session, user: User) -> dict[str, Any]:
    points = db.scalars(select(MapPoint).where(MapPoint.author_id == user.id)
                        .order_by(MapPoint.id))
    supported = db.scalars(select(PointSupport.point_id).where(PointSupport.user_id == user.id)
                           .order_by(PointSupport.point_id))
    return {
        "points": [{"id": p.id, "polarity": p.polarity, "category": p.category,
                    "text": p.text, "latitude": p.latitude, "longitude": p.longitude,
                    "photo": p.photo, "moderation": p.moderation,
                    "created_at": p.created_at.isoformat()} for p in points],
        "supported_points": list(supported),
    }


register_personal_data("map", map_data)
