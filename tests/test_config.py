"""Settings from the environment: nesting, JSON lists, cost overrides."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tunesmith.config import Settings


def test_environment_nesting_and_partial_costs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNESMITH_WORKERS__CONCURRENCY", "3")
    monkeypatch.setenv("TUNESMITH_EGRESS__ALLOW_NETWORKS", '["10.0.0.0/8"]')
    monkeypatch.setenv("TUNESMITH_CREDITS__COSTS", '{"generate": 20}')
    s = Settings()
    assert s.workers.concurrency == 3 and s.egress.allow_networks == ["10.0.0.0/8"]
    assert s.credits.costs == {"generate": 20}  # overrides only; the registry holds the defaults


def test_negative_cost_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNESMITH_CREDITS__COSTS", '{"wav": -1}')
    with pytest.raises(ValidationError):
        Settings()
