"""What events hold about a person, for their "my data" export and erasure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.accounts.services import register_personal_data
from civic.events import services
from civic.events.models import Event, Signup

if TYPE_CHECKING:
    from civic.accounts.models import User


def events_data(db: Session, user: User) -> dict[str, Any]:
    signups = db.scalars(select(Signup).where(Signup.user_id == user.id).order_by(Signup.id))
    proposed = db.scalars(select(Event).where(Event.author_id == user.id).order_by(Event.id))
    return {
        "signups": [{"event": s.event_id, "title": s.event.title, "name": s.name,
                     "email": s.email, "phone": s.phone, "party_size": s.party_size,
                     "childcare": s.childcare, "step_free": s.step_free,
                     "interpretation": s.interpretation, "status": s.status,
                     "present": s.present, "created_at": s.created_at.isoformat()}
                    for s in signups],
        "events_created": [{"id": e.id, "title": e.title, "moderation": e.moderation,
                            "starts_at": e.starts_at.isoformat()} for e in proposed],
    }


register_personal_data("events", events_data, erase=services.erase_person)
