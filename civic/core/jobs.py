"""Jobs: work done after a commit, on a schedule, or again after a failure.

Each part declares its jobs with ``@job("part.name", cron=...)``: plain functions that
take keyword arguments, use ``civic.core.db.session`` and end with ``commit``. They are
idempotent (a reminder is claimed before it is sent, a mail before it leaves), so that
running one twice does no harm.

``JOBS_BACKEND`` chooses who runs them:

- ``inline`` (development, tests, ``make run`` on SQLite): a job deferred by a request
  runs in the same process right after the commit; scheduled jobs are run by the
  ``flask jobs run NAME`` command (or cron).
- ``procrastinate`` (production, PostgreSQL): jobs are rows of procrastinate's tables in
  the same database; ``flask worker`` runs them on every app machine, retries failures
  with a growing delay, and defers each scheduled job exactly once across all workers
  (procrastinate keeps one row per task and scheduled minute).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from procrastinate import App as Queue
from procrastinate import PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.testing import InMemoryConnector

from civic.core.db import after_commit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    function: Callable[..., Any]
    #: A cron line (UTC) for scheduled jobs.
    cron: str | None


_jobs: dict[str, Job] = {}

#: procrastinate's application; its connector is set by ``init_app``.
queue = Queue(connector=InMemoryConnector())

#: A job that fails is tried again after 10 s, 20 s, 40 s… five times in all.
RETRY = RetryStrategy(max_attempts=5, exponential_wait=10)


def job(name: str, *, cron: str | None = None) -> Callable[[Callable[..., Any]],
                                                          Callable[..., Any]]:
    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        if name in _jobs and _jobs[name].function is not function:
            raise ValueError(f"job {name!r} declared twice")
        _jobs[name] = Job(name, function, cron)
        return function

    return register


def registered() -> dict[str, Job]:
    return dict(_jobs)


def defer_once(db: Any, name: str) -> None:
    """Ask for job ``name`` (without arguments) once the current transaction commits;
    asking again in the same transaction changes nothing."""
    asked: set[str] = db.info.setdefault("civic.jobs_asked", set())
    if name in asked:
        return
    asked.add(name)

    def run() -> None:
        db.info.get("civic.jobs_asked", set()).discard(name)
        dispatch(name)

    after_commit(db, run)


_opened_in: int | None = None


def _open_for_deferring() -> None:
    """Open the queue's small pool in this process (after a fork, once per worker)."""
    global _opened_in
    if _opened_in != os.getpid():
        queue.open()
        _opened_in = os.getpid()


def dispatch(name: str, **kwargs: Any) -> None:
    """Run the job now (inline) or put it in the queue (procrastinate)."""
    if current_app.config["JOBS_BACKEND"] == "inline":
        run(name, **kwargs)
        return
    _open_for_deferring()
    with suppress(AlreadyEnqueued):  # one is already waiting: it will do this work too
        queue.configure_task(name, queueing_lock=name if not kwargs else None).defer(**kwargs)


def run(name: str, **kwargs: Any) -> Any:
    started = time.monotonic()
    result = _jobs[name].function(**kwargs)
    log.info("job done", extra={"job": name, "result": str(result),
                                "duration_ms": round((time.monotonic() - started) * 1000)})
    return result


@contextmanager
def _in_app(app: Flask) -> Iterator[None]:
    """An app context with a request context on ``BASE_URL``, for links in mails."""
    with app.app_context(), app.test_request_context(base_url=app.config["BASE_URL"]):
        yield


#: The application the worker's jobs run in (the last one made by ``create_app``).
_flask_app: Flask | None = None


def _as_task(found: Job) -> None:
    if found.name in queue.tasks:
        return

    def task(**kwargs: Any) -> Any:
        kwargs.pop("timestamp", None)  # given to scheduled tasks
        assert _flask_app is not None
        with _in_app(_flask_app):
            from civic.core.db import session

            try:
                return run(found.name, **kwargs)
            finally:
                session.remove()

    task.__name__ = found.name.replace(".", "_")
    registered_task = queue.task(name=found.name, retry=RETRY,
                                 queueing_lock=found.name)(task)
    if found.cron:
        queue.periodic(cron=found.cron)(registered_task)  # type: ignore[arg-type]


def conninfo(database_url: str) -> str:
    """libpq's ``key=value`` form of the SQLAlchemy URL, with the URL's query as libpq
    parameters: ``?options=-c%20statement_timeout%3D5000`` keeps its space (rendering
    the URL again would write it as ``+``, which libpq reads as a plus sign)."""
    from psycopg.conninfo import make_conninfo
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    parameters: dict[str, Any] = {"host": url.host, "port": url.port,
                                  "dbname": url.database, "user": url.username,
                                  "password": url.password}
    for key, value in url.query.items():
        parameters[key] = value if isinstance(value, str) else value[-1]
    return make_conninfo("", **{k: v for k, v in parameters.items() if v is not None})


def init_app(app: Flask) -> None:
    global _flask_app, _opened_in
    backend = app.config["JOBS_BACKEND"]
    if backend not in {"inline", "procrastinate"}:
        raise RuntimeError("CIVIC_JOBS_BACKEND must be inline or procrastinate")
    _flask_app = app
    if backend == "procrastinate":
        _opened_in = None
        connector = PsycopgConnector(conninfo=conninfo(app.config["DATABASE_URL"]),
                                     min_size=1, max_size=4)
        queue.connector = connector
        queue.job_manager.connector = connector
    for found in _jobs.values():
        _as_task(found)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(worker_command)


jobs_cli = AppGroup("jobs", help="Scheduled and deferred work.")


@jobs_cli.command("list")
def list_command() -> None:
    """Each job, and when it runs by itself (cron line, UTC)."""
    for found in sorted(_jobs.values(), key=lambda j: j.name):
        click.echo(f"{found.name}\t{found.cron or 'on demand'}")


@jobs_cli.command("run")
@click.argument("name")
def run_command(name: str) -> None:
    """Run one job now, in this process (cron, or by hand)."""
    if name not in _jobs:
        raise click.BadParameter(f"unknown job; known: {', '.join(sorted(_jobs))}")
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        click.echo(f"{name}: {run(name)}")


@click.command("worker")
@click.option("--concurrency", default=2, show_default=True)
@with_appcontext
def worker_command(concurrency: int) -> None:
    """Run the jobs (procrastinate): deferred ones as they come, scheduled ones on time."""
    if current_app.config["JOBS_BACKEND"] != "procrastinate":
        raise click.UsageError("the worker needs CIVIC_JOBS_BACKEND=procrastinate "
                               "(PostgreSQL); with inline jobs, nothing waits for it")
    # LISTEN/NOTIFY wakes the worker at once; the poll catches a missed notification
    # within a second rather than procrastinate's default five.
    queue.run_worker(concurrency=concurrency, delete_jobs="successful",
                     fetch_job_polling_interval=1.0)
