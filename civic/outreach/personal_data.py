"""What the chosen mail holds about a person, for their "my data" export and erasure:
the choices of what to hear, the log of the news mails sent, and the quartiers' letters
asked for with the account's address."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from civic.accounts.services import register_personal_data
from civic.outreach.models import LetterSubscription, NewsSent, Preference

if TYPE_CHECKING:
    from civic.accounts.models import User


def mail_data(db: Session, user: User) -> dict[str, Any]:
    choices = db.scalars(select(Preference).where(Preference.user_id == user.id)
                         .order_by(Preference.quartier_id, Preference.topic))
    sent = db.scalars(select(NewsSent).where(NewsSent.user_id == user.id)
                      .order_by(NewsSent.period_start))
    letters: list[LetterSubscription] = list(db.scalars(select(LetterSubscription).where(
        LetterSubscription.email == user.email.lower()).order_by(LetterSubscription.id))
    ) if user.email else []
    return {
        "choices": [{"quartier": p.quartier.code, "topic": p.topic,
                     "frequency": p.frequency, "updated_at": p.updated_at.isoformat()}
                    for p in choices],
        "news_sent": [{"cadence": s.cadence, "period_start": s.period_start.isoformat(),
                       "sent_at": s.sent_at.isoformat()} for s in sent],
        "letters": [{"quartier": s.quartier.code, "email": s.email, "language": s.language,
                     "asked_at": s.asked_at.isoformat(),
                     "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None}
                    for s in letters],
    }


def erase_mail_data(db: Session, user: User) -> None:
    """The choices and the log go with the account. A quartier's letter was asked for
    without an account and leaves from its own link in every letter."""
    db.execute(delete(Preference).where(Preference.user_id == user.id))
    db.execute(delete(NewsSent).where(NewsSent.user_id == user.id))
    db.flush()


register_personal_data("mail", mail_data, erase=erase_mail_data)
