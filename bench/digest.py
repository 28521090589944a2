"""Benchmark of the weekly digest on the large demo contract (``seed-demo --size large``:
10 quartiers, about 20 000 residents), on SQLite and on PostgreSQL (127.0.0.1:5432, user
postgres, trust auth; the database ``civic_bench_digest`` is dropped and created).

Every account with an address chooses "once a week" for every topic of its quartier; a
week of news is added (a new round and three events in each quartier, an event of the
whole contract, a survey, answers to a hundred ideas, whose followers and supporters the
demo made) and 2 000 addresses read the quartiers' letters. Then last
week's digest is built and written to the outbox, as the Monday job does, and committed.

Printed next to the aims: the time to build and write it all (aim: under 60 s), and the
number of SQL queries, split into reads and writes — the reads must not depend on the
number of people, the writes are one statement per thousand mails.

    .venv/bin/python -m bench.digest [--sqlite-only]
"""

from __future__ import annotations

import argparse
import math
import secrets
import shutil
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, make_url, select, text, update

from civic import create_app
from civic.accounts.models import User
from civic.budget.box import EMPTY_SEAL
from civic.budget.models import Fund, Round
from civic.core import clock
from civic.core.cli import alembic_config
from civic.core.db import session
from civic.evaluation.models import Evaluation, Survey
from civic.events.models import Event
from civic.ideas.models import Idea
from civic.outreach import digest, newsletter, topics
from civic.outreach.models import LetterSubscription, Preference
from civic.territory.models import Quartier

TIME_AIM_S = 60.0
#: Reads that do not depend on the number of people: the news, the choices, the log.
READS_AIM = 15
LETTERS = 2_000
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/civic_bench_digest"


def _recreate_postgres(url: str) -> None:
    import psycopg

    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target.database}"')


def _choices(db: Any, now: Any) -> int:
    """Every account chooses "once a week" for every topic of its quartier (one that
    gave none adds a quartier on the page, as anyone may)."""
    quartier_ids = list(db.scalars(select(Quartier.id).order_by(Quartier.id)))
    residents = db.execute(select(User.id, User.quartier_id).where(
        User.deleted_at.is_(None), User.email.is_not(None))).all()
    rows = [{"user_id": user_id,
             "quartier_id": quartier_id or quartier_ids[user_id % len(quartier_ids)],
             "topic": topic, "frequency": topics.WEEKLY, "updated_at": now}
            for user_id, quartier_id in residents for topic in topics.TOPICS]
    for start in range(0, len(rows), 10_000):
        db.execute(insert(Preference), rows[start:start + 10_000])
    return len(residents)


def _week_of_news(db: Any, period: topics.Period) -> None:
    """A week of news, every moment of it inside ``period``."""
    at = period.start + timedelta(days=2, hours=9)
    quartiers = list(db.scalars(select(Quartier).order_by(Quartier.id)))
    for n, quartier in enumerate(quartiers):
        fund = db.scalar(select(Fund).where(Fund.quartier_id == quartier.id)
                         .order_by(Fund.year.desc()).limit(1))
        if fund is not None:
            db.add(Round(fund_id=fund.id, title=f"Appel à projets d’été {n + 1}",
                         submission_starts_at=at, review_starts_at=at + timedelta(days=30),
                         vote_starts_at=at + timedelta(days=45),
                         vote_ends_at=at + timedelta(days=52),
                         follow_up_starts_at=at + timedelta(days=120),
                         secret=secrets.token_bytes(32), seal=EMPTY_SEAL, created_at=at))
        for k in range(3):
            db.add(_event(quartier.id, f"Café des habitants {n + 1}.{k + 1}", at, k))
    db.add(_event(None, "Assises des quartiers", at, 4))
    evaluation = db.scalar(select(Evaluation).order_by(Evaluation.id).limit(1))
    if evaluation is not None:
        db.add(Survey(evaluation_id=evaluation.id, opens_at=at, closes_at=at + timedelta(30),
                      texts={lang: {"title": f"Vivre dans le quartier ({lang})", "intro": ""}
                             for lang in ("fr", "en", "ar")}, created_at=at))
    answered = list(db.scalars(select(Idea.id).where(Idea.moderation == "published")
                               .order_by(Idea.support_count.desc()).limit(100)))
    db.execute(update(Idea).where(Idea.id.in_(answered)).values(
        status="planned", response="C’est prévu pour cet été.", responded_at=at))
    db.flush()


def _event(quartier_id: int | None, title: str, at: Any, k: int) -> Event:
    starts = at + timedelta(days=10 + k, hours=5)
    return Event(uid=uuid.uuid4().hex, quartier_id=quartier_id, kind="cafe", title=title,
                 place="Maison de quartier", starts_at=starts,
                 ends_at=starts + timedelta(hours=2), moderation="published",
                 moderated_at=at, created_at=at)


def _letters(db: Any, now: Any) -> None:
    quartier_ids = list(db.scalars(select(Quartier.id).order_by(Quartier.id)))
    rows = []
    for n in range(LETTERS):
        seed = secrets.token_bytes(32)
        rows.append({"email": f"lettre{n}@example.org",
                     "quartier_id": quartier_ids[n % len(quartier_ids)],
                     "language": ("fr", "en", "ar")[n % 3], "token_seed": seed,
                     "token_hash": newsletter.fingerprint(newsletter.token_of(seed, "bench")),
                     "created_at": now, "asked_at": now, "confirmed_at": now})
    db.execute(insert(LetterSubscription), rows)


def _measure(url: str, label: str) -> dict[str, Any]:
    from alembic import command

    from civic.demo import seed_large

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                      "MAIL_OUTBOX": tempfile.mkdtemp(), "BASE_URL": "https://civic.example"})
    command.upgrade(alembic_config(url), "head")
    found: dict[str, Any] = {}
    with app.app_context():
        started = time.perf_counter()
        seed_large(echo=False)
        session.commit()
        now = clock.now()
        period = topics.last_week(now, app.config["TIMEZONE"])
        found["residents"] = _choices(session(), now)
        _week_of_news(session(), period)
        _letters(session(), now)
        session.commit()
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE"))
            session.commit()
        print(f"[{label}] large demo and a week of news in {time.perf_counter() - started:.0f} s",
              flush=True)
        engine = app.extensions["civic.engine"]
        statements = {"reads": 0, "writes": 0, "other": 0}

        def _count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            verb = statement.lstrip().split(None, 1)[0].upper()
            kind = ("reads" if verb == "SELECT" else
                    "writes" if verb in {"INSERT", "UPDATE", "DELETE"} else "other")
            statements[kind] += 1

        event.listen(engine, "before_cursor_execute", _count)
        with app.test_request_context():
            began = time.perf_counter()
            outcome = digest.send_news(session(), period, now=now)
            session.commit()  # the mails wait in the outbox: nothing is delivered here
            found["seconds"] = time.perf_counter() - began
        event.remove(engine, "before_cursor_execute", _count)
        found.update(statements, accounts=outcome.accounts, letters=outcome.letters)
    engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp())
    try:
        backends = [("SQLite", f"sqlite:///{workdir / 'large.db'}")]
        if not args.sqlite_only:
            _recreate_postgres(POSTGRES)
            backends.append(("PostgreSQL", POSTGRES))
        verdicts = []
        for name, url in backends:
            found = _measure(url, name)
            mails = found["accounts"] + found["letters"]
            batches = 2 * (math.ceil(found["accounts"] / digest.BATCH)
                           + math.ceil(found["letters"] / digest.BATCH))
            print(f"\n{name}, weekly digest of the large demo contract")
            print(f"  accounts that chose 'once a week'  {found['residents']:>8}")
            print(f"  mails written                      {mails:>8}  "
                  f"({found['accounts']} digests, {found['letters']} letters)")
            print(f"  time to build, write and commit    {found['seconds']:>8.1f} s"
                  f"   aim ≤ {TIME_AIM_S:.0f} s")
            print(f"  queries: reads                     {found['reads']:>8}"
                  f"   aim ≤ {READS_AIM}, whatever the number of people")
            print(f"  queries: writes                    {found['writes']:>8}"
                  f"   aim ≤ {batches}: mails and log, one statement per {digest.BATCH}")
            met_time = found["seconds"] <= TIME_AIM_S
            met_queries = found["reads"] <= READS_AIM and found["writes"] <= batches
            verdicts.append(
                f"{name}: {mails} mails in {found['seconds']:.1f} s (aim ≤ {TIME_AIM_S:.0f} s)"
                f" — {'met' if met_time else 'MISSED'}; {found['reads'] + found['writes']} "
                f"queries, not one per person — {'met' if met_queries else 'MISSED'}")
        print()
        for line in verdicts:
            print(line)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
