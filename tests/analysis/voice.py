"""A synthetic singer for the vocal-analysis tests: harmonic tones with known pitches, onsets and level dips."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tunesmith.dsp.types import Audio

SR = 44100
LINE = ((0.30, 0.70, 60.0), (0.70, 1.10, 64.0), (1.10, 1.50, 67.0), (1.60, 2.00, 65.0), (2.06, 2.45, 65.0),
        (2.50, 3.00, 62.0))
"""(onset s, offset s, MIDI) of the test line: a leap, a rest, two repeated 65s parted by a dip, a step down."""


def hz(midi: float) -> float:
    return float(440.0 * 2.0 ** ((midi - 69.0) / 12.0))


def sing(notes: Sequence[tuple[float, float, float]], seconds: float, *, level: float = 0.3, sr: int = SR,
         dip_level: float = 0.02) -> Audio:
    """A voice-like harmonic tone (8 partials, 5 Hz vibrato of ±20 cents) on ``notes``; between notes less
    than 80 ms apart the pitch holds and the level falls to ``dip_level`` (a consonant), longer rests are
    silent. 10 ms attacks and releases. Mono ``(1, samples)``."""
    n = int(seconds * sr)
    f0 = np.zeros(n)
    amp = np.zeros(n)
    for i, (start, end, midi) in enumerate(notes):
        a, b = int(start * sr), int(end * sr)
        f0[a:b] = hz(midi)
        ramp = min(int(0.01 * sr), (b - a) // 2)
        env = np.ones(b - a)
        env[:ramp] = np.linspace(0.0, 1.0, ramp)
        env[-ramp:] = np.linspace(1.0, 0.0, ramp)
        amp[a:b] = level * np.maximum(env, dip_level / level if i else 0.0)
        if i + 1 < len(notes) and notes[i + 1][0] - end < 0.08:
            gap_end = int(notes[i + 1][0] * sr)
            f0[b:gap_end] = hz(midi)
            amp[b:gap_end] = dip_level
    t = np.arange(n) / sr
    f0 = f0 * 2.0 ** (0.2 / 12.0 * np.sin(2 * np.pi * 5.0 * t))
    phase = 2 * np.pi * np.cumsum(f0) / sr
    wave = sum(np.sin(k * phase) / k for k in range(1, 9))
    return (amp * wave / 2.0)[None, :].astype(np.float32)


def pad(chords: Sequence[tuple[float, float, Sequence[float]]], seconds: float, *, level: float = 0.1,
        sr: int = SR) -> Audio:
    """A band stand-in: sustained chords of sine tones, ``(start, end, MIDI pitches)``. Mono."""
    x = np.zeros(int(seconds * sr))
    t = np.arange(x.size) / sr
    for start, end, pitches in chords:
        a, b = int(start * sr), int(end * sr)
        for p in pitches:
            x[a:b] += level * np.sin(2 * np.pi * hz(p) * t[a:b])
    return x[None, :].astype(np.float32)


def noise(seconds: float, level: float, *, sr: int = SR, seed: int = 0) -> Audio:
    return np.random.default_rng(seed).normal(0.0, level, (1, int(seconds * sr))).astype(np.float32)
