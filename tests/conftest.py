"""Fixtures: a session-wide app on a migrated database (SQLite by default, PostgreSQL when
CIVIC_TEST_DATABASE_URL is set) and, per test, a transaction that is rolled back."""

from __future__ import annotations

import email
import os
import uuid
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from civic import create_app
from civic.accounts.models import Role, User
from civic.core import security
from civic.core.cli import alembic_config
from civic.core.db import session as scoped

# Argon2id at its lowest cost: the production parameters (64 MiB, three passes) spend a
# seventh of a second of both cores on every login, which the tests do by the thousand.
# What is checked (verification, rehashing, the same work for known and unknown
# addresses) does not depend on the cost; set before the factories hash their password.
security._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
security._DUMMY_HASH = security._hasher.hash("civic-timing-equaliser")

from tests import factories  # noqa: E402  (after the hasher above)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database migrated to head: a temporary SQLite file, or on PostgreSQL a
    schema of this run's own (so that two runs on one database never meet)."""
    base = os.environ.get("CIVIC_TEST_DATABASE_URL")
    if not base:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'civic-test.db'}"
        command.upgrade(alembic_config(url), "head")
        yield url
        return
    schema = f"civic_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    # A test's commits need not outlive a crash of the server: none waits for the disk.
    url = f"{base}{separator}options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"
    try:
        command.upgrade(alembic_config(url), "head")
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def outbox_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("outbox")


def test_config(database_url: str, outbox_dir: Path, **overrides: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "tests-only-secret",
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "outbox",
        "MAIL_OUTBOX": str(outbox_dir),
        "BASE_URL": "http://localhost",
        "UPLOAD_DIR": str(outbox_dir.parent / f"{outbox_dir.name}-uploads"),
        # Open data publishes a year from its first day, so that tests read the year of
        # their clock; tests/pilotage/test_open_release.py checks the real delay.
        "OPEN_DATA_SETTLE_DAYS": -365,
        **overrides,
    }


test_config.__test__ = False  # type: ignore[attr-defined]  (a helper, not a test)


@pytest.fixture(scope="session")
def app(database_url: str, outbox_dir: Path) -> Flask:
    return create_app(test_config(database_url, outbox_dir))


@pytest.fixture
def db(app: Flask) -> Iterator[Any]:
    """The app's scoped session on an outer transaction rolled back after the test.

    ``rollback_only``: the commits of requests do not end it, and closing the session at
    the end of a request keeps what the test flushed before."""
    engine = app.extensions["civic.engine"]
    connection = engine.connect()
    transaction = connection.begin()
    scoped.remove()
    scoped.configure(bind=connection, join_transaction_mode="rollback_only")
    try:
        yield scoped  # the registry: each request ends its session, the test sees the next
    finally:
        scoped.remove()
        transaction.rollback()
        connection.close()
        scoped.configure(bind=engine)


@pytest.fixture
def client(app: Flask, db: Session) -> FlaskClient:
    return app.test_client()


class Outbox:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        for path in directory.glob("*.eml"):
            path.unlink()

    @property
    def messages(self) -> list[Message]:
        return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                for p in sorted(self.directory.glob("*.eml"))]

    def body(self, message: Message) -> str:
        part = message.get_body(("plain",)) if hasattr(message, "get_body") else message
        return str(part.get_content())


@pytest.fixture
def outbox(outbox_dir: Path) -> Outbox:
    return Outbox(outbox_dir)


@pytest.fixture
def contract(db: Session) -> Any:
    return factories.make_contract(db)


@pytest.fixture
def quartier(db: Session, contract: Any) -> Any:
    return factories.make_quartier(db, contract, name="Les Tilleuls")


@pytest.fixture
def other_quartier(db: Session, contract: Any) -> Any:
    return factories.make_quartier(db, contract, name="Le Parc")


@pytest.fixture
def signatory(db: Session, contract: Any) -> Any:
    return factories.make_signatory(db, contract, name="Ville de Testville")


@pytest.fixture
def people(db: Session, quartier: Any, signatory: Any) -> dict[str, User]:
    """One account of each role; moderator and animator act in ``quartier`` only."""
    return {
        "resident": factories.make_user(db, display_name="Rania"),
        "moderator": factories.make_user(db, display_name="Moussa",
                                         roles=[(Role.MODERATOR, quartier)]),
        "animator": factories.make_user(db, display_name="Anne",
                                        roles=[(Role.ANIMATOR, quartier)]),
        "signatory": factories.make_user(db, display_name="Sami",
                                         roles=[(Role.SIGNATORY, signatory)]),
        "pilot": factories.make_user(db, display_name="Paula", roles=[(Role.PILOT, None)]),
    }


@pytest.fixture
def unenrolled(db: Session, quartier: Any, signatory: Any) -> User:
    """An account granted every role (moderator and animator in ``quartier``) that has no
    second step at login: none of its roles takes effect, it is a resident's."""
    return factories.make_user(db, display_name="Ulysse", second_factor=False, roles=[
        (Role.PILOT, None), (Role.MODERATOR, quartier), (Role.ANIMATOR, quartier),
        (Role.SIGNATORY, signatory)])


@pytest.fixture
def login_as(client: FlaskClient) -> Any:
    def login(user: User) -> FlaskClient:
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return client

    return login


@pytest.fixture
def count_queries(app: Flask) -> Any:
    """``with count_queries() as counted: …`` then ``counted.n``: SQL statements sent.

    The daily figures of what the test itself wrote are computed before counting: they
    are the test's setup, not the page's queries."""
    from contextlib import contextmanager

    from sqlalchemy import event

    from civic.core.db import session as scoped_session
    from civic.pilotage import figures

    class Counted:
        n = 0

    @contextmanager
    def counting() -> Iterator[Counted]:
        counted = Counted()

        def _count(*_args: Any) -> None:
            counted.n += 1

        with app.app_context():
            written = scoped_session()
            written.flush()
            figures.settle(written)
        engine = app.extensions["civic.engine"]
        event.listen(engine, "before_cursor_execute", _count)
        try:
            yield counted
        finally:
            event.remove(engine, "before_cursor_execute", _count)

    return counting


@pytest.fixture(autouse=True)
def _rate_limits_stay_off() -> Iterator[None]:
    """Flask-Limiter keeps one switch and one store for every app: a test that builds an
    app with limits on turns them off and forgets its counts for the tests after it."""
    yield
    from civic.core.extensions import limiter

    if limiter.enabled and app_was_built():
        limiter.reset()
    limiter.enabled = False


def app_was_built() -> bool:
    """Whether an app initialised the limiter (it has no store before)."""
    from civic.core.extensions import limiter

    return getattr(limiter, "_storage", None) is not None


def empty_redis(url: str) -> Iterator[Any]:
    """The Redis database at ``url``, emptied before and after. Without Redis the test is
    skipped on a developer's machine and fails under CI, where .ci/run starts it."""
    import redis

    store = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        store.ping()
    except redis.exceptions.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis does not answer on {url}: {error}")
        pytest.skip(f"Redis does not answer on {url}: {error}")
    store.flushdb()
    try:
        yield store
    finally:
        store.flushdb()
        store.close()
