"""The loopback receiver that callback tests rely on."""

from __future__ import annotations

import http.client
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.support.receiver import Reply, WebhookReceiver


def _post(url: str, body: bytes = b"{}") -> int:
    request = urllib.request.Request(url, data=body, headers={"X-Test": "yes"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_records_requests_and_answers_in_queue_order() -> None:
    with WebhookReceiver() as receiver:
        receiver.enqueue(Reply(status=500), Reply(status=503))
        statuses = [_post(receiver.url("/cb?attempt=1"), b'{"a": 1}') for _ in range(3)]
        requests = receiver.wait_for(3)
    assert statuses == [500, 503, 200]
    first = requests[0]
    assert (first.method, first.path, first.json()) == ("POST", "/cb?attempt=1", {"a": 1})
    assert first.headers["x-test"] == "yes"
    assert first.received_at == pytest.approx(time.time(), abs=5)


def test_wait_for_fails_the_test_on_timeout() -> None:
    with WebhookReceiver() as receiver, pytest.raises(AssertionError, match="expected 1 request"):
        receiver.wait_for(1, timeout=0.1)


def test_stop_cuts_a_reply_delay_short() -> None:
    receiver = WebhookReceiver().start()
    receiver.respond(200, delay_s=30.0)
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            _post(receiver.url())
        except (OSError, http.client.HTTPException) as error:  # the receiver hangs up without answering
            outcome.append(error)

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    receiver.wait_for(1)
    started = time.monotonic()
    receiver.stop()
    assert time.monotonic() - started < 2.0
    caller.join(timeout=5)
    assert not caller.is_alive()
    assert len(outcome) == 1
