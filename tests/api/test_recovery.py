"""Recovery (§3.21): ``task_id`` on submit, body code 201/200/500 on details, per-track items with fresh
links, a clear ``file_expired`` error for files the retention sweeper deleted, and the callback."""

from __future__ import annotations

import time
from datetime import datetime

from fastapi.testclient import TestClient
from tests.api.helpers import local, submit, wait_terminal
from tests.support.receiver import WebhookReceiver

from tunesmith.api.schemas.recovery import recovery_details
from tunesmith.db.models import Blob, Task
from tunesmith.storage.links import LinkSigner
from tunesmith.tasks.service import TaskView

ITEM_KEYS = {"id", "audio_url", "title", "status", "error"}


def poll(client: TestClient, auth: dict[str, str], task_id: str) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + 20
    while True:
        body = client.get("/api/v1/suno/recovery/record-info", params={"taskId": task_id}, headers=auth).json()
        if body["code"] != 201 or time.monotonic() > deadline:
            return body  # type: ignore[no-any-return]
        assert body["data"] is None
        time.sleep(0.05)


def expire(client: TestClient, key: str) -> None:
    """What the retention sweeper does: delete the file and mark the blob deleted."""
    c = client.app.state.container  # type: ignore[attr-defined]
    c.store.delete(key)
    with c.db.write() as s:
        blob = s.get(Blob, key)
        assert blob is not None
        blob.deleted_at = datetime(2025, 1, 2, 3, 4, 5)


def test_recovery_reissues_links_and_reports_expired_files(client: TestClient, auth: dict[str, str]) -> None:
    music = submit(client, auth)["data"]["taskId"]
    tracks = wait_terminal(client, auth, music)["response"]["sunoData"]
    expire(client, local(tracks[1]["audioUrl"]).split("?")[0].removeprefix("/files/"))
    with WebhookReceiver() as rx:
        r = client.post("/api/v1/suno/recovery", headers=auth, json={"sunoTaskId": music, "callBackUrl": rx.url("/r")})
        body = r.json()
        assert body["code"] == 200 and set(body["data"]) == {"task_id"}
        done = poll(client, auth, body["data"]["task_id"])
        [cb] = rx.wait_for(1, timeout=10)
    assert done["code"] == 200 and [item["id"] for item in done["data"]] == [t["id"] for t in tracks]
    ok, gone = done["data"]
    assert set(ok) == ITEM_KEYS and ok["status"] == "success" and ok["error"] == "" and ok["title"] == "Hi"
    assert client.get(local(ok["audio_url"])).status_code == 200
    assert gone["status"] == "failed" and gone["audio_url"] == "" and gone["error"].startswith("file_expired:")
    assert "2025-01-02" in gone["error"]
    payload = cb.json()
    assert set(payload) == {"code", "msg", "task_id", "data"} and payload["code"] == 200
    assert payload["task_id"] == body["data"]["task_id"] and [i["status"] for i in payload["data"]] == ["success",
                                                                                                     "failed"]


def test_recovery_all_failed_is_500(client: TestClient, auth: dict[str, str]) -> None:
    music = submit(client, auth)["data"]["taskId"]
    for track in wait_terminal(client, auth, music)["response"]["sunoData"]:
        expire(client, local(track["audioUrl"]).split("?")[0].removeprefix("/files/"))
    task_id = client.post("/api/v1/suno/recovery", headers=auth,
                          json={"sunoTaskId": music, "callBackUrl": "https://example.com/cb"}).json()["data"]["task_id"]
    done = poll(client, auth, task_id)
    assert done["code"] == 500 and all(item["status"] == "failed" for item in done["data"])


def test_running_recovery_answers_201() -> None:
    now = datetime(2025, 1, 1)
    task = Task(id="a" * 32, key_id=1, operation="recovery", status="PENDING", param_json="{}",
                request_json='{"tracks": []}', model="", created_at=now, updated_at=now)
    body = recovery_details(TaskView(task, []), LinkSigner(b"k", "http://x", 60))
    assert body == {"code": 201, "msg": "Recovery in progress", "data": None}


def test_recovery_bad_requests(client: TestClient, auth: dict[str, str]) -> None:
    missing = client.post("/api/v1/suno/recovery", headers=auth, json={"callBackUrl": "https://example.com/cb"}).json()
    assert missing["code"] == 400 and "sunoTaskId" in missing["msg"]
    unknown = client.post("/api/v1/suno/recovery", headers=auth,
                          json={"sunoTaskId": "0" * 32, "callBackUrl": "https://example.com/cb"}).json()
    assert unknown["code"] == 404
    music = submit(client, auth)["data"]["taskId"]
    assert client.get("/api/v1/suno/recovery/record-info", params={"taskId": music}, headers=auth).json()["code"] == 400
