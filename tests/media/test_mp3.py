from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tunesmith.media.audio_io import read_audio
from tunesmith.media.mp3 import encode_mp3, encode_progressive

SR = 44100


class RecordingSink:
    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.closed = False

    def write(self, chunk: bytes) -> None:
        assert not self.closed, "write after close"
        self.chunks.append(chunk)

    def close(self) -> None:
        self.closed = True


def _music(seconds: float, channels: int = 2) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    wave = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.1 * np.sin(2 * np.pi * 3000 * t)
    return np.repeat(wave[np.newaxis, :], channels, axis=0).astype(np.float32)


def test_chunks_concatenate_into_a_decodable_mp3(tmp_path: Path) -> None:
    sink = RecordingSink()
    total = encode_progressive(_music(7.3), SR, sink, chunk_seconds=1.0)
    data = b"".join(sink.chunks)
    assert sink.closed and total == len(data) and len(sink.chunks) > 3
    path = tmp_path / "song.mp3"
    path.write_bytes(data)
    decoded, rate = read_audio(path)
    assert rate == SR and decoded.shape[0] == 2
    assert decoded.shape[1] / rate == pytest.approx(7.3, abs=0.1)
    assert np.abs(decoded).max() == pytest.approx(0.4, abs=0.05)


def test_bitrate_is_192_kbps_cbr() -> None:
    data = encode_mp3(_music(10.0), SR)
    assert len(data) * 8 / 10.0 / 1000 == pytest.approx(192, rel=0.03)


def test_progressive_equals_one_shot_and_accepts_mono() -> None:
    sink = RecordingSink()
    encode_progressive(_music(3.0, channels=1), SR, sink, chunk_seconds=0.5)
    assert b"".join(sink.chunks) == encode_mp3(_music(3.0, channels=1), SR)


def test_rejects_other_sample_rates_and_leaves_sink_open() -> None:
    sink = RecordingSink()
    with pytest.raises(ValueError, match="44100"):
        encode_progressive(_music(1.0), 48000, sink)
    assert not sink.closed and not sink.chunks
