"""A look-ahead true-peak limiter, vectorised (no per-sample Python loop).

The gain needed at every sample comes from the 4× oversampled peak envelope; a minimum filter (hold)
followed by a moving average of the same width turns it into a smooth gain curve that is never above
the needed gain, because each averaged point only sees minima whose windows cover it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.ndimage import minimum_filter1d, uniform_filter1d

from tunesmith.dsp.loudness import oversampled_peaks
from tunesmith.dsp.types import Audio, db_to_gain

DEFAULT_WINDOW_MS = 8.0

Gain = npt.NDArray[np.float32]  # shape (samples,), linear 0–1


def gain_for_peaks(
    peaks: npt.NDArray[np.float32],
    sample_rate: int,
    *,
    ceiling_dbtp: float,
    window_ms: float = DEFAULT_WINDOW_MS,
) -> Gain:
    """Smooth gain (samples,) that keeps a true-peak envelope ``peaks`` (samples,) under ``ceiling_dbtp``.

    Attack and release ramps are ``window_ms`` long; the look-ahead is half of that.
    """
    needed = np.minimum(np.float32(1.0), np.float32(db_to_gain(ceiling_dbtp)) / np.maximum(peaks, 1e-12))
    if needed.min() >= 1.0:
        return np.ones_like(peaks)
    width = max(1, int(round(window_ms * 1e-3 * sample_rate))) | 1
    held = minimum_filter1d(needed, size=width, mode="nearest")
    smooth = uniform_filter1d(held, size=width, mode="nearest")
    return np.asarray(np.minimum(smooth, needed), dtype=np.float32)


def limit_true_peak(
    audio: Audio, sample_rate: int, *, ceiling_dbtp: float = -1.0, window_ms: float = DEFAULT_WINDOW_MS
) -> Audio:
    """Limit ``audio`` (channels, samples) so its 4× oversampled peak stays near or below ``ceiling_dbtp``.

    Channels are linked (one gain curve) so the stereo image does not move. The gain changes slowly, so
    the result's true peak can overshoot the aim by a small fraction of a dB; callers that need a hard
    guarantee measure and re-aim (see :func:`tunesmith.dsp.master.master`).
    """
    gain = gain_for_peaks(
        oversampled_peaks(audio), sample_rate, ceiling_dbtp=ceiling_dbtp, window_ms=window_ms
    )
    return (audio * gain[np.newaxis, :]).astype(np.float32)
