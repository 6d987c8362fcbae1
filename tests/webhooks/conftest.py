from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.support.receiver import WebhookReceiver


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as running:
        yield running
