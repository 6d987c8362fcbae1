"""Mixing constants and the one summing rule every mix path shares.

The mixer itself is :mod:`tunesmith.dsp.progressive`: per-stem channel strips whose outputs sum exactly to
the pre-master mix — that is what lets the stems a user downloads recombine into the song.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from tunesmith.dsp.types import Audio

DEFAULT_FADE_OUT_S = 0.5
STEM_REFERENCE_LUFS = -20.0  # every stem enters its channel at this loudness (gain staging)


def sum_stems(stems: Iterable[Audio], samples: int) -> Audio:
    """Sum ``(2, samples)`` stems into one ``(2, samples)`` float32 mix (float64 accumulator)."""
    total = np.zeros((2, samples), dtype=np.float64)
    for audio in stems:
        total += audio
    return total.astype(np.float32)
