"""Events proposed by residents or associations, in the moderation queue."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from flask import url_for
from flask_babel import format_datetime
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.core.i18n import _
from civic.events.models import Event
from civic.moderation.models import State
from civic.moderation.registry import Item, Kind, register


class EventKind(Kind):
    name = "event"

    def label(self) -> str:
        return _("Événement proposé")

    def pending(self, db: Session, quartier_ids: Collection[int], now: datetime) -> list[Any]:
        return list(db.scalars(select(Event).where(
            Event.moderation == State.PENDING, Event.quartier_id.in_(list(quartier_ids)))
            .order_by(Event.created_at, Event.id)))

    def load(self, db: Session, ids: Iterable[int]) -> list[Any]:
        return list(db.scalars(select(Event).where(Event.id.in_(list(ids)))))

    def describe(self, obj: Event) -> Item:
        when = format_datetime(obj.starts_at, "medium")
        return Item(kind=self.name, id=obj.id, quartier_id=obj.quartier_id or 0,
                    title=obj.title, text=f"{when} · {obj.place}\n{obj.description}",
                    author_id=obj.author_id,
                    author_name=obj.author.display_name if obj.author else "",
                    created_at=obj.created_at, state=obj.moderation,
                    original_title=obj.original_title, reason=obj.moderation_reason)

    def url(self, obj: Event) -> str:
        return url_for("events.event", event_id=obj.id)


register(EventKind())
