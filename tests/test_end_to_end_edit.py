"""Extend and replace section on a real song from the built-in engine (issue 5 audio claims).

The lossless masters are compared (two MP3 encodes are never sample-identical): an extended track's
first ``continueAt`` seconds are the original's, a replaced section leaves every sample outside its
window unchanged, the joins do not click, and the stems still sum to the master.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import wait_terminal
from tests.conftest import make_settings, new_key
from tests.test_end_to_end import LYRICS, run_task
from tunesmith.api.app import create_app
from tunesmith.media.audio_io import read_audio
from tunesmith.music.score_io import score_from_json

pytestmark = pytest.mark.slow

SR = 44100
NEW_LYRICS = "[Verse]\nWe keep on driving through the night\nThe stars above are shining bright"
JOIN_SPAN_S = 0.1  # a click would show as a sample step in this span around a join


@pytest.fixture(scope="module")
def song(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str], Path, dict[str, Any]]]:
    settings = make_settings(tmp_path_factory.mktemp("edit"))
    settings.workers.isolation = "process"
    app = create_app(settings)
    with TestClient(app) as client:
        h = {"Authorization": f"Bearer {new_key(app.state.container.db, credits=1000)}"}
        data = run_task(client, h, {"customMode": True, "instrumental": False, "model": "V6", "duration": 35,
                                    "style": "pop, upbeat", "title": "Open Road", "prompt": LYRICS, "seed": 11})
        yield client, h, settings.files_dir, data


def _post(client: TestClient, h: dict[str, str], path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post(path, headers=h, json=body).json()
    assert r["code"] == 200, r
    data: dict[str, Any] = wait_terminal(client, h, r["data"]["taskId"], timeout=600)
    assert data["status"] == "SUCCESS", data
    return data


def _master(files: Path, audio_id: str) -> np.ndarray:
    audio, rate = read_audio(files / "tracks" / audio_id / "master.flac")
    assert rate == SR
    return audio


def _stems_sum_to_master(files: Path, audio_id: str) -> None:
    folder = files / "tracks" / audio_id
    master = _master(files, audio_id).astype(np.float64)
    stems = [read_audio(p)[0] for p in (folder / "stems").glob("*.flac")]
    assert len(stems) >= 3
    total = np.sum([s[:, : master.shape[1]] for s in stems], axis=0, dtype=np.float64)
    residual = np.sqrt(np.mean((total - master) ** 2)) / np.sqrt(np.mean(master**2))
    assert 20 * np.log10(residual) < -50


def _steps(audio: np.ndarray) -> np.ndarray:
    return np.asarray(np.max(np.abs(np.diff(audio.astype(np.float64), axis=1)), axis=0))


def _no_click(audio: np.ndarray, original: np.ndarray, at_s: float) -> None:
    """No sample step within ``JOIN_SPAN_S`` of ``at_s`` is larger than the music's own steps: the 99.9th
    percentile of the whole track (with headroom), or the original's step at that very sample (its own
    drum hit on the bar line is not a click)."""
    steps, own = _steps(audio), _steps(original)
    normal = 1.5 * float(np.percentile(steps, 99.9))
    lo, hi = int((at_s - JOIN_SPAN_S) * SR), int((at_s + JOIN_SPAN_S) * SR)
    reference = np.zeros(hi - lo)
    known = own[lo:hi]
    reference[: known.size] = known
    assert np.all(steps[lo:hi] <= np.maximum(normal, reference + 1e-6))


def test_extend_keeps_the_first_continue_at_seconds(song) -> None:  # type: ignore[no-untyped-def]
    client, h, files, source = song
    parent = source["response"]["sunoData"][0]
    original = _master(files, parent["id"])
    data = _post(client, h, "/api/v1/generate/extend", {
        "audioId": parent["id"], "defaultParamFlag": True, "continueAt": 20.0, "model": "V6", "prompt": NEW_LYRICS,
        "style": "pop, upbeat", "title": "Open Road (extended)", "callBackUrl": "https://example.com/cb"})
    assert data["operationType"] == "extend" and data["parentMusicId"] == parent["id"]
    source_score = score_from_json((files / "tracks" / parent["id"] / "score.json").read_text(encoding="utf-8"))
    bar_s = source_score.seconds(source_score.ticks_per_bar)
    join_s = float(np.ceil(20.0 / bar_s - 1e-6) * bar_s)
    for track in data["response"]["sunoData"]:
        extended = _master(files, track["id"])
        head = int(20.0 * SR)
        assert float(np.max(np.abs(extended[:, :head] - original[:, :head]))) < 1e-4
        assert np.array_equal(extended[:, : int(join_s * SR)], original[:, : int(join_s * SR)])
        assert extended.shape[1] / SR == pytest.approx(track["duration"], abs=0.01)
        assert track["duration"] > join_s + 20  # the continuation is a whole new section, not a tail
        _no_click(extended, original, join_s)
        _stems_sum_to_master(files, track["id"])
        score = score_from_json((files / "tracks" / track["id"] / "score.json").read_text(encoding="utf-8"))
        assert score.tempo_bpm == source_score.tempo_bpm and score.key == source_score.key
        assert score.duration_s <= track["duration"] and score.duration_s > join_s + 10
        r = client.post("/api/v1/generate/get-timestamped-lyrics", headers=h,
                        json={"taskId": data["taskId"], "audioId": track["id"]}).json()
        words = [w["word"] for w in r["data"]["alignedWords"]]
        assert "sun" in " ".join(words[:3]) and "driving" in " ".join(words)  # the source's words, then the new


def test_extend_with_the_source_parameters_continues_after_the_song(song) -> None:  # type: ignore[no-untyped-def]
    client, h, files, source = song
    parent = source["response"]["sunoData"][1]
    original = _master(files, parent["id"])
    data = _post(client, h, "/api/v1/generate/extend", {
        "audioId": parent["id"], "defaultParamFlag": False, "model": "V6", "callBackUrl": "https://example.com/cb"})
    for track in data["response"]["sunoData"]:
        extended = _master(files, track["id"])
        assert np.array_equal(extended[:, : original.shape[1]], original)
        assert track["title"] == parent["title"] and track["tags"] == parent["tags"]
        assert track["duration"] > parent["duration"] + 20 and track["prompt"] != parent["prompt"]
        _stems_sum_to_master(files, track["id"])


def test_replace_section_leaves_the_rest_unchanged(song) -> None:  # type: ignore[no-untyped-def]
    client, h, files, source = song
    parent = source["response"]["sunoData"][0]
    original = _master(files, parent["id"])
    start_s, end_s = 8.0, 17.5
    data = _post(client, h, "/api/v1/generate/replace-section", {
        "taskId": source["taskId"], "audioId": parent["id"], "prompt": "[Verse]\nA brand new line to sing tonight",
        "tags": "pop, upbeat", "title": "Open Road (new verse)", "infillStartS": start_s, "infillEndS": end_s})
    assert data["operationType"] == "replace_section" and data["parentMusicId"] == parent["id"]
    start, end = int(start_s * SR), int(end_s * SR)
    for track in data["response"]["sunoData"]:
        edited = _master(files, track["id"])
        assert edited.shape == original.shape and track["duration"] == parent["duration"]
        assert np.array_equal(edited[:, :start], original[:, :start])
        assert np.array_equal(edited[:, end:], original[:, end:])
        inside = np.abs(edited[:, start + 2205 : end - 2205] - original[:, start + 2205 : end - 2205])
        assert float(inside.mean()) > 1e-3  # the window really is new music
        _no_click(edited, original, start_s)
        _no_click(edited, original, end_s)
        _stems_sum_to_master(files, track["id"])
        r = client.post("/api/v1/generate/get-timestamped-lyrics", headers=h,
                        json={"taskId": data["taskId"], "audioId": track["id"]}).json()
        aligned = r["data"]["alignedWords"]
        inside_words = " ".join(w["word"] for w in aligned if start_s <= w["startS"] < end_s)
        assert "brand" in inside_words and "city" not in inside_words
        assert [w["startS"] for w in aligned] == sorted(w["startS"] for w in aligned)
