"""Verbs of the quartier map: add a point, support it, turn it into an idea; walks and
landmarks."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from civic.core import audit
from civic.core.db import bump, delete_count, insert_once
from civic.core.errors import RuleBroken
from civic.ideas import services as ideas
from civic.ideas.models import Idea
from civic.map import geometry
from civic.map.models import CATEGORIES, Landmark, MapPoint, PointSupport, Polarity, Walk
from civic.moderation.models import State
from civic.moderation.services import initial_state

if TYPE_CHECKING:
    from civic.accounts.models import User

TEXT_MAX = 500


class MapError(RuleBroken):
    """A rule of the quartier map was broken."""


def _position(db: Session, quartier: Any, values: dict[str, Any]) -> tuple[float, float,
                                                                           int | None]:
    """(latitude, longitude, landmark id): a tap wins over a landmark."""
    lat, lon = values.get("latitude"), values.get("longitude")
    landmark_id = values.get("landmark_id")
    if lat is None or lon is None:
        landmark = db.get(Landmark, landmark_id) if landmark_id else None
        if landmark is None or landmark.quartier_id != quartier.id:
            raise MapError("position_required", "landmark_id")
        return landmark.latitude, landmark.longitude, landmark.id
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise MapError("position", "latitude")
    return lat, lon, None


def check_in_quartier(quartier: Any, lat: float, lon: float) -> None:
    if quartier.perimeter and not geometry.within(quartier.perimeter, lat, lon):
        raise MapError("outside", "latitude")


def add_point(db: Session, quartier: Any, values: dict[str, Any], *, author: Any,
              walk: Walk | None = None, now: datetime) -> MapPoint:
    """A resident's point waits for moderation (or not, as the quartier chose); a point
    an animator records during a walk is published at once."""
    if values.get("polarity") not in {p.value for p in Polarity}:
        raise MapError("polarity", "polarity")
    if values.get("category") not in CATEGORIES:
        raise MapError("category", "category")
    text = (values.get("text") or "").strip()
    if not text:
        raise MapError("required", "text")
    if len(text) > TEXT_MAX:
        raise MapError("too_long", "text")
    lat, lon, landmark_id = _position(db, quartier, values)
    check_in_quartier(quartier, lat, lon)
    if walk is not None and walk.quartier_id != quartier.id:
        raise MapError("walk")
    state = State.PUBLISHED if walk is not None else initial_state(quartier)
    point = MapPoint(quartier_id=quartier.id, author_id=getattr(author, "id", None),
                     polarity=values["polarity"], category=values["category"], text=text,
                     latitude=round(lat, 6), longitude=round(lon, 6), landmark_id=landmark_id,
                     walk_id=walk.id if walk else None, moderation=state.value,
                     moderated_at=now if state == State.PUBLISHED else None, created_at=now)
    db.add(point)
    db.flush()
    if walk is not None:
        audit.record(db, actor=author, action="map.walk_point", target_type="point",
                     target_id=point.id, now=now, walk=walk.id)
    return point


def set_photo(db: Session, point: MapPoint, photo: str | None) -> None:
    point.photo = photo
    db.flush()


def support(db: Session, point: MapPoint, user: User, *, now: datetime) -> bool:
    """« Moi aussi »: True when new; the count moves only with a row."""
    if point.moderation != State.PUBLISHED:
        raise MapError("not_published")
    if point.author_id == user.id:
        raise MapError("own_point")
    if not insert_once(db, PointSupport(point_id=point.id, user_id=user.id, created_at=now)):
        return False
    bump(db, point, "support_count", +1)
    return True


def withdraw_support(db: Session, point: MapPoint, user: User) -> bool:
    if not delete_count(db, delete(PointSupport).where(PointSupport.point_id == point.id,
                                                       PointSupport.user_id == user.id)):
        return False
    bump(db, point, "support_count", -1)
    return True


def to_idea(db: Session, point: MapPoint, title: str, *, actor: User, now: datetime) -> Idea:
    """Turn a published point into an idea of the idea box, which the project team then
    answers or forwards to a signatory like any idea; the point links to it."""
    if point.moderation != State.PUBLISHED:
        raise MapError("not_published")
    if point.idea_id is not None:
        raise MapError("already_idea")
    title = " ".join(title.split())
    if not title:
        raise MapError("required", "title")
    try:
        idea = ideas.post(db, point.quartier, {
            "title": title, "body": point.text, "orientation_id": None,
            "latitude": point.latitude, "longitude": point.longitude,
            "place": point.landmark.name if point.landmark else "",
            "author_name": "" if point.author_id else "—"},
            author=point.author, now=now)
    except ideas.IdeaError as error:
        raise MapError(error.code, "title") from error
    idea.photo = point.photo
    idea.moderation, idea.moderated_at, idea.moderated_by_id = (
        State.PUBLISHED.value, now, actor.id)
    point.idea_id = idea.id
    db.flush()
    audit.record(db, actor=actor, action="map.to_idea", target_type="point",
                 target_id=point.id, now=now, idea=idea.id)
    return idea


# --- Walks ----------------------------------------------------------------------------


def save_walk(db: Session, quartier: Any, walk: Walk | None, values: dict[str, Any], *,
              actor: User, now: datetime) -> Walk:
    for name in ("title", "meeting_point"):
        if not (values.get(name) or "").strip():
            raise MapError("required", name)
    if values.get("participants") is not None and not 0 <= values["participants"] <= 10_000:
        raise MapError("participants", "participants")
    values = {**values, "participants": values.get("participants") or 0}
    if walk is None:
        walk = Walk(quartier_id=quartier.id, animator_id=actor.id, created_at=now, **values)
        db.add(walk)
        db.flush()
        audit.record(db, actor=actor, action="map.walk_created", target_type="walk",
                     target_id=walk.id, now=now)
        return walk
    changed = audit.changes(walk, values)
    db.flush()
    if changed:
        audit.record(db, actor=actor, action="map.walk_updated", target_type="walk",
                     target_id=walk.id, now=now, changed={k: [str(v) for v in pair]
                                                          for k, pair in changed.items()})
    return walk


# --- Landmarks ------------------------------------------------------------------------


def add_landmark(db: Session, quartier: Any, name: str, lat: float, lon: float, *,
                 actor: User | None, now: datetime) -> Landmark:
    name = " ".join(name.split())
    if not name:
        raise MapError("required", "name")
    check_in_quartier(quartier, lat, lon)
    landmark = Landmark(quartier_id=quartier.id, name=name, latitude=round(lat, 6),
                        longitude=round(lon, 6))
    db.add(landmark)
    db.flush()
    audit.record(db, actor=actor, action="map.landmark_added", target_type="landmark",
                 target_id=landmark.id, now=now, name=name)
    return landmark


def remove_landmark(db: Session, landmark: Landmark, *, actor: User | None, now: datetime) -> None:
    audit.record(db, actor=actor, action="map.landmark_removed", target_type="landmark",
                 target_id=landmark.id, now=now, name=landmark.name)
    db.delete(landmark)
    db.flush()
