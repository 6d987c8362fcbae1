"""A downsampled peak envelope for waveform displays."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from tunesmith.dsp.types import Audio


def peak_envelope(audio: Audio, points: int) -> npt.NDArray[np.float32]:
    """``points`` values in 0–1: the largest |sample| of each of ``points`` equal slices of ``audio``
    (channels, samples), over all channels, scaled so the loudest slice reads 1 (silence reads 0)."""
    if points <= 0:
        raise ValueError("points must be positive")
    peaks = np.zeros(points, dtype=np.float32)
    magnitude = np.max(np.abs(audio), axis=0) if audio.size else np.zeros(0, dtype=np.float32)
    edges = np.linspace(0, magnitude.shape[0], points + 1).astype(np.int64)
    for i, (lo, hi) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        if hi > lo:
            peaks[i] = magnitude[lo:hi].max()
    top = float(peaks.max(initial=0.0))
    return peaks / np.float32(top) if top > 0 else peaks
