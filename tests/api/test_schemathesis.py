"""Schemathesis over every operation of ``/openapi.json``: no 5xx, no answer that breaks its documented
schema, no request that hangs.

The app runs in-process (schemathesis' ASGI transport, which also runs its lifespan) on a temp data dir with
the fake engine, and answers with mirrored HTTP statuses so that a server error is an HTTP 5xx, not an
envelope in a 200. Outbound requests are impossible: every callback and upload URL is refused at submit by
an egress policy that allows no port, so generated URLs never make the server call out. Generation is
seeded (``derandomize``) and bounded per operation, so a run is the same on every machine.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import response_schema_conformance
from tests.conftest import make_settings
from tests.support.fake_engine import FakeEngine

from tunesmith.api.app import create_app
from tunesmith.config import LimitsSettings, Settings
from tunesmith.db.session import Database
from tunesmith.tasks import accounts

MAX_EXAMPLES = 25
"""Generated requests per operation and mode (positive and negative); the whole run takes about 80 s."""
REQUEST_TIMEOUT_S = 10.0
"""A request that has not been answered by then fails the run as a hang."""
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture(scope="module")
def app_and_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, str]]:
    """The app on a fresh temp data dir, and a key with more credits than the run can spend."""
    config = make_settings(tmp_path_factory.mktemp("schemathesis"))
    config.server.mirror_http_status = True
    config.egress.allow_networks = []
    config.limits = LimitsSettings(calls_per_window=0, reads_per_window=0, max_active_tasks=0)  # fuzz past 430
    config.data_dir.mkdir(parents=True)
    db = Database(config.db_url)
    db.migrate()
    raw, _ = accounts.create_key(db, credits=10**9)
    db.dispose()
    yield create_app(config, engine=FakeEngine, engine_options={}), raw
    shutdown_lifespans()  # the lifespan that schemathesis' transport started for the app


@pytest.fixture(scope="module")
def api_schema(app_and_key: tuple[FastAPI, str]) -> BaseSchema:
    app, _ = app_and_key
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)  # starts the app's lifespan
    container = app.state.container
    container.egress = dataclasses.replace(container.egress, allowed_ports=())
    return schema


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every documented operation (from an app that is never started: nothing is written)."""
    app = create_app(Settings(data_dir=Path(tempfile.gettempdir()) / "tunesmith-unused"), engine=FakeEngine)
    return [(method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item]


@pytest.mark.parametrize("mode", list(GenerationMode))
@pytest.mark.parametrize(("method", "path"), _operations())
def test_every_operation_survives_generated_requests(api_schema: BaseSchema, app_and_key: tuple[FastAPI, str],
                                                     method: str, path: str, mode: GenerationMode) -> None:
    auth = {"Authorization": f"Bearer {app_and_key[1]}"}

    # No health checks: slow examples (a real upload, a sounds job queued) and filtered ones are expected here.
    @given(case=api_schema[path][method].as_strategy(mode))
    @settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Case[Any]) -> None:
        case.call_and_validate(headers=auth, checks=CHECKS, timeout=REQUEST_TIMEOUT_S)

    run()

