"""The probes a load balancer asks: alive, and ready (database, schema, Redis)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from flask.testing import FlaskClient

from civic import create_app
from civic.core.cli import alembic_config
from tests.conftest import test_config


def test_a_live_and_ready_site_says_so_without_a_cookie_or_a_cache(client: FlaskClient) -> None:
    alive = client.get("/healthz")
    assert alive.status_code == 200
    assert alive.json == {"status": "alive"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json == {"status": "ready",
                          "checks": {"database": "ok", "redis": "not used"}}
    for answer in (alive, ready):
        assert answer.headers["Cache-Control"] == "no-store"
        assert "Set-Cookie" not in answer.headers


def test_an_unreachable_database_or_redis_is_not_ready(database_url: str,
                                                       outbox_dir: Path) -> None:
    app = create_app(test_config(
        "postgresql+psycopg://nobody@127.0.0.1:1/civic?connect_timeout=2", outbox_dir,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:1"))
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json["status"] == "not ready"
    assert answer.json["checks"]["database"].startswith("unreachable (")
    assert answer.json["checks"]["redis"].startswith("unreachable (")
    assert "127.0.0.1" not in answer.get_data(as_text=True)  # says which, not where
    assert app.test_client().get("/healthz").status_code == 200  # alive all the same


def test_a_schema_behind_its_migrations_is_not_ready(tmp_path: Any, outbox_dir: Path) -> None:
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    command.upgrade(alembic_config(url), "head")
    command.downgrade(alembic_config(url), "-1")
    answer = create_app(test_config(url, outbox_dir)).test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json["checks"]["database"] == "migrations behind"
