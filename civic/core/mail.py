"""Outgoing mail, through an outbox.

``send`` never talks to a mail server: it writes the message as a row of
``outgoing_mails`` in the transaction of the change it announces. Once that transaction
is committed, delivery is asked for (``civic.core.jobs``): at once in the same process
in development, by the worker in production. A change that is rolled back leaves no
mail; a mail server that is down leaves the mails waiting, and each one is tried again
with a growing delay, then marked failed after ``MAIL_MAX_ATTEMPTS`` tries (pilots see
them on ``/admin/courriels`` and can send them again).

A mail is claimed by one deliverer at a time with a conditional UPDATE and a lease, so
two workers never send it twice; one that dies mid-send leaves it to be tried again once
the lease is over. Once sent, its text and address are deleted: the row keeps only what
the counts need.

Backends: ``outbox`` writes .eml files to ``MAIL_OUTBOX`` (development, tests); ``smtp``
sends with the ``MAIL_*`` settings, one connection per batch.
"""

from __future__ import annotations

import email.policy
import logging
import smtplib
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import Index, LargeBinary, String, Text, func, insert, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from civic.core import clock, jobs
from civic.core.db import Base, commit, session

log = logging.getLogger(__name__)

PENDING, SENT, FAILED = "pending", "sent", "failed"

#: Mails read from the outbox at a time.
BATCH = 200

#: How long a deliverer may hold a mail before another one may try it.
LEASE = timedelta(minutes=5)

#: Errors that say the server cannot be reached at all: stop the batch, try later.
UNREACHABLE = (OSError, smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected,
               smtplib.SMTPHeloError, smtplib.SMTPAuthenticationError)


class OutgoingMail(Base):
    __tablename__ = "outgoing_mails"
    __table_args__ = (Index("ix_outgoing_mails_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    #: What the mail is about, as the template's name (``events/mail/signed_up``).
    kind: Mapped[str] = mapped_column(String(80))
    #: ``pending``, ``sent`` or ``failed``.
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    #: Held by a deliverer until then (NULL: free).
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    #: The error of the last try, without the address.
    last_error: Mapped[str | None] = mapped_column(Text)
    #: The address and the whole message; both deleted once the mail is sent.
    recipient: Mapped[str | None] = mapped_column(String(320))
    message: Mapped[bytes | None] = mapped_column(LargeBinary)

    @property
    def subject(self) -> str:
        """The subject line, read from the message while it is kept (until sent)."""
        if not self.message:
            return ""
        headers = BytesHeaderParser(policy=email.policy.default).parsebytes(self.message)
        return str(headers.get("Subject", ""))


def backoff(attempts: int) -> timedelta:
    """The wait before the next try: 30 s, 1 min, 2 min… up to 10 min."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 600))


def compose(to: str, subject: str, body: str,
            attachments: list[tuple[str, str, bytes]] | None = None, *,
            headers: Mapping[str, str] | None = None) -> EmailMessage:
    """A text mail; ``attachments`` are (file name, MIME type with its parameters,
    bytes); a text attachment is UTF-8 and says so. ``headers`` are added as given
    (``List-Unsubscribe`` and ``List-Unsubscribe-Post`` of a letter, RFC 8058)."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="civic.localhost")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for filename, mimetype, data in attachments or ():
        kind, *rest = (part.strip() for part in mimetype.split(";"))
        params = dict(part.split("=", 1) for part in rest if "=" in part)
        maintype, subtype = kind.split("/", 1)
        if maintype == "text":  # text parts say their charset (a calendar too)
            message.add_attachment(data.decode("utf-8"), subtype=subtype, charset="utf-8",
                                   filename=filename, params=params or None)
        else:
            message.add_attachment(data, maintype=maintype, subtype=subtype,
                                   filename=filename)
    return message


def wire(message: EmailMessage) -> bytes:
    """The message as it goes to the server: CRLF line ends, long lines folded."""
    return message.as_bytes(policy=email.policy.SMTP)


def send(to: str, subject: str, body: str,
         attachments: list[tuple[str, str, bytes]] | None = None, *,
         kind: str = "mail", headers: Mapping[str, str] | None = None) -> EmailMessage:
    """Put a mail in the outbox of the current transaction; it leaves after the commit."""
    message = compose(to, subject, body, attachments, headers=headers)
    now = clock.now()
    db = session()
    db.add(OutgoingMail(created_at=now, kind=kind[:80], status=PENDING, attempts=0,
                        next_attempt_at=now, recipient=to, message=wire(message)))
    db.flush()
    jobs.defer_once(db, "mail.deliver")
    return message


def send_many(messages: Iterable[EmailMessage], *, kind: str) -> int:
    """Put mails made by ``compose`` in the outbox of the current transaction with one
    statement (a digest for thousands of people), rather than one for each; they leave
    after the commit. Returns how many."""
    now = clock.now()
    rows = [{"created_at": now, "kind": kind[:80], "status": PENDING, "attempts": 0,
             "next_attempt_at": now, "recipient": str(message["To"]),
             "message": wire(message)} for message in messages]
    if not rows:
        return 0
    db = session()
    db.execute(insert(OutgoingMail), rows)
    jobs.defer_once(db, "mail.deliver")
    return len(rows)


# --- Delivery -------------------------------------------------------------------------


class Transport(Protocol):
    def send(self, recipient: str, message: bytes) -> None: ...


class FileTransport:
    """Writes each mail as an .eml file a person can open."""

    def __init__(self, directory: str) -> None:
        self.directory = Path(directory)

    def send(self, recipient: str, message: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
        (self.directory / f"{stamp}-{uuid.uuid4().hex[:8]}.eml").write_bytes(message)


class SMTPTransport:
    """One SMTP connection for a whole batch, opened on the first mail."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"],
                            timeout=config["MAIL_TIMEOUT"])
        if config["MAIL_STARTTLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        return smtp

    def send(self, recipient: str, message: bytes) -> None:
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            self.smtp.sendmail(self.config["MAIL_SENDER"], [recipient], message)
        except (smtplib.SMTPException, OSError):
            self.close()  # the next mail starts on a fresh connection
            raise

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


@contextmanager
def transport() -> Iterator[Transport]:
    config = current_app.config
    if config["MAIL_BACKEND"] == "outbox":
        yield FileTransport(config["MAIL_OUTBOX"])
        return
    smtp = SMTPTransport(config)
    try:
        yield smtp
    finally:
        smtp.close()


def _claim(db: Session, mail_id: int, now: datetime) -> bool:
    """Take the mail for this deliverer, or say that another one has it."""
    taken = db.execute(
        update(OutgoingMail)
        .where(OutgoingMail.id == mail_id, OutgoingMail.status == PENDING,
               OutgoingMail.next_attempt_at <= now,
               or_(OutgoingMail.claimed_until.is_(None), OutgoingMail.claimed_until < now))
        .values(claimed_until=now + LEASE, attempts=OutgoingMail.attempts + 1))
    return bool(getattr(taken, "rowcount", 0) == 1)


def _due(db: Session, now: datetime, limit: int) -> list[int]:
    return list(db.scalars(
        select(OutgoingMail.id)
        .where(OutgoingMail.status == PENDING, OutgoingMail.next_attempt_at <= now,
               or_(OutgoingMail.claimed_until.is_(None), OutgoingMail.claimed_until < now))
        .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id).limit(limit)))


@dataclass
class Delivery:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    unreachable: bool = False
    #: Mails looked at, including those another deliverer had taken.
    handled: int = 0


def _record(mail: OutgoingMail, error: Exception | None, now: datetime,
            max_attempts: int, outcome: Delivery) -> None:
    mail.claimed_until = None
    if error is None:
        mail.status, mail.sent_at = SENT, now
        mail.recipient = mail.message = mail.last_error = None
        outcome.sent += 1
        return
    mail.last_error = f"{type(error).__name__}: {error}"[:500].replace(
        mail.recipient or "\0", "<adresse>")
    if mail.attempts >= max_attempts:
        mail.status = FAILED
        outcome.failed += 1
    else:
        mail.next_attempt_at = now + backoff(mail.attempts)
        outcome.retried += 1


def deliver_due(db: Session, *, limit: int = BATCH, now: datetime | None = None) -> Delivery:
    """Send the mails that are due, each claimed first and settled after, in its own
    short transaction. Stops at the first sign that the server cannot be reached: the
    others wait for the next run instead of each waiting out the timeout."""
    outcome = Delivery()
    max_attempts = int(current_app.config["MAIL_MAX_ATTEMPTS"])
    with transport() as out:
        for mail_id in _due(db, now or clock.now(), limit):
            outcome.handled += 1
            moment = now or clock.now()
            claimed = _claim(db, mail_id, moment)
            commit(db)
            if not claimed:
                continue
            mail = db.get(OutgoingMail, mail_id)
            assert mail is not None
            assert mail.recipient
            assert mail.message
            error: Exception | None = None
            try:
                out.send(mail.recipient, mail.message)
            except (smtplib.SMTPException, OSError) as raised:
                error = raised
            _record(mail, error, moment, max_attempts, outcome)
            commit(db)
            if isinstance(error, UNREACHABLE):
                outcome.unreachable = True
                break
    if outcome.sent or outcome.retried or outcome.failed:
        log.info("mail delivery", extra={"sent": outcome.sent, "retried": outcome.retried,
                                         "failed": outcome.failed})
    return outcome


@jobs.job("mail.deliver", cron="* * * * *")
def deliver() -> str:
    """Send what is due, batch after batch; every minute, and right after each commit
    that wrote mail."""
    sent = retried = failed = 0
    while True:
        outcome = deliver_due(session(), limit=BATCH)
        sent, retried, failed = (sent + outcome.sent, retried + outcome.retried,
                                 failed + outcome.failed)
        if outcome.unreachable or outcome.handled < BATCH:
            return f"{sent} sent, {retried} to retry, {failed} failed"


@jobs.job("mail.purge_sent", cron="20 2 * * *")
def purge() -> str:
    """Forget the rows of mails sent more than 30 days ago."""
    db = session()
    purged = purge_sent(db, before=clock.now() - timedelta(days=30))
    commit(db)
    return f"{purged} sent mails forgotten"


# --- What pilots see ------------------------------------------------------------------


def counts(db: Session) -> dict[str, int]:
    rows = db.execute(select(OutgoingMail.status, func.count())
                      .group_by(OutgoingMail.status)).all()
    found = {status: int(n) for status, n in rows}
    return {status: found.get(status, 0) for status in (PENDING, SENT, FAILED)}


def oldest_pending(db: Session) -> datetime | None:
    return db.scalar(select(func.min(OutgoingMail.created_at))
                     .where(OutgoingMail.status == PENDING))


def failures(db: Session, limit: int = 100) -> list[OutgoingMail]:
    return list(db.scalars(select(OutgoingMail).where(OutgoingMail.status == FAILED)
                           .order_by(OutgoingMail.created_at.desc()).limit(limit)))


def masked(address: str | None) -> str:
    """``m…@example.org``: enough to recognise a typo'd domain, not to harvest."""
    if not address or "@" not in address:
        return "—"
    local, domain = address.rsplit("@", 1)
    return f"{local[:1]}…@{domain}"


def retry_failed(db: Session, *, now: datetime, mail_id: int | None = None) -> int:
    """Put failed mails back in the queue, with a fresh count of tries."""
    statement = (update(OutgoingMail).where(OutgoingMail.status == FAILED)
                 .values(status=PENDING, attempts=0, next_attempt_at=now,
                         claimed_until=None))
    if mail_id is not None:
        statement = statement.where(OutgoingMail.id == mail_id)
    return int(getattr(db.execute(statement), "rowcount", 0))


def purge_sent(db: Session, *, before: datetime) -> int:
    """Forget sent mails (already emptied of address and text) after a while."""
    from sqlalchemy import delete

    done = db.execute(delete(OutgoingMail).where(OutgoingMail.status == SENT,
                                                 OutgoingMail.sent_at < before))
    return int(getattr(done, "rowcount", 0))
