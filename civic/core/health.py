"""Probes for a load balancer or an orchestrator: is the process alive, and is it ready to
serve (its database answers, its schema is at the latest migration, its Redis answers
when it uses one)? They say which check failed, and nothing else: no address, no name,
no figure."""

from __future__ import annotations

from collections.abc import Callable

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text

from civic.core.extensions import limiter

bp = Blueprint("health", __name__)

#: Seconds a probe waits for Redis before calling it unreachable.
REDIS_TIMEOUT = 2.0


@bp.route("/healthz")
@limiter.exempt
def alive() -> Response:
    """The process answers; nothing else is checked (a restart would not help more)."""
    return _no_store(jsonify(status="alive"))


def _database() -> str:
    from civic.core.cli import alembic_config
    from civic.core.db import session

    connection = session().connection()  # the request's own, like any page's
    connection.execute(text("SELECT 1"))
    current = MigrationContext.configure(connection).get_current_revision()

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return "ok" if current == head else "migrations behind"


def _redis(uri: str) -> str:
    if not uri.startswith(("redis://", "rediss://")):
        return "not used"
    import redis

    client = redis.Redis.from_url(uri, socket_timeout=REDIS_TIMEOUT,
                                  socket_connect_timeout=REDIS_TIMEOUT)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


@bp.route("/readyz")
@limiter.exempt
def ready() -> Response:
    """200 when every check passes, else 503; each check says "ok", "not used" or why not."""
    checks: dict[str, Callable[[], str]] = {
        "database": _database,
        "redis": lambda: _redis(str(current_app.config["RATELIMIT_STORAGE_URI"])),
    }
    found: dict[str, str] = {}
    for name, check in checks.items():
        try:
            found[name] = check()
        except Exception as error:  # any failure means "not ready"
            found[name] = f"unreachable ({type(error).__name__})"
    ready_now = all(value in ("ok", "not used") for value in found.values())
    response = jsonify(status="ready" if ready_now else "not ready", checks=found)
    response.status_code = 200 if ready_now else 503
    return _no_store(response)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
