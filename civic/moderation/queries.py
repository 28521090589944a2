"""The read side of the queue: pending posts of every kind, and reported ones."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.moderation.models import Report, State
from civic.moderation.registry import Item, Kind, kinds
from civic.moderation.services import open_reports


@dataclass
class Entry:
    kind: Kind
    obj: Any
    item: Item
    reports: list[Report] = field(default_factory=list)

    @property
    def decision_url(self) -> str | None:
        return self.kind.decision_url(self.obj)

    @property
    def url(self) -> str:
        return self.kind.url(self.obj)

    @property
    def key(self) -> str:
        return f"{self.kind.name}:{self.item.id}"


@dataclass
class Queue:
    pending: list[Entry]
    reported: list[Entry]

    def __len__(self) -> int:
        return len(self.pending) + len(self.reported)


def queue(db: Session, quartier_ids: Collection[int], now: datetime) -> Queue:
    """Every kind's pending posts in these quartiers, oldest first, then the published
    posts that received reports, most reported first."""
    pending: list[Entry] = []
    for kind in kinds():
        objs = kind.pending(db, quartier_ids, now)
        reports = open_reports(db, kind.name, [o.id for o in objs])
        pending += [Entry(kind, o, kind.describe(o), reports.get(o.id, [])) for o in objs]
    pending.sort(key=lambda e: (e.item.created_at, e.kind.name, e.item.id))

    reported_ids: dict[str, list[int]] = defaultdict(list)
    for kind_name, item_id in db.execute(
            select(Report.kind, Report.item_id).where(Report.resolved_at.is_(None))
            .group_by(Report.kind, Report.item_id)):
        reported_ids[kind_name].append(item_id)
    reported: list[Entry] = []
    for kind in kinds():
        ids = reported_ids.get(kind.name)
        if not ids:
            continue
        reports = open_reports(db, kind.name, ids)
        for obj in kind.load(db, ids):
            item = kind.describe(obj)
            if item.quartier_id in quartier_ids and item.state == State.PUBLISHED:
                reported.append(Entry(kind, obj, item, reports.get(obj.id, [])))
    reported.sort(key=lambda e: (-len(e.reports), e.reports[0].created_at if e.reports else now))
    return Queue(pending, reported)
