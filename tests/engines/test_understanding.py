"""Analysis through the file cache: decode once, analyse once, read back the same result and stems."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.analysis.helpers import drifting_analysis
from tunesmith.analysis.pipeline import AnalysisPipeline, AnalysisResult
from tunesmith.analysis.types import Stems
from tunesmith.dsp.types import Audio
from tunesmith.engines.understanding import analyse_file, cache_name, sweep_cache, word_timings
from tunesmith.media.audio_io import write_wav


class CountingPipeline(AnalysisPipeline):
    """A test double: returns a fixed analysis and splits the input in half-and-half stems."""

    def __init__(self) -> None:
        super().__init__({"separator": "dsp"})
        self.calls: list[dict[str, Any]] = []

    def analyse(self, audio: Audio, sample_rate: int, **kw: Any) -> AnalysisResult:
        self.calls.append({"shape": audio.shape, "rate": sample_rate, **kw})
        half = (audio * 0.5).astype(np.float32)
        return AnalysisResult(drifting_analysis(), Stems(half, half.copy(), sample_rate, "test"))


@pytest.fixture
def song(tmp_path: Path) -> Path:
    t = np.arange(44100 * 2) / 44100
    audio = np.stack([np.sin(2 * np.pi * 220 * t), np.sin(2 * np.pi * 330 * t)]).astype(np.float32) * 0.3
    return write_wav(tmp_path / "in.wav", audio, 44100)


def test_the_second_request_reads_the_cache(song: Path, tmp_path: Path) -> None:
    pipe = CountingPipeline()
    first = analyse_file(song, pipe, max_seconds=60, cache_dir=tmp_path / "cache", lyrics="hello")
    second = analyse_file(song, pipe, max_seconds=60, cache_dir=tmp_path / "cache", lyrics="hello")
    assert len(pipe.calls) == 1 and pipe.calls[0]["shape"] == (2, 88200) and pipe.calls[0]["lyrics"] == "hello"
    assert second.analysis == first.analysis and second.stems.method == "test"
    np.testing.assert_allclose(second.stems.vocals, first.stems.vocals, atol=1e-6)  # 24-bit FLAC


def test_other_lyrics_or_analysers_are_analysed_again(song: Path, tmp_path: Path) -> None:
    pipe = CountingPipeline()
    analyse_file(song, pipe, max_seconds=60, cache_dir=tmp_path / "cache")
    analyse_file(song, pipe, max_seconds=60, cache_dir=tmp_path / "cache", lyrics="other words")
    assert len(pipe.calls) == 2
    assert cache_name(song, lyrics=None, language=None, choice={"separator": "dsp"}) != cache_name(
        song, lyrics=None, language=None, choice={"separator": "spleeter"})


def test_without_a_cache_nothing_is_written(song: Path, tmp_path: Path) -> None:
    analyse_file(song, CountingPipeline(), max_seconds=60)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.wav"]


def test_the_sweep_removes_unused_entries_only(song: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    analyse_file(song, CountingPipeline(), max_seconds=60, cache_dir=cache)
    (entry,) = list(cache.iterdir())
    assert sweep_cache(cache, older_than_s=3600) == 0
    old = entry.stat().st_mtime - 7200
    os.utime(entry, (old, old))
    assert sweep_cache(cache, older_than_s=3600) == 1 and not any(cache.iterdir())


def test_word_timings_are_the_engine_s_word_times_shifted() -> None:
    words = word_timings(drifting_analysis().lyrics, offset_s=10.0)
    assert [(w.word, w.line) for w in words] == [("hello", 0), ("there", 0), ("friend", 1)]
    assert words[0].start_s == round(drifting_analysis().lyrics.words[0].start_s + 10.0, 3)
