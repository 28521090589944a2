"""The mail outbox and the request's commit rule, played against a mail server that is
down, slow or shared by two deliverers."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask, abort
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from civic import create_app
from civic.core import audit, jobs, mail
from civic.core.audit import AuditEntry
from civic.core.mail import OutgoingMail
from tests import factories
from tests.budget.test_views import vote_form
from tests.conftest import test_config
from tests.factories import NOW


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Recorder:
    """An SMTP server's handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp() -> tuple[int, Recorder]:
    """A port where, at first, nothing answers (the mail server is down); ``start``
    brings a server up on it."""
    return free_port(), Recorder()


def start(port: int, recorder: Recorder) -> Controller:
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


class Blackhole:
    """A mail server that accepts connections and never says a word (a slow server)."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.port = int(self.socket.getsockname()[1])
        self.connections = 0
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            self.held.append(connection)

    def close(self) -> None:
        for connection in self.held:
            connection.close()
        self.socket.close()


SMTP_SETTINGS = {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_STARTTLS": False,
                 "MAIL_TIMEOUT": 2}


def smtp_app(database_url: str, outbox_dir: Path, port: int, **overrides: Any) -> Flask:
    """An app of its own (for work that really commits)."""
    return create_app(test_config(database_url, outbox_dir, MAIL_PORT=port, **SMTP_SETTINGS,
                                  **overrides))


@pytest.fixture
def smtp_site(app: Flask, monkeypatch: Any, smtp: tuple[int, Recorder]) -> Flask:
    """The tests' app, sending by SMTP to the ``smtp`` port."""
    for key, value in {**SMTP_SETTINGS, "MAIL_PORT": smtp[0]}.items():
        monkeypatch.setitem(app.config, key, value)
    return app


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


def mails(db: Any) -> list[OutgoingMail]:
    return list(db.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


# --- The mail server is down -----------------------------------------------------------


def test_with_the_mail_server_down_people_sign_up_vote_and_moderate_and_mail_leaves_later(
        db: Any, quartier: Any, people: dict, smtp_site: Flask,
        smtp: tuple[int, Recorder]) -> None:
    port, recorder = smtp
    app = smtp_site
    event = factories.make_event(db, quartier, title="Café des habitants", capacity=5)
    author = factories.make_user(db, display_name="Nadia", email="nadia@example.org")
    idea = factories.make_idea(db, quartier, author, title="Des bancs", moderation="pending")
    client = app.test_client()
    signed = client.post(f"/evenements/{event.id}/inscription", data={
        "name": "Fatou Diallo", "email": "fatou@example.org", "party_size": "1",
        "consent": "y"})
    assert signed.status_code == 302  # the sign-up is saved, whatever the mail server does
    with client.session_transaction() as session:
        session["_user_id"] = people["moderator"].get_id()
        session["_fresh"] = True
    published = client.post(f"/moderation/idea/{idea.id}", data={"d-action": "publish"})
    assert published.status_code == 302
    round_ = factories.make_round(db, factories.make_fund(db, quartier), "vote")
    project = factories.make_project(db, round_, amount_cents=40_000)
    with client.session_transaction() as session:
        session["_user_id"] = people["resident"].get_id()
    voted = client.post(f"/fph/{round_.id}/voter", data=vote_form(
        round_, [project.id], "cast", mail_receipt="y"))
    assert "Votre reçu" in voted.get_data(as_text=True)  # the ballot is in the box
    waiting = mails(db)
    assert [m.recipient for m in waiting] == ["fatou@example.org", "nadia@example.org",
                                              people["resident"].email]
    for row in waiting:  # tried once, after the commit; it waits with the reason
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.next_attempt_at == NOW + timedelta(seconds=30)
        assert "Connection" in (row.last_error or "")
        assert "@" not in (row.last_error or "")
    assert recorder.messages == []

    controller = start(port, recorder)  # the server is back
    try:
        with app.test_request_context():
            early = mail.deliver_due(db(), now=NOW + timedelta(seconds=10))
            assert early.sent == 0  # not before its time
            later = mail.deliver_due(db(), now=NOW + timedelta(seconds=31))
            assert later.sent == 3, [m.last_error for m in mails(db)]
            assert mail.deliver_due(db(), now=NOW + timedelta(hours=1)).sent == 0
    finally:
        controller.stop()
    assert sorted(r for rcpt, _ in recorder.messages for r in rcpt) == sorted([
        "fatou@example.org", "nadia@example.org", people["resident"].email])
    subjects = {str(email.message_from_bytes(content, policy=email.policy.default)["Subject"])
                for _, content in recorder.messages}
    assert "Inscription confirmée : Café des habitants" in subjects
    for row in mails(db):  # sent: nothing personal is kept
        assert (row.status, row.recipient, row.message) == ("sent", None, None)


def test_a_mail_that_keeps_failing_is_shown_to_pilots_who_send_it_again(
        db: Any, quartier: Any, people: dict, smtp_site: Flask, monkeypatch: Any,
        smtp: tuple[int, Recorder]) -> None:
    port, recorder = smtp
    app = smtp_site
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    event = factories.make_event(db, quartier, title="Repas partagé", capacity=5)
    client = app.test_client()
    client.post(f"/evenements/{event.id}/inscription", data={
        "name": "Karim", "email": "karim@example.org", "party_size": "1", "consent": "y"})
    with app.test_request_context():
        mail.deliver_due(db(), now=NOW + timedelta(minutes=1))
        mail.deliver_due(db(), now=NOW + timedelta(minutes=5))
    [row] = mails(db)
    assert (row.status, row.attempts) == ("failed", 3)
    assert recorder.messages == []

    for who in ("resident", "moderator", "animator", "signatory"):
        with client.session_transaction() as session:
            session["_user_id"] = people[who].get_id()
        assert client.get("/admin/courriels").status_code == 403
    with client.session_transaction() as session:
        session["_user_id"] = people["pilot"].get_id()
    page = client.get("/admin/courriels").get_data(as_text=True)
    assert "k…@example.org" in page
    assert "karim@example.org" not in page
    assert "events/mail/signed_up" in page
    assert "Inscription confirmée : Repas partagé" in page  # the subject, to recognise it
    assert "Échoués" in page

    controller = start(port, recorder)
    try:
        again = client.post("/admin/courriels", data={"mail_id": str(row.id)})
        assert again.status_code == 302
    finally:
        controller.stop()
    assert [rcpt for rcpt, _ in recorder.messages] == [["karim@example.org"]]
    assert mails(db)[0].status == "sent"
    [entry] = db.scalars(select(AuditEntry).where(AuditEntry.action == "mail.retried")).all()
    assert entry.actor_id == people["pilot"].id
    assert entry.details == {"mails": 1}


# --- One commit rule --------------------------------------------------------------------


@pytest.fixture
def committed(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app whose requests really commit (no test transaction around them), with three
    views that write, put a mail in the outbox, then end in different ways."""
    app = create_app(test_config(database_url, tmp_path))

    def change(status: str) -> Any:
        from civic.core.db import session

        now = NOW
        audit.record(session(), actor=None, action=f"test.{status}", target_type="test",
                     target_id=None, now=now)
        mail.send("someone@example.org", "Le changement est fait", "Bonjour")
        if status == "raises":
            raise RuntimeError("after the flush")
        if status == "aborts":
            abort(409)
        return "refusé, mais enregistré", 400

    for status in ("raises", "aborts", "answers_400"):
        app.add_url_rule(f"/test/{status}", f"test_{status}",
                         lambda status=status: change(status))
    yield app
    with Session(app.extensions["civic.engine"]) as db:
        db.execute(delete(AuditEntry).where(AuditEntry.action.like("test.%")))
        db.execute(delete(OutgoingMail))
        db.commit()


def test_a_view_that_raises_after_a_flush_saves_nothing_and_mails_nobody(
        committed: Flask, tmp_path: Path) -> None:
    client = committed.test_client()
    with pytest.raises(RuntimeError):  # a 500 in production; the tests see the error
        client.get("/test/raises")
    assert client.get("/test/aborts").status_code == 409
    with Session(committed.extensions["civic.engine"]) as db:
        assert db.scalar(select(func.count()).select_from(AuditEntry)
                         .where(AuditEntry.action.in_(["test.raises", "test.aborts"]))) == 0
        assert db.scalar(select(func.count()).select_from(OutgoingMail)) == 0
    assert list(tmp_path.glob("*.eml")) == []


def test_a_view_that_returns_commits_whatever_its_status(committed: Flask,
                                                          tmp_path: Path) -> None:
    assert committed.test_client().get("/test/answers_400").status_code == 400
    with Session(committed.extensions["civic.engine"]) as db:
        assert db.scalar(select(func.count()).select_from(AuditEntry)
                         .where(AuditEntry.action == "test.answers_400")) == 1
        [row] = db.scalars(select(OutgoingMail)).all()
        assert row.status == "sent"
    [eml] = tmp_path.glob("*.eml")
    assert b"Le changement est fait" in eml.read_bytes()


# --- Two deliverers ---------------------------------------------------------------------


def test_two_deliverers_at_once_never_send_a_mail_twice(
        database_url: str, outbox_dir: Path, smtp: tuple[int, Recorder]) -> None:
    port, recorder = smtp
    app = smtp_app(database_url, outbox_dir, port)
    engine = app.extensions["civic.engine"]
    with app.test_request_context(), Session(engine) as db:
        db.add_all(OutgoingMail(created_at=NOW, kind="test", status="pending", attempts=0,
                                next_attempt_at=NOW, recipient=f"p{i}@example.org",
                                message=mail.wire(mail.compose(f"p{i}@example.org", f"n°{i}", "…")))
                   for i in range(40))
        db.commit()
    controller = start(port, recorder)
    errors: list[BaseException] = []

    def deliverer() -> None:
        try:
            with app.test_request_context(), Session(engine) as db:
                mail.deliver_due(db, now=NOW)
        except BaseException as error:  # reported by the test
            errors.append(error)

    try:
        threads = [threading.Thread(target=deliverer) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        controller.stop()
        with Session(engine) as db:
            statuses = list(db.scalars(select(OutgoingMail.status)))
            db.execute(delete(OutgoingMail))
            db.commit()
    assert errors == []
    received = sorted(r for rcpt, _ in recorder.messages for r in rcpt)
    assert received == sorted(f"p{i}@example.org" for i in range(40))  # each exactly once
    assert statuses == ["sent"] * 40


# --- The queue (PostgreSQL) -------------------------------------------------------------


def apart(work: Any) -> None:
    """Run ``work`` in a thread of its own, as a worker process would: the browser tests'
    Playwright keeps an event loop running in this one, which asyncio.run refuses."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # reported below
            failed.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(120)
    if failed:
        raise failed[0]


def postgres_only(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("procrastinate keeps its queue in PostgreSQL")


def test_with_the_queue_no_request_talks_to_the_mail_server(
        database_url: str, tmp_path: Path) -> None:
    postgres_only(database_url)
    slow = Blackhole()
    app = smtp_app(database_url, tmp_path, slow.port, JOBS_BACKEND="procrastinate")
    app.add_url_rule("/test/mail", "test_mail",
                     lambda: (mail.send("lina@example.org", "Bonjour", "…"), "ok")[1])
    engine = app.extensions["civic.engine"]
    recorder = Recorder()
    try:
        client = app.test_client()
        assert client.get("/test/mail").status_code == 200
        assert client.get("/test/mail").status_code == 200
        assert slow.connections == 0  # the requests never reached for the mail server
        with engine.connect() as connection:
            queued = connection.execute(text(
                "SELECT task_name, status FROM procrastinate_jobs")).all()
        assert queued == [("mail.deliver", "todo")]  # one wake-up for both mails
        port = free_port()
        app.config["MAIL_PORT"] = port
        controller = start(port, recorder)
        try:
            apart(lambda: jobs.queue.run_worker(wait=False, concurrency=1,
                                                install_signal_handlers=False))
        finally:
            controller.stop()
        assert [rcpt for rcpt, _ in recorder.messages] == [["lina@example.org"]] * 2
        with engine.connect() as connection:
            left = connection.execute(text(
                "SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'")).scalar()
        assert left == 0
    finally:
        slow.close()
        jobs.queue.close()
        with engine.begin() as connection:
            connection.execute(delete(OutgoingMail))
            connection.execute(text("DELETE FROM procrastinate_jobs"))


def test_two_workers_defer_each_scheduled_job_once(database_url: str, tmp_path: Path) -> None:
    postgres_only(database_url)
    import asyncio

    from procrastinate.periodic import PeriodicDeferrer

    app = create_app(test_config(database_url, tmp_path, JOBS_BACKEND="procrastinate"))
    engine = app.extensions["civic.engine"]
    moment = NOW.timestamp() + 5  # just after a minute: every scheduled job is due

    async def two_workers() -> None:
        async with jobs.queue.open_async():
            for _ in range(2):  # each worker has its own deferrer, and both wake at once
                deferrer = PeriodicDeferrer(jobs.queue.periodic_registry, max_delay=10 ** 9)
                await deferrer.defer_jobs(deferrer.get_previous_tasks(at=moment))

    try:
        apart(lambda: asyncio.run(two_workers()))
        with engine.connect() as connection:
            deferred = dict(connection.execute(text(
                "SELECT task_name, count(*) FROM procrastinate_jobs GROUP BY task_name")).all())
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM procrastinate_periodic_defers"))
            connection.execute(text("DELETE FROM procrastinate_jobs"))
    scheduled = {name for name, found in jobs.registered().items() if found.cron}
    assert {"mail.deliver", "events.send_reminders", "fph.destroy_secrets"} <= scheduled
    assert deferred == dict.fromkeys(scheduled, 1)
