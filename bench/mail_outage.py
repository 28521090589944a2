"""Sign-ups while the mail server is down: nobody waits for it, and every mail leaves once
it is back.

Run with ``make bench-mail`` or ``.venv/bin/python -m bench.mail_outage [--signups 1000]
[--outage 60]``. It needs the PostgreSQL server of the development machine (127.0.0.1:5432,
user postgres, trust auth): the database ``civic_bench_mail`` is created at the start
(dropped first if a former run left it) and dropped at the end.

What it does:

1. migrates a fresh database and seeds, with SQLAlchemy, one published event a week ahead
   with a place for everyone (a café of ``--signups`` places);
2. starts gunicorn (2 sync workers, ``wsgi:app``) and one ``flask worker``, with mail as in
   production: jobs in PostgreSQL (``CIVIC_JOBS_BACKEND=procrastinate``) and
   ``CIVIC_MAIL_BACKEND=smtp`` to a port of 127.0.0.1 where nothing listens: the mail
   server is down. Rate limits are off: every client comes from 127.0.0.1, and the sign-up
   form allows 60 an hour per address;
3. timed: ``--signups`` people sign up, ``--concurrency`` at a time, each in a browser of
   its own: the form (GET, for its CSRF token), then the POST with a name and an e-mail
   address of their own. Each sign-up writes its mail to the outbox in its transaction and,
   after the commit, asks the queue for ``mail.deliver``; the worker tries, finds the
   server down and puts the mail back with a delay (30 s, 1 min, 2 min…);
4. once ``--outage`` seconds have passed since the first sign-up (or the last sign-up is
   answered, if that comes later), starts the mail server on that port: aiosmtpd, in a
   process of its own, keeping each mail in a maildir;
5. waits, at most ``--wait-limit`` seconds, until the outbox has no pending mail, then reads
   what the server received: who, how many times, and when the last mail came;
6. stops the worker, gunicorn and the mail server, whatever happened, and drops the database.

Aims (issue): the slowest sign-up request at most 1 s; no sign-up answered with an error;
every person signed up receives their mail, nobody twice; the last mail received at most
120 s after the server is back (a mail tried during the outage waits for its next try, and
with no new sign-up to wake the worker, the scheduled ``mail.deliver`` looks every minute).
Exit status 1 when a sign-up failed or a mail was lost or sent twice; a missed time aim is
printed, not fatal.

Traffic goes to 127.0.0.1 only; every request has a timeout and each phase a time limit.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, make_url, select

from bench.vote_load import (
    CSRF,
    Browser,
    Received,
    RequestFailed,
    classify_failure,
    free_port,
    jobs_done,
    mail_env,
    maildir_count,
    mark,
    pending_mails,
    percentile,
    received,
    reset_database,
    run_all,
    server_env,
    start_server,
    start_smtp,
    start_worker,
    stop_server,
    wait_ready,
)

DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/civic_bench_mail"

AIM_SLOWEST_MS = 1000.0
AIM_RECOVERY_S = 120.0

SIGNED_UP = re.compile(r"/evenements/inscription/[^/]+$")


# --- Command line ------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.mail_outage", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--signups", type=int, default=1000, help="people who sign up")
    parser.add_argument("--concurrency", type=int, default=4,
                        help="people signing up at once (each: the form, then the POST)")
    parser.add_argument("--outage", type=float, default=60.0,
                        help="seconds the mail server stays down from the first sign-up")
    parser.add_argument("--wait-limit", type=float, default=300.0,
                        help="seconds allowed, once the server is back, for the mails")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--time-limit", type=float, default=600.0,
                        help="seconds allowed for the sign-ups")
    parser.add_argument("--database-url", default=DATABASE_URL,
                        help="created and dropped: its name must contain 'bench'")
    args = parser.parse_args(argv)
    if args.signups < 1 or args.concurrency < 1:
        parser.error("--signups and --concurrency must be at least 1")
    if "bench" not in (make_url(args.database_url).database or ""):
        parser.error("--database-url: the database name must contain 'bench' (it is dropped)")
    return args


# --- Database ------------------------------------------------------------------------------


def drop_database(url: str) -> None:
    import psycopg

    bench = make_url(url)
    admin = bench.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{bench.database}" WITH (FORCE)')


def seed(app: Any, places: int) -> int:
    """A published café a week ahead, with ``places`` places; committed. Its id."""
    from civic.core import clock
    from civic.core.db import session as db
    from civic.events.models import Event
    from civic.territory.models import Contract, Quartier

    square = {"type": "Polygon", "coordinates": [[[1.40, 43.57], [1.41, 43.57], [1.41, 43.58],
                                                   [1.40, 43.58], [1.40, 43.57]]]}
    now = clock.now()
    starts = now + timedelta(days=7)
    with app.app_context():
        contract = Contract(name="Contrat de ville du banc d’essai", start_year=2024,
                            end_year=2030, created_at=now)
        quartier = Quartier(contract=contract, code="QB000002", name="Quartier d’essai",
                            commune="Benchville", population=4200, perimeter=square,
                            created_at=now, updated_at=now)
        event = Event(uid=uuid.uuid4().hex, quartier=quartier, kind="cafe",
                      title="Café des habitants", place="Maison de quartier",
                      address="2 place Abbal", starts_at=starts,
                      ends_at=starts + timedelta(hours=2), capacity=places,
                      moderation="published", created_at=now - timedelta(days=1))
        db.add_all([contract, quartier, event])
        db.commit()
        event_id = event.id
        db.remove()
    return event_id


@dataclass
class Saved:
    confirmed: int
    #: Outbox rows by status, and the sent ones by number of tries.
    statuses: Counter[str]
    tries: Counter[int]


def saved(app: Any, event_id: int) -> Saved:
    from civic.core.db import session as db
    from civic.core.mail import SENT, OutgoingMail
    from civic.events.models import Signup

    with app.app_context():
        confirmed = db.scalar(select(func.count()).select_from(Signup).where(
            Signup.event_id == event_id, Signup.status == "confirmed")) or 0
        statuses = Counter(dict(db.execute(select(OutgoingMail.status, func.count())
                                           .group_by(OutgoingMail.status)).all()))
        tries = Counter(dict(db.execute(select(OutgoingMail.attempts, func.count())
                                        .where(OutgoingMail.status == SENT)
                                        .group_by(OutgoingMail.attempts)).all()))
        db.remove()
    return Saved(int(confirmed), statuses, tries)


# --- Timed: the sign-ups -----------------------------------------------------------------------


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    form_ms: list[float] = field(default_factory=list)
    post_ms: list[float] = field(default_factory=list)
    #: The addresses of the people whose sign-up was answered as saved.
    signed: list[str] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def error(self, kind: str, detail: str) -> None:
        with self.lock:
            self.errors[kind] += 1
            self.examples.setdefault(kind, detail[:300])


def sign_up(port: int, event_id: int, n: int, results: Results) -> None:
    """One person: the form, then the POST; a redirect to their sign-up page is success."""
    browser = Browser(port)
    path = f"/evenements/{event_id}/inscription"
    email = f"inscrit{n:05d}@bench.example.org"
    try:
        form = browser.request("GET", path)
        found = CSRF.search(form.body) if form.status == 200 else None
        if found is None:
            results.error(*classify_failure(form, "sign-up form"))
            return
        reply = browser.request("POST", path, [
            ("csrf_token", found.group(1)), ("name", f"Personne {n}"), ("phone", ""),
            ("email", email), ("party_size", "1"), ("interpretation", ""), ("consent", "y"),
            ("website", "")])
    except RequestFailed as error:
        results.error("timeout or connection", str(error))
        return
    with results.lock:
        results.form_ms.append(form.ms)
        results.post_ms.append(reply.ms)
    if reply.status == 302 and SIGNED_UP.search(urlsplit(reply.location).path):
        with results.lock:
            results.signed.append(email)
    else:
        results.error(*classify_failure(reply, "sign-up"))


def run_signups(port: int, event_id: int, args: argparse.Namespace) -> tuple[Results, float]:
    results = Results()
    deadline = time.monotonic() + args.time_limit

    def one(n: int) -> None:
        if time.monotonic() > deadline:
            results.error("sign-up time limit", f"person {n} did not sign up")
            return
        sign_up(port, event_id, n, results)

    start = time.perf_counter()
    run_all(one, range(args.signups), args.concurrency)
    return results, time.perf_counter() - start


# --- The mail server comes back ------------------------------------------------------------


def wait_for_mails(app: Any, maildir: Path, expected: int, limit: float) -> float:
    """Until the outbox has no pending mail and the server has ``expected``; seconds."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if maildir_count(maildir) >= expected and pending_mails(app) == 0:
            break
        time.sleep(0.5)
    return time.monotonic() - start


# --- Report --------------------------------------------------------------------------------


def report(args: argparse.Namespace, results: Results, wall: float, down_s: float,
           got: Received, back_at: float, kept: Saved, runs: int) -> bool:
    slowest = max(results.post_ms, default=math.nan)
    errors = sum(results.errors.values())
    asked = Counter(results.signed)
    mails = sum(got.recipients.values())
    twice = sum(1 for n in got.recipients.values() if n > 1)
    delivered = got.recipients == asked and len(asked) == args.signups
    recovery = got.last_at - back_at
    print(f"sign-ups: {wall:.1f} s wall, {len(results.post_ms) / wall:.1f} sign-ups/s, "
          f"{args.concurrency} in flight; the mail server was down {down_s:.1f} s from the "
          f"first sign-up")
    print(f"{'':<44}{'measured':>16}   aim")
    print(f"{'slowest sign-up POST (ms)':<44}{slowest:>16.0f}   <= {AIM_SLOWEST_MS:.0f}  "
          f"{mark(slowest <= AIM_SLOWEST_MS)}")
    spread = f"{percentile(results.post_ms, 50):.0f} / {percentile(results.post_ms, 95):.0f}"
    print(f"{'  sign-up POST median / p95 (ms)':<44}{spread:>16}")
    print(f"{'  the form GET before it: slowest (ms)':<44}"
          f"{max(results.form_ms, default=math.nan):>16.0f}")
    detail = ", ".join(f"{k} {v}" for k, v in sorted(results.errors.items())) or "none"
    print(f"{'sign-ups answered with an error':<44}{errors:>16}   0  {mark(errors == 0)}"
          f"  ({detail})")
    for kind, example in sorted(results.examples.items()):
        print(f"    e.g. {kind}: {example}")
    print(f"{'  places taken in the database':<44}{kept.confirmed:>16}   {len(asked)}")
    print(f"{'mails received / sign-ups':<44}{f'{mails} / {len(asked)}':>16}   all, none "
          f"twice ({twice}), each at its address  {mark(delivered)}")
    print(f"{'server back -> last mail received (s)':<44}{recovery:>16.1f}   "
          f"<= {AIM_RECOVERY_S:.0f}  {mark(recovery <= AIM_RECOVERY_S)}")
    outbox = " / ".join(str(kept.statuses[status]) for status in ("sent", "pending", "failed"))
    print(f"{'  outbox: sent / pending / failed':<44}{outbox:>16}")
    print(f"{'  tries per mail sent: count':<44}"
          f"{', '.join(f'{n}: {c}' for n, c in sorted(kept.tries.items())):>16}")
    print(f"{'  mail.deliver runs by the worker':<44}{runs:>16}")
    sound = errors == 0 and delivered
    fast = slowest <= AIM_SLOWEST_MS and recovery <= AIM_RECOVERY_S
    print(f"verdict: times {'within' if fast else 'OUTSIDE'} aims; mail "
          f"{'sound' if sound else 'NOT SOUND'}")
    return sound


# --- Main ----------------------------------------------------------------------------------


@dataclass
class Processes:
    """What the bench started, stopped in the reverse order."""

    started: list[tuple[str, subprocess.Popen[bytes], Path]] = field(default_factory=list)

    def add(self, name: str, process: subprocess.Popen[bytes], log: Path) -> None:
        self.started.append((name, process, log))

    def stop(self, show_logs: bool) -> None:
        for name, process, log in reversed(self.started):
            stop_server(process)
            text = log.read_text(errors="replace") if log.exists() else ""
            if show_logs and text.strip():
                print(f"{name} log (last lines):\n  " + "\n  ".join(text.splitlines()[-15:]),
                      file=sys.stderr)


def outage_then_recovery(args: argparse.Namespace, app: Any, event_id: int, port: int,
                         smtp_port: int, workdir: Path, processes: Processes) -> bool:
    """Sign-ups with the server down, the server back, the mails awaited; the report."""
    t0 = time.monotonic()
    results, wall = run_signups(port, event_id, args)
    time.sleep(max(0.0, t0 + args.outage - time.monotonic()))
    maildir = workdir / "maildir"
    processes.add("aiosmtpd", start_smtp(smtp_port, maildir, workdir / "smtp.log"),
                  workdir / "smtp.log")
    back_at, down_s = time.time(), time.monotonic() - t0
    print(f"the mail server is back on 127.0.0.1:{smtp_port}; {maildir_count(maildir)} mails "
          f"received so far, {pending_mails(app)} waiting in the outbox")
    waited = wait_for_mails(app, maildir, len(results.signed), args.wait_limit)
    print(f"waited {waited:.1f} s for the mails (limit {args.wait_limit:.0f} s)")
    worker_log = workdir / "worker.log"
    return report(args, results, wall, down_s, received(maildir), back_at,
                  saved(app, event_id), jobs_done(worker_log, "mail.deliver"))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def _terminate(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, _terminate)

    from alembic import command

    from civic import create_app
    from civic.core.cli import alembic_config

    workdir = Path(tempfile.mkdtemp(prefix="civic-mail-bench-"))
    secret_key = secrets.token_urlsafe(32)
    smtp_port = free_port()  # nothing listens there until the outage is over
    env = server_env(args.database_url, secret_key, workdir) | mail_env(smtp_port)
    processes = Processes()
    app = None
    ok = False
    try:
        reset_database(args.database_url)
        command.upgrade(alembic_config(args.database_url), "head")
        app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": secret_key,
                          "MAIL_OUTBOX": env["CIVIC_MAIL_OUTBOX"],
                          "UPLOAD_DIR": env["CIVIC_UPLOAD_DIR"], "RATELIMIT_ENABLED": False})
        event_id = seed(app, args.signups)
        port = free_port()
        log = workdir / "gunicorn.log"
        server = start_server(args, env, port, log)
        processes.add("gunicorn", server, log)
        wait_ready(server, port)
        processes.add("worker", start_worker(env, workdir / "worker.log"), workdir / "worker.log")
        print(f"mail outage: {args.signups} sign-ups, {args.concurrency} at a time; gunicorn "
              f"{args.workers} workers on 127.0.0.1:{port}, one flask worker; SMTP to "
              f"127.0.0.1:{smtp_port}, down for the first {args.outage:.0f} s; load average "
              f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        ok = outage_then_recovery(args, app, event_id, port, smtp_port, workdir, processes)
    except KeyboardInterrupt as stop:
        print(f"interrupted ({stop}); stopping the servers", file=sys.stderr)
    except Exception as error:  # the servers are stopped below, then the error is shown
        print(f"bench failed: {type(error).__name__}: {error}", file=sys.stderr)
        raise
    finally:
        processes.stop(show_logs=not ok)
        if app is not None:
            app.extensions["civic.engine"].dispose()
        drop_database(args.database_url)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
