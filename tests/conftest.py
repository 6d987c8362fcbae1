"""Shared fixtures: an app on a temp data dir with the fake engine, and an API key with credits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.fake_engine import FakeEngine
from tunesmith.api.app import create_app
from tunesmith.config import Settings
from tunesmith.db.session import Database
from tunesmith.tasks import accounts


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    settings = Settings(data_dir=tmp_path / "data", public_base_url="http://testserver")
    settings.workers.isolation = "thread"
    settings.workers.concurrency = 2
    settings.workers.poll_s = 0.05
    settings.workers.heartbeat_s = 0.5
    settings.webhooks.retry_delays_s = (0.2, 0.2, 0.2)
    settings.webhooks.poll_s = 0.05
    settings.egress.allow_networks = ["127.0.0.0/8"]
    for name, value in overrides.items():
        setattr(settings, name, value)
    return settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def engine_options() -> dict[str, object]:
    return {}


@pytest.fixture
def client(settings: Settings, engine_options: dict[str, object]) -> Iterator[TestClient]:
    app = create_app(settings, engine=FakeEngine, engine_options=engine_options)
    with TestClient(app) as c:
        yield c


@pytest.fixture
def db(client: TestClient) -> Database:
    database: Database = client.app.state.container.db  # type: ignore[attr-defined]
    return database


def new_key(db: Database, credits: int = 100) -> str:
    raw, _ = accounts.create_key(db, credits=credits)
    return raw


@pytest.fixture
def key(db: Database) -> str:
    return new_key(db)


@pytest.fixture
def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
