"""Migrations and models agree: an empty database upgraded to head needs no new migration."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

import civic.models  # noqa: F401
from civic.core.cli import alembic_config, civic_owns
from civic.core.db import Base


def test_models_match_the_migrated_schema(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "include_name": civic_owns})
        assert compare_metadata(context, Base.metadata) == []
        head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
        assert context.get_current_revision() == head
    engine.dispose()


def test_there_is_a_single_head(database_url: str) -> None:
    script = ScriptDirectory.from_config(alembic_config(database_url))
    assert len(script.get_heads()) == 1


def test_the_encrypted_box_refuses_to_strand_a_vote_in_progress(tmp_path: Any) -> None:
    """A round voting under the previous schema cannot be moved into the encrypted box:
    the upgrade stops and names it; once it is counted, the upgrade goes through and the
    counted ballots stay."""
    from datetime import UTC, datetime, timedelta

    import pytest
    from alembic import command
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'before.db'}"
    config = alembic_config(url)
    command.upgrade(config, "4981fa86d63c")  # the schema before the encrypted box
    now = datetime.now(UTC)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO contracts VALUES (1, 'Contrat', 2024, 2030, :now)"), {"now": now})
        connection.execute(text(
            "INSERT INTO quartiers (id, contract_id, code, name, commune, created_at, "
            "updated_at) VALUES (1, 1, 'QN00001', 'Quartier', 'Ville', :now, :now)"),
            {"now": now})
        connection.execute(text(
            "INSERT INTO funds VALUES (1, 1, 2026, 100000, 50000, 0, 16, '', 'approval', 1, "
            "NULL, 0, 0, 'greedy', 0, :now)"), {"now": now})
        connection.execute(text(
            "INSERT INTO rounds (id, fund_id, title, submission_starts_at, review_starts_at, "
            "vote_starts_at, vote_ends_at, follow_up_starts_at, seal, created_at) VALUES "
            "(1, 1, 'Appel 2026', :a, :b, :c, :d, :e, :seal, :a)"),
            {"a": now - timedelta(days=30), "b": now - timedelta(days=20),
             "c": now - timedelta(days=1), "d": now + timedelta(days=5),
             "e": now + timedelta(days=30), "seal": "0" * 64})
        connection.execute(text(
            "INSERT INTO ballots (id, round_id, choices, channel, cast_on) VALUES "
            "(:id, 1, '{\"1\": 1}', 'online', :day)"), {"id": "a" * 32, "day": now.date()})
    with pytest.raises(RuntimeError, match="Appel 2026"):
        command.upgrade(config, "head")
    with engine.begin() as connection:  # counted with the previous version
        connection.execute(text("UPDATE rounds SET results = '{\"selected\": []}', "
                                "vote_ends_at = :past"), {"past": now - timedelta(hours=1)})
    command.upgrade(config, "head")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT channel, choices FROM ballots")).all() == [
            ("online", '{"1": 1}')]
        assert connection.execute(text("SELECT trustees_needed FROM rounds")).scalar() == 2
    engine.dispose()
