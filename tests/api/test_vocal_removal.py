"""Vocal separation (§3.18): submit, details and callback shapes for both types, the stems themselves."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from fastapi.testclient import TestClient
from tests.api.helpers import local, submit, wait_terminal
from tests.support.receiver import WebhookReceiver

DETAILS_KEYS = {"taskId", "musicId", "musicIndex", "callbackUrl", "audioId", "completeTime", "response",
                "successFlag", "createTime", "errorCode", "errorMessage"}
STEM_WORDS = ["vocal", "backing_vocals", "drums", "bass", "guitar", "keyboard", "percussion", "strings", "synth",
              "fx", "brass", "woodwinds"]
RESPONSE_KEYS = {"id", "originUrl", "originData", "instrumentalUrl", "vocalUrl", "backingVocalsUrl", "drumsUrl",
                 "bassUrl", "guitarUrl", "keyboardUrl", "percussionUrl", "stringsUrl", "synthUrl", "fxUrl",
                 "brassUrl", "woodwindsUrl"}
ORIGIN_KEYS = {"duration", "audio_url", "stem_type_group_name", "id"}
SPLIT_INFO_KEYS = {"origin_url", *(f"{w}_url" for w in STEM_WORDS)}


def finished(client: TestClient, auth: dict[str, str], **fields: Any) -> tuple[str, list[str]]:
    task_id = submit(client, auth, **fields)["data"]["taskId"]
    data = wait_terminal(client, auth, task_id)
    return task_id, [t["id"] for t in data["response"]["sunoData"]]


def poll(client: TestClient, auth: dict[str, str], path: str, task_id: str,
         pending: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        data: dict[str, Any] = client.get(path, params={"taskId": task_id}, headers=auth).json()["data"]
        if not pending(data) or time.monotonic() > deadline:
            return data
        time.sleep(0.05)


def separation(client: TestClient, auth: dict[str, str], task_id: str, audio_id: str, kind: str,
               callback: str = "https://example.com/cb") -> tuple[str, dict[str, Any]]:
    r = client.post("/api/v1/vocal-removal/generate", headers=auth,
                    json={"taskId": task_id, "audioId": audio_id, "callBackUrl": callback, "type": kind}).json()
    assert r["code"] == 200 and set(r["data"]) == {"taskId"}, r
    sep = r["data"]["taskId"]
    return sep, poll(client, auth, "/api/v1/vocal-removal/record-info", sep, lambda d: d["successFlag"] == "PENDING")


def credits(client: TestClient, auth: dict[str, str]) -> int:
    value: int = client.get("/api/v1/generate/credit", headers=auth).json()["data"]
    return value


def decode(client: TestClient, url: str) -> np.ndarray:
    audio, _ = sf.read(io.BytesIO(client.get(local(url)).content), dtype="float32")
    return np.asarray(audio)


def test_separate_vocal_end_to_end(client: TestClient, auth: dict[str, str]) -> None:
    task_id, (audio_id, _) = finished(client, auth)
    before = credits(client, auth)
    with WebhookReceiver() as rx:
        sep, details = separation(client, auth, task_id, audio_id, "separate_vocal", rx.url("/sep"))
        [cb] = rx.wait_for(1, timeout=10)
    assert before - credits(client, auth) == 10
    assert set(details) == DETAILS_KEYS and set(details["response"]) == RESPONSE_KEYS
    assert details["successFlag"] == "SUCCESS" and details["musicId"] == audio_id and details["musicIndex"] == 0
    assert isinstance(details["createTime"], int) and isinstance(details["completeTime"], int)
    response = details["response"]
    assert response["vocalUrl"] and response["instrumentalUrl"] and response["originUrl"]
    assert all(response[k] is None for k in RESPONSE_KEYS - {"id", "originUrl", "originData", "vocalUrl",
                                                             "instrumentalUrl"})
    assert [o["stem_type_group_name"] for o in response["originData"]] == ["Vocals", "Instrumental"]
    assert all(set(o) == ORIGIN_KEYS and o["duration"] == 2.0 for o in response["originData"])
    body = cb.json()
    assert set(body) == {"code", "msg", "data"} and body["code"] == 200
    assert body["msg"] == "vocal Removal generated successfully."
    assert set(body["data"]) == {"task_id", "vocal_removal_info"} and body["data"]["task_id"] == sep
    assert set(body["data"]["vocal_removal_info"]) == {"instrumental_url", "origin_url", "vocal_url"}
    vocal, rest = decode(client, response["vocalUrl"]), decode(client, response["instrumentalUrl"])
    mix = decode(client, response["originUrl"])
    assert vocal.shape == rest.shape and abs(len(vocal) - len(mix)) < 2000
    # The fake engine's stems are 0.6 and 0.4 of its tone.
    assert np.sqrt(np.mean(vocal**2)) / np.sqrt(np.mean(rest**2)) == pytest.approx(1.5, rel=0.05)


def test_split_stem_lists_the_sounding_families(client: TestClient, auth: dict[str, str]) -> None:
    task_id, (_, second) = finished(client, auth)
    before = credits(client, auth)
    with WebhookReceiver() as rx:
        sep, details = separation(client, auth, task_id, second, "split_stem", rx.url("/split"))
        [cb] = rx.wait_for(1, timeout=10)
    assert before - credits(client, auth) == 50
    response = details["response"]
    assert set(details) == DETAILS_KEYS and set(response) == RESPONSE_KEYS and details["musicIndex"] == 1
    assert response["vocalUrl"] and response["drumsUrl"] and response["instrumentalUrl"] is None
    assert all(response[k] is None for k in ("bassUrl", "guitarUrl", "keyboardUrl", "woodwindsUrl"))
    assert sorted(o["stem_type_group_name"] for o in response["originData"]) == ["Drums", "Vocals"]
    assert len({o["id"] for o in response["originData"]}) == 2
    info = cb.json()["data"]["vocal_removal_info"]
    assert set(info) == SPLIT_INFO_KEYS and info["drums_url"] and info["guitar_url"] is None
    assert cb.json()["data"]["task_id"] == sep
    stems = decode(client, response["vocalUrl"]) + decode(client, response["drumsUrl"])
    mix = decode(client, response["originUrl"])
    n = min(len(stems), len(mix))
    residual = np.sqrt(np.mean((stems[:n] - mix[:n]) ** 2)) / np.sqrt(np.mean(mix[:n] ** 2))
    assert 20 * np.log10(residual) < -20  # MP3 coding noise only; the lossless stems are exact (slow tests)


def test_instrumental_separate_vocal_has_no_vocal(client: TestClient, auth: dict[str, str]) -> None:
    task_id, (audio_id, _) = finished(client, auth, instrumental=True, prompt=None)
    _, details = separation(client, auth, task_id, audio_id, "separate_vocal")
    assert details["successFlag"] == "SUCCESS"
    assert details["response"]["vocalUrl"] is None and details["response"]["instrumentalUrl"]


def test_separation_bad_requests(client: TestClient, auth: dict[str, str]) -> None:
    task_id, (audio_id, _) = finished(client, auth)
    before = credits(client, auth)
    url = "/api/v1/vocal-removal/generate"
    body = {"taskId": task_id, "audioId": audio_id, "callBackUrl": "https://example.com/x"}
    missing = client.post(url, headers=auth, json={"taskId": task_id, "audioId": audio_id}).json()
    assert missing["code"] == 400 and "callBackUrl" in missing["msg"]
    bad_type = client.post(url, headers=auth, json={**body, "type": "karaoke"}).json()
    assert bad_type["code"] == 400 and "type" in bad_type["msg"]
    assert client.post(url, headers=auth, json={**body, "audioId": "nope"}).json()["code"] == 404
    assert client.post(url, headers=auth, json={**body, "taskId": "nope"}).json()["code"] == 404
    info = "/api/v1/vocal-removal/record-info"
    assert client.get(info, params={"taskId": task_id}, headers=auth).json()["code"] == 400
    assert client.get(info, headers=auth).json()["code"] == 400
    assert credits(client, auth) == before
