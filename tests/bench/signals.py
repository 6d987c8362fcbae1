"""Synthetic test signals with known answers for the benchmark-metric tests."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

SR = 22050


def sine(
    freq_hz: float, seconds: float, *, sr: int = SR, amplitude: float = 0.5, phase: float = 0.0
) -> npt.NDArray[np.float64]:
    """A mono sine, shaped (samples,)."""
    t = np.arange(round(seconds * sr)) / sr
    return amplitude * np.sin(2 * np.pi * freq_hz * t + phase)


def tone(freq_hz: float, seconds: float, *, sr: int = SR, harmonics: int = 4) -> npt.NDArray[np.float64]:
    """A harmonic tone (1/k amplitudes) with 10 ms fades, peak well below full scale."""
    out = sum(sine(freq_hz * k, seconds, sr=sr, amplitude=0.2 / k) for k in range(1, harmonics + 1))
    fade = min(round(0.01 * sr), len(out) // 2)
    ramp = np.linspace(0.0, 1.0, fade)
    out[:fade] *= ramp
    out[len(out) - fade :] *= ramp[::-1]
    return out
