"""Two app machines behind one load balancer, on one PostgreSQL schema and one Redis:
whichever machine answers, a resident sees the same site and an operator the same jobs.

Each machine is a real gunicorn (``gunicorn.conf.py``, one worker, ``CIVIC_ENV=production``
with photos in the database, rate limits in Redis db 15, CSRF on, a proxy's
``X-Forwarded-Proto: https``) on a port of its own, with an upload folder of its own, so
that anything kept on one machine only would show. The data is seeded and committed on the
session's schema before they start, and every row the module adds is deleted after it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.client import HTTPConnection, HTTPException
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from PIL import Image
from sqlalchemy import (
    Connection,
    Integer,
    Table,
    create_engine,
    delete,
    func,
    inspect,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from civic.core.db import Base
from tests import factories
from tests.conftest import empty_redis

pytestmark = pytest.mark.skipif(
    not os.environ.get("CIVIC_TEST_DATABASE_URL"),
    reason="two app machines share PostgreSQL (photos, the register, the job queue): "
           "set CIVIC_TEST_DATABASE_URL to run them")

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = "redis://127.0.0.1:6379/15"
#: The site's address (CIVIC_BASE_URL); the proxy passes its host to both machines.
SITE = "civic.example.org"
#: CIVIC_LOGIN_RATE_LIMIT of both machines: a few tries, so that the test reaches it.
LOGIN_LIMIT = 4
START_TIMEOUT = 30.0
REQUEST_TIMEOUT = 15.0
#: procrastinate's tables, children first; their rows are not in civic's models.
QUEUE_TABLES = ("procrastinate_periodic_defers", "procrastinate_jobs", "procrastinate_workers")

#: What the round page says to a person who votes again (civic/budget/messages.py).
ALREADY_VOTED = "Une personne avec ce nom et cette date de naissance a déjà voté."
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
RECEIPT = re.compile(r'<p class="receipt"><code>([0-9A-F]{4}(?:-[0-9A-F]{4}){3})</code>')
MEDIA = re.compile(r'src="(/media/[0-9a-f]{32}\.jpg)"')


# --- A visitor's browser ------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    location: str
    content_type: str
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Visitor:
    """A cookie jar, seen through the TLS proxy (the site's host, ``X-Forwarded-Proto``);
    the load balancer picks the machine (``port``)."""

    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""

    def request(self, port: int, method: str, path: str, body: bytes | None = None,
                content_type: str = "") -> Reply:
        headers = {"Host": SITE, "X-Forwarded-Proto": "https", "Accept": "text/html"}
        if body is not None:
            headers |= {"Content-Type": content_type, "Referer": f"https://{SITE}{path}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, value = header.partition(";")[0].strip().partition("=")
            if value and "max-age=0" not in header.lower():
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return Reply(response.status, urlsplit(response.getheader("Location") or "").path,
                     response.getheader("Content-Type") or "", data)

    def get(self, port: int, path: str) -> Reply:
        reply = self.request(port, "GET", path)
        found = CSRF.search(reply.text)
        if found:
            self.csrf = found.group(1)
        return reply

    def post(self, port: int, path: str, form: list[tuple[str, str]]) -> Reply:
        return self.request(port, "POST", path, urlencode([("csrf_token", self.csrf), *form])
                            .encode(), "application/x-www-form-urlencoded")

    def post_files(self, port: int, path: str, form: dict[str, Any]) -> Reply:
        boundary, body = encode_multipart({"csrf_token": self.csrf, **form})
        return self.request(port, "POST", path, body,
                            f"multipart/form-data; boundary={boundary}")


def log_in(visitor: Visitor, port: int, email: str, password: str) -> Reply:
    assert visitor.get(port, "/connexion").status == 200
    return visitor.post(port, "/connexion", [("email", email), ("password", password),
                                             ("next", "")])


# --- Processes --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def machine_env(database_url: str, secret_key: str, home: Path) -> dict[str, str]:
    """The settings of one app machine (its own folders: nothing shared through disk)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVIC_")}
    env.update({
        # gunicorn's control socket is under ~/.gunicorn: one for each machine.
        "HOME": str(home),
        "CIVIC_ENV": "production",
        "CIVIC_SECRET_KEY": secret_key,
        "CIVIC_BASE_URL": f"https://{SITE}",
        "CIVIC_DATABASE_URL": database_url,
        "CIVIC_UPLOAD_STORAGE": "database",
        "CIVIC_UPLOAD_DIR": str(home / "uploads"),
        "CIVIC_RATELIMIT_ENABLED": "1",
        "CIVIC_RATELIMIT_STORAGE_URI": REDIS_URL,
        "CIVIC_LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT} per minute",
        "CIVIC_JOBS_BACKEND": "procrastinate",
        "CIVIC_MAIL_BACKEND": "outbox",
        "CIVIC_MAIL_OUTBOX": str(home / "outbox"),
        "CIVIC_LOG_FORMAT": "json",
        "CIVIC_WORKERS": "1",
    })
    return env


def launch(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        # A session of its own: the test ends this process and its children, only them.
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group (a graceful stop), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-20:]) if log.exists() else ""


def wait_until_serving(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, f"gunicorn on {port} exited:\n{tail(log)}"
        try:
            if Visitor().request(port, "GET", "/connexion").status == 200:
                return
        except (OSError, HTTPException):
            time.sleep(0.2)
    pytest.fail(f"gunicorn on {port} did not answer within {START_TIMEOUT:.0f} s:\n{tail(log)}")


# --- The shared schema, Redis and the seeded data -------------------------------------------


def tables(connection: Connection) -> list[Table]:
    """civic's tables that the schema has, parents first."""
    present = set(inspect(connection).get_table_names())
    return [table for table in Base.metadata.sorted_tables if table.name in present]


def high_marks(connection: Connection) -> dict[str, int]:
    """The largest id of every table numbered by one, before the module writes."""
    marks = {table.name: int(connection.scalar(select(func.max(table.c.id))) or 0)
             for table in tables(connection)
             if "id" in table.c and isinstance(table.c.id.type, Integer)}
    for name in QUEUE_TABLES:
        marks[name] = int(connection.scalar(text(f"SELECT coalesce(max(id), 0) FROM {name}")))
    return marks


def forget_new_rows(connection: Connection, marks: dict[str, int], photos: set[str]) -> None:
    """Delete every row added since ``marks``, and the rows that point to them, children
    first; photos by name."""
    for table in reversed(tables(connection)):
        new = [table.c.id > marks[table.name]] if table.name in marks else []
        new += [fk.parent > marks[fk.column.table.name] for fk in table.foreign_keys
                if fk.column.name == "id" and fk.column.table.name in marks]
        if table.name == "stored_files":
            new.append(table.c.name.not_in(photos))
        if new:
            connection.execute(delete(table).where(or_(*new)))
    for name in QUEUE_TABLES:  # procrastinate_events go with their jobs
        connection.execute(text(f"DELETE FROM {name} WHERE id > :mark"), {"mark": marks[name]})


@pytest.fixture(scope="module")
def schema(database_url: str) -> Iterator[str]:
    """The session's schema; the rows this module commits there are deleted after it."""
    engine = create_engine(database_url)
    stored_files = Base.metadata.tables["stored_files"]
    with engine.connect() as connection:
        marks = high_marks(connection)
        photos = set(connection.scalars(select(stored_files.c.name)))
    try:
        yield database_url
    finally:
        with engine.begin() as connection:
            forget_new_rows(connection, marks, photos)
        engine.dispose()


@pytest.fixture(scope="module")
def redis_store() -> Iterator[Any]:
    """Redis db 15, emptied before and after."""
    yield from empty_redis(REDIS_URL)


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    birth_date: date


@dataclass(frozen=True)
class Seeded:
    quartier_code: str
    round_id: int
    project_ids: list[int]
    #: Rania, who votes; her "twin" is a second account declaring her name and birth date.
    resident: Person
    twin: Person


@pytest.fixture(scope="module")
def seeded(schema: str) -> Seeded:
    """A quartier with a round in its vote phase, its box sealed, two admitted projects,
    and two accounts: committed, as the machines must read them."""
    now = datetime.now(UTC)
    day = timedelta(days=1)
    tag = secrets.token_hex(4)
    rania = Person(f"rania-{tag}@example.org", "Rania Benali", date(1984, 5, 17))
    twin = Person(f"r.benali-{tag}@example.org", rania.name, rania.birth_date)
    engine = create_engine(schema)
    with Session(engine) as db:
        contract = factories.make_contract(db)
        quartier = factories.make_quartier(db, contract, name="Les Tilleuls")
        fund = factories.make_fund(db, quartier, year=now.year)
        round_ = factories.make_round(  # make_round seals its box with three trustees
            db, fund, submission_starts_at=now - 3 * day, review_starts_at=now - 2 * day,
            vote_starts_at=now - day, vote_ends_at=now + 4 * day,
            follow_up_starts_at=now + 5 * day, secret=os.urandom(32))
        projects = [factories.make_project(db, round_, title=title)
                    for title in ("Jardin partagé", "Fête de quartier")]
        for person in (rania, twin):
            factories.make_user(db, email=person.email, display_name="Rania",
                                quartier_id=quartier.id)
        seeded = Seeded(quartier.code, round_.id, [p.id for p in projects], rania, twin)
        db.commit()
    engine.dispose()
    return seeded


@dataclass(frozen=True)
class Machines:
    a: int
    b: int


@pytest.fixture(scope="module")
def machines(schema: str, seeded: Seeded, redis_store: Any,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Machines]:
    """Machines A and B, started together, stopped whatever happens."""
    secret_key = secrets.token_urlsafe(32)
    ports = {"a": free_port(), "b": free_port()}
    started: list[tuple[subprocess.Popen[bytes], int, Path]] = []
    try:
        for name, port in ports.items():
            home = tmp_path_factory.mktemp(f"machine-{name}")
            env = machine_env(schema, secret_key, home) | {"CIVIC_BIND": f"127.0.0.1:{port}"}
            command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
            started.append((launch(command, env, home / "gunicorn.log"), port, home /
                            "gunicorn.log"))
        for process, port, log in started:
            wait_until_serving(process, port, log)
        yield Machines(**ports)
    finally:
        for process, _port, _log in started:
            stop(process)


@pytest.fixture(scope="module")
def rania(machines: Machines, seeded: Seeded) -> Visitor:
    """Rania, logged in through machine A (the session cookie works on both)."""
    visitor = Visitor()
    reply = log_in(visitor, machines.a, seeded.resident.email, factories.PASSWORD)
    assert (reply.status, reply.location == "/connexion") == (302, False), reply.text[:500]
    return visitor


# --- What a resident sees -----------------------------------------------------------------


def a_photo() -> bytes:
    out = BytesIO()
    Image.new("RGB", (640, 480), (40, 120, 60)).save(out, "PNG")
    return out.getvalue()


def test_a_photo_sent_through_one_machine_is_served_by_the_other(
        machines: Machines, seeded: Seeded, rania: Visitor) -> None:
    form_page = f"/quartiers/{seeded.quartier_code}/idees/proposer"
    assert rania.get(machines.a, form_page).status == 200
    posted = rania.post_files(machines.a, form_page, {
        "title": "Des bancs à l’ombre", "body": "Près de l’école, pour les parents.",
        "orientation_id": "", "place": "", "latitude": "", "longitude": "", "website": "",
        "photo": FileStorage(BytesIO(a_photo()), filename="banc.png",
                             content_type="image/png")})
    assert posted.status == 302, posted.text[:500]
    assert posted.location.startswith("/idees/")
    found = MEDIA.search(rania.get(machines.a, posted.location).text)
    assert found, "the idea page shows no photo"

    on_a = Visitor().request(machines.a, "GET", found.group(1))
    on_b = Visitor().request(machines.b, "GET", found.group(1))  # anybody, through B
    assert (on_a.status, on_b.status) == (200, 200)
    assert on_b.content_type == "image/jpeg"
    assert on_b.body == on_a.body
    assert Image.open(BytesIO(on_b.body)).size == (640, 480)
    assert Visitor().request(machines.b, "GET", f"/media/{'0' * 32}.jpg").status == 404


def ballot(person: Person, project_id: int, step: str) -> list[tuple[str, str]]:
    return [("step", step), ("name", person.name),
            ("birth_date", person.birth_date.isoformat()), ("lives_in_quartier", "y"),
            ("project", str(project_id))]


def vote(visitor: Visitor, port: int, person: Person, seeded: Seeded) -> Reply:
    """Open the vote page, review the ballot, cast it: the cast POST's answer."""
    path = f"/fph/{seeded.round_id}/voter"
    assert visitor.get(port, path).status == 200
    reviewed = visitor.post(port, path, ballot(person, seeded.project_ids[0], "review"))
    assert reviewed.status == 200, reviewed.text[:500]
    assert 'name="step" value="cast"' in reviewed.text
    return visitor.post(port, path, ballot(person, seeded.project_ids[0], "cast"))


def round_page(visitor: Visitor, port: int, seeded: Seeded) -> str:
    return visitor.get(port, f"/fph/{seeded.round_id}").text


def test_a_vote_cast_through_one_machine_cannot_be_cast_again_through_the_other(
        machines: Machines, seeded: Seeded, rania: Visitor, schema: str) -> None:
    cast = vote(rania, machines.a, seeded.resident, seeded)
    assert cast.status == 200, cast.text[:500]
    assert RECEIPT.search(cast.text)
    path = f"/fph/{seeded.round_id}/voter"

    # Rania's next request goes to B, which knows she has voted.
    again = rania.request(machines.b, "GET", path)
    assert (again.status, again.location) == (302, f"/fph/{seeded.round_id}")
    assert "Vous avez déjà voté pour cette session" in round_page(rania, machines.b, seeded)
    # Her cast POST sent again, to B (the form's token was A's): refused.
    replayed = rania.post(machines.b, path, ballot(seeded.resident, seeded.project_ids[1],
                                                   "cast"))
    assert (replayed.status, replayed.location) == (302, f"/fph/{seeded.round_id}")
    assert ALREADY_VOTED in round_page(rania, machines.b, seeded)
    # The same person from a second account, through B: refused too.
    twin = Visitor()
    assert log_in(twin, machines.b, seeded.twin.email, factories.PASSWORD).status == 302
    refused = vote(twin, machines.b, seeded.twin, seeded)
    assert (refused.status, refused.location) == (302, f"/fph/{seeded.round_id}")
    assert ALREADY_VOTED in round_page(twin, machines.b, seeded)

    engine = create_engine(schema)
    with engine.connect() as connection:
        in_box = connection.scalar(text(
            "SELECT count(*) FROM sealed_ballots WHERE round_id = :r"), {"r": seeded.round_id})
        register = connection.scalar(text(
            "SELECT count(*) FROM participations WHERE round_id = :r"), {"r": seeded.round_id})
    engine.dispose()
    assert (in_box, register) == (1, 1)


def test_a_rate_limit_reached_through_one_machine_holds_on_the_other(
        machines: Machines, seeded: Seeded, redis_store: Any) -> None:
    """Someone guessing Rania's password; the load balancer alternates the machines, so
    each sees half of the tries: the limit counts them all."""
    redis_store.flushdb()  # a fresh minute: nobody has tried to log in yet
    guesser = Visitor()
    try:
        for port in [machines.a, machines.b] * (LOGIN_LIMIT // 2):
            tried = log_in(guesser, port, seeded.resident.email, "not her password")
            assert tried.status == 200  # the form again, "wrong password"
        # Even the right password is now refused, by either machine, for the minute.
        assert log_in(guesser, machines.a, seeded.resident.email, factories.PASSWORD
                      ).status == 429
        assert log_in(guesser, machines.b, seeded.resident.email, factories.PASSWORD
                      ).status == 429
    finally:
        redis_store.flushdb()  # the other tests may log in again


# --- What an operator sees: the job queue -------------------------------------------------


def jobs_done(log: Path, name: str) -> int:
    """The worker's JSON log lines saying that job ``name`` ran."""
    count = 0
    for line in log.read_text(errors="replace").splitlines() if log.exists() else []:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        count += entry.get("message") == "job done" and entry.get("job") == name
    return count


def a_fresh_minute(needed: float = 15.0) -> int:
    """The start of the current minute (a tick of the jobs run every minute), once at
    least ``needed`` seconds of it are left: waits for the next one if need be."""
    second = time.time() % 60
    if second > 60 - needed:
        time.sleep(60.2 - second)
    return int(time.time()) // 60 * 60


def queue_marks(connection: Connection) -> tuple[int, int]:
    """Jobs waiting, and the last worker id, before the workers start."""
    waiting = connection.scalar(text(
        "SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'"))
    last = connection.scalar(text("SELECT coalesce(max(id), 0) FROM procrastinate_workers"))
    return int(waiting or 0), int(last or 0)


def wait_for_both(engine: Any, logs: list[Path], last_worker: int, until: float) -> int:
    """Wait until one worker has run mail.deliver and both have registered, or the clock
    reaches ``until``; returns how many registered."""
    registered = 0
    while time.time() < until:
        with engine.connect() as connection:
            registered = int(connection.scalar(text(
                "SELECT count(*) FROM procrastinate_workers WHERE id > :last"),
                {"last": last_worker}) or 0)
        if registered == 2 and any(jobs_done(log, "mail.deliver") for log in logs):
            break
        time.sleep(0.2)
    return registered


def test_two_workers_started_together_run_the_due_tick_of_a_scheduled_job_once(
        schema: str, tmp_path: Path) -> None:
    """Each worker defers, as it starts, the last tick of mail.deliver (every minute): the
    queue keeps one row per tick, so one of them runs it, once."""
    engine = create_engine(schema)
    with engine.connect() as connection:
        waiting, last_worker = queue_marks(connection)
    assert waiting == 0  # nothing else waits that would run mail.deliver
    env = machine_env(schema, secrets.token_urlsafe(32), tmp_path)
    logs = [tmp_path / f"worker-{n}.log" for n in (1, 2)]
    tick = a_fresh_minute()
    workers = [launch([sys.executable, "-m", "flask", "--app", "wsgi", "worker"], env, log)
               for log in logs]
    try:
        # Both stopped before the next tick, which they would defer and run as well.
        registered = wait_for_both(engine, logs, last_worker, until=tick + 57)
        time.sleep(1.5)  # time for the other worker to run it again, if it ever would
        running = [worker.poll() is None for worker in workers]
    finally:
        for worker in workers:
            stop(worker)
    with engine.connect() as connection:
        defers = connection.scalars(text(
            "SELECT defer_timestamp FROM procrastinate_periodic_defers "
            "WHERE task_name = 'mail.deliver'")).all()
    engine.dispose()
    trace = "\n".join(tail(log) for log in logs)
    assert running == [True, True], trace
    assert registered == 2, trace
    assert sorted(jobs_done(log, "mail.deliver") for log in logs) == [0, 1], trace
    assert defers == [tick]
