"""Music video, cover images, recovery and sounds on a real song from the built-in engine."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import av
import pytest
import soundfile as sf
from fastapi.testclient import TestClient

from tests.api.helpers import local, wait_terminal
from tests.conftest import make_settings, new_key
from tunesmith.api.app import create_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def song(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str], dict]]:  # type: ignore[type-arg]
    settings = make_settings(tmp_path_factory.mktemp("e2e-media"))
    settings.workers.isolation = "process"
    app = create_app(settings)
    with TestClient(app) as client:
        h = {"Authorization": f"Bearer {new_key(app.state.container.db, credits=100)}"}
        r = client.post("/api/v1/generate", headers=h, json={
            "customMode": True, "instrumental": True, "model": "V4", "style": "lo-fi hip hop, chill",
            "title": "Late Study", "callBackUrl": "https://example.com/cb"}).json()
        data = wait_terminal(client, h, r["data"]["taskId"], timeout=600)
        assert data["status"] == "SUCCESS", data
        yield client, h, data


def poll(client: TestClient, h: dict[str, str], path: str, task_id: str, done: object) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + 300
    while True:
        body = client.get(path, params={"taskId": task_id}, headers=h).json()
        if done(body) or time.monotonic() > deadline:  # type: ignore[operator]
            return body  # type: ignore[no-any-return]
        time.sleep(0.2)


def test_music_video_of_a_real_song(song, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client, h, data = song
    track = data["response"]["sunoData"][0]
    r = client.post("/api/v1/mp4/generate", headers=h, json={
        "taskId": data["taskId"], "audioId": track["id"], "callBackUrl": "https://example.com/cb",
        "author": "Tunesmith", "domainName": "tunesmith.local"}).json()
    body = poll(client, h, "/api/v1/mp4/record-info", r["data"]["taskId"],
                lambda b: b["data"]["successFlag"] != "PENDING")
    assert body["data"]["successFlag"] == "SUCCESS", body
    mp4 = client.get(local(body["data"]["response"]["videoUrl"])).content
    with av.open(io.BytesIO(mp4)) as container:
        assert container.streams.video[0].codec_context.width == 1280
        assert container.duration is not None and abs(container.duration / 1e6 - track["duration"]) <= 0.2


def test_cover_images_and_recovery_of_a_real_song(song) -> None:  # type: ignore[no-untyped-def]
    client, h, data = song
    r = client.post("/api/v1/suno/cover/generate", headers=h,
                    json={"taskId": data["taskId"], "callBackUrl": "https://example.com/cb"}).json()
    covers = poll(client, h, "/api/v1/suno/cover/record-info", r["data"]["taskId"],
                  lambda b: b["data"]["successFlag"] in (1, 3))
    assert covers["data"]["successFlag"] == 1 and len(covers["data"]["response"]["images"]) == 2
    rec = client.post("/api/v1/suno/recovery", headers=h,
                      json={"sunoTaskId": data["taskId"], "callBackUrl": "https://example.com/cb"}).json()
    done = poll(client, h, "/api/v1/suno/recovery/record-info", rec["data"]["task_id"], lambda b: b["code"] != 201)
    assert done["code"] == 200 and [i["status"] for i in done["data"]] == ["success", "success"]
    audio, sr = sf.read(io.BytesIO(client.get(local(done["data"][0]["audio_url"])).content))
    assert abs(len(audio) / sr - data["response"]["sunoData"][0]["duration"]) < 1.0


def test_sounds_with_the_real_server(song) -> None:  # type: ignore[no-untyped-def]
    client, h, _ = song
    r = client.post("/api/v1/generate/sounds", headers=h, json={
        "prompt": "lo-fi piano loop in Am at 85 bpm", "soundLoop": True, "callBackUrl": "https://example.com/cb"}).json()
    data = wait_terminal(client, h, r["data"]["taskId"], timeout=120)
    assert data["status"] == "SUCCESS" and data["operationType"] == "sounds"
    track = data["response"]["sunoData"][0]
    assert "85 bpm" in track["tags"] and "A minor" in track["tags"]
    assert abs(track["duration"] - 4 * 4 * 60 / 85) < 0.01
