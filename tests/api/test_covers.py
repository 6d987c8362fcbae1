"""Cover images (§3.16): two new images per music task, integer successFlag, ISO times, the camelCase
``taskId`` callback, and code 400 with the existing taskId on a repeat."""

from __future__ import annotations

import io
import re
import time

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image
from tests.api.helpers import local, submit, wait_terminal
from tests.support.receiver import WebhookReceiver

DETAILS_KEYS = {"taskId", "parentTaskId", "callbackUrl", "completeTime", "response", "successFlag", "createTime",
                "errorCode", "errorMessage"}
ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


def details(client: TestClient, auth: dict[str, str], task_id: str) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + 30
    while True:
        data = client.get("/api/v1/suno/cover/record-info", params={"taskId": task_id}, headers=auth).json()["data"]
        if data["successFlag"] in (1, 3) or time.monotonic() > deadline:
            return data  # type: ignore[no-any-return]
        time.sleep(0.05)


def pixels(client: TestClient, url: str) -> np.ndarray:  # type: ignore[type-arg]
    image = Image.open(io.BytesIO(client.get(local(url)).content)).convert("RGB").resize((64, 64))
    return np.asarray(image, dtype=np.float64)


def test_cover_images_end_to_end(client: TestClient, auth: dict[str, str]) -> None:
    music = submit(client, auth)["data"]["taskId"]
    tracks = wait_terminal(client, auth, music)["response"]["sunoData"]
    with WebhookReceiver() as rx:
        r = client.post("/api/v1/suno/cover/generate", headers=auth,
                        json={"taskId": music, "callBackUrl": rx.url("/cover")}).json()
        assert r["code"] == 200 and set(r["data"]) == {"taskId"} and re.fullmatch(r"[0-9a-f]{32}", r["data"]["taskId"])
        data = details(client, auth, r["data"]["taskId"])
        [cb] = rx.wait_for(1, timeout=10)
    assert set(data) == DETAILS_KEYS
    assert data["successFlag"] == 1 and data["parentTaskId"] == music and data["errorCode"] == 200
    assert re.fullmatch(ISO, data["createTime"]) and re.fullmatch(ISO, data["completeTime"])
    images = data["response"]["images"]
    assert set(data["response"]) == {"images"} and len(images) == 2
    body = cb.json()
    assert body["code"] == 200 and body["msg"] == "success"
    assert set(body["data"]) == {"taskId", "images"} and body["data"]["taskId"] == r["data"]["taskId"]
    assert len(body["data"]["images"]) == 2
    new = [pixels(client, url) for url in images]
    old = [pixels(client, t["imageUrl"]) for t in tracks]
    assert np.mean(np.abs(new[0] - new[1])) > 10
    assert all(np.mean(np.abs(n - o)) > 10 for n in new for o in old)
    assert client.get(local(images[0])).headers["content-type"] == "image/png"
    again = client.post("/api/v1/suno/cover/generate", headers=auth,
                        json={"taskId": music, "callBackUrl": "https://example.com/cb"}).json()
    assert again["code"] == 400 and r["data"]["taskId"] in again["msg"]
    assert again["data"] == {"taskId": r["data"]["taskId"]}
    assert again["data"] == {"taskId": r["data"]["taskId"]}


def test_cover_bad_requests(client: TestClient, auth: dict[str, str]) -> None:
    music = submit(client, auth)["data"]["taskId"]
    wait_terminal(client, auth, music)
    before = client.get("/api/v1/generate/credit", headers=auth).json()["data"]
    missing = client.post("/api/v1/suno/cover/generate", headers=auth, json={"taskId": music}).json()
    assert missing["code"] == 400 and "callBackUrl" in missing["msg"]
    unknown = client.post("/api/v1/suno/cover/generate", headers=auth,
                          json={"taskId": "0" * 32, "callBackUrl": "https://example.com/cb"}).json()
    assert unknown["code"] == 404
    assert client.get("/api/v1/suno/cover/record-info", params={"taskId": music}, headers=auth).json()["code"] == 400
    assert client.get("/api/v1/generate/credit", headers=auth).json()["data"] == before
