"""The operation registry: every entry is complete, reachable and priced; nothing else lists operations."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from pydantic import BaseModel

from tunesmith.api.app import create_app
from tunesmith.api.operations import OPERATIONS, Kind, check_settings, cost_of, operation, polled_at, work_targets
from tunesmith.config import Settings
from tunesmith.engines.jobs import job_function
from tunesmith.tasks.worker import MUSIC

SRC = Path(__file__).resolve().parents[2] / "src" / "tunesmith"


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_every_operation_is_complete(name: str) -> None:
    op = OPERATIONS[name]
    assert op.name == name and op.label and op.polled_at
    assert issubclass(op.body, BaseModel)
    assert op.cost >= 0
    if op.kind is Kind.INSTANT:
        assert op.work == "" and op.details is None and op.callback is None
        return
    assert callable(op.details) and callable(op.callback)
    assert len(inspect.signature(op.details).parameters) == 2
    assert len(inspect.signature(op.callback).parameters) == 4
    if op.kind is Kind.MUSIC:
        assert op.work == MUSIC
    else:
        assert callable(job_function(op.work)), f"{name}: job target {op.work} does not import"


def test_every_polled_family_is_served_by_a_route(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path / "d"))
    paths = set(app.openapi()["paths"])
    for op in OPERATIONS.values():
        if op.kind is Kind.INSTANT:
            continue
        assert any(op.polled_at in p and p.endswith("record-info") for p in paths), op.name


def test_worker_gets_a_target_for_every_task_operation() -> None:
    targets = work_targets()
    assert set(targets) == {n for n, op in OPERATIONS.items() if op.kind is not Kind.INSTANT}


def test_costs_default_to_the_registry_and_settings_override_by_name() -> None:
    s = Settings()
    s.credits.costs = {"wav": 3}
    assert cost_of(s, "wav") == 3 and cost_of(s, "generate") == operation("generate").cost


def test_a_cost_for_an_unknown_operation_stops_the_server() -> None:
    s = Settings()
    s.credits.costs = {"wavv": 1}
    with pytest.raises(ValueError, match="wavv"):
        check_settings(s)


def test_an_unregistered_name_is_a_loud_error() -> None:
    with pytest.raises(KeyError, match="not registered"):
        operation("no_such_operation")


def test_polled_families_group_the_separations() -> None:
    assert polled_at("vocal-removal") == {"separate_vocal", "split_stem"}


def test_no_module_outside_the_registry_keeps_a_table_of_operations() -> None:
    """The old per-concern tables (costs, jobs, callback renderers) must not come back."""
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for marker in ("DEFAULT_COSTS", "CALLBACKS: dict", "JOBS: dict"):
            assert marker not in text, f"{path.relative_to(SRC)} defines {marker}"
