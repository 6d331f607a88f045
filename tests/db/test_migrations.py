"""The Alembic migrations build the schema the models describe, on every backend."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from kinerja.db import models  # noqa: F401
from kinerja.db.base import Base


def test_migrations_create_every_model_table(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_migrations_match_models(engine: Engine) -> None:
    """No model change without a migration: autogenerate finds nothing to do."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_one_head_so_upgrade_head_is_unambiguous() -> None:
    from alembic.script import ScriptDirectory

    from kinerja.db.migrate import alembic_config

    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"several migration heads {heads}: add a merge revision"
