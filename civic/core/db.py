"""Engine, session and declarative base shared by every part.

One scoped session per thread, and one rule for its transaction: **a request commits
when its view returned without raising, whatever the status it answers, and rolls back
otherwise** (the app context's teardown removes the session,
which rolls back whatever was left). Services only ``flush()``; views never commit.
Work that must follow a commit, such as delivering the mail a change announces, is
registered with ``after_commit`` and runs once the change is saved, never if it is not.
The rule itself is applied by ``civic.core.web.App.dispatch_request``.
Commands and jobs end with ``commit(db)``, which keeps the same promise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import JSON, DateTime, MetaData, create_engine, event, update
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime (civic.core.clock.now)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(),
                           list[dict[str, Any]]: JSON()}


session = scoped_session(sessionmaker(expire_on_commit=False))

#: SQLite: how long a writer waits for another before "database is locked".
BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str) -> Engine:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        # SQLAlchemy's recipe for real transactions on pysqlite (savepoints included),
        # with BEGIN IMMEDIATE: a writer waits for the other instead of failing with
        # "database is locked" when two requests write at once.
        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            # Deleted rows are overwritten with zeros, not left in free pages.
            cursor.execute("PRAGMA secure_delete=ON")
            if url not in {"sqlite://", "sqlite:///:memory:"}:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


log = logging.getLogger(__name__)

_AFTER_COMMIT = "civic.after_commit"


def after_commit(db: Any, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current transaction is committed by ``commit``; it is
    forgotten if the transaction is rolled back."""
    db.info.setdefault(_AFTER_COMMIT, []).append(callback)


def commit(db: Any) -> None:
    """Commit, then run what waited on this commit. A failing callback is logged, not
    raised: the change is saved, and what it left undone (a mail) is retried later."""
    db.commit()
    callbacks = db.info.pop(_AFTER_COMMIT, [])
    for callback in callbacks:
        try:
            callback()
        except Exception:
            log.exception("after-commit work failed; it will be retried")


@event.listens_for(session, "after_soft_rollback")
def _forget_after_commit(db: Any, _previous: Any) -> None:
    if not db.in_transaction():  # a savepoint's rollback leaves the outer work to do
        db.info.pop(_AFTER_COMMIT, None)


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["civic.engine"] = engine
    session.configure(bind=engine)

    @app.teardown_appcontext
    def _remove(_exc: BaseException | None) -> None:
        session.remove()


def checkpoint_wal(bind: Engine | Connection) -> None:
    """On SQLite, copy the write-ahead log into the database and empty it (TRUNCATE), so
    that the log no longer keeps what each commit wrote, commit by commit. Nothing to do
    on PostgreSQL."""
    engine = bind.engine
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    cursor = raw.cursor()
    try:
        # Best effort: a reader still on an older snapshot keeps the log's tail until the
        # next checkpoint; waiting on it the whole busy timeout would hold the request.
        cursor.execute("PRAGMA busy_timeout=500")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        raw.close()


def checkpoint_after_commit(db: Any) -> None:
    """Empty SQLite's write-ahead log once the current transaction is committed."""
    engine = db.get_bind().engine
    event.listen(db(), "after_commit", lambda _session: checkpoint_wal(engine), once=True)


def insert_once(db: Any, row: Base) -> bool:
    """Add the row in its own savepoint; False when its key already exists (a second
    click, or the same click from another connection at the same instant)."""
    from sqlalchemy.exc import IntegrityError

    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:
        return False
    return True


def bump(db: Any, obj: Any, counter: str, step: int) -> None:
    """Move a count kept on ``obj`` by ``step`` in the database itself (no lost update
    when two requests move it at once), and read it back."""
    model = type(obj)
    db.execute(update(model).where(model.id == obj.id)
               .values({counter: getattr(model, counter) + step}))
    db.refresh(obj, [counter])


def delete_count(db: Any, statement: Any) -> int:
    """Run a DELETE (or a conditional UPDATE) and say how many rows it touched."""
    return int(db.execute(statement).rowcount)
