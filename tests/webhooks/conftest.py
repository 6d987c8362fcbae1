from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Makes ``tests/support`` importable as ``support``; redundant once pytest's ``pythonpath`` names "tests".
_TESTS_DIR = str(Path(__file__).resolve().parents[1])
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)

from support.receiver import WebhookReceiver  # noqa: E402


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as running:
        yield running
