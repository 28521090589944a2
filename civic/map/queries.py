"""The read side of the map: points with filters, as rows light enough for 5 000 of
them, and the figures of a walk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from civic.map.models import Landmark, MapPoint, Walk
from civic.moderation.models import State

PERIODS = {"month": timedelta(days=31), "year": timedelta(days=366)}
PAGE_SIZE = 30


@dataclass(frozen=True)
class Filters:
    polarity: str = ""
    category: str = ""
    #: "", "month" or "year": how far back.
    period: str = ""
    page: int = 1


def _published(quartier_id: int, filters: Filters, now: datetime) -> Select[Any]:
    query = select(MapPoint).where(MapPoint.quartier_id == quartier_id,
                                   MapPoint.moderation == State.PUBLISHED)
    if filters.polarity:
        query = query.where(MapPoint.polarity == filters.polarity)
    if filters.category:
        query = query.where(MapPoint.category == filters.category)
    if filters.period in PERIODS:
        query = query.where(MapPoint.created_at >= now - PERIODS[filters.period])
    return query


def page(db: Session, quartier_id: int, filters: Filters, now: datetime
         ) -> tuple[list[MapPoint], bool]:
    """The list view: newest first, a page at a time, and whether more follow."""
    query = (_published(quartier_id, filters, now)
             .options(selectinload(MapPoint.landmark))
             .order_by(MapPoint.created_at.desc(), MapPoint.id.desc())
             .offset((max(filters.page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
    found = list(db.scalars(query))
    return found[:PAGE_SIZE], len(found) > PAGE_SIZE


_COLUMNS = (MapPoint.id, MapPoint.polarity, MapPoint.category, MapPoint.text,
            MapPoint.latitude, MapPoint.longitude, MapPoint.created_at,
            MapPoint.support_count, MapPoint.photo)


def rows(db: Session, quartier_id: int, filters: Filters, now: datetime,
         walk_id: int | None = None) -> list[dict[str, Any]]:
    """Plain rows of the published points (or of one walk's), without ORM objects."""
    query = _published(quartier_id, filters, now).with_only_columns(*_COLUMNS)
    if walk_id is not None:
        query = query.where(MapPoint.walk_id == walk_id)
    return [{"id": r.id, "polarity": r.polarity, "category": r.category, "text": r.text,
             "latitude": r.latitude, "longitude": r.longitude, "created_at": r.created_at,
             "supports": r.support_count, "photo": r.photo}
            for r in db.execute(query.order_by(MapPoint.id))]


def last_change(db: Session, quartier_id: int) -> tuple[int, int, datetime | None, int]:
    """What the points' ETag is made of: how many, the newest id, the latest decision,
    the sum of supports. A new point, a publication, a hiding or a support changes one."""
    row = db.execute(select(func.count(), func.coalesce(func.max(MapPoint.id), 0),
                            func.max(MapPoint.moderated_at),
                            func.coalesce(func.sum(MapPoint.support_count), 0))
                     .where(MapPoint.quartier_id == quartier_id,
                            MapPoint.moderation == State.PUBLISHED)).one()
    return int(row[0]), int(row[1]), row[2], int(row[3])


def landmarks(db: Session, quartier_id: int) -> list[Landmark]:
    return list(db.scalars(select(Landmark).where(Landmark.quartier_id == quartier_id)
                           .order_by(Landmark.name)))


def walks(db: Session, quartier_ids: set[int]) -> list[Walk]:
    return list(db.scalars(select(Walk).where(Walk.quartier_id.in_(quartier_ids))
                           .order_by(Walk.starts_at.desc())))


def walk_points(db: Session, walk: Walk) -> list[MapPoint]:
    return list(db.scalars(select(MapPoint).where(MapPoint.walk_id == walk.id)
                           .options(selectinload(MapPoint.landmark))
                           .order_by(MapPoint.created_at, MapPoint.id)))


def walk_counts(db: Session, walk: Walk) -> dict[tuple[str, str], int]:
    """{(category, polarity): points} of a walk, counted by the database."""
    return {(category, polarity): n for category, polarity, n in db.execute(
        select(MapPoint.category, MapPoint.polarity, func.count())
        .where(MapPoint.walk_id == walk.id, MapPoint.moderation == State.PUBLISHED)
        .group_by(MapPoint.category, MapPoint.polarity))}
