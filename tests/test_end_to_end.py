"""The README quickstart's path with the real built-in engine: real songs, sung or instrumental."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from fastapi.testclient import TestClient

from tests.api.helpers import local, wait_terminal
from tests.conftest import make_settings, new_key
from tunesmith.api.app import create_app

pytestmark = pytest.mark.slow

LYRICS = ("[Verse]\nThe sun is shining on the open road\nI leave the city and the heavy load\n"
          "[Chorus]\nSing it loud, sing it free\nThe open road is calling me")


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str], Path]]:
    settings = make_settings(tmp_path_factory.mktemp("e2e"))
    settings.workers.isolation = "process"
    app = create_app(settings)
    with TestClient(app) as client:
        h = {"Authorization": f"Bearer {new_key(app.state.container.db, credits=100)}"}
        yield client, h, settings.files_dir


def rms_db(audio: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.square(audio))) + 1e-12))


def run_task(client: TestClient, h: dict[str, str], body: dict[str, object]) -> dict:  # type: ignore[type-arg]
    r = client.post("/api/v1/generate", json={"callBackUrl": "https://example.com/cb", **body}, headers=h).json()
    assert r["code"] == 200, r
    data = wait_terminal(client, h, r["data"]["taskId"], timeout=600)
    assert data["status"] == "SUCCESS", data
    return data  # type: ignore[no-any-return]


def check_tracks(client: TestClient, data: dict, files: Path, tmp_path: Path, limit_s: float) -> list[Path]:  # type: ignore[type-arg]
    tracks = data["response"]["sunoData"]
    assert len(tracks) == 2
    stem_dirs = []
    for track in tracks:
        mp3 = tmp_path / f"{track['id']}.mp3"
        mp3.write_bytes(client.get(local(track["audioUrl"])).content)
        audio, sr = sf.read(mp3, dtype="float32")
        seconds = len(audio) / sr
        assert 30 <= seconds <= limit_s and abs(seconds - track["duration"]) < 1.0
        assert rms_db(audio) > -30, "the track is (nearly) silent"
        assert client.get(local(track["imageUrl"])).headers["content-type"].startswith("image/")
        stem_dirs.append(files / "tracks" / track["id"] / "stems")
    a, _ = sf.read(tmp_path / f"{tracks[0]['id']}.mp3", dtype="float32")
    b, _ = sf.read(tmp_path / f"{tracks[1]['id']}.mp3", dtype="float32")
    n = min(len(a), len(b))
    assert not np.allclose(a[:n], b[:n], atol=1e-3), "the two tracks are the same"
    return stem_dirs


def test_custom_lyrics_song_has_audible_vocals(real, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client, h, files = real
    data = run_task(client, h, {"customMode": True, "instrumental": False, "model": "V4_5",
                                "style": "pop, upbeat, female vocals", "title": "Open Road", "prompt": LYRICS})
    for stems in check_tracks(client, data, files, tmp_path, 480):
        vocals, _ = sf.read(stems / "vocals.flac", dtype="float32")
        assert rms_db(vocals) > -45, "the vocal stem is silent"


def test_instrumental_has_no_vocal_stem(real, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client, h, files = real
    data = run_task(client, h, {"customMode": True, "instrumental": True, "model": "V4",
                                "style": "lo-fi hip hop, chill", "title": "Late Study"})
    for stems in check_tracks(client, data, files, tmp_path, 240):
        assert not (stems / "vocals.flac").exists()
        assert (stems / "drums.flac").exists()
    assert all(t["prompt"] == "" for t in data["response"]["sunoData"])


def test_chinese_idea_gets_chinese_lyrics_and_a_song(real, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client, h, files = real
    data = run_task(client, h, {"customMode": False, "instrumental": False, "model": "V4",
                                "prompt": "一首关于夏夜海边的歌"})
    for track in data["response"]["sunoData"]:
        han = re.findall(r"[\u4e00-\u9fff]", track["prompt"])
        assert len(han) >= 20, track["prompt"]
        assert re.search(r"[\u4e00-\u9fff]", track["title"]), track["title"]
    for stems in check_tracks(client, data, files, tmp_path, 240):
        vocals, _ = sf.read(stems / "vocals.flac", dtype="float32")
        assert rms_db(vocals) > -45
    words = json.loads(json.dumps(data["param"]))
    assert "夏夜" in words
