"""Alembic environment: civic's metadata, the URL from the app settings or the caller."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import civic.models  # noqa: F401  (imports every part's models)
from civic.core.cli import civic_owns
from civic.core.db import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("url")
    if not url:
        from pathlib import Path

        from civic.config import load

        url = load(Path("instance").resolve())["DATABASE_URL"]
    return str(url)


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(_url())
    with engine.connect() as connection:
        _run(connection)
        connection.commit()
    engine.dispose()


def _render_item(kind: str, obj: object, autogen_context: object) -> str | bool:
    """Write civic's UTCDateTime as a plain timezone-aware DateTime in migrations."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: object) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True, compare_type=True, render_item=_render_item,
                      include_name=civic_owns)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
