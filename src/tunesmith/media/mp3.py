"""Progressive MP3 encoding: 192 kb/s CBR, written chunk by chunk so a stream can start playing early.

The encoder is stateful; every byte it emits goes straight to the sink, in order, so the concatenation
of the chunks *is* the final file (no header is patched afterwards).
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from tunesmith.dsp.types import Audio, as_stereo

MP3_SAMPLE_RATE = 44100
MP3_BITRATE_KBPS = 192
DEFAULT_CHUNK_S = 2.0
_LAME_QUALITY = 2  # 2 = best; the 2-core budget allows it (≈40× real time)


class ByteSink(Protocol):
    """Where encoded bytes go (``engines.base.ProgressSink`` has this shape)."""

    def write(self, chunk: bytes) -> None: ...

    def close(self) -> None: ...


def to_pcm16(audio: Audio) -> bytes:
    """Float ``(channels, n)`` in ±1 → little-endian interleaved 16-bit PCM bytes (clipped, rounded)."""
    scaled = np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0) * 32767.0
    return np.ascontiguousarray(np.rint(scaled).astype("<i2").T).tobytes()


def _encoder() -> Any:
    import lameenc

    encoder = lameenc.Encoder()
    encoder.set_bit_rate(MP3_BITRATE_KBPS)
    encoder.set_in_sample_rate(MP3_SAMPLE_RATE)
    encoder.set_out_sample_rate(MP3_SAMPLE_RATE)
    encoder.set_channels(2)
    encoder.set_quality(_LAME_QUALITY)
    encoder.silence()
    return encoder


class Mp3Stream:
    """A stateful MP3 encoder fed audio piece by piece: every byte it emits goes straight to ``sink``.

    :meth:`write` takes float ``(1|2, n)`` audio at 44 100 Hz (any piece size); :meth:`close` flushes the
    encoder and closes the sink. Returns of both: the bytes written by that call.
    """

    def __init__(self, sink: ByteSink) -> None:
        self._sink, self._encoder, self.total = sink, _encoder(), 0

    def write(self, audio: Audio) -> int:
        written = _emit(self._sink, bytes(self._encoder.encode(to_pcm16(as_stereo(audio)))))
        self.total += written
        return written

    def close(self) -> int:
        written = _emit(self._sink, bytes(self._encoder.flush()))
        self.total += written
        self._sink.close()
        return written


def encode_progressive(
    audio: Audio, sample_rate: int, sink: ByteSink, *, chunk_seconds: float = DEFAULT_CHUNK_S
) -> int:
    """Encode ``audio`` (1|2, n) float32 at 44 100 Hz into 192 kb/s CBR stereo MP3, feeding ``sink``.

    Each ``chunk_seconds`` of audio is encoded and its bytes written at once (empty outputs are
    skipped); the encoder is flushed at the end and the sink closed. If encoding fails the sink is left
    open, so the caller can tell an aborted stream from a finished one. Returns the total bytes written.
    """
    if sample_rate != MP3_SAMPLE_RATE:
        raise ValueError(f"MP3 output is {MP3_SAMPLE_RATE} Hz; resample {sample_rate} Hz audio first")
    if chunk_seconds <= 0:
        raise ValueError("chunk_seconds must be positive")
    stereo, step = as_stereo(audio), max(1, int(chunk_seconds * sample_rate))
    encoder = Mp3Stream(sink)
    for start in range(0, stereo.shape[1], step):
        encoder.write(stereo[:, start : start + step])
    encoder.close()
    return encoder.total


def _emit(sink: ByteSink, chunk: bytes) -> int:
    if chunk:
        sink.write(chunk)
    return len(chunk)


def encode_mp3(audio: Audio, sample_rate: int) -> bytes:
    """Encode ``audio`` in one call (same settings as :func:`encode_progressive`) and return the bytes."""
    collected = _Collect()
    encode_progressive(audio, sample_rate, collected)
    return b"".join(collected.chunks)


class _Collect:
    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, chunk: bytes) -> None:
        self.chunks.append(chunk)

    def close(self) -> None:
        return None
