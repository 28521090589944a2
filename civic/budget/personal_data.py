"""What the FPH holds about a person, for their "my data" export.

The register says in which rounds the person voted, by which channel and on which day;
what they chose is not theirs to export because it is nobody's: ballots carry no name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.accounts.services import register_personal_data
from civic.budget.models import (
    Participation,
    Project,
    ProjectUpdate,
    RememberedDeclaration,
    Round,
)

if TYPE_CHECKING:
    from civic.accounts.models import User


def fph_data(db: Session, user: User) -> dict[str, Any]:
    projects = db.scalars(select(Project).where(Project.author_id == user.id)
                          .order_by(Project.id))
    votes = db.execute(select(Round.title, Participation.channel, Participation.voted_on)
                       .join(Round, Round.id == Participation.round_id)
                       .where(Participation.user_id == user.id).order_by(Round.id))
    updates = db.scalars(select(ProjectUpdate).where(ProjectUpdate.author_id == user.id)
                         .order_by(ProjectUpdate.id))
    kept = db.get(RememberedDeclaration, user.id)
    return {
        "remembered_declaration": {
            "quartier_id": kept.quartier_id, "name": kept.name,
            "birth_date": kept.birth_date.isoformat(), "saved_at": kept.saved_at.isoformat(),
        } if kept is not None else None,
        "projects": [{"title": p.title, "summary": p.summary, "description": p.description,
                      "amount_cents": p.amount_cents, "budget_lines": p.budget_lines,
                      "carrier_name": p.carrier_name, "contact": p.contact,
                      "place": p.place, "status": p.status,
                      "created_at": p.created_at.isoformat()} for p in projects],
        "votes": [{"round": title, "channel": channel, "day": day.isoformat(),
                   "choices": None} for title, channel, day in votes],
        "project_news": [{"project_id": u.project_id, "text": u.text,
                          "at": u.at.isoformat()} for u in updates],
    }


def erase_fph_data(db: Session, user: User) -> None:
    """Projects stay (they were public or under review); how to reach their author goes,
    and so does a declaration remembered for voting."""
    for project in db.scalars(select(Project).where(Project.author_id == user.id)):
        project.contact = ""
    kept = db.get(RememberedDeclaration, user.id)
    if kept is not None:
        db.delete(kept)
    db.flush()


register_personal_data("fph", fph_data, erase=erase_fph_data)
