"""Known-answer tests for bench.runner.datadir and the artifacts fallback, on a tiny fake data dir.

The fake data dir has the real schema (the server's SQLAlchemy models) and the real file layout:
``files/tracks/<audioId>/{stems/<family>.flac, master.flac, score.json}``.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile
from bench.metrics import audio, pitch
from bench.runner import artifacts, datadir
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from tests.bench.signals import SR, tone

from tunesmith.db.models import ApiKey, Base, Task, Track
from tunesmith.music.score import Key, LyricLine, LyricWord, Note, Score, Section, SungSyllable, VocalLine
from tunesmith.music.score_io import score_to_json

AUDIO_ID = "7b0c1d5e-0000-4000-8000-000000000001"
NOW = datetime(2026, 1, 1)


def _task(task_id: str) -> Task:
    return Task(
        id=task_id, key_id=1, operation="generate", status="SUCCESS", param_json="{}", request_json="{}",
        model="V5", created_at=NOW, updated_at=NOW,
    )  # fmt: skip


def _track(track_id: str, task_id: str, idx: int, state: str, duration: float, stages: dict[str, float]) -> Track:
    return Track(
        id=track_id, task_id=task_id, idx=idx, state=state, duration=duration, stream_key=f"tracks/{track_id}/s.mp3",
        stages_json=json.dumps(stages), created_at=NOW,
    )  # fmt: skip


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    engine = create_engine(f"sqlite:///{tmp_path / datadir.DATABASE_FILE}")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.add(ApiKey(id=1, prefix="ts_", key_hash="x", credits=0, webhook_secret="s", created_at=NOW))
        s.add_all([_task("task-a"), _task("task-b")])
        s.flush()
        s.add_all(
            [
                _track("b", "task-a", 1, "complete", 120.0, {"render": 6.0, "sing": 3.0}),
                _track("a", "task-a", 0, "complete", 60.0, {"render": 2.0, "sing": 3.0, "cover": 0.0}),
                _track("c", "task-a", 2, "planned", 0.0, {}),
                _track("d", "task-b", 0, "complete", 30.0, {"render": 1.0}),
            ]
        )
        s.commit()
    engine.dispose()
    return tmp_path


def test_stage_rtf_is_audio_seconds_per_stage_second() -> None:
    rtf = datadir.stage_rtf({"render": 2.0, "sing": 4.0, "cover": 0.0}, 60.0)
    assert rtf == {"render": 30.0, "sing": 15.0, "total": 10.0}  # a 0 s stage has no factor


def test_read_track_stages_joins_the_task_and_keeps_finished_tracks_in_order(data_dir: Path) -> None:
    tracks = datadir.read_track_stages(data_dir, "task-a")
    assert [(t.track_id, t.idx, t.duration_s) for t in tracks] == [("a", 0, 60.0), ("b", 1, 120.0)]
    assert tracks[0].stage_s == {"render": 2.0, "sing": 3.0, "cover": 0.0}
    assert tracks[1].rtf() == {"render": 20.0, "sing": 40.0, "total": 120.0 / 9.0}
    assert datadir.read_track_stages(data_dir, "no-such-task") == []


def test_pooled_stage_rtf_weights_tracks_by_length(data_dir: Path) -> None:
    pooled = datadir.pooled_stage_rtf(datadir.read_track_stages(data_dir, "task-a"))
    # 180 s of audio; render took 2 + 6 s, sing 3 + 3 s, everything 14 s
    assert pooled == pytest.approx({"render": 22.5, "sing": 30.0, "total": 180.0 / 14.0})


def test_a_data_dir_without_a_database_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        datadir.read_track_stages(tmp_path, "task-a")


def _score() -> Score:
    """120 bpm (0.5 s a beat): lead A4 then C5 for a beat each, then a backing line on C4."""
    lead = LyricLine("la la", (LyricWord("la", ("la",)), LyricWord("la", ("la",))), 0)
    backing = LyricLine("(oh)", (LyricWord("oh", ("oh",)),), 0, backing=True)
    syllables = (
        SungSyllable(0, 0, 0, "la", (Note(0, 480, 69),)),
        SungSyllable(0, 1, 0, "la", (Note(480, 480, 72),)),
        SungSyllable(1, 0, 0, "oh", (Note(960, 480, 60),)),
    )
    return Score(
        tempo_bpm=120.0, meter=(4, 4), key=Key(0, "major"), sections=(Section("verse", "Verse", 0, 1920),),
        chords=(), parts=(), vocal=VocalLine("en", "f1", (lead, backing), syllables),
    )  # fmt: skip


def _write_track(data_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    folder = datadir.track_dir(data_dir, AUDIO_ID)
    (folder / "stems").mkdir(parents=True)
    vocals = np.concatenate([tone(pitch.midi_to_hz(69), 0.5), tone(pitch.midi_to_hz(72), 0.5)])
    bass = tone(55.0, 1.0)
    stems = {"vocals": np.stack([vocals, vocals]), "bass": np.stack([bass, bass])}
    for family, x in stems.items():
        soundfile.write(str(folder / "stems" / f"{family}.flac"), x.T, SR, subtype="PCM_24")
    soundfile.write(str(folder / "master.flac"), (0.5 * (stems["vocals"] + stems["bass"])).T, SR, subtype="PCM_24")
    (folder / "score.json").write_text(score_to_json(_score()), encoding="utf-8")
    return stems["vocals"], stems["bass"]


def test_vocal_notes_are_the_lead_syllables_in_seconds(tmp_path: Path) -> None:
    _write_track(tmp_path)
    notes = datadir.read_vocal_notes(tmp_path, AUDIO_ID)
    assert notes == [pitch.Note(0.0, 0.5, 69.0), pitch.Note(0.5, 1.0, 72.0)]


def test_track_dir_refuses_paths() -> None:
    with pytest.raises(ValueError):
        datadir.track_dir(Path("/data"), "../secrets")


def _no_endpoints(request: httpx.Request) -> httpx.Response:
    return httpx.Response(404, json={"code": 404, "msg": f"Not found: {request.url.path}", "data": None})


def test_without_endpoints_stems_and_notes_come_from_the_data_dir(tmp_path: Path) -> None:
    vocals, bass = _write_track(tmp_path)
    with httpx.Client(transport=httpx.MockTransport(_no_endpoints), base_url="http://bench") as client:
        found = artifacts.stems_for_track(client, tmp_path, "task-a", AUDIO_ID, "http://cb", (vocals, SR))
        artifacts.notes_for_track(client, tmp_path, "task-a", AUDIO_ID, "http://cb", found)
    assert found.source == {"stems": "data_dir", "stem_reference": "master.flac", "notes": "data_dir"}
    assert set(found.endpoint_errors) == {"stems", "notes"}
    assert sorted(found.stems) == ["bass", "vocals"]
    assert found.stem_reference is not None
    master, sr = found.stem_reference
    stems = [x for x, _ in found.stems.values()]
    # 24-bit FLAC quantisation is the only difference once the master's −6 dB gain is fitted out
    assert audio.stem_residual_db(stems, master, fit_gain=True) < -90.0
    assert audio.stem_gain_db(stems, master) == pytest.approx(-6.02, abs=0.01)
    result = pitch.note_accuracy(found.stems["vocals"][0], sr, found.notes)
    assert (result.notes, result.share_within) == (2, 1.0)


def test_without_a_master_the_stems_are_compared_with_the_delivered_mix(tmp_path: Path) -> None:
    vocals, bass = _write_track(tmp_path)
    (datadir.track_dir(tmp_path, AUDIO_ID) / "master.flac").unlink()
    with httpx.Client(transport=httpx.MockTransport(_no_endpoints), base_url="http://bench") as client:
        found = artifacts.stems_for_track(client, tmp_path, "task-a", AUDIO_ID, "http://cb", (vocals + bass, SR))
    assert found.source["stem_reference"] == "audio.mp3"
    assert found.stem_reference is not None
    assert audio.stem_residual_db([x for x, _ in found.stems.values()], found.stem_reference[0]) < -90.0
