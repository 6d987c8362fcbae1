from __future__ import annotations

import time

from fastapi.testclient import TestClient


def wait_status(client: TestClient, auth: dict[str, str], task_id: str, want: set[str], timeout: float = 20.0) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        data = client.get("/api/v1/generate/record-info", params={"taskId": task_id}, headers=auth).json()["data"]
        if data["status"] in want:
            return data
        time.sleep(0.05)
    raise AssertionError(f"task {task_id} never reached {want}: {data['status']}")


def test_generate_to_success(client: TestClient, auth: dict[str, str]) -> None:
    body = {"customMode": True, "instrumental": False, "model": "V4_5", "style": "pop", "title": "Hi",
            "prompt": "[Verse]\nhello world", "callBackUrl": "http://127.0.0.1:9/cb"}
    r = client.post("/api/v1/generate", json=body, headers=auth)
    assert r.json()["code"] == 200, r.json()
    task_id = r.json()["data"]["taskId"]
    data = wait_status(client, auth, task_id, {"SUCCESS", "GENERATE_AUDIO_FAILED"})
    assert data["status"] == "SUCCESS"
    tracks = data["response"]["sunoData"]
    assert len(tracks) == 2
    audio = client.get(tracks[0]["audioUrl"].replace("http://testserver", ""))
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/mpeg"
    streamed = client.get(tracks[0]["streamAudioUrl"].replace("http://testserver", ""))
    assert streamed.content == audio.content
    assert client.get("/api/v1/generate/credit", headers=auth).json()["data"] == 88
