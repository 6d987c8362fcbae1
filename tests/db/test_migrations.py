"""Migrations: upgrade from empty to head, upgrade an old database holding rows, and no drift from the models."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from tunesmith.db.models import Base
from tunesmith.db.session import MIGRATIONS, Database


def config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def test_head_matches_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    Database(url).migrate()
    with create_engine(url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upgrade_keeps_existing_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    command.upgrade(config(url), "0001")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO api_keys (id, name, prefix, key_hash, credits, webhook_secret, created_at) "
                          "VALUES (1, 'k', 'sk_x', 'h', 5, 'whsec_x', '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO tasks (id, key_id, operation, status, param_json, request_json, model, "
                          "parent_music_id, cost, attempt, max_attempts, created_at, updated_at) VALUES "
                          "('t1', 1, 'generate', 'SUCCESS', '{}', '{}', 'V4', '', 12, 1, 2, "
                          "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
    Database(url).migrate()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT source_id, result_json FROM tasks")).one() == ("", None)
