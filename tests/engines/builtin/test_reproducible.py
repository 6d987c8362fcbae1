"""Same request + same seed → the same audio, vocals included; the two tracks of a task differ."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tunesmith.engines.base import SongRequest
from tunesmith.engines.builtin.engine import BuiltinEngine
from tunesmith.media.audio_io import read_audio


class NullSink:
    def write(self, chunk: bytes) -> None:
        del chunk

    def close(self) -> None:
        return None


def test_same_seed_same_audio_and_the_two_tracks_differ(tmp_path: Path) -> None:
    engine = BuiltinEngine()
    request = SongRequest(
        custom=True, instrumental=False, model="V4", style="lo-fi hip hop", max_duration_s=30.0, seed=42,
        lyrics="[Verse]\nLate night, city light\nHumming low, holding tight",
    )
    first = engine.render(engine.plan(request), 0, tmp_path / "a", NullSink())
    again = engine.render(engine.plan(request), 0, tmp_path / "b", NullSink())
    other = engine.render(engine.plan(request), 1, tmp_path / "c", NullSink())
    assert first.audio_mp3.read_bytes() == again.audio_mp3.read_bytes()
    a, _ = read_audio(first.audio_mp3)
    c, _ = read_audio(other.audio_mp3)
    n = min(a.shape[1], c.shape[1])
    correlation = float(np.corrcoef(a[0, :n], c[0, :n])[0, 1])
    assert abs(correlation) < 0.5
    assert first.cover_image.read_bytes() != other.cover_image.read_bytes()
