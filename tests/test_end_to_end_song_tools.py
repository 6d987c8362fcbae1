"""Stems, MIDI, lyric timestamps and personas on a real song from the built-in engine (issue 5 audio claims)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pretty_midi
import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import local
from tests.api.test_vocal_removal import poll
from tests.conftest import make_settings, new_key
from tests.test_end_to_end import LYRICS, run_task
from tunesmith.api.app import create_app
from tunesmith.dsp.loudness import integrated_lufs, true_peak_dbtp
from tunesmith.media.audio_io import read_audio
from tunesmith.music.score import Score
from tunesmith.music.score_io import score_from_json

pytestmark = pytest.mark.slow

FRAME_S = 0.02
VOICED_BELOW_PEAK_DB = 35.0  # a frame is voiced when its RMS is within this many dB of the loudest frame


@pytest.fixture(scope="module")
def song(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str], Path, dict[str, Any]]]:
    settings = make_settings(tmp_path_factory.mktemp("tools"))
    settings.workers.isolation = "process"
    app = create_app(settings)
    with TestClient(app) as client:
        h = {"Authorization": f"Bearer {new_key(app.state.container.db, credits=1000)}"}
        data = run_task(client, h, {"customMode": True, "instrumental": False, "model": "V4_5", "vocalGender": "f",
                                    "style": "pop, upbeat", "title": "Open Road", "prompt": LYRICS})
        yield client, h, settings.files_dir, data


def _score(files: Path, audio_id: str) -> Score:
    return score_from_json((files / "tracks" / audio_id / "score.json").read_text(encoding="utf-8"))


def _split(client: TestClient, h: dict[str, str], task_id: str, audio_id: str) -> dict[str, Any]:
    r = client.post("/api/v1/vocal-removal/generate", headers=h, json={
        "taskId": task_id, "audioId": audio_id, "callBackUrl": "https://example.com/cb", "type": "split_stem"}).json()
    assert r["code"] == 200, r
    details = poll(client, h, "/api/v1/vocal-removal/record-info", r["data"]["taskId"],
                   lambda d: d["successFlag"] == "PENDING")
    assert details["successFlag"] == "SUCCESS", details
    return details


def test_stems_sum_to_the_mastered_mix(song) -> None:  # type: ignore[no-untyped-def]
    client, h, files, data = song
    for track in data["response"]["sunoData"]:
        folder = files / "tracks" / track["id"]
        master, rate = read_audio(folder / "master.flac")
        stems = {p.stem: read_audio(p)[0] for p in sorted((folder / "stems").glob("*.flac"))}
        assert "vocals" in stems and len(stems) >= 3
        total = np.sum([s[:, : master.shape[1]] for s in stems.values()], axis=0, dtype=np.float64)
        residual = np.sqrt(np.mean((total - master) ** 2)) / np.sqrt(np.mean(master.astype(np.float64) ** 2))
        assert 20 * np.log10(residual) < -50
        assert integrated_lufs(master, rate) == pytest.approx(-14.0, abs=0.5)
        assert true_peak_dbtp(master, rate) <= -1.0
    first = data["response"]["sunoData"][0]
    details = _split(client, h, data["taskId"], first["id"])
    names = {o["stem_type_group_name"].lower().replace(" ", "_") for o in details["response"]["originData"]}
    assert names == {p.stem for p in (files / "tracks" / first["id"] / "stems").glob("*.flac")}


def _same_notes(got: list[tuple[int, float, float]], expected: list[tuple[int, float, float]]) -> None:
    """The same notes: identical pitches in time order, start/end within 1 ms."""
    a, b = sorted(got), sorted(expected)
    assert len(a) == len(b) > 100
    assert [n[0] for n in a] == [n[0] for n in b]
    assert np.allclose(np.array([n[1:] for n in a]), np.array([n[1:] for n in b]), atol=1e-3)


def test_midi_notes_match_the_score(song) -> None:  # type: ignore[no-untyped-def]
    client, h, files, data = song
    audio_id = data["response"]["sunoData"][0]["id"]
    split = _split(client, h, data["taskId"], audio_id)
    r = client.post("/api/v1/midi/generate", headers=h,
                    json={"taskId": split["taskId"], "callBackUrl": "https://example.com/cb"}).json()
    details = poll(client, h, "/api/v1/midi/record-info", r["data"]["taskId"], lambda d: d["successFlag"] == 0)
    assert details["successFlag"] == 1, details
    score = _score(files, audio_id)
    assert score.vocal is not None
    notes = [n for p in score.parts for n in p.notes] + [n for s in score.vocal.syllables for n in s.notes]
    expected = [(n.pitch, score.seconds(n.start), score.seconds(n.end)) for n in notes]
    wire = [(n["pitch"], n["start"], n["end"]) for i in details["midiData"]["instruments"] for n in i["notes"]]
    _same_notes(wire, expected)
    midi = pretty_midi.PrettyMIDI(io.BytesIO(client.get(local(details["midiUrl"])).content))
    _same_notes([(n.pitch, n.start, n.end) for i in midi.instruments for n in i.notes], expected)
    assert {i.is_drum for i in midi.instruments} == {True, False}


def _voiced_frames(vocals: np.ndarray, rate: int) -> np.ndarray:
    hop = int(FRAME_S * rate)
    frames = vocals[:, : vocals.shape[1] // hop * hop].reshape(vocals.shape[0], -1, hop)
    rms_db = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=(0, 2)) + 1e-20)
    return np.asarray(rms_db > rms_db.max() - VOICED_BELOW_PEAK_DB)


def test_word_timestamps_fall_on_the_voiced_vocal_stem(song) -> None:  # type: ignore[no-untyped-def]
    client, h, files, data = song
    for index, track in enumerate(data["response"]["sunoData"]):
        r = client.post("/api/v1/generate/get-timestamped-lyrics", headers=h,
                        json={"taskId": data["taskId"], "musicIndex": index}).json()
        words = r["data"]["alignedWords"]
        assert len(words) >= 20 and r["data"]["hootCer"] == 1.0
        assert 200 <= len(r["data"]["waveformData"]) <= 1000
        vocals, rate = read_audio(files / "tracks" / track["id"] / "stems" / "vocals.flac")
        voiced = _voiced_frames(vocals, rate)
        on_voice = 0
        for w in words:
            lo, hi = int(w["startS"] / FRAME_S), max(int(w["startS"] / FRAME_S) + 1, int(w["endS"] / FRAME_S))
            on_voice += bool(voiced[lo:hi].mean() >= 0.5)
        assert on_voice / len(words) >= 0.95
        sung = " ".join(w["word"] for w in words)
        assert "open road" in sung.lower().replace("  ", " ")


def test_persona_sings_later_songs_with_its_voice(song) -> None:  # type: ignore[no-untyped-def]
    client, h, files, data = song
    track = data["response"]["sunoData"][0]
    vocal = _score(files, track["id"]).vocal
    assert vocal is not None
    voice = vocal.voice
    r = client.post("/api/v1/generate/generate-persona", headers=h, json={
        "taskId": data["taskId"], "audioId": track["id"], "name": "Road Singer", "description": "warm pop",
        "vocalStart": 5, "vocalEnd": 25}).json()
    assert r["code"] == 200, r
    again = run_task(client, h, {"customMode": True, "instrumental": False, "model": "V4_5", "vocalGender": "m",
                                 "style": "pop", "title": "Second", "prompt": LYRICS,
                                 "personaId": r["data"]["personaId"]})
    for new in again["response"]["sunoData"]:
        score = _score(files, new["id"])
        assert score.vocal is not None and score.vocal.voice == voice
    assert json.loads(again["param"])["personaId"] == r["data"]["personaId"]
