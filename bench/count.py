"""The count of a large encrypted box: decrypt, shuffle and tally 60 000 sealed ballots, on
SQLite and on PostgreSQL.

Run with ``make bench-count`` or ``.venv/bin/python -m bench.count [--ballots N]
[--rule greedy|equal-shares] [--sqlite-only]``. SQLite runs on a temporary file;
PostgreSQL on the server of the development machine (127.0.0.1:5432, user postgres, trust
auth), when it answers, in a database of its own, ``civic_bench_count``, created for the
run and dropped after it.

For each database:

1. migrates it and seeds one round in its counting phase (20 admitted projects, approval 1
   to 5) whose box was sealed before the vote, as the trustees' service does it (three
   seats without accounts, any two of whom open it);
2. fills the box, untimed, with N ballots (60 000) encrypted by ``services.seal_choices``,
   their trackers and the seal added up with ``box.add_to_seal``, inserted in bulk by the
   online, kiosk and code channels (paper ballots would need their register lines);
3. timed: ``counting.count`` with two of the three shares, as the count request does it,
   committed in one transaction: the key rebuilt, the seal checked, every ballot
   decrypted, the box shuffled and written in clear, the fund's rule run (wall time, and
   the CPU time of this process: the machine is shared, the latter says how much of the
   wall time was the count's own work);
4. checks the result against the choices it encrypted: as many counted ballots, the same
   score for every project, the same ballots per channel;
5. the parts, timed apart on the same box in a transaction rolled back: key, seal check,
   reading the ciphertexts, ``box.decrypt_all`` over all of them, shuffle, writing the
   plaintext ballots (next to the counted ones), the rule. Their sum is close to, not
   exactly, the count's time;
6. the median time of a voter's receipt check (``services.receipt_in_box``) in the full
   box, over 50 receipts, each of which must be found.

Aim (issue): the count of 60 000 ballots in under 10 s. A missed aim is printed, not
fatal; a wrong count ends with exit status 1.
"""

from __future__ import annotations

import argparse
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, insert, make_url, select, text

from bench.vote_load import seal_box

AIM_S = 10.0
POSTGRES_PROBE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/civic_bench_count"
#: The channels of the ballots, with their shares of the box.
CHANNELS = {"online": 0.6, "kiosk": 0.3, "code": 0.1}
SMALL = 11  # the secrecy threshold of the count (the app's setting)
BATCH = 10_000  # sealed ballots per INSERT statement

T = TypeVar("T")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.count", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--ballots", type=int, default=60_000, help="sealed ballots in the box")
    parser.add_argument("--projects", type=int, default=20, help="admitted projects")
    parser.add_argument("--rule", choices=("greedy", "equal-shares"), default="greedy",
                        help="the fund's tally rule")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the ballots")
    args = parser.parse_args(argv)
    if args.ballots < 1 or args.projects < 5:
        parser.error("--ballots must be at least 1 and --projects at least 5")
    return args


# --- PostgreSQL: is it there, a database of its own -------------------------------------


def _admin(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def postgres_reachable() -> bool:
    import psycopg

    try:
        with psycopg.connect(_admin(POSTGRES_PROBE), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _drop_and_create(create: bool) -> None:
    import psycopg

    name = make_url(POSTGRES).database
    with psycopg.connect(_admin(POSTGRES_PROBE), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')


# --- Seeding: a round in its counting phase, its box full ---------------------------------


@dataclass
class Seeded:
    round_id: int
    shares: list[str]
    #: What was encrypted: the score of each project, the ballots of each channel.
    scores: Counter[int] = field(default_factory=Counter)
    turnout: Counter[str] = field(default_factory=Counter)
    encrypt_s: float = 0.0
    insert_s: float = 0.0


def seed_round(db: Any, args: argparse.Namespace, now: Any) -> tuple[Any, list[str]]:
    """The round, its projects and its box sealed empty the day before the vote; the
    trustees' shares (the server keeps none)."""
    from civic.budget import box
    from civic.budget.models import Fund, Project, ProjectStatus, Round
    from civic.territory.models import Contract, Quartier

    day = timedelta(days=1)
    square = {"type": "Polygon", "coordinates": [[[1.40, 43.57], [1.41, 43.57], [1.41, 43.58],
                                                   [1.40, 43.58], [1.40, 43.57]]]}
    contract = Contract(name="Contrat de ville du banc d’essai", start_year=2024,
                        end_year=2030, created_at=now)
    quartier = Quartier(contract=contract, code="QB000002", name="Quartier du dépouillement",
                        commune="Benchville", population=90_000, perimeter=square,
                        created_at=now, updated_at=now)
    fund = Fund(quartier=quartier, year=now.year, envelope_cents=1_000_000,
                cap_cents=150_000, min_project_cents=20_000, min_age=16, rules_text="",
                vote_method="approval", approval_min=1, approval_max=5, points_total=0,
                points_max=0, tally_rule=args.rule, min_score=0, created_at=now)
    # The count is at ``now``: the vote is over, the follow-up not begun.
    round_ = Round(fund=fund, title="Dépouillement du banc d’essai", secret=secrets.token_bytes(32),
                   seal=box.EMPTY_SEAL, created_at=now - 60 * day,
                   submission_starts_at=now - 50 * day, review_starts_at=now - 30 * day,
                   vote_starts_at=now - 20 * day, vote_ends_at=now - day,
                   follow_up_starts_at=now + 30 * day)
    db.add_all([contract, quartier, fund, round_])
    db.flush()
    rng = random.Random(args.seed)
    for n in range(1, args.projects + 1):
        amount = rng.randrange(20_000, 150_001, 500)
        db.add(Project(round=round_, title=f"Micro-projet {n}", summary="Un projet du quartier.",
                       description="Une description.", amount_cents=amount,
                       budget_lines=[{"label": "Tout", "amount_cents": amount}],
                       carrier_kind="residents", carrier_name="Collectif d’habitants",
                       contact="06 00 00 00 00", status=ProjectStatus.ADMITTED.value,
                       checklist={}, created_at=now - 40 * day, updated_at=now - 40 * day))
    shares = seal_box(db, round_, round_.vote_starts_at - day)
    return round_, shares


def fill_box(db: Any, round_: Any, args: argparse.Namespace, seeded: Seeded) -> None:
    """N ballots encrypted as ``cast`` does, inserted in bulk, the seal added up."""
    from civic.budget import box, services
    from civic.budget.models import SealedBallot

    rng = random.Random(args.seed + 1)
    costs = services.ballot_costs(db, round_)
    ids = sorted(costs)
    popularity = [rng.uniform(0.2, 3.0) for _ in ids]  # some projects are liked more
    channels, weights = list(CHANNELS), list(CHANNELS.values())
    seal = round_.seal
    rows: list[dict[str, Any]] = []
    for _ in range(args.ballots):
        wanted = rng.randint(1, 5)
        picked: set[int] = set()
        while len(picked) < wanted:
            picked.add(rng.choices(ids, popularity)[0])
        channel = rng.choices(channels, weights)[0]
        start = time.perf_counter()
        ciphertext = services.seal_choices(round_, dict.fromkeys(picked, 1), costs)
        seeded.encrypt_s += time.perf_counter() - start
        tracker = box.tracker(ciphertext)
        seal = box.add_to_seal(seal, tracker)
        rows.append({"tracker": tracker, "round_id": round_.id, "ciphertext": ciphertext,
                     "channel": channel, "permanence_id": None})
        seeded.scores.update(picked)
        seeded.turnout[channel] += 1
    start = time.perf_counter()
    for i in range(0, len(rows), BATCH):
        db.execute(insert(SealedBallot), rows[i:i + BATCH])
    round_.seal = seal
    db.flush()
    seeded.insert_s = time.perf_counter() - start


# --- The count, and its parts ---------------------------------------------------------


def timed(part: Callable[[], T], into: dict[str, float], name: str) -> T:
    start = time.perf_counter()
    out = part()
    into[name] = time.perf_counter() - start
    return out


def parts_apart(db: Any, round_: Any, shares: list[str]) -> dict[str, float]:
    """What ``counting.count`` does, step by step, each step timed; rolled back."""
    from civic.budget import box, counting, services, trustees
    from civic.budget.models import Ballot, SealedBallot

    took: dict[str, float] = {}
    try:
        key, _used = timed(lambda: trustees.open_key(round_, shares), took, "key from shares")
        intact = timed(lambda: services.seal_intact(db, round_), took, "seal check")
        assert intact
        sealed = timed(lambda: db.execute(
            select(SealedBallot.ciphertext, SealedBallot.channel)
            .where(SealedBallot.round_id == round_.id)).all(), took, "read ciphertexts")
        kept = [(c, ch) for c, ch in sealed if c is not None]
        opened = timed(lambda: list(zip(box.decrypt_all(key, [c for c, _ in kept]),
                                        [ch for _, ch in kept], strict=True)),
                       took, "decrypt")

        def shuffle() -> list[dict[str, Any]]:
            secrets.SystemRandom().shuffle(opened)
            return [{"id": secrets.token_hex(16), "round_id": round_.id, "choices": choices,
                     "channel": channel} for choices, channel in opened]

        rows = timed(shuffle, took, "shuffle, fresh ids")
        timed(lambda: db.execute(insert(Ballot), rows), took, "write plaintext ballots")
        turnout = dict(Counter(channel for _, channel in opened))
        timed(lambda: counting.compute(db, round_, [c for c, _ in opened], turnout), took,
              "tally (rule)")
    finally:
        db.rollback()
    return took


@dataclass
class Measured:
    name: str
    total_s: float
    commit_s: float
    parts: dict[str, float]
    correct: bool
    problems: list[str]
    #: CPU seconds of this process during the count (the database server's are not in).
    cpu_s: float = 0.0
    #: Median milliseconds of ``services.receipt_in_box`` in the full box.
    receipt_ms: float = 0.0


def measure(name: str, url: str, args: argparse.Namespace) -> Measured:
    from alembic import command

    from civic import create_app
    from civic.budget import counting
    from civic.budget.models import Ballot, Round
    from civic.budget.phases import Phase
    from civic.core import clock
    from civic.core.cli import alembic_config
    from civic.core.db import session as db

    workdir = Path(tempfile.mkdtemp(prefix="civic-count-bench-"))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                      "MAIL_OUTBOX": str(workdir / "outbox"),
                      "UPLOAD_DIR": str(workdir / "uploads")})
    try:
        command.upgrade(alembic_config(url), "head")
        now = clock.now()
        with app.app_context():
            started = time.perf_counter()
            round_, shares = seed_round(db(), args, now)
            seeded = Seeded(round_.id, shares)
            fill_box(db(), round_, args, seeded)
            db.commit()
            if db.get_bind().dialect.name == "postgresql":
                # What autovacuum does soon after a bulk load: statistics for the planner.
                db.execute(text("ANALYZE"))
                db.commit()
            print(f"[{name}] box filled in {time.perf_counter() - started:.1f} s: "
                  f"{args.ballots} ballots encrypted in {seeded.encrypt_s:.1f} s "
                  f"({1000 * seeded.encrypt_s / args.ballots:.3f} ms each), inserted in "
                  f"{seeded.insert_s:.1f} s", flush=True)
            db.remove()

        with app.app_context():  # a request of its own, as the count form's
            round_ = db.get(Round, seeded.round_id)
            assert round_ is not None
            assert round_.phase(now) == Phase.COUNTING, round_.phase(now)
            cpu_start, start = time.process_time(), time.perf_counter()
            results = counting.count(db(), round_, [shares[0], shares[2]], actor=None,
                                     now=now, small=SMALL)
            before_commit = time.perf_counter()
            db.commit()
            end, cpu_s = time.perf_counter(), time.process_time() - cpu_start
            counted = db.scalar(select(func.count()).select_from(Ballot)
                                .where(Ballot.round_id == round_.id)) or 0
            problems = check(results, counted, seeded, args.ballots)
            db.remove()

        with app.app_context():
            round_ = db.get(Round, seeded.round_id)
            assert round_ is not None
            parts = parts_apart(db(), round_, [shares[1], shares[2]])
            receipt_ms = receipt_checks(db(), round_, problems)
            db.remove()
    finally:
        app.extensions["civic.engine"].dispose()
        shutil.rmtree(workdir, ignore_errors=True)
    return Measured(name, end - start, end - before_commit, parts, not problems, problems,
                    cpu_s, receipt_ms)


def receipt_checks(db: Any, round_: Any, problems: list[str], checks: int = 50) -> float:
    """Median milliseconds of a voter's receipt check in the full box (the receipt page's
    query); a receipt not found is a problem."""
    from civic.budget import box, services
    from civic.budget.models import SealedBallot

    trackers = list(db.scalars(select(SealedBallot.tracker)
                               .where(SealedBallot.round_id == round_.id)))
    timings = []
    for tracker in random.Random(0).sample(trackers, min(checks, len(trackers))):
        start = time.perf_counter()
        found = services.receipt_in_box(db, box.receipt(tracker))
        timings.append(1000 * (time.perf_counter() - start))
        if found is None or found.tracker != tracker:
            problems.append(f"receipt {box.receipt(tracker)} not found")
    db.rollback()
    return statistics.median(timings)


def check(results: dict[str, Any], counted: int, seeded: Seeded, n: int) -> list[str]:
    """What differs between the count and what was encrypted."""
    problems = []
    if results["ballots"] != n or counted != n:
        problems.append(f"{results['ballots']} ballots in the results, {counted} written, "
                        f"{n} sealed")
    scores = {p["id"]: p["score"] for p in results["projects"]}
    if scores != {p: seeded.scores.get(p, 0) for p in scores} or set(seeded.scores) - set(
            scores):
        problems.append("project scores differ from the choices encrypted")
    if results["turnout"] != dict(seeded.turnout):
        problems.append(f"ballots per channel {results['turnout']} != {dict(seeded.turnout)}")
    return problems


def report(m: Measured, n: int) -> None:
    decrypt = m.parts["decrypt"]
    print(f"\n{m.name}")
    print(f"decrypt, shuffle and tally {f'{n:,}'.replace(',', ' ')} ballots: {m.total_s:.2f} s "
          f"(aim < {AIM_S:.0f} s) — {'met' if m.total_s < AIM_S else 'MISSED'}; "
          f"{m.cpu_s:.2f} s of CPU in this process")
    print(f"  of which decrypt (box.decrypt_all over the ciphertexts, timed apart): "
          f"{decrypt:.2f} s ({100 * decrypt / m.total_s:.0f} %), the rest "
          f"{m.total_s - decrypt:.2f} s (commit {m.commit_s:.2f} s)")
    apart = sum(m.parts.values())
    print("  parts timed apart: " + ", ".join(f"{k} {v:.2f} s" for k, v in m.parts.items())
          + f"; sum {apart:.2f} s + commit {m.commit_s:.2f} s")
    print(f"  a receipt check (services.receipt_in_box) in the full box: median "
          f"{m.receipt_ms:.1f} ms")
    print(f"  count = what was encrypted (ballots, scores, channels), receipts found: "
          f"{'yes' if m.correct else 'NO — ' + '; '.join(m.problems)}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from civic.budget import tally

    assert args.rule in tally.RULES
    workdir = Path(tempfile.mkdtemp(prefix="civic-count-bench-"))
    done: list[Measured] = []
    try:
        done.append(measure("SQLite", f"sqlite:///{workdir / 'count.db'}", args))
        report(done[-1], args.ballots)
        if args.sqlite_only:
            pass
        elif not postgres_reachable():
            print(f"\nPostgreSQL: not reachable at {POSTGRES_PROBE}, skipped")
        else:
            _drop_and_create(create=True)
            try:
                done.append(measure("PostgreSQL", POSTGRES, args))
                report(done[-1], args.ballots)
            finally:
                _drop_and_create(create=False)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nrule {args.rule}, {args.projects} projects, approval 1 to 5, channels "
          + ", ".join(f"{k} {v:.0%}" for k, v in CHANNELS.items()))
    return 0 if all(m.correct for m in done) else 1


if __name__ == "__main__":
    sys.exit(main())
