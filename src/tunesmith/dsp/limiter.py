"""Gain computers of the master bus: a glue compressor and a look-ahead true-peak limiter.

Both return a gain *curve* (samples,) instead of processed audio, so the master bus is one
time-varying gain that can be applied identically to the mix and to every stem: mastered stems then
still sum to the mastered mix. Everything is vectorised except the compressor's attack/release
ballistics, which run once per detector block (≈1.5 ms), not per sample.

The limiter's gain comes from the 4× oversampled peak envelope; a minimum filter (hold) followed by a
moving average of the same width turns it into a smooth curve that is never above the needed gain,
because each averaged point only sees minima whose windows cover it.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy.ndimage import minimum_filter1d, uniform_filter1d

from tunesmith.dsp.loudness import oversampled_peaks
from tunesmith.dsp.types import Audio, db_to_gain

DEFAULT_WINDOW_MS = 8.0
DETECTOR_BLOCK = 64  # samples per compressor detector step
DETECTOR_RMS_MS = 10.0  # RMS window of the compressor's level detector

Gain = npt.NDArray[np.float32]  # shape (samples,), linear, > 0


def apply_gain(audio: Audio, gain: Gain) -> Audio:
    """``audio`` (channels, samples) × a gain curve (samples,), channels linked."""
    return (audio * gain[np.newaxis, :]).astype(np.float32)


def compressor_gain(
    audio: Audio,
    sample_rate: int,
    *,
    threshold_db: float,
    ratio: float,
    attack_ms: float,
    release_ms: float,
) -> Gain:
    """Gain curve (samples,) of a feed-forward RMS compressor listening to ``audio`` (channels, samples).

    The detector is the channel-mean power over a ``DETECTOR_RMS_MS`` window, read every
    ``DETECTOR_BLOCK`` samples; above ``threshold_db`` (dBFS RMS) the level is reduced by
    ``1 - 1/ratio`` of the excess. Gain reduction rises with the ``attack_ms`` and falls with the
    ``release_ms`` time constant; the block curve is interpolated linearly to every sample.
    """
    n = audio.shape[1]
    if n == 0:
        return np.ones(0, dtype=np.float32)
    power = np.mean(np.square(audio, dtype=np.float64), axis=0)
    window = max(1, int(round(DETECTOR_RMS_MS * 1e-3 * sample_rate)))
    # A running mean can dip a hair below zero in float arithmetic after loud passages; clamp it.
    smoothed = np.maximum(uniform_filter1d(power, size=window, mode="nearest"), 0.0)
    centres = np.arange(DETECTOR_BLOCK // 2, n, DETECTOR_BLOCK)
    level_db = 10.0 * np.log10(smoothed[centres] + 1e-20)
    target = np.maximum(0.0, level_db - threshold_db) * (1.0 - 1.0 / ratio)
    reduction = _ballistics(target, DETECTOR_BLOCK / sample_rate, attack_ms * 1e-3, release_ms * 1e-3)
    curve_db = np.interp(np.arange(n), centres, -reduction)
    return np.asarray(10.0 ** (curve_db / 20.0), dtype=np.float32)


def _ballistics(
    target_db: npt.NDArray[np.float64], step_s: float, attack_s: float, release_s: float
) -> npt.NDArray[np.float64]:
    """One-pole smoothing of a gain-reduction curve (dB ≥ 0): fast towards more reduction, slow back."""
    attack = 1.0 - math.exp(-step_s / attack_s)
    release = 1.0 - math.exp(-step_s / release_s)
    out = np.empty_like(target_db)
    state = 0.0
    for i, value in enumerate(target_db.tolist()):
        state += (value - state) * (attack if value > state else release)
        out[i] = state
    return out


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
    if needed.size == 0 or needed.min() >= 1.0:
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
    guarantee measure and re-aim (see :func:`tunesmith.dsp.master.master_gain`).
    """
    gain = gain_for_peaks(oversampled_peaks(audio), sample_rate, ceiling_dbtp=ceiling_dbtp, window_ms=window_ms)
    return apply_gain(audio, gain)
