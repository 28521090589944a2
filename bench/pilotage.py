"""Benchmark of the steering data on the large demo contract (``seed-demo --size large``:
10 quartiers, 20 000 residents over 3 years, about 100 000 contributions), on SQLite
and on PostgreSQL (127.0.0.1:5432, user postgres, trust auth; the database
``civic_bench_pilotage`` is dropped and created).

For each dashboard page, each export and each API answer it prints the median server
time (Flask's test client, so no network) next to the aim — every dashboard page under
300 ms — and the number of SQL queries, next to the same page's count on the small demo
contract: the count must not grow with the data. Then four pilots ask the three-year
dashboard at once (threads of one process, as a threaded server serves them): its median
and 90th percentile under that load, and pages served per second.

    .venv/bin/python -m bench.pilotage [--sqlite-only] [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event, make_url, select, text

from civic import create_app
from civic.accounts.models import Role, RoleGrant, User
from civic.core import clock
from civic.core.cli import alembic_config
from civic.core.db import session
from civic.pilotage import indicators, services

PAGE_AIM_MS = 300.0
#: Pilots asking the three-year dashboard at once, for the figures under load.
LOAD_CLIENTS = 4
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/civic_bench_pilotage"


def _recreate_postgres(url: str) -> None:
    import psycopg

    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target.database}"')


def _pages(year: int, quartier: str) -> list[tuple[str, str, bool]]:
    """(what, url, counts against the page aim)."""
    pages = [("dashboard", f"/pilotage?annee={year}", True),
             ("dashboard, last year", f"/pilotage?annee={year - 1}", True),
             ("dashboard, one quartier", f"/pilotage?annee={year}&quartier={quartier}", True),
             ("dashboard, 3 years", f"/pilotage?du={year - 2}-01-01&au={year}-12-31", True),
             ("cooperative", f"/pilotage/cooperatif?annee={year}", True),
             ("yearly report", f"/pilotage/rapport?annee={year}", True),
             ("open data, last year (published)", f"/donnees-ouvertes?annee={year - 1}",
              True),
             ("qui fait quoi", "/qui-fait-quoi", True),
             ("workbook (xlsx)", f"/pilotage/export.xlsx?annee={year}", False)]
    pages += [(f"csv {key}", f"/pilotage/tableaux/{key}.csv?annee={year}", False)
              for key in indicators.ALL]
    pages += [(f"api {key}", f"/api/v1/tables/{key}?annee={year}", False)
              for key in indicators.ALL]
    return pages


def _measure(url: str, runs: int, seed: Callable[[], Any], label: str
             ) -> tuple[list[tuple[str, str, float, int, int, bool]],
                        tuple[float, float, float]]:
    """Seed a fresh database with ``seed``, then time every page."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                      "MAIL_OUTBOX": tempfile.mkdtemp()})
    from alembic import command

    command.upgrade(alembic_config(url), "head")
    with app.app_context():
        started = time.perf_counter()
        seed()
        session.commit()
        if session.get_bind().dialect.name == "postgresql":
            # What autovacuum does soon after a bulk load: statistics for the planner.
            session.execute(text("ANALYZE"))
            session.commit()
        print(f"[{label}] seeded in {time.perf_counter() - started:.1f} s", flush=True)
        pilot = session.scalar(select(User).join(RoleGrant, RoleGrant.user_id == User.id)
                               .where(RoleGrant.role == Role.PILOT).limit(1))
        assert pilot is not None
        _token, secret = services.create_token(session(), pilot, "bench", now=clock.now())
        session.commit()
        from civic.territory.models import Quartier

        code = session.scalar(select(Quartier.code).order_by(Quartier.id).limit(1))
        pilot_id = pilot.get_id()
    engine = app.extensions["civic.engine"]
    queries = {"n": 0}

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args: object) -> None:
        queries["n"] += 1

    client = app.test_client()
    with client.session_transaction() as s:
        s["_user_id"] = pilot_id
        s["_fresh"] = True
    headers = {"Authorization": f"Bearer {secret}"}
    year = clock.local_day(clock.now(), "Europe/Paris").year
    found = []
    for what, page, aimed in _pages(year, str(code)):
        response = client.get(page, headers=headers if page.startswith("/api/") else {})
        assert response.status_code == 200, (page, response.status_code)
        timings, counts = [], []
        for _ in range(runs):
            queries["n"] = 0
            start = time.perf_counter()
            client.get(page, headers=headers if page.startswith("/api/") else {})
            timings.append((time.perf_counter() - start) * 1000)
            counts.append(queries["n"])
        found.append((what, page, statistics.median(timings), max(counts), len(response.data),
                      aimed))
    load = _under_load(app, pilot_id, f"/pilotage?du={year - 2}-01-01&au={year}-12-31")
    engine.dispose()
    return found, load


def _under_load(app: Any, user_id: str, page: str, clients: int = LOAD_CLIENTS,
                each: int = 5) -> tuple[float, float, float]:
    """``clients`` pilots asking ``page`` at the same time, ``each`` times each, in
    threads of this process as a threaded server would: (median ms, 90th percentile ms,
    pages per second)."""
    timings: list[float] = []

    def ask() -> None:
        client = app.test_client()
        with client.session_transaction() as s:
            s["_user_id"] = user_id
            s["_fresh"] = True
        for _ in range(each):
            start = time.perf_counter()
            assert client.get(page).status_code == 200
            timings.append((time.perf_counter() - start) * 1000)

    threads = [threading.Thread(target=ask) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    timings.sort()
    return (statistics.median(timings), timings[int(0.9 * (len(timings) - 1))],
            len(timings) / elapsed)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from civic.demo import seed, seed_large

    workdir = Path(tempfile.mkdtemp())
    try:
        small = {what: count for what, _p, _ms, count, _b, _a in _measure(
            f"sqlite:///{workdir / 'small.db'}", 1, lambda: seed(echo=False),
            "small demo")[0]}
        backends = [("SQLite", f"sqlite:///{workdir / 'large.db'}")]
        if not args.sqlite_only:
            _recreate_postgres(POSTGRES)
            backends.append(("PostgreSQL", POSTGRES))
        verdicts = []
        for name, url in backends:
            rows, (median, p90, rate) = _measure(url, args.runs,
                                                 lambda: seed_large(echo=False), name)
            print(f"\n{name}, large demo contract")
            print(f"{'page':<34}{'median ms':>10}{'aim':>6}{'queries':>9}{'small demo':>12}"
                  f"{'KB':>8}")
            worst = 0.0
            grows = []
            for what, _page, ms, count, size, aimed in rows:
                aim = f"{PAGE_AIM_MS:.0f}" if aimed else "-"
                print(f"{what:<34}{ms:>10.1f}{aim:>6}{count:>9}{small.get(what, 0):>12}"
                      f"{size / 1024:>8.1f}")
                if aimed:
                    worst = max(worst, ms)
                if count > small.get(what, count):
                    grows.append(what)
            print(f"dashboard, 3 years, {LOAD_CLIENTS} pilots at once: median {median:.0f} ms, "
                  f"90th percentile {p90:.0f} ms, {rate:.1f} pages/s")
            met = worst <= PAGE_AIM_MS
            verdicts.append(
                f"{name}: slowest dashboard page {worst:.0f} ms (aim ≤ {PAGE_AIM_MS:.0f} ms) — "
                f"{'met' if met else 'MISSED'}; queries "
                + ("the same as on the small demo — met" if not grows
                   else f"grow on {', '.join(grows)} — MISSED"))
        print()
        for line in verdicts:
            print(line)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
