"""Sample-rate conversion for float32 ``(channels, samples)`` audio."""

from __future__ import annotations

from math import gcd

import numpy as np
from scipy.signal import resample_poly

from tunesmith.dsp.types import Audio


def resample(audio: Audio, from_rate: int, to_rate: int) -> Audio:
    """Polyphase resampling from ``from_rate`` Hz to ``to_rate`` Hz; ``(c, n)`` → ``(c, ≈n·to/from)``."""
    if from_rate <= 0 or to_rate <= 0:
        raise ValueError(f"sample rates must be positive, got {from_rate} → {to_rate}")
    if from_rate == to_rate:
        return np.asarray(audio, dtype=np.float32)
    divisor = gcd(from_rate, to_rate)
    out = resample_poly(np.asarray(audio, dtype=np.float32), to_rate // divisor, from_rate // divisor, axis=1)
    return np.asarray(out, dtype=np.float32)
