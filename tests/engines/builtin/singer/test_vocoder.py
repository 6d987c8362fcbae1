"""The WORLD helpers: decimated D4C stays close to the full-rate analysis."""

from __future__ import annotations

import numpy as np

from tunesmith.engines.builtin.singer import vocoder

RATE = 22050
FRAME_S = 0.005


def _buzz_then_hiss() -> tuple[np.ndarray, np.ndarray]:
    """0.4 s of a 150 Hz pulse train, then 0.2 s of noise; F0 per WORLD frame (0 over the noise)."""
    rng = np.random.default_rng(1)
    voiced = np.zeros(int(0.4 * RATE))
    voiced[:: RATE // 150] = 1.0
    x = np.concatenate([voiced, 0.1 * rng.standard_normal(int(0.2 * RATE))])
    n = vocoder.frame_count(x.size, RATE, FRAME_S)
    f0 = np.where(np.arange(n) * FRAME_S < 0.4, 150.0, 0.0)
    return x, f0


def test_decimated_aperiodicity_matches_full_rate() -> None:
    x, f0 = _buzz_then_hiss()
    full = vocoder.analyse(x, RATE, f0, FRAME_S)
    coarse = vocoder.analyse(x, RATE, f0, FRAME_S, ap_decimation=4)
    assert coarse.ap.shape == full.ap.shape and coarse.sp.shape == full.sp.shape
    np.testing.assert_array_equal(coarse.sp, full.sp)
    steady = slice(10, 70)  # inside the buzz, away from the edges
    assert np.median(np.abs(coarse.ap[steady] - full.ap[steady])) < 0.05
