"""Callbacks against a real loopback receiver: stages, exact keys, signatures, retries."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from standardwebhooks.webhooks import Webhook
from tests.api.helpers import submit, wait_terminal
from tests.support.receiver import WebhookReceiver

from tunesmith.db.models import DeliveryAttempt
from tunesmith.tasks import accounts

TRACK_KEYS = {"id", "audio_url", "source_audio_url", "stream_audio_url", "source_stream_audio_url", "image_url",
              "source_image_url", "prompt", "model_name", "title", "tags", "createTime", "duration"}


def secret_of(client: TestClient) -> str:
    db = client.app.state.container.db  # type: ignore[attr-defined]
    return accounts.list_keys(db)[-1].webhook_secret


def test_stages_arrive_in_order_with_documented_keys_and_valid_signatures(
        client: TestClient, auth: dict[str, str]) -> None:
    with WebhookReceiver() as rx:
        task_id = submit(client, auth, callBackUrl=rx.url("/cb"))["data"]["taskId"]
        assert wait_terminal(client, auth, task_id)["status"] == "SUCCESS"
        requests = rx.wait_for(3, timeout=10)
    bodies = [r.json() for r in requests]
    assert [b["data"]["callbackType"] for b in bodies] == ["text", "first", "complete"]
    for body in bodies:
        assert set(body) == {"code", "msg", "data"} and body["code"] == 200
        assert set(body["data"]) == {"callbackType", "task_id", "data"}
        assert body["data"]["task_id"] == task_id
    assert bodies[0]["data"]["data"] == []
    assert len(bodies[1]["data"]["data"]) == 1 and len(bodies[2]["data"]["data"]) == 2
    assert bodies[2]["msg"] == "All generated successfully."
    for track in bodies[2]["data"]["data"]:
        assert set(track) == TRACK_KEYS
        assert track["audio_url"].startswith("http://testserver/files/")
    wh = Webhook(secret_of(client))
    ids = set()
    for r in requests:
        wh.verify(r.body, {k: r.headers[k] for k in ("webhook-id", "webhook-timestamp", "webhook-signature")})
        ids.add(r.headers["webhook-id"])
    assert len(ids) == 3


def test_failing_receiver_gets_one_attempt_plus_three_retries(client: TestClient, auth: dict[str, str]) -> None:
    with WebhookReceiver() as rx:
        rx.respond(status=500)
        task_id = submit(client, auth, callBackUrl=rx.url("/cb"))["data"]["taskId"]
        assert wait_terminal(client, auth, task_id)["status"] == "SUCCESS"
        time.sleep(3.0)  # retries are 0.2 s apart in tests: all would have happened by now
        requests = rx.requests
    by_id: dict[str, int] = {}
    for r in requests:
        by_id[r.headers["webhook-id"]] = by_id.get(r.headers["webhook-id"], 0) + 1
    assert sorted(by_id.values()) == [4, 4, 4], by_id
    db = client.app.state.container.db  # type: ignore[attr-defined]
    with db.read() as s:
        assert s.query(DeliveryAttempt).count() == 12


@pytest.mark.parametrize("engine_options", [{"render_s": 0.3}])
def test_dead_or_slow_receiver_does_not_delay_success(client: TestClient, auth: dict[str, str]) -> None:
    with WebhookReceiver() as rx:
        rx.respond(status=200, delay_s=30)
        started = time.monotonic()
        task_id = submit(client, auth, callBackUrl=rx.url("/slow"))["data"]["taskId"]
        dead = submit(client, auth, callBackUrl="http://127.0.0.1:1/dead")["data"]["taskId"]
        assert wait_terminal(client, auth, task_id)["status"] == "SUCCESS"
        assert wait_terminal(client, auth, dead)["status"] == "SUCCESS"
        assert time.monotonic() - started < 15


def test_failed_generation_sends_error_callback_and_refunds(
        settings, tmp_path, key: str, auth: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    from tests.support.fake_engine import FakeEngine

    from tunesmith.api.app import create_app

    settings.data_dir = tmp_path / "failing"
    app = create_app(settings, engine=FakeEngine, engine_options={"fail": True})
    with TestClient(app) as c, WebhookReceiver() as rx:
        raw, _ = accounts.create_key(app.state.container.db, credits=50)
        h = {"Authorization": f"Bearer {raw}"}
        task_id = submit(c, h, callBackUrl=rx.url("/cb"))["data"]["taskId"]
        data = wait_terminal(c, h, task_id)
        assert data["status"] == "GENERATE_AUDIO_FAILED"
        assert data["errorCode"] == 501 and "fail" in data["errorMessage"]
        assert c.get("/api/v1/generate/credit", headers=h).json()["data"] == 50
        stages = [r.json() for r in rx.wait_for(2, timeout=10)]
    assert stages[-1] == {"code": 501, "msg": data["errorMessage"],
                          "data": {"callbackType": "error", "task_id": task_id, "data": None}}
