"""WAV conversion (§3.17): submit, details shape, callback shape, 409 on repeat, the file itself."""

from __future__ import annotations

import io
import time

import soundfile as sf
from fastapi.testclient import TestClient
from tests.api.helpers import local, submit, wait_terminal
from tests.support.receiver import WebhookReceiver

DETAILS_KEYS = {"taskId", "musicId", "callbackUrl", "completeTime", "response", "successFlag", "createTime",
                "errorCode", "errorMessage"}


def finished(client: TestClient, auth: dict[str, str]) -> tuple[str, str]:
    task_id = submit(client, auth)["data"]["taskId"]
    data = wait_terminal(client, auth, task_id)
    return task_id, data["response"]["sunoData"][0]["id"]


def wav_details(client: TestClient, auth: dict[str, str], wav_task: str) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + 20
    while True:
        data = client.get("/api/v1/wav/record-info", params={"taskId": wav_task}, headers=auth).json()["data"]
        if data["successFlag"] != "PENDING" or time.monotonic() > deadline:
            return data  # type: ignore[no-any-return]
        time.sleep(0.05)


def test_wav_conversion_end_to_end(client: TestClient, auth: dict[str, str]) -> None:
    task_id, audio_id = finished(client, auth)
    with WebhookReceiver() as rx:
        r = client.post("/api/v1/wav/generate", headers=auth,
                        json={"taskId": task_id, "audioId": audio_id, "callBackUrl": rx.url("/wav")}).json()
        assert r["code"] == 200 and set(r["data"]) == {"taskId"}
        details = wav_details(client, auth, r["data"]["taskId"])
        [cb] = rx.wait_for(1, timeout=10)
    assert set(details) == DETAILS_KEYS
    assert details["successFlag"] == "SUCCESS" and details["musicId"] == audio_id
    assert isinstance(details["createTime"], int) and isinstance(details["completeTime"], int)
    url = details["response"]["audioWavUrl"]
    assert set(cb.json()) == {"code", "msg", "data"}
    assert set(cb.json()["data"]) == {"audioWavUrl", "task_id"} and cb.json()["data"]["task_id"] == r["data"]["taskId"]
    wav = client.get(local(url))
    assert wav.headers["content-type"] == "audio/wav"
    info = sf.info(io.BytesIO(wav.content))
    assert info.samplerate == 44100 and info.subtype == "PCM_16" and info.channels == 2
    assert abs(info.duration - 2.0) < 0.01
    again = client.post("/api/v1/wav/generate", headers=auth,
                        json={"taskId": task_id, "audioId": audio_id, "callBackUrl": "https://example.com/cb"}).json()
    assert again["code"] == 409 and r["data"]["taskId"] in again["msg"]


def test_wav_bad_requests(client: TestClient, auth: dict[str, str]) -> None:
    task_id, audio_id = finished(client, auth)
    before = client.get("/api/v1/generate/credit", headers=auth).json()["data"]
    missing = client.post("/api/v1/wav/generate", headers=auth, json={"taskId": task_id, "audioId": audio_id}).json()
    assert missing["code"] == 400 and "callBackUrl" in missing["msg"]
    wrong = client.post("/api/v1/wav/generate", headers=auth,
                        json={"taskId": task_id, "audioId": "nope", "callBackUrl": "https://example.com/x"}).json()
    assert wrong["code"] == 404
    assert client.get("/api/v1/wav/record-info", params={"taskId": task_id}, headers=auth).json()["code"] == 400
    assert client.get("/api/v1/generate/credit", headers=auth).json()["data"] == before
