"""The one array convention of the DSP layer and the small conversions every module needs.

Audio is ``float32`` shaped ``(channels, samples)``; full scale is ±1.0. Sample rates are always passed
explicitly, in Hz.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Audio = npt.NDArray[np.float32]  # shape (channels, samples), full scale ±1.0


def db_to_gain(db: float) -> float:
    """Decibels → linear amplitude factor."""
    return float(10.0 ** (db / 20.0))


def gain_to_db(gain: float) -> float:
    """Linear amplitude factor → decibels (``-inf`` for 0)."""
    return float(20.0 * np.log10(gain)) if gain > 0 else float("-inf")


def as_stereo(audio: Audio) -> Audio:
    """Mono ``(1, n)`` → stereo ``(2, n)`` by duplication; stereo passes through; other shapes raise."""
    if audio.ndim != 2 or audio.shape[0] not in (1, 2):
        raise ValueError(f"expected (1|2, samples) audio, got shape {audio.shape}")
    if audio.shape[0] == 2:
        return np.ascontiguousarray(audio, dtype=np.float32)
    return np.ascontiguousarray(np.repeat(audio, 2, axis=0), dtype=np.float32)


def fit_length(audio: Audio, samples: int) -> Audio:
    """Zero-pad or cut ``audio`` (channels, n) to exactly ``samples`` samples."""
    if audio.shape[1] >= samples:
        return np.ascontiguousarray(audio[:, :samples])
    pad = np.zeros((audio.shape[0], samples - audio.shape[1]), dtype=np.float32)
    return np.concatenate([audio.astype(np.float32, copy=False), pad], axis=1)


def closing_fade(samples: int) -> npt.NDArray[np.float32]:
    """The raised-cosine gain (samples,) that fades a song's last ``samples`` samples from 1 to 0."""
    return (0.5 + 0.5 * np.cos(np.linspace(0.0, np.pi, samples))).astype(np.float32)
