"""Per-key limits (issue 27): 430 for a request rate over its budget, 405 for a key at its cap on queued and
running tasks, both with ``Retry-After``; refused calls debit nothing and store no task.

Time is a fake clock handed to the limiter's token buckets, so "after the window" needs no sleep; the cap tests
stop the workers so that accepted tasks stay queued.
"""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.api.helpers import submit, wait_terminal
from tests.conftest import new_key

from tunesmith.api.deps import Container
from tunesmith.api.limits import KeyLimiter, MemoryRateStore
from tunesmith.config import LimitsSettings, Settings
from tunesmith.db.models import Task
from tunesmith.errors import TooManyRequests
from tunesmith.tasks import accounts
from tunesmith.tasks.states import Status

OFF = {"calls_per_window": 0, "reads_per_window": 0, "max_active_tasks": 0}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def container(client: TestClient) -> Container:
    found: Container = client.app.state.container  # type: ignore[attr-defined]
    return found


def limit(client: TestClient, **fields: Any) -> Clock:
    """Replace the app's limits by ``fields`` (over the defaults), counted on a fake clock."""
    clock = Clock()
    container(client).limiter = KeyLimiter(LimitsSettings(**fields), MemoryRateStore(clock))
    return clock


def header(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def task_count(client: TestClient) -> int:
    with container(client).db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Task)) or 0)


def balance(client: TestClient, key: str) -> int:
    return accounts.authenticate(container(client).db, key).credits


def credit(client: TestClient, auth: dict[str, str]) -> Any:
    return client.get("/api/v1/generate/credit", headers=auth)


def test_calls_over_the_budget_get_430_with_retry_after(client: TestClient, key: str, auth: dict[str, str]) -> None:
    limit(client, calls_per_window=3, window_s=10)
    assert [submit(client, auth)["code"] for _ in range(3)] == [200, 200, 200]
    before, tasks = balance(client, key), task_count(client)
    refused = client.post("/api/v1/generate", json={"prompt": "x"}, headers=auth)
    body = refused.json()
    assert refused.status_code == 200 and body["code"] == 430 and body["data"] is None
    assert body["msg"].startswith("Your call frequency is too high, please retry later")
    assert refused.headers["Retry-After"] == "4"  # one of 3 tokens per 10 s comes back after 3.33 s
    assert balance(client, key) == before and task_count(client) == tasks


def test_the_budget_comes_back_with_time(client: TestClient, auth: dict[str, str]) -> None:
    clock = limit(client, calls_per_window=2, window_s=10)
    assert [submit(client, auth)["code"] for _ in range(3)] == [200, 200, 430]
    clock.now += 4.9  # 2 per 10 s: a token every 5 s
    assert submit(client, auth)["code"] == 430
    clock.now += 0.1
    assert [submit(client, auth)["code"] for _ in range(2)] == [200, 430]
    clock.now += 10
    assert [submit(client, auth)["code"] for _ in range(3)] == [200, 200, 430]  # never more than the budget


def test_retry_after_is_enough(client: TestClient, auth: dict[str, str]) -> None:
    clock = limit(client, calls_per_window=5, window_s=60)
    for _ in range(5):
        submit(client, auth)
    refused = client.post("/api/v1/generate", json={}, headers=auth)
    wait = int(refused.headers["Retry-After"])
    clock.now += wait - 1
    assert submit(client, auth)["code"] == 430
    clock.now += 1
    assert submit(client, auth)["code"] == 200


def test_reads_have_their_own_budget(client: TestClient, auth: dict[str, str]) -> None:
    limit(client, calls_per_window=1, reads_per_window=4)
    assert submit(client, auth)["code"] == 200
    assert submit(client, auth)["code"] == 430
    answers = [credit(client, auth) for _ in range(5)]
    assert [a.json()["code"] for a in answers] == [200, 200, 200, 200, 430]
    assert answers[-1].headers["Retry-After"] == "3"  # 4 per 10 s: 2.5 s per read


def test_a_client_polling_two_tasks_every_two_seconds_is_never_limited(client: TestClient,
                                                                       auth: dict[str, str]) -> None:
    clock = limit(client)  # the defaults
    tasks = [submit(client, auth)["data"]["taskId"] for _ in range(2)]
    for task_id in tasks:
        wait_terminal(client, auth, task_id)
    for _ in range(90):  # three minutes of polling
        clock.now += 2
        for task_id in tasks:
            answer = client.get("/api/v1/generate/record-info", params={"taskId": task_id}, headers=auth)
            assert answer.json()["code"] == 200 and "Retry-After" not in answer.headers
        assert credit(client, auth).json()["code"] == 200


def test_default_budgets_refuse_a_flood() -> None:
    limiter = KeyLimiter(LimitsSettings(), MemoryRateStore(Clock()))
    for _ in range(300):
        limiter.check(1, "GET")
    with pytest.raises(TooManyRequests) as reads:
        limiter.check(1, "GET")
    for _ in range(20):
        limiter.check(1, "POST")
    with pytest.raises(TooManyRequests) as calls:
        limiter.check(1, "POST")
    assert (reads.value.code, calls.value.code) == (430, 430)
    assert (reads.value.retry_after_s, calls.value.retry_after_s) == (1, 1)


def test_zero_cost_operations_are_limited(client: TestClient, settings: Settings, auth: dict[str, str],
                                          key: str) -> None:
    music = submit(client, auth)["data"]["taskId"]
    wait_terminal(client, auth, music)
    settings.credits.costs = {"style": 0}
    limit(client, calls_per_window=3)
    before = balance(client, key)
    codes = [client.post("/api/v1/style/generate", json={"content": "pop"}, headers=auth).json()["code"]
             for _ in range(2)]
    recovery = [client.post("/api/v1/suno/recovery", json=recover(music), headers=auth).json()["code"]
                for _ in range(2)]
    assert codes == [200, 200] and recovery == [200, 430]
    assert client.post("/api/v1/style/generate", json={"content": "pop"}, headers=auth).json()["code"] == 430
    assert balance(client, key) == before


def test_uploads_are_limited_with_430_and_success_false(client: TestClient, auth: dict[str, str]) -> None:
    limit(client, calls_per_window=1)
    body = {"base64Data": base64.b64encode(b"hello").decode(), "uploadPath": "limits", "fileName": "a.txt"}
    assert client.post("/api/file-base64-upload", json=body, headers=auth).json()["code"] != 430
    refused = client.post("/api/file-base64-upload", json=body, headers=auth)
    assert refused.json() == {"success": False, "code": 430, "data": None, "msg": refused.json()["msg"]}
    assert refused.headers["Retry-After"] == "10"


def test_mirrored_statuses_answer_http_429(client: TestClient, settings: Settings, auth: dict[str, str]) -> None:
    settings.server.mirror_http_status = True
    limit(client, reads_per_window=1)
    assert credit(client, auth).status_code == 200
    refused = credit(client, auth)
    assert refused.status_code == 429 and refused.json()["code"] == 430 and refused.headers["Retry-After"] == "10"


def test_keys_are_limited_independently(client: TestClient, db: Any, auth: dict[str, str]) -> None:
    limit(client, calls_per_window=1, reads_per_window=1)
    other = header(new_key(db))
    assert [submit(client, auth)["code"], submit(client, auth)["code"]] == [200, 430]
    assert [credit(client, auth).json()["code"], credit(client, auth).json()["code"]] == [200, 430]
    assert submit(client, other)["code"] == 200
    assert credit(client, other).json()["code"] == 200


def test_limits_are_off_at_zero(client: TestClient, db: Any) -> None:
    container(client).workers.stop()
    limit(client, **OFF)
    auth = header(new_key(db, credits=10_000))
    assert {submit(client, auth)["code"] for _ in range(30)} == {200}
    assert {credit(client, auth).json()["code"] for _ in range(400)} == {200}
    assert task_count(client) == 30


def test_the_active_task_cap_answers_405_and_debits_nothing(client: TestClient, key: str,
                                                             auth: dict[str, str]) -> None:
    c = container(client)
    c.workers.stop()  # accepted tasks stay PENDING
    limit(client, max_active_tasks=2, busy_retry_after_s=7)
    first, _ = (submit(client, auth)["data"]["taskId"] for _ in range(2))
    before, tasks = balance(client, key), task_count(client)
    refused = client.post("/api/v1/generate", json=submit_body(), headers=auth)
    body = refused.json()
    assert body["code"] == 405 and body["data"] is None and refused.headers["Retry-After"] == "7"
    assert "2 queued or running tasks" in body["msg"]
    assert balance(client, key) == before and task_count(client) == tasks
    with c.db.write() as s:  # a task finishes: a slot is free again
        task = s.get(Task, first)
        assert task is not None
        task.status = Status.SUCCESS.value
    assert submit(client, auth)["code"] == 200


def test_the_cap_counts_free_queued_tasks(client: TestClient, auth: dict[str, str]) -> None:
    music = submit(client, auth)["data"]["taskId"]
    wait_terminal(client, auth, music)
    container(client).workers.stop()
    limit(client, max_active_tasks=3, calls_per_window=0)
    codes = [client.post("/api/v1/suno/recovery", json=recover(music), headers=auth).json()["code"]
             for _ in range(5)]
    assert codes == [200, 200, 200, 405, 405]


def test_short_credits_are_reported_before_a_full_queue(client: TestClient, db: Any) -> None:
    container(client).workers.stop()
    limit(client, max_active_tasks=1)
    auth = header(new_key(db, credits=12))
    assert [submit(client, auth)["code"], submit(client, auth)["code"]] == [200, 429]


def test_parallel_submits_never_pass_the_cap(client: TestClient, db: Any) -> None:
    container(client).workers.stop()
    limit(client, max_active_tasks=5, calls_per_window=0)
    key = new_key(db, credits=1000)
    auth = header(key)
    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(lambda _: submit(client, auth)["code"], range(32)))
    assert codes.count(200) == 5 and codes.count(405) == 27
    assert task_count(client) == 5 and balance(client, key) == 1000 - 5 * 12
    for key_id, (column, ledger) in accounts.ledger_balances(db).items():
        assert column == ledger, key_id


def test_unknown_keys_are_refused_before_counting(client: TestClient, auth: dict[str, str]) -> None:
    limit(client, calls_per_window=1)
    assert submit(client, header("sk_unknown"))["code"] == 401
    assert submit(client, auth)["code"] == 200


def test_limits_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNESMITH_LIMITS__CALLS_PER_WINDOW", "0")
    monkeypatch.setenv("TUNESMITH_LIMITS__MAX_ACTIVE_TASKS", "3")
    limits = Settings().limits
    assert (limits.calls_per_window, limits.max_active_tasks, limits.reads_per_window) == (0, 3, 300)


def recover(task_id: str) -> dict[str, Any]:
    return {"sunoTaskId": task_id, "callBackUrl": "https://example.com/cb"}


def submit_body() -> dict[str, Any]:
    return {"customMode": False, "instrumental": True, "model": "V4_5", "prompt": "calm piano",
            "callBackUrl": "https://example.com/cb"}
