"""Secret votes under load: ballots per second and latency of the FPH vote over HTTP.

Run with ``make bench-vote`` or ``.venv/bin/python -m bench.vote_load [--voters N]
[--twice-share 0.1]``. It needs the PostgreSQL server of the development machine
(127.0.0.1:5432, user postgres, trust auth): the database ``civic_bench`` is dropped and
created again at each run.

What it does:

1. migrates a fresh ``civic_bench`` database and seeds, with SQLAlchemy, one round in its
   vote phase (5 admitted projects, approval 1 to 3) and N confirmed accounts sharing one
   precomputed argon2 hash, plus one "twin" account per pair of twins (below);
2. starts gunicorn (2 sync workers, ``wsgi:app``) on a free port of 127.0.0.1;
3. untimed: every voter logs in and opens the vote page for its CSRF token. By default
   the bench signs the session cookie that Flask-Login's ``login_user`` would set (same
   key, same serializer), because the real login costs one argon2 verification, slow on
   purpose (0.3 to 0.5 s of CPU on the 2-core machine): ``--login http`` posts the login
   form for every account instead, for a run several minutes longer. Either way, every
   later request goes through the app's real user loader;
4. timed: the voters vote at once, ``--concurrency`` of them in flight: the step=review
   POST, then the step=cast POST. A share of them (``--twice-share``) try to vote twice
   at once: half send the cast POST twice at the same instant from the same session, the
   other half vote at the same instant from two accounts that declare the same name and
   birth date. One of the two must get a receipt and the other be sent back to the round;
5. checks the box in the database: sealed ballots = distinct voters = register lines, no
   plaintext ballot before the count, every receipt shown is the start of a sealed
   ballot's tracker, and every tracker is the hash of its ciphertext and they add up to
   the stored seal; then opens the box with two of the three shares and counts it (rolled
   back): the counted ballots must be the choices of the voters who got a receipt;
6. untimed, in this process: the mean time of ``services.seal_choices`` (the encryption
   of one typical ballot to the round's count key) over ``--seal-calls`` calls, shown as
   a share of the app's CPU per ballot;
7. stops gunicorn, whatever happened.

The round's box is sealed as the trustees' service does it once every trustee has their
share (three seats without accounts, any two open it): the votes are encrypted to its
count key, as in real life.

With ``--mail-receipts``, the machines run as in production for mail: jobs in
PostgreSQL (``CIVIC_JOBS_BACKEND=procrastinate``), one ``flask worker`` beside gunicorn,
SMTP to a stub server (aiosmtpd, in a process of its own, writing a maildir). The voters
are then split into ``--batches`` batches run one after the other in the order without,
with, with, without… (ABBA, so that a drift of the machine over the run weighs on both
alike); in "with" batches every cast POST carries ``mail_receipt=y``, as when the voter
ticks « M’envoyer le reçu par e-mail ». Between batches the bench waits, untimed, until
the outbox is empty, so that no batch pays for the mails of the one before. It prints the
ballots per second of both kinds of batch side by side (aim: no loss of throughput), and
checks that every receipt shown to a voter who asked was received by the stub, once, at
the voter's address (exit status 1 otherwise).

Aims (issue): at least 300 ballots per second, p95 of the cast POST under 150 ms, no error,
nothing lost, nobody counted twice. The encrypted box may cost at most 10 % of the speed
measured before it (83 ballots per second on the 2-core development machine). Exit status
1 when a vote is lost, counted twice, the seal is broken or a request failed; a missed
speed aim is printed, not fatal.

Traffic goes to 127.0.0.1 only; every request has a timeout and each phase a time limit.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from sqlalchemy import func, insert, make_url, select

ROOT = Path(__file__).resolve().parents[1]
DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/civic_bench"
PASSWORD = "bench vote password"  # noqa: S105  (the bench accounts' only password)
USER_AGENT = "civic-bench-vote/1"

AIM_BALLOTS_PER_S = 300.0
AIM_P95_MS = 150.0
#: Ballots per second before the box was encrypted, on the 2-core development machine;
#: the encryption may cost at most 10 % of it.
BEFORE_BOX_BALLOTS_PER_S = 83.0
AIM_SEALED_BALLOTS_PER_S = 0.9 * BEFORE_BOX_BALLOTS_PER_S
#: With the receipt by mail, at least this share of the ballots per second without: no
#: loss beyond the few per cent that batches of one kind differ by on this machine.
AIM_RECEIPT_SHARE = 0.95
TRUSTEES, TRUSTEES_NEEDED = 3, 2

REQUEST_TIMEOUT = 15.0  # seconds, per HTTP request
SERVER_START_TIMEOUT = 30.0

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
RECEIPT = re.compile(r'<p class="receipt"><code>([0-9A-F]{4}(?:-[0-9A-F]{4}){3})</code>')


# --- Command line ------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.vote_load", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--voters", type=int, default=300, help="distinct voters (N)")
    parser.add_argument("--twice-share", type=float, default=0.1,
                        help="share of the voters who try to vote twice at once")
    parser.add_argument("--concurrency", type=int, default=16,
                        help="voters in flight at once during the timed phase")
    parser.add_argument("--login", choices=("cookie", "http"), default="cookie",
                        help="cookie: the bench signs, with the server's key, the session "
                             "cookie that login_user sets; http: every voter posts the login "
                             "form (argon2: about 0.3 to 0.5 s of server CPU each here)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per gunicorn worker (more than 1: gthread workers)")
    parser.add_argument("--time-limit", type=float, default=300.0,
                        help="seconds allowed for each phase (logins, votes)")
    parser.add_argument("--database-url", default=DATABASE_URL,
                        help="dropped and created again: its name must contain 'bench'")
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the ballots")
    parser.add_argument("--seal-calls", type=int, default=2000,
                        help="calls of services.seal_choices timed in-process (untimed phase)")
    parser.add_argument("--mail-receipts", action="store_true",
                        help="jobs in PostgreSQL, a flask worker and an SMTP stub; batches "
                             "without and with mail_receipt=y, alternating (see above)")
    parser.add_argument("--batches", type=int, default=8,
                        help="with --mail-receipts: batches of voters, a multiple of 4")
    parser.add_argument("--mail-time-limit", type=float, default=120.0,
                        help="with --mail-receipts: seconds allowed to deliver a batch's mails")
    args = parser.parse_args(argv)
    if args.mail_receipts and (args.batches < 4 or args.batches % 4):
        parser.error("--batches must be a positive multiple of 4")
    if args.voters < 2:
        parser.error("--voters must be at least 2")
    if args.seal_calls < 1:
        parser.error("--seal-calls must be at least 1")
    if not 0 <= args.twice_share <= 1:
        parser.error("--twice-share must be between 0 and 1")
    if "bench" not in (make_url(args.database_url).database or ""):
        parser.error("--database-url: the database name must contain 'bench' (it is dropped)")
    return args


# --- Database: reset, migrate, seed, check -------------------------------------------------


def reset_database(url: str) -> None:
    """Drop and create the bench database (closing whatever a former run left open)."""
    import psycopg

    bench = make_url(url)
    admin = bench.set(drivername="postgresql", database="postgres")
    name = bench.database
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


@dataclass
class Voter:
    index: int
    email: str
    name: str
    birth_date: date
    #: single, same_session (two cast POSTs at once) or twins (two accounts, one identity).
    kind: str = "single"
    twin_email: str | None = None
    projects: list[int] = field(default_factory=list)


@dataclass
class Seeded:
    round_id: int
    project_ids: list[int]
    voters: list[Voter]
    user_ids: dict[str, int]
    #: The trustees' shares of the count key, as they would keep them (the server keeps none).
    shares: list[str]


def plan_voters(n: int, twice_share: float, seed: int) -> list[Voter]:
    rng = random.Random(seed)
    twice = round(n * twice_share)
    twins = twice // 2
    kinds = ["twins"] * twins + ["same_session"] * (twice - twins) + ["single"] * (n - twice)
    rng.shuffle(kinds)
    return [Voter(index=i, email=f"votant{i:05d}@bench.example.org", name=f"Habitant·e n° {i}",
                  birth_date=date(1940, 1, 1) + timedelta(days=(i * 7) % 23_000), kind=kind,
                  twin_email=f"jumeau{i:05d}@bench.example.org" if kind == "twins" else None)
            for i, kind in enumerate(kinds)]


def seal_box(db: Any, round_: Any, now: Any) -> list[str]:
    """Seal the round's empty box as the trustees' service does once every trustee has
    received a share (here three seats without accounts, any two of whom open it), the day
    before the vote opens; returns the shares, which the server does not keep."""
    from civic.budget import box, trustees
    from civic.budget.models import Trustee

    round_.trustees_needed = TRUSTEES_NEEDED
    shares = []
    for position in range(1, TRUSTEES + 1):
        private, public = box.new_key()
        db.add(Trustee(round_id=round_.id, position=position, public_key=public,
                       received_at=now))
        shares.append(box.share_text(round_.id, position, private))
    db.flush()
    db.expire(round_, ["trustees"])
    trustees.seal_empty_box(db, round_, now=now)
    return shares


def seed(app: Any, args: argparse.Namespace) -> Seeded:
    """One round in its vote phase with its box sealed, 5 admitted projects, the voters'
    accounts; committed."""
    from civic.accounts.models import User
    from civic.budget.box import EMPTY_SEAL
    from civic.budget.models import Fund, Project, ProjectStatus, Round
    from civic.core import clock
    from civic.core.db import session as db
    from civic.core.security import hash_password
    from civic.territory.models import Contract, Quartier

    square = {"type": "Polygon", "coordinates": [[[1.40, 43.57], [1.41, 43.57], [1.41, 43.58],
                                                   [1.40, 43.58], [1.40, 43.57]]]}
    now = clock.now()
    day = timedelta(days=1)
    with app.app_context():
        contract = Contract(name="Contrat de ville du banc d’essai", start_year=2024,
                            end_year=2030, created_at=now)
        quartier = Quartier(contract=contract, code="QB000001", name="Quartier d’essai",
                            commune="Benchville", population=4200, perimeter=square,
                            created_at=now, updated_at=now)
        fund = Fund(quartier=quartier, year=now.year, envelope_cents=500_000,
                    cap_cents=150_000, min_project_cents=20_000, min_age=16,
                    rules_text="", vote_method="approval", approval_min=1, approval_max=3,
                    points_total=0, points_max=0, tally_rule="greedy", min_score=0,
                    created_at=now)
        round_ = Round(fund=fund, title="Vote du banc d’essai", secret=os.urandom(32),
                       seal=EMPTY_SEAL, created_at=now,
                       submission_starts_at=now - 40 * day, review_starts_at=now - 20 * day,
                       vote_starts_at=now - day, vote_ends_at=now + day,
                       follow_up_starts_at=now + 30 * day)
        db.add_all([contract, quartier, fund, round_])
        db.flush()
        shares = seal_box(db, round_, round_.vote_starts_at - day)
        password_hash = hash_password(PASSWORD)  # once: every account shares it
        authors = [f"porteur{n}@bench.example.org" for n in range(1, 6)]
        voters = plan_voters(args.voters, args.twice_share, args.seed)
        emails = authors + [v.email for v in voters] + [
            v.twin_email for v in voters if v.twin_email]
        db.execute(insert(User), [
            {"email": email, "password_hash": password_hash, "display_name": f"Personne {i}",
             "language": "fr", "quartier_id": quartier.id, "created_at": now,
             "email_confirmed_at": now} for i, email in enumerate(emails)])
        user_ids = {str(email): id_ for email, id_ in db.execute(select(User.email, User.id))}
        projects = []
        for n, amount in enumerate((90_000, 140_000, 120_000, 150_000, 75_000), start=1):
            projects.append(Project(
                round=round_, author_id=user_ids[authors[n - 1]], title=f"Micro-projet {n}",
                summary="Un projet du quartier.", description="Une description.",
                amount_cents=amount, budget_lines=[{"label": "Tout", "amount_cents": amount}],
                carrier_kind="residents", carrier_name="Collectif d’habitants",
                contact="06 00 00 00 00", status=ProjectStatus.ADMITTED.value,
                checklist={}, created_at=now, updated_at=now))
        db.add_all(projects)
        db.flush()
        project_ids = [p.id for p in projects]
        rng = random.Random(args.seed)
        for voter in voters:  # 1 to 3 projects each (approval_min, approval_max)
            voter.projects = sorted(rng.sample(project_ids, rng.randint(1, 3)))
        round_id = round_.id
        db.commit()
        db.remove()
    return Seeded(round_id, project_ids, voters, user_ids, shares)


@dataclass
class BoxCheck:
    ballots: int
    register: int
    fingerprints: int
    accounts: int
    receipts_in_box: int
    seal_ok: bool
    #: Plaintext ballots in the database: none may exist before the count.
    plaintext: int
    #: Two shares open the box and its count gives back the choices of the receipts' voters.
    counted_ok: bool = False


def check_box(app: Any, round_id: int, receipts: Iterable[str]) -> BoxCheck:
    from civic.budget import services
    from civic.budget.models import Ballot, Participation, Round, SealedBallot
    from civic.core.db import session as db

    with app.app_context():
        round_ = db.get(Round, round_id)
        assert round_ is not None
        ballots = db.scalar(select(func.count()).select_from(SealedBallot)
                            .where(SealedBallot.round_id == round_id)) or 0
        plaintext = db.scalar(select(func.count()).select_from(Ballot)
                              .where(Ballot.round_id == round_id)) or 0
        register, fingerprints, accounts = db.execute(
            select(func.count(), func.count(Participation.fingerprint.distinct()),
                   func.count(Participation.user_id.distinct()))
            .where(Participation.round_id == round_id)).one()
        found = [services.receipt_in_box(db(), code) for code in receipts]
        in_box = sum(1 for ballot in found if ballot is not None and ballot.round_id == round_id)
        seal_ok = services.seal_intact(db(), round_)
        db.remove()
    return BoxCheck(ballots, register, fingerprints, accounts, in_box, seal_ok, plaintext)


def count_matches(app: Any, round_id: int, shares: list[str],
                  expected: Counter[tuple[int, ...]]) -> bool:
    """Open the box with two of the three shares and count it, as the trustees would after
    the vote, then roll back: the counted ballots are exactly the choices of the voters who
    got a receipt."""
    from civic.budget import counting
    from civic.budget.models import Ballot, Round
    from civic.budget.services import BudgetError
    from civic.core.db import session as db

    with app.app_context():
        round_ = db.get(Round, round_id)
        assert round_ is not None
        try:
            counting.count(db(), round_, shares[1:], actor=None,
                           now=round_.vote_ends_at + timedelta(hours=1), small=11)
            counted = Counter(tuple(sorted(int(k) for k in choices)) for choices in db.scalars(
                select(Ballot.choices).where(Ballot.round_id == round_id)))
        except BudgetError as error:
            print(f"the count refused the box: {error.code}", file=sys.stderr)
            return False
        finally:
            db.rollback()
            db.remove()
    return counted == expected


def time_sealing(app: Any, round_id: int, voters: list[Voter], calls: int) -> float:
    """Mean CPU milliseconds of ``services.seal_choices`` for a typical ballot (the median
    number of projects the voters chose), in this process, the round and its costs loaded
    once, as ``cast`` has them."""
    from civic.budget import services
    from civic.budget.models import Round
    from civic.core.db import session as db

    sizes = sorted(len(v.projects) for v in voters)
    typical = next(v for v in voters if len(v.projects) == sizes[len(sizes) // 2])
    choices = dict.fromkeys(typical.projects, 1)
    with app.app_context():
        round_ = db.get(Round, round_id)
        assert round_ is not None
        costs = services.ballot_costs(db(), round_)
        services.seal_choices(round_, choices, costs)  # warm: imports, the fund loaded
        start = time.process_time()
        for _ in range(calls):
            services.seal_choices(round_, choices, costs)
        elapsed = time.process_time() - start
        db.remove()
    return 1000 * elapsed / calls


# --- The server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(url: str, secret_key: str, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVIC_")}
    env.update({
        "CIVIC_DATABASE_URL": url,
        "CIVIC_SECRET_KEY": secret_key,
        "CIVIC_RATELIMIT_ENABLED": "0",
        "CIVIC_MAIL_BACKEND": "outbox",
        "CIVIC_MAIL_OUTBOX": str(workdir / "outbox"),
        "CIVIC_UPLOAD_DIR": str(workdir / "uploads"),
    })
    return env


def start_server(args: argparse.Namespace, env: dict[str, str], port: int,
                 log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "gunicorn", "--workers", str(args.workers),
               "--threads", str(args.threads), "--bind", f"127.0.0.1:{port}",
               "--chdir", str(ROOT), "--timeout", "60", "--graceful-timeout", "10",
               "--log-level", "warning", "--error-logfile", str(log), "wsgi:app"]
    with log.open("ab") as out:
        # A session of its own: the bench can end gunicorn and its workers, and only them.
        return subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
            command, cwd=ROOT, env=env, stdout=out, stderr=out, stdin=subprocess.DEVNULL,
            start_new_session=True)


def wait_ready(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/connexion", headers={"User-Agent": USER_AGENT})
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on 127.0.0.1:{port} within "
                       f"{SERVER_START_TIMEOUT:.0f} s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (gunicorn's graceful stop), then SIGKILL to its own process group."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


# --- Mail: the job worker and a stub SMTP server (--mail-receipts; bench.mail_outage) --------


def mail_env(smtp_port: int) -> dict[str, str]:
    """Mail as in production: jobs in PostgreSQL, SMTP (no TLS) to 127.0.0.1:``smtp_port``."""
    return {"CIVIC_JOBS_BACKEND": "procrastinate", "CIVIC_MAIL_BACKEND": "smtp",
            "CIVIC_MAIL_SERVER": "127.0.0.1", "CIVIC_MAIL_PORT": str(smtp_port),
            "CIVIC_MAIL_STARTTLS": "0"}


def start_process(command: list[str], env: dict[str, str],
                  log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        # A session of its own, as for gunicorn: the bench ends it, and only it.
        return subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
            command, cwd=ROOT, env=env, stdout=out, stderr=out, stdin=subprocess.DEVNULL,
            start_new_session=True)


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``flask worker``: the queued jobs (mail.deliver) and the scheduled ones; its log in
    JSON, a line per job done."""
    return start_process([sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
                         env | {"CIVIC_LOG_FORMAT": "json"}, log)


def start_smtp(port: int, maildir: Path, log: Path) -> subprocess.Popen[bytes]:
    """aiosmtpd on 127.0.0.1:``port``, in a process of its own (not competing with the
    bench's clients for this process's GIL), keeping every mail in the maildir ``maildir``
    with its envelope's recipients in an X-RcptTo header."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVIC_")}
    process = start_process([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Mailbox", str(maildir)], env, log)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"aiosmtpd exited with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    stop_server(process)
    raise RuntimeError(f"aiosmtpd did not listen on 127.0.0.1:{port}")


def maildir_count(maildir: Path) -> int:
    return sum(len(list(folder.iterdir())) for folder in (maildir / "new", maildir / "cur")
               if folder.is_dir())


@dataclass
class Received:
    #: Recipient address -> mails received for it.
    recipients: Counter[str]
    #: When the last mail was written (seconds since the epoch); NaN for none.
    last_at: float


def received(maildir: Path) -> Received:
    """What the stub received: each mail's envelope recipients, and when the last came."""
    parser = BytesHeaderParser()
    recipients: Counter[str] = Counter()
    times = []
    for folder in (maildir / "new", maildir / "cur"):
        for path in folder.iterdir() if folder.is_dir() else []:
            with path.open("rb") as stream:
                headers = parser.parse(stream)
            recipients.update(r.strip().lower() for r in str(headers.get("X-RcptTo", ""))
                              .split(",") if r.strip())
            times.append(path.stat().st_mtime)
    return Received(recipients, max(times, default=math.nan))


def pending_mails(app: Any) -> int:
    from civic.core.db import session as db
    from civic.core.mail import PENDING, OutgoingMail

    with app.app_context():
        count = db.scalar(select(func.count()).select_from(OutgoingMail)
                          .where(OutgoingMail.status == PENDING)) or 0
        db.remove()
    return int(count)


def jobs_done(log: Path, name: str) -> int:
    """The worker's JSON log lines saying that job ``name`` ran."""
    count = 0
    for line in log.read_text(errors="replace").splitlines() if log.exists() else []:
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            count += entry.get("message") == "job done" and entry.get("job") == name
    return count


@dataclass
class Batch:
    receipts: bool
    casts: int
    wall: float
    #: The batch's cast POSTs, in milliseconds.
    cast_ms: list[float]
    #: CPU seconds of the gunicorn workers during the batch.
    app_cpu_s: float
    #: Untimed, after the batch: seconds until the outbox was empty and the stub had every
    #: receipt asked so far.
    delivered_s: float


def receipt_plan(batches: int) -> list[bool]:
    """Without, with, with, without… (ABBA): a steady drift weighs on both alike."""
    return [False, True, True, False] * (batches // 4)


class MailSide:
    """With ``--mail-receipts``: the SMTP stub and one ``flask worker`` beside gunicorn."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.maildir = workdir / "maildir"
        self.worker_log = workdir / "worker.log"
        self.processes: list[subprocess.Popen[bytes]] = []
        #: CPU seconds of the worker and of the SMTP stub during the timed phase.
        self.worker_cpu_s = self.smtp_cpu_s = 0.0

    def env(self) -> dict[str, str]:
        return mail_env(self.port)

    def start(self, env: dict[str, str]) -> None:
        self.processes.append(start_smtp(self.port, self.maildir, self.workdir / "smtp.log"))
        self.processes.append(start_worker(env, self.worker_log))

    def stop(self) -> None:
        for process in reversed(self.processes):
            stop_server(process)

    def settle(self, app: Any, expected: int, limit: float) -> float:
        """Wait until the outbox is empty and the stub has ``expected`` mails; seconds."""
        start = time.monotonic()
        while time.monotonic() - start < limit:
            if maildir_count(self.maildir) >= expected and pending_mails(app) == 0:
                break
            time.sleep(0.1)
        return time.monotonic() - start

    def run(self, app: Any, server: subprocess.Popen[bytes], results: Results,
            voters: list[Voter], browsers: dict[str, Browser],
            args: argparse.Namespace) -> tuple[list[Batch], float]:
        """The voters in batches, without and with the receipt by mail (ABBA)."""
        plan = receipt_plan(args.batches)
        workers = children(server.pid)
        smtp, worker = (process.pid for process in self.processes)
        cpu_before = cpu_seconds([worker]), cpu_seconds([smtp])
        batches = []
        for i, receipts in enumerate(plan):
            chunk = voters[i * len(voters) // len(plan):(i + 1) * len(voters) // len(plan)]
            results.ask_receipt = receipts
            casts_before, app_before = len(results.cast_ms), cpu_seconds(workers)
            wall = run_batch(results, chunk, browsers, args)
            app_cpu = cpu_seconds(workers) - app_before
            settled = self.settle(app, sum(results.mailed_to.values()), args.mail_time_limit)
            cast_ms = results.cast_ms[casts_before:]
            batches.append(Batch(receipts, len(cast_ms), wall, cast_ms, app_cpu, settled))
        self.worker_cpu_s = cpu_seconds([worker]) - cpu_before[0]
        self.smtp_cpu_s = cpu_seconds([smtp]) - cpu_before[1]
        return batches, sum(batch.wall for batch in batches)

    def report(self, batches: list[Batch], results: Results) -> bool:
        """Ballots per second without and with the receipt by mail; every receipt asked was
        received, once, at the voter's address."""
        def rate(receipts: bool, *, delivered: bool = False) -> float:
            chosen = [b for b in batches if b.receipts is receipts]
            seconds = sum(b.wall + (b.delivered_s if delivered else 0.0) for b in chosen)
            return sum(b.casts for b in chosen) / seconds if seconds else math.nan

        without, with_ = rate(False), rate(True)
        got = received(self.maildir)
        asked = Counter({email.lower(): n for email, n in results.mailed_to.items()})
        mails = sum(got.recipients.values())
        print(f"receipts by mail: {len(batches)} batches, cast POSTs/s each: " + ", ".join(
            f"{'with' if b.receipts else 'without'} {b.casts / b.wall:.1f}" for b in batches))
        kept = with_ >= AIM_RECEIPT_SHARE * without
        pair = f"{without:.1f} / {with_:.1f}"
        print(f"{'ballots/s without / with receipt by mail':<46}{pair:>14}"
              f"   no loss (with >= {100 * AIM_RECEIPT_SHARE:.0f} % of without): "
              f"{100 * with_ / without:.1f} %  {mark(kept)}")
        medians = [percentile([ms for b in batches if b.receipts is kind for ms in b.cast_ms], 50)
                   for kind in (False, True)]
        print(f"{'  cast POST median without / with (ms)':<46}"
              f"{f'{medians[0]:.1f} / {medians[1]:.1f}':>14}")
        app_ms = [1000 * sum(b.app_cpu_s for b in batches if b.receipts is kind)
                  / max(1, sum(b.casts for b in batches if b.receipts is kind))
                  for kind in (False, True)]
        print(f"{'  app CPU per voter (review + cast), w/o / with':<46}"
              f"{f'{app_ms[0]:.1f} / {app_ms[1]:.1f}':>14} ms")
        print(f"{'  with, counting the wait for their mails':<46}"
              f"{rate(True, delivered=True):>14.1f}   (outbox empty after each batch: "
              + ", ".join(f"{b.delivered_s:.1f}" for b in batches if b.receipts) + " s)")
        per_mail = [1000 * s / max(1, mails) for s in (self.worker_cpu_s, self.smtp_cpu_s)]
        print(f"{'  CPU per receipt mail: worker / SMTP stub':<46}"
              f"{f'{per_mail[0]:.1f} / {per_mail[1]:.1f}':>14} ms  (the stub shares these "
              f"cores; {jobs_done(self.worker_log, 'mail.deliver')} mail.deliver runs)")
        delivered = got.recipients == asked
        twice = sum(1 for n in got.recipients.values() if n > 1)
        print(f"{'receipt mails received / asked':<46}{f'{mails} / {sum(asked.values())}':>14}"
              f"   all, none twice ({twice}), each at its voter's address  {mark(delivered)}")
        return delivered


# --- CPU time of the processes at work (robust to other load on the machine) -----------


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU time of these processes, from /proc (0 for a vanished one)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                found.append(int(entry.name))
    return found


def backend_pids(app: Any) -> list[int]:
    """The PostgreSQL backends serving the bench database, but this process's own."""
    from sqlalchemy import text

    from civic.core.db import session as db

    with app.app_context():
        pids = list(db.scalars(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()")))
        db.remove()
    return pids


@dataclass
class CpuUse:
    app_s: float
    db_s: float
    client_s: float


def measure_cpu(app: Any, server: subprocess.Popen[bytes],
                run: Callable[[], Any]) -> tuple[Any, CpuUse]:
    workers, backends = children(server.pid), backend_pids(app)
    before = cpu_seconds(workers), cpu_seconds(backends), time.process_time()
    out = run()
    backends = sorted(set(backends) | set(backend_pids(app)))
    return out, CpuUse(cpu_seconds(workers) - before[0], cpu_seconds(backends) - before[1],
                       time.process_time() - before[2])


# --- One voter's browser -------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    location: str
    body: str
    ms: float


class RequestFailed(Exception):
    """No HTTP answer: timeout, refused or reset connection."""


class Browser:
    """A cookie jar and one connection per request (gunicorn's sync workers close it)."""

    def __init__(self, port: int, owner: str = "") -> None:
        self.port = port
        #: The e-mail address of the account logged in with it.
        self.owner = owner
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(self, method: str, path: str,
                form: list[tuple[str, str]] | None = None) -> Reply:
        headers = {"User-Agent": USER_AGENT, "Accept": "text/html"}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        start = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            raise RequestFailed(f"{method} {path}: {type(error).__name__}: {error}") from error
        finally:
            conn.close()
        ms = (time.perf_counter() - start) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            pair, _, attributes = header.partition(";")
            name, _, value = pair.strip().partition("=")
            if not value or "max-age=0" in attributes.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return Reply(response.status, response.getheader("Location") or "",
                     data.decode("utf-8", "replace"), ms)


# --- Results ---------------------------------------------------------------------------------


@dataclass
class Results:
    round_id: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    review_ms: list[float] = field(default_factory=list)
    cast_ms: list[float] = field(default_factory=list)
    ballot_ms: list[float] = field(default_factory=list)
    #: receipt code -> voter index (the identity that received it).
    receipts: dict[str, int] = field(default_factory=dict)
    receipts_per_voter: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    second_refused: int = 0
    second_accepted: int = 0
    #: Whether the cast POSTs now ask for the receipt by mail (``mail_receipt=y``).
    ask_receipt: bool = False
    #: The addresses that should receive a receipt by mail, and how many each.
    mailed_to: Counter[str] = field(default_factory=Counter)

    def error(self, kind: str, detail: str) -> None:
        with self.lock:
            self.errors[kind] += 1
            self.examples.setdefault(kind, detail[:300])


def classify_failure(reply: Reply, what: str) -> tuple[str, str]:
    kind = "5xx" if reply.status >= 500 else "unexpected page"
    title = re.search(r"<title>(.*?)</title>", reply.body, re.S)
    detail = (f"{what}: HTTP {reply.status} {reply.location} "
              f"{title.group(1).strip() if title else reply.body[:120]!r}")
    return kind, detail


def ballot_form(browser: Browser, voter: Voter, step: str,
                receipt: bool = False) -> list[tuple[str, str]]:
    return [("csrf_token", browser.csrf), ("step", step), ("name", voter.name),
            ("birth_date", voter.birth_date.isoformat()), ("lives_in_quartier", "y"),
            *(("project", str(p)) for p in voter.projects),
            *([("mail_receipt", "y")] if receipt else [])]


def run_all(task: Callable[[Any], None], items: Iterable[Any], in_flight: int) -> None:
    """``task`` on every item, ``in_flight`` at a time; on an interrupt, what has not
    started is cancelled and what has is awaited (each request has its timeout)."""
    pool = ThreadPoolExecutor(max_workers=in_flight)
    try:
        for future in [pool.submit(task, item) for item in items]:
            future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# --- Untimed: logging in, opening the vote page ------------------------------------------------


def open_vote_page(browser: Browser, round_id: int) -> None:
    reply = browser.request("GET", f"/fph/{round_id}/voter")
    found = CSRF.search(reply.body) if reply.status == 200 else None
    if found is None:
        raise RequestFailed(classify_failure(reply, "vote page")[1])
    browser.csrf = found.group(1)


def login_http(browser: Browser, email: str) -> None:
    page = browser.request("GET", "/connexion")
    found = CSRF.search(page.body)
    if page.status != 200 or found is None:
        raise RequestFailed(classify_failure(page, "login page")[1])
    reply = browser.request("POST", "/connexion", [("csrf_token", found.group(1)),
                                                   ("email", email), ("password", PASSWORD),
                                                   ("next", "")])
    if reply.status != 302 or "session" not in browser.cookies:
        raise RequestFailed(classify_failure(reply, "login")[1])


def cookie_login(app: Any, user_ids: dict[str, int]) -> Callable[[Browser, str], None]:
    """The session cookie login_user sets, signed by the bench with the server's key."""
    from flask_login.utils import _create_identifier

    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"},
                                  headers={"User-Agent": USER_AGENT}):
        identifier = _create_identifier()
    serializer = app.session_interface.get_signing_serializer(app)
    cookie_name = app.config["SESSION_COOKIE_NAME"]

    def login(browser: Browser, email: str) -> None:
        browser.cookies[cookie_name] = serializer.dumps(
            {"_user_id": str(user_ids[email]), "_fresh": True, "_id": identifier,
             "lang": "fr"})

    return login


def prepare(voters: list[Voter], port: int, round_id: int, login: Callable[[Browser, str], None],
            args: argparse.Namespace) -> tuple[dict[str, Browser], Counter[str], dict[str, str],
                                               float]:
    """Every account logged in with its CSRF token: {email: browser}, errors, examples, s."""
    emails = [v.email for v in voters] + [v.twin_email for v in voters if v.twin_email]
    rng = random.Random(args.seed)
    rng.shuffle(emails)
    browsers: dict[str, Browser] = {}
    errors: Counter[str] = Counter()
    examples: dict[str, str] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + args.time_limit

    def one(email: str) -> None:
        if time.monotonic() > deadline:
            with lock:
                errors["login time limit"] += 1
            return
        browser = Browser(port, owner=email)
        try:
            login(browser, email)
            open_vote_page(browser, round_id)
        except RequestFailed as error:
            with lock:
                errors["login or vote page"] += 1
                examples.setdefault("login or vote page", str(error)[:300])
            return
        with lock:
            browsers[email] = browser

    start = time.perf_counter()
    # Logins are argon2-bound on the server: a few more in flight than workers is enough.
    run_all(one, emails, max(4, 2 * args.workers * args.threads))
    return browsers, errors, examples, time.perf_counter() - start


# --- Timed: the votes ----------------------------------------------------------------------------


def review(browser: Browser, voter: Voter, results: Results) -> float | None:
    try:
        reply = browser.request("POST", f"/fph/{results.round_id}/voter",
                                ballot_form(browser, voter, "review"))
    except RequestFailed as error:
        results.error("timeout or connection", str(error))
        return None
    with results.lock:
        results.review_ms.append(reply.ms)
    if reply.status != 200 or 'name="step" value="cast"' not in reply.body:
        results.error(*classify_failure(reply, "review"))
        return None
    return reply.ms


def cast(browser: Browser, voter: Voter, results: Results) -> tuple[str, Reply | None]:
    """("receipt" | "refused" | "failed", reply); the receipt is recorded."""
    try:
        reply = browser.request("POST", f"/fph/{results.round_id}/voter",
                                ballot_form(browser, voter, "cast", results.ask_receipt))
    except RequestFailed as error:
        results.error("timeout or connection", str(error))
        return "failed", None
    with results.lock:
        results.cast_ms.append(reply.ms)
    found = RECEIPT.search(reply.body) if reply.status == 200 else None
    if found is not None:
        with results.lock:
            results.receipts[found.group(1)] = voter.index
            results.receipts_per_voter[voter.index] += 1
            if results.ask_receipt:
                results.mailed_to[browser.owner] += 1
        return "receipt", reply
    if reply.status == 302 and urlsplit(reply.location).path == f"/fph/{results.round_id}":
        return "refused", reply
    return "failed", reply


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in parallel threads released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    out: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=REQUEST_TIMEOUT)
        out[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(1, len(calls))]
    for thread in threads:
        thread.start()
    run(0)
    for thread in threads:
        thread.join()
    return out


def vote_once(voter: Voter, browser: Browser, results: Results) -> None:
    review_ms = review(browser, voter, results)
    if review_ms is None:
        return
    outcome, reply = cast(browser, voter, results)
    if outcome == "receipt" and reply is not None:
        with results.lock:
            results.ballot_ms.append(review_ms + reply.ms)
    elif reply is not None:
        results.error(*classify_failure(reply, f"cast ({outcome}) of a single voter"))


def vote_twice(voter: Voter, first: Browser, second: Browser, results: Results) -> None:
    """Two cast POSTs at the same instant: one receipt, one refusal expected."""
    if first is second:
        review_ms = review(first, voter, results)
        reviews = [review_ms, review_ms]
    else:
        reviews = at_once(lambda: review(first, voter, results),
                          lambda: review(second, voter, results))
    if None in reviews:
        return
    outcomes = at_once(lambda: cast(first, voter, results), lambda: cast(second, voter, results))
    kinds = [kind for kind, _reply in outcomes]
    for (kind, reply), review_ms in zip(outcomes, reviews, strict=True):
        if kind == "receipt" and reply is not None:
            with results.lock:
                results.ballot_ms.append(review_ms + reply.ms)
    if sorted(kinds) == ["receipt", "refused"]:
        with results.lock:
            results.second_refused += 1
    elif kinds == ["receipt", "receipt"]:
        with results.lock:
            results.second_accepted += 1
    else:
        for kind, reply in outcomes:
            if kind == "failed" and reply is not None:
                results.error(*classify_failure(reply, f"double cast ({voter.kind})"))
        if "receipt" not in kinds and "failed" not in kinds:
            results.error("both casts refused", f"voter {voter.index} ({voter.kind})")


def run_votes(round_id: int, voters: list[Voter], browsers: dict[str, Browser],
              args: argparse.Namespace) -> tuple[Results, float]:
    results = Results(round_id)
    return results, run_batch(results, voters, browsers, args)


def run_batch(results: Results, voters: list[Voter], browsers: dict[str, Browser],
              args: argparse.Namespace) -> float:
    """These voters vote, ``--concurrency`` in flight; the wall time in seconds."""
    deadline = time.monotonic() + args.time_limit

    def one(voter: Voter) -> None:
        if time.monotonic() > deadline:
            results.error("vote time limit", f"voter {voter.index} did not vote")
            return
        browser = browsers.get(voter.email)
        twin = browsers.get(voter.twin_email or "")
        if browser is None or (voter.kind == "twins" and twin is None):
            return  # already counted as a login error
        if voter.kind == "single":
            vote_once(voter, browser, results)
        elif voter.kind == "same_session":
            vote_twice(voter, browser, browser, results)
        else:
            assert twin is not None
            vote_twice(voter, browser, twin, results)

    start = time.perf_counter()
    run_all(one, voters, args.concurrency)
    return time.perf_counter() - start


# --- Report ----------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(args: argparse.Namespace, voters: list[Voter], results: Results, wall: float,
           cpu: CpuUse, box: BoxCheck, seal_ms: float, login_errors: Counter[str],
           login_examples: dict[str, str]) -> bool:
    n = len(voters)
    doubles = sum(v.kind != "single" for v in voters)
    casts = len(results.cast_ms)
    per_s = casts / wall if wall else 0.0
    accepted_per_s = len(results.receipts) / wall if wall else 0.0
    cast_p50, cast_p95 = percentile(results.cast_ms, 50), percentile(results.cast_ms, 95)
    errors = results.errors + login_errors
    error_count = sum(errors.values())
    twice_counted = sum(1 for c in results.receipts_per_voter.values() if c > 1)
    voted = len(results.receipts_per_voter)
    equal = box.ballots == box.register == box.fingerprints == voted == n and box.plaintext == 0
    nothing_lost = box.receipts_in_box == len(results.receipts) == box.ballots
    nobody_twice = twice_counted == 0 and results.second_accepted == 0 and (
        box.register == box.fingerprints)

    print(f"timed phase: {wall:.2f} s wall, {len(results.review_ms)} review and {casts} cast "
          f"POSTs completed, {args.concurrency} voters in flight")
    print(f"{'':<46}{'measured':>14}   aim")
    print(f"{'ballots per second (cast POSTs / s)':<46}{per_s:>14.1f}   "
          f">= {AIM_BALLOTS_PER_S:.0f}  {mark(per_s >= AIM_BALLOTS_PER_S)}")
    print(f"{'  of which accepted ballots / s':<46}{accepted_per_s:>14.1f}")
    print(f"{'cast POST median / p95 (ms)':<46}{cast_p50:>7.1f} /{cast_p95:>6.1f}   "
          f"p95 < {AIM_P95_MS:.0f}  {mark(cast_p95 < AIM_P95_MS)}")
    print(f"{'review POST median / p95 (ms)':<46}{percentile(results.review_ms, 50):>7.1f} /"
          f"{percentile(results.review_ms, 95):>6.1f}")
    print(f"{'per ballot, review + cast, med / p95':<46}{percentile(results.ballot_ms, 50):>7.1f} /"
          f"{percentile(results.ballot_ms, 95):>6.1f}")
    accepted = max(1, len(results.receipts))
    per_ballot = [1000 * s / accepted for s in (cpu.app_s, cpu.db_s, cpu.client_s)]
    cores = os.cpu_count() or 1
    print(f"{'CPU per ballot: app / PostgreSQL / bench':<46}"
          f"{' /'.join(f'{ms:5.1f}' for ms in per_ballot):>14} ms  (ceiling on {cores} idle "
          f"cores: {cores * 1000 / sum(per_ballot):.0f} ballots/s)")
    sealed_ok = per_s >= AIM_SEALED_BALLOTS_PER_S
    print(f"{'  of app CPU: encryption (seal_choices)':<46}{seal_ms:>11.3f} ms   "
          f"{100 * seal_ms / per_ballot[0] if per_ballot[0] else math.nan:.1f} % of "
          f"{per_ballot[0]:.1f} ms; aim ballots/s >= {AIM_SEALED_BALLOTS_PER_S:.1f} "
          f"({BEFORE_BOX_BALLOTS_PER_S:.0f} less 10 %)  {mark(sealed_ok)}")
    detail = ", ".join(f"{k} {v}" for k, v in sorted(errors.items())) or "none"
    print(f"{'errors (5xx, timeouts, unexpected)':<46}{error_count:>14}   0  "
          f"{mark(error_count == 0)}  ({detail})")
    for kind, example in sorted({**login_examples, **results.examples}.items()):
        print(f"    e.g. {kind}: {example}")
    print(f"{'sealed ballots / distinct voters / register':<46}"
          f"{f'{box.ballots} / {voted} / {box.register}':>14}   all = {n}, no plaintext "
          f"({box.plaintext})  {mark(equal)}")
    print(f"{'receipts shown / of them in the box':<46}"
          f"{f'{len(results.receipts)} / {box.receipts_in_box}':>14}   nothing lost  "
          f"{mark(nothing_lost)}")
    print(f"{'second votes refused / accepted':<46}"
          f"{f'{results.second_refused} / {results.second_accepted}':>14}   "
          f"{doubles} / 0, nobody counted twice  {mark(nobody_twice)}")
    print(f"{'trackers = hashes, their sum = stored seal':<46}{str(box.seal_ok).lower():>14}   "
          f"true  {mark(box.seal_ok)}")
    print(f"{'count with 2 of 3 shares = choices cast':<46}{str(box.counted_ok).lower():>14}"
          f"   true (rolled back)  {mark(box.counted_ok)}")
    speed = per_s >= AIM_BALLOTS_PER_S and cast_p95 < AIM_P95_MS and sealed_ok
    sound = error_count == 0 and equal and nothing_lost and nobody_twice and box.seal_ok and (
        box.counted_ok)
    print(f"verdict: speed {'within' if speed else 'OUTSIDE'} aims; "
          f"box {'sound' if sound else 'NOT SOUND'}")
    return sound


# --- Main ------------------------------------------------------------------------------------


def timed_votes(app: Any, server: subprocess.Popen[bytes], round_id: int,
                browsers: dict[str, Browser], voters: list[Voter], args: argparse.Namespace,
                mail: MailSide | None) -> tuple[Results, float, CpuUse, list[Batch]]:
    """The timed phase: every voter at once, or (``--mail-receipts``) batch after batch."""
    if mail is None:
        (results, wall), cpu = measure_cpu(
            app, server, lambda: run_votes(round_id, voters, browsers, args))
        return results, wall, cpu, []
    results = Results(round_id)
    (batches, wall), cpu = measure_cpu(
        app, server, lambda: mail.run(app, server, results, voters, browsers, args))
    return results, wall, cpu, batches


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def _terminate(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, _terminate)

    from alembic import command

    from civic import create_app
    from civic.core.cli import alembic_config

    workdir = Path(tempfile.mkdtemp(prefix="civic-vote-bench-"))
    secret_key = secrets.token_urlsafe(32)
    mail = MailSide(workdir) if args.mail_receipts else None
    env = server_env(args.database_url, secret_key, workdir) | (mail.env() if mail else {})
    log = workdir / "gunicorn.log"
    server: subprocess.Popen[bytes] | None = None
    app = None
    ok = False
    try:
        t0 = time.perf_counter()
        reset_database(args.database_url)
        command.upgrade(alembic_config(args.database_url), "head")
        t1 = time.perf_counter()
        app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": secret_key,
                          "MAIL_OUTBOX": env["CIVIC_MAIL_OUTBOX"],
                          "UPLOAD_DIR": env["CIVIC_UPLOAD_DIR"], "RATELIMIT_ENABLED": False})
        seeded = seed(app, args)
        t2 = time.perf_counter()
        port = free_port()
        server = start_server(args, env, port, log)
        wait_ready(server, port)
        if mail is not None:
            mail.start(env)
        t3 = time.perf_counter()
        voters = seeded.voters
        accounts = len(seeded.user_ids) - 5  # the projects' authors do not vote
        print(f"vote load: {len(voters)} voters ({sum(v.kind == 'same_session' for v in voters)}"
              f" cast twice from one session, {sum(v.kind == 'twins' for v in voters)} twins "
              f"with two accounts), {accounts} accounts; gunicorn {args.workers} workers x "
              f"{args.threads} thread(s) on 127.0.0.1:{port}"
              f"{'; a flask worker, SMTP to a stub' if mail else ''}; load average "
              f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        print(f"setup: database {t1 - t0:.1f} s, seed {t2 - t1:.1f} s, server up "
              f"{t3 - t2:.1f} s")
        login = login_http if args.login == "http" else cookie_login(app, seeded.user_ids)
        browsers, login_errors, login_examples, login_s = prepare(
            voters, port, seeded.round_id, login, args)
        print(f"untimed: {len(browsers)} of {accounts} accounts logged in ({args.login}) "
              f"and on the vote page in {login_s:.1f} s")
        results, wall, cpu, batches = timed_votes(app, server, seeded.round_id, browsers,
                                                  voters, args, mail)
        box = check_box(app, seeded.round_id, results.receipts)
        box.counted_ok = count_matches(app, seeded.round_id, seeded.shares, Counter(
            tuple(voters[i].projects) for i in results.receipts.values()))
        seal_ms = time_sealing(app, seeded.round_id, voters, args.seal_calls)
        ok = report(args, voters, results, wall, cpu, box, seal_ms, login_errors,
                    login_examples)
        if mail is not None:
            ok = mail.report(batches, results) and ok
    except KeyboardInterrupt as stop:
        print(f"interrupted ({stop}); stopping gunicorn", file=sys.stderr)
    except Exception as error:  # the server is stopped below, then the error is shown
        print(f"bench failed: {type(error).__name__}: {error}", file=sys.stderr)
        raise
    finally:
        if server is not None:
            stop_server(server)
            print(f"gunicorn stopped (status {server.returncode})")
        if mail is not None:
            mail.stop()
        if app is not None:
            app.extensions["civic.engine"].dispose()
        text = log.read_text(errors="replace") if log.exists() else ""
        if text.strip() and not ok:
            print("gunicorn log (last lines):\n  " + "\n  ".join(text.splitlines()[-30:]),
                  file=sys.stderr)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
