"""Sounds (§3.10): validation and codes, results read through ``/generate/record-info`` in the music
shape (``operationType: "sounds"``) and a music-shaped ``complete`` callback."""

from __future__ import annotations

import io
import json

import soundfile as sf
from fastapi.testclient import TestClient
from tests.api.helpers import local, wait_terminal
from tests.api.test_contract import RECORD_KEYS, SUNO_KEYS
from tests.support.receiver import WebhookReceiver

URL = "/api/v1/generate/sounds"
CALLBACK_TRACK_KEYS = {"id", "audio_url", "source_audio_url", "stream_audio_url", "source_stream_audio_url",
                       "image_url", "source_image_url", "prompt", "model_name", "title", "tags", "createTime",
                       "duration"}


def test_sounds_end_to_end(client: TestClient, auth: dict[str, str]) -> None:
    sent = {"prompt": "808 drum loop", "model": "V5", "soundLoop": True, "soundTempo": 120, "soundKey": "Am",
            "grabLyrics": False}
    with WebhookReceiver() as rx:
        r = client.post(URL, headers=auth, json={**sent, "callBackUrl": rx.url("/s")}).json()
        assert r["code"] == 200 and set(r["data"]) == {"taskId"}
        data = wait_terminal(client, auth, r["data"]["taskId"])
        [cb] = rx.wait_for(1, timeout=10)
    assert set(data) == RECORD_KEYS and data["status"] == "SUCCESS"
    assert data["operationType"] == "sounds" and data["type"] == "SOUNDS" and data["parentMusicId"] == ""
    assert json.loads(data["param"])["soundTempo"] == 120
    tracks = data["response"]["sunoData"]
    assert len(tracks) == 2 and all(set(t) == SUNO_KEYS for t in tracks)
    assert tracks[0]["modelName"] == "chirp-crow" and "120 bpm" in tracks[0]["tags"]
    audio, sr = sf.read(io.BytesIO(client.get(local(tracks[0]["audioUrl"])).content))
    assert abs(len(audio) / sr - 8.0) < 0.1 and abs(tracks[0]["duration"] - 8.0) < 0.01  # 4 bars at 120 bpm
    assert client.get(local(tracks[0]["imageUrl"])).headers["content-type"] == "image/jpeg"
    body = cb.json()
    assert body["code"] == 200 and body["data"]["callbackType"] == "complete"
    assert body["data"]["task_id"] == r["data"]["taskId"]
    assert [t["id"] for t in body["data"]["data"]] == [t["id"] for t in tracks]
    assert all(set(t) == CALLBACK_TRACK_KEYS for t in body["data"]["data"])


def test_sounds_validation(client: TestClient, auth: dict[str, str]) -> None:
    before = client.get("/api/v1/generate/credit", headers=auth).json()["data"]
    cases = [({"prompt": "x" * 501}, 413, "prompt"), ({}, 400, "prompt"), ({"prompt": "  "}, 400, "prompt"),
             ({"prompt": "rain", "model": "V3_5"}, 400, "model"),
             ({"prompt": "rain", "soundKey": "H"}, 400, "soundKey"),
             ({"prompt": "rain", "soundTempo": 0}, 400, "soundTempo"),
             ({"prompt": "rain", "soundTempo": 301}, 400, "soundTempo"),
             ({"prompt": "rain", "soundTempo": 90.5}, 400, "soundTempo"),
             ({"prompt": "rain", "soundLoop": "yes"}, 400, "soundLoop")]
    for body, code, field in cases:
        r = client.post(URL, headers=auth, json=body).json()
        assert r["code"] == code and field in r["msg"], (body, r)
    assert client.get("/api/v1/generate/credit", headers=auth).json()["data"] == before
    ok = client.post(URL, headers=auth, json={"prompt": "x" * 500}).json()
    assert ok["code"] == 200
