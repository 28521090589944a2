"""The read side of permanences."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.permanence.models import Permanence


def upcoming(db: Session, quartier_ids: Iterable[int], now: datetime) -> list[Permanence]:
    """Today's and coming permanences of these quartiers."""
    return list(db.scalars(select(Permanence).where(
        Permanence.quartier_id.in_(list(quartier_ids)),
        Permanence.ends_at >= now - timedelta(hours=12)).order_by(Permanence.starts_at)))
