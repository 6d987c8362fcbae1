"""Synthetic test signals, float32 (channels, samples)."""

from __future__ import annotations

import numpy as np

from tunesmith.dsp.types import Audio

SR = 44100


def noise(seconds: float, level: float, *, channels: int = 2, seed: int = 0) -> Audio:
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, level, (channels, int(seconds * SR))).astype(np.float32)


def tone(seconds: float, freq_hz: float, amplitude: float, *, phase: float = 0.0, channels: int = 2) -> Audio:
    t = np.arange(int(seconds * SR)) / SR
    wave = amplitude * np.sin(2 * np.pi * freq_hz * t + phase)
    return np.repeat(wave[np.newaxis, :], channels, axis=0).astype(np.float32)


def bursts(seconds: float, amplitude: float) -> Audio:
    """A tone that sounds half of each second: very peaky relative to its loudness."""
    audio = tone(seconds, 220.0, amplitude)
    gate = (np.arange(audio.shape[1]) % SR) < SR // 2
    return (audio * gate).astype(np.float32)
