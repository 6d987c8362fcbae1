"""Music video (§3.20): submit, details and callback shapes, the MP4 itself, validation."""

from __future__ import annotations

import io
import time

import av
from fastapi.testclient import TestClient
from tests.api.helpers import local, submit, wait_terminal
from tests.support.receiver import WebhookReceiver

DETAILS_KEYS = {"taskId", "musicId", "callbackUrl", "musicIndex", "completeTime", "response", "successFlag",
                "createTime", "errorCode", "errorMessage"}


def finished(client: TestClient, auth: dict[str, str]) -> tuple[str, str]:
    task_id = submit(client, auth)["data"]["taskId"]
    data = wait_terminal(client, auth, task_id)
    return task_id, data["response"]["sunoData"][1]["id"]


def details(client: TestClient, auth: dict[str, str], task_id: str) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + 60
    while True:
        data = client.get("/api/v1/mp4/record-info", params={"taskId": task_id}, headers=auth).json()["data"]
        if data["successFlag"] != "PENDING" or time.monotonic() > deadline:
            return data  # type: ignore[no-any-return]
        time.sleep(0.05)


def test_mp4_end_to_end(client: TestClient, auth: dict[str, str]) -> None:
    task_id, audio_id = finished(client, auth)
    with WebhookReceiver() as rx:
        r = client.post("/api/v1/mp4/generate", headers=auth,
                        json={"taskId": task_id, "audioId": audio_id, "callBackUrl": rx.url("/mp4"),
                              "author": "A" * 50, "domainName": "music.example.com"}).json()
        assert r["code"] == 200 and set(r["data"]) == {"taskId"}
        data = details(client, auth, r["data"]["taskId"])
        [cb] = rx.wait_for(1, timeout=30)
    assert set(data) == DETAILS_KEYS
    assert data["successFlag"] == "SUCCESS" and data["musicId"] == audio_id and data["musicIndex"] == 1
    assert isinstance(data["createTime"], int) and isinstance(data["completeTime"], int)
    assert set(data["response"]) == {"videoUrl"}
    body = cb.json()
    assert body["code"] == 200 and body["msg"] == "MP4 generated successfully."
    assert set(body["data"]) == {"task_id", "video_url"} and body["data"]["task_id"] == r["data"]["taskId"]
    video = client.get(local(data["response"]["videoUrl"]))
    assert video.headers["content-type"] == "video/mp4"
    with av.open(io.BytesIO(video.content)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264" and container.streams.audio[0].codec_context.name == "aac"
        assert (stream.codec_context.width, stream.codec_context.height) == (1280, 720)
        assert container.duration is not None and abs(container.duration / 1e6 - 2.0) <= 0.2


def test_mp4_bad_requests(client: TestClient, auth: dict[str, str]) -> None:
    task_id, audio_id = finished(client, auth)
    before = client.get("/api/v1/generate/credit", headers=auth).json()["data"]
    base = {"taskId": task_id, "audioId": audio_id, "callBackUrl": "https://example.com/cb"}
    for field in ("author", "domainName"):
        r = client.post("/api/v1/mp4/generate", headers=auth, json={**base, field: "x" * 51}).json()
        assert r["code"] == 400 and field in r["msg"]
    missing = client.post("/api/v1/mp4/generate", headers=auth, json={"taskId": task_id, "audioId": audio_id}).json()
    assert missing["code"] == 400 and "callBackUrl" in missing["msg"]
    assert client.post("/api/v1/mp4/generate", headers=auth, json={**base, "audioId": "nope"}).json()["code"] == 404
    assert client.get("/api/v1/mp4/record-info", params={"taskId": task_id}, headers=auth).json()["code"] == 400
    assert client.get("/api/v1/mp4/record-info", headers=auth).json()["code"] == 400
    assert client.get("/api/v1/generate/credit", headers=auth).json()["data"] == before
