"""Workshops of the evaluation: an event of kind « atelier » held for one evaluation
question, and what came out of it (conclusions, the head count, photos of the boards).

The committee attaches a workshop to a question and may detach it while nothing is
recorded; once the event has started, its animators (or the committee) record the
conclusions and the head count, correct them, add and remove photos. Every change is
audited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, selectinload

from civic.core import audit
from civic.core.errors import RuleBroken
from civic.evaluation.models import Evaluation, EvaluationQuestion, Workshop, WorkshopPhoto
from civic.events.models import Event
from civic.moderation.models import State
from civic.territory import queries as territory_queries
from civic.territory.models import Quartier

if TYPE_CHECKING:
    from civic.accounts.models import User

#: The kind of event a workshop is (``civic.events.models.KINDS``).
KIND = "workshop"
CONCLUSIONS_MAX = 5000
PARTICIPANTS_MAX = 10_000
CAPTION_MAX = 200
#: Photos of one workshop, at most.
PHOTOS_MAX = 6


class WorkshopError(RuleBroken):
    pass


def _whole_contract(db: Session, evaluation: Evaluation) -> bool:
    """Whether the evaluation is of the contract the site serves: its events without a
    quartier are that contract's."""
    current = territory_queries.current_contract(db)
    return current is not None and current.id == evaluation.contract_id


def _of_contract(db: Session, event: Event, evaluation: Evaluation) -> bool:
    """An event of the evaluation's contract: one of its quartiers', or one of the whole
    contract."""
    if event.quartier is None:
        return _whole_contract(db, evaluation)
    return event.quartier.contract_id == evaluation.contract_id


def attachable(db: Session, evaluation: Evaluation) -> list[Event]:
    """The workshop events that may be attached to a question of ``evaluation``:
    published, not cancelled, of its contract, attached to no question yet; the latest
    first."""
    of_contract: ColumnElement[bool] = Quartier.contract_id == evaluation.contract_id
    if _whole_contract(db, evaluation):
        of_contract = or_(of_contract, Event.quartier_id.is_(None))
    return list(db.scalars(
        select(Event).outerjoin(Quartier, Quartier.id == Event.quartier_id)
        .where(Event.kind == KIND, Event.moderation == State.PUBLISHED.value,
               Event.cancelled_at.is_(None), of_contract,
               ~select(Workshop.event_id).where(Workshop.event_id == Event.id).exists())
        .order_by(Event.starts_at.desc(), Event.id.desc())))


def attach(db: Session, question: EvaluationQuestion, event: Event | None, *,
           actor: User | None, now: datetime) -> Workshop:
    """Hold the workshop ``event`` for ``question``: a published event of kind
    « atelier » of the evaluation's contract, not cancelled, not already working on a
    question."""
    if (event is None or event.kind != KIND or event.moderation != State.PUBLISHED
            or not _of_contract(db, event, question.evaluation)):
        raise WorkshopError("not_a_workshop", "event_id")
    if event.cancelled_at is not None:
        raise WorkshopError("workshop_cancelled", "event_id")
    if db.get(Workshop, event.id) is not None:
        raise WorkshopError("workshop_taken", "event_id")
    workshop = Workshop(event_id=event.id, question_id=question.id, conclusions="")
    db.add(workshop)
    db.flush()
    audit.record(db, actor=actor, action="evaluation.workshop_attached",
                 target_type="workshop", target_id=event.id, now=now,
                 question_id=question.id, title=event.title)
    return workshop


def detach(db: Session, workshop: Workshop, *, actor: User | None, now: datetime) -> None:
    """The event no longer works on its question. Refused once conclusions or photos are
    recorded: what residents said would leave the evaluation with it."""
    if workshop.recorded_at is not None or workshop.photos:
        raise WorkshopError("workshop_recorded", None)
    audit.record(db, actor=actor, action="evaluation.workshop_detached",
                 target_type="workshop", target_id=workshop.event_id, now=now,
                 question_id=workshop.question_id, title=workshop.event.title)
    db.delete(workshop)
    db.flush()


def _check_held(workshop: Workshop, now: datetime) -> None:
    event = workshop.event
    if event.cancelled_at is not None:
        raise WorkshopError("workshop_cancelled", None)
    if now < event.starts_at:
        raise WorkshopError("workshop_not_started", None)


def record(db: Session, workshop: Workshop, conclusions: str, participants: int | None, *,
           actor: User | None, now: datetime) -> None:
    """The workshop's conclusions (required, at most ``CONCLUSIONS_MAX`` characters,
    trimmed) and how many took part (0 to ``PARTICIPANTS_MAX``, or not counted): the
    first time recorded, then corrected with what changed. Only once the event has
    started."""
    _check_held(workshop, now)
    text = "\n".join(line.rstrip() for line in (conclusions or "").strip().splitlines())
    if not text:
        raise WorkshopError("conclusions_required", "conclusions")
    if len(text) > CONCLUSIONS_MAX:
        raise WorkshopError("conclusions_too_long", "conclusions", max=CONCLUSIONS_MAX)
    if participants is not None and not 0 <= participants <= PARTICIPANTS_MAX:
        raise WorkshopError("participants_range", "participants", max=PARTICIPANTS_MAX)
    first = workshop.recorded_at is None
    changed = {name: [before, after] for name, before, after in (
        ("conclusions", workshop.conclusions, text),
        ("participants", workshop.participants, participants)) if before != after}
    workshop.conclusions, workshop.participants = text, participants
    workshop.recorded_by_id, workshop.recorded_at = getattr(actor, "id", None), now
    db.flush()
    if first:
        audit.record(db, actor=actor, action="evaluation.workshop_recorded",
                     target_type="workshop", target_id=workshop.event_id, now=now,
                     conclusions=text, participants=participants)
    elif changed:
        audit.record(db, actor=actor, action="evaluation.workshop_corrected",
                     target_type="workshop", target_id=workshop.event_id, now=now,
                     changed=changed)


def add_photo(db: Session, workshop: Workshop, data: bytes, caption: str, *,
              store: Callable[[bytes], str], actor: User | None, now: datetime
              ) -> WorkshopPhoto:
    """A photo of the boards (``data``: a JPEG already re-encoded without EXIF) with what
    it shows, for those who cannot see it. The rules are checked before ``store`` keeps
    the file, so a refused photo is never stored; at most ``PHOTOS_MAX`` a workshop,
    counted under a lock of the workshop so that two uploads at once cannot pass it."""
    _check_held(workshop, now)
    caption = " ".join((caption or "").split())
    if not caption:
        raise WorkshopError("caption_required", "caption")
    if len(caption) > CAPTION_MAX:
        raise WorkshopError("caption_too_long", "caption", max=CAPTION_MAX)
    db.execute(select(Workshop.event_id).where(Workshop.event_id == workshop.event_id)
               .with_for_update())
    count = db.scalar(select(func.count()).select_from(WorkshopPhoto)
                      .where(WorkshopPhoto.event_id == workshop.event_id)) or 0
    if count >= PHOTOS_MAX:
        raise WorkshopError("too_many_photos", "photo", max=PHOTOS_MAX)
    photo = WorkshopPhoto(event_id=workshop.event_id, photo=store(data), caption=caption,
                          created_at=now)
    db.add(photo)
    db.flush()
    db.refresh(workshop, ["photos"])
    audit.record(db, actor=actor, action="evaluation.workshop_photo_added",
                 target_type="workshop", target_id=workshop.event_id, now=now,
                 caption=caption)
    return photo


def remove_photo(db: Session, photo: WorkshopPhoto, *, actor: User | None,
                 now: datetime) -> None:
    """The photo leaves the workshop; the store removes its file at the commit."""
    workshop = photo.workshop
    audit.record(db, actor=actor, action="evaluation.workshop_photo_removed",
                 target_type="workshop", target_id=photo.event_id, now=now,
                 caption=photo.caption)
    db.delete(photo)
    db.flush()
    db.refresh(workshop, ["photos"])


# --- Reading -----------------------------------------------------------------------------


def of_question(db: Session, question: EvaluationQuestion) -> list[Workshop]:
    """The workshops of one question, in the order they are held."""
    return list(db.scalars(
        select(Workshop).join(Event, Event.id == Workshop.event_id)
        .where(Workshop.question_id == question.id)
        .options(selectinload(Workshop.photos))
        .order_by(Event.starts_at, Event.id)))


def by_question(db: Session, evaluation: Evaluation) -> dict[int, list[Workshop]]:
    """What the evaluation's public page shows under each question: the workshops of
    published, not cancelled events, in the order they are held, with their photos; two
    queries whatever their number."""
    found: dict[int, list[Workshop]] = {}
    for workshop in db.scalars(
            select(Workshop).join(Event, Event.id == Workshop.event_id)
            .join(EvaluationQuestion, EvaluationQuestion.id == Workshop.question_id)
            .where(EvaluationQuestion.evaluation_id == evaluation.id,
                   Event.moderation == State.PUBLISHED.value, Event.cancelled_at.is_(None))
            .options(selectinload(Workshop.photos))
            .order_by(Event.starts_at, Event.id)):
        found.setdefault(workshop.question_id, []).append(workshop)
    return found


def of_event(db: Session, event: Any) -> Workshop | None:
    """The workshop an event is held as, if it is one."""
    return db.get(Workshop, event.id) if event is not None else None
