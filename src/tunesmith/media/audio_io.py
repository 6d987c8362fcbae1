"""Audio files on disk via soundfile (libsndfile, which also decodes MP3).

Arrays follow the DSP convention: float32 ``(channels, samples)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import soundfile

from tunesmith.dsp.types import Audio

FlacDepth = Literal[16, 24]


def write_flac(path: Path, audio: Audio, sample_rate: int, *, bits: FlacDepth = 24) -> Path:
    """Write ``audio`` (channels, n) as FLAC at ``bits`` bits per sample (values clipped to ±1)."""
    return _write(path, audio, sample_rate, "FLAC", f"PCM_{bits}")


def write_wav(path: Path, audio: Audio, sample_rate: int, *, subtype: str = "PCM_16") -> Path:
    """Write ``audio`` (channels, n) as WAV (``subtype`` e.g. ``PCM_16``, ``PCM_24``, ``FLOAT``)."""
    return _write(path, audio, sample_rate, "WAV", subtype)


def read_audio(path: Path) -> tuple[Audio, int]:
    """Decode any soundfile-readable file (WAV, FLAC, OGG, MP3) → float32 ``(channels, n)`` and its rate."""
    data, sample_rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    return np.ascontiguousarray(data.T), int(sample_rate)


def _write(path: Path, audio: Audio, sample_rate: int, fmt: str, subtype: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    clipped = np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0)
    soundfile.write(str(path), clipped.T, sample_rate, format=fmt, subtype=subtype)
    return path
