from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tunesmith.dsp.loudness import integrated_lufs, true_peak_dbtp
from tunesmith.engines.base import SongEngine, SongRequest, TrackResult
from tunesmith.engines.registry import ENGINES, UnknownEngineError, engine_factory, load_engine
from tunesmith.media.audio_io import read_audio

LYRICS = """[Verse]
The sun is shining on the open road
I will be waiting here for you tonight
[Chorus]
Hold on, hold on, we are almost home
Sing it loud and let the music play"""


class RecordingSink:
    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.closed = False

    def write(self, chunk: bytes) -> None:
        self.chunks.append(chunk)

    def close(self) -> None:
        self.closed = True


def test_registry_is_data_and_imports_lazily() -> None:
    assert ENGINES["builtin"] == "tunesmith.engines.builtin.engine:BuiltinEngine"
    with pytest.raises(UnknownEngineError, match="unknown engine 'nope'.*builtin"):
        load_engine("nope")
    assert engine_factory("builtin").__name__ == "BuiltinEngine"


def test_builtin_engine_takes_plain_settings() -> None:
    engine = load_engine("builtin", soundfont=None, sample_rate=44100)
    assert isinstance(engine, SongEngine) and engine.name == "builtin"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[TrackResult, RecordingSink, Path]:
    engine = load_engine("builtin")
    engine.load()
    request = SongRequest(
        custom=True,
        instrumental=False,
        model="V4_5",
        lyrics=LYRICS,
        style="upbeat pop rock",
        title="Open Road",
        seed=7,
        max_duration_s=40.0,
    )
    plan = engine.plan(request)
    workdir = tmp_path_factory.mktemp("track")
    sink = RecordingSink()
    return engine.render(plan, 0, workdir, sink), sink, workdir


@pytest.mark.slow
def test_stream_and_file_are_the_same_mp3(rendered: tuple[TrackResult, RecordingSink, Path]) -> None:
    result, sink, workdir = rendered
    assert result.audio_mp3 == workdir / "audio.mp3"
    assert sink.closed and len(sink.chunks) > 1
    assert result.audio_mp3.read_bytes() == b"".join(sink.chunks)
    audio, rate = read_audio(result.audio_mp3)
    assert rate == 44100 and audio.shape[0] == 2
    assert audio.shape[1] / rate == pytest.approx(result.duration_s, abs=0.1)
    assert integrated_lufs(audio, rate) == pytest.approx(-14.0, abs=0.7)  # MP3 coding shifts it a little
    assert true_peak_dbtp(audio, rate) <= -0.5


@pytest.mark.slow
def test_stems_are_24_bit_flac_that_sound(rendered: tuple[TrackResult, RecordingSink, Path]) -> None:
    result, _, workdir = rendered
    assert "vocals" in result.stems and "drums" in result.stems
    lengths = set()
    for family, path in result.stems.items():
        assert path == workdir / "stems" / f"{family}.flac"
        info = soundfile.info(str(path))
        assert info.subtype == "PCM_24" and info.channels == 2
        audio, _ = read_audio(path)
        assert np.abs(audio).max() > 1e-3
        lengths.add(audio.shape[1])
    assert len(lengths) == 1


@pytest.mark.slow
def test_words_timings_cover_and_score(rendered: tuple[TrackResult, RecordingSink, Path]) -> None:
    result, _, _ = rendered
    assert [w.word for w in result.words[:3]] == ["The", "sun", "is"]
    assert all(0 <= w.start_s < w.end_s <= result.duration_s for w in result.words)
    assert {"compose", "render", "sing", "mix", "master", "encode"} <= result.stage_seconds.keys()
    assert result.cover_image.stat().st_size > 10_000
    assert json.loads(result.score_json.read_text(encoding="utf-8"))
