"""The master bus as one common gain: glue compression, loudness normalisation and a true-peak limiter.

Every stage is computed as a gain curve from the pre-master mix and the curves are multiplied, so
``mastered = gain × premaster`` sample for sample. Applying the same curve to each pre-master stem
(:func:`master_stems`) gives mastered stems that still sum to the mastered mix — the property that
lets a user's downloaded stems recombine into the song.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from tunesmith.dsp.limiter import Gain, apply_gain, compressor_gain, gain_for_peaks
from tunesmith.dsp.loudness import integrated_lufs, oversampled_peaks, true_peak_dbtp
from tunesmith.dsp.types import Audio, db_to_gain

K = TypeVar("K", bound=str)

REFERENCE_LUFS = -20.0  # the bus compressor always sees the mix at this loudness, whatever came in
TARGET_LUFS = -14.0
CEILING_DBTP = -1.0
LUFS_TOLERANCE = 0.1
MAX_PASSES = 6
_AIM_MARGIN_DB = 0.2  # the limiter aims a little under the ceiling; the measured result is then checked
GLUE = {"threshold_db": -18.0, "ratio": 2.0, "attack_ms": 30.0, "release_ms": 250.0}
"""Gentle 2:1 glue compression; the slow attack lets transients through. The threshold (dBFS RMS over
10 ms) assumes the mix arrives at :data:`REFERENCE_LUFS`, where it takes roughly 1–2 dB off a pop mix."""


def bus_compress_gain(mix: Audio, sample_rate: int) -> Gain:
    """The glue compressor's gain curve (samples,) for ``mix`` (channels, n) at about REFERENCE_LUFS."""
    return compressor_gain(mix, sample_rate, **GLUE)


def master_gain(
    mix: Audio, sample_rate: int, *, target_lufs: float = TARGET_LUFS, ceiling_dbtp: float = CEILING_DBTP
) -> Gain:
    """The master bus of ``mix`` (channels, n) as one linear gain curve (n,).

    ``mix × curve`` reads ``target_lufs`` integrated with a true peak ≤ ``ceiling_dbtp``. Limiting
    lowers loudness, so make-up gain and limiting are iterated until the loudness lands within ±0.1 LU
    or the passes run out (very peaky material cannot reach the target under the ceiling). The ceiling
    is always enforced on the result, measured with 4× oversampling. Silent input gets unity gain.
    """
    incoming = integrated_lufs(mix, sample_rate)
    if not np.isfinite(incoming):
        return np.ones(mix.shape[1], dtype=np.float32)
    staging = db_to_gain(REFERENCE_LUFS - incoming)
    glue = bus_compress_gain(apply_gain(mix, np.full(mix.shape[1], staging, np.float32)), sample_rate) * np.float32(
        staging
    )
    glued = apply_gain(mix, glue)
    peaks = oversampled_peaks(glued)
    gain_db, aim = target_lufs - integrated_lufs(glued, sample_rate), ceiling_dbtp - _AIM_MARGIN_DB
    curve, previous_error = glue, float("inf")
    for _ in range(MAX_PASSES):
        curve = _curve(glue, peaks, sample_rate, gain_db, aim)
        error = target_lufs - integrated_lufs(apply_gain(mix, curve), sample_rate)
        if abs(error) <= LUFS_TOLERANCE or abs(error) > 0.5 * abs(previous_error):
            break  # on target, or the limiter is eating the extra gain: more passes will not help
        gain_db, previous_error = gain_db + error, error
    return _enforce_ceiling(mix, curve, glue, peaks, sample_rate, gain_db, aim, ceiling_dbtp)


def master(
    mix: Audio, sample_rate: int, *, target_lufs: float = TARGET_LUFS, ceiling_dbtp: float = CEILING_DBTP
) -> Audio:
    """Master ``mix`` (channels, n) float32: ``mix ×`` :func:`master_gain`."""
    return apply_gain(mix, master_gain(mix, sample_rate, target_lufs=target_lufs, ceiling_dbtp=ceiling_dbtp))


def master_stems(
    stems: Mapping[K, Audio],
    premaster: Audio,
    sample_rate: int,
    *,
    target_lufs: float = TARGET_LUFS,
    ceiling_dbtp: float = CEILING_DBTP,
) -> tuple[dict[K, Audio], Audio]:
    """Master ``premaster`` (channels, n) and apply the very same gain curve to each stem (channels, n).

    When ``premaster == sum(stems)`` the returned stems sum to the returned mastered mix (up to float32
    rounding). Returns ``(mastered stems, mastered mix)``.
    """
    gain = master_gain(premaster, sample_rate, target_lufs=target_lufs, ceiling_dbtp=ceiling_dbtp)
    return {name: apply_gain(audio, gain) for name, audio in stems.items()}, apply_gain(premaster, gain)


def _curve(glue: Gain, peaks: npt.NDArray[np.float32], sample_rate: int, gain_db: float, aim_dbtp: float) -> Gain:
    """Glue × make-up gain × limiter gain; the limiter reads the glued mix's true-peak envelope."""
    gain = np.float32(db_to_gain(gain_db))
    limiter = gain_for_peaks(peaks * gain, sample_rate, ceiling_dbtp=aim_dbtp)
    return np.asarray(glue * limiter * gain, dtype=np.float32)


def _enforce_ceiling(
    mix: Audio,
    curve: Gain,
    glue: Gain,
    peaks: npt.NDArray[np.float32],
    sample_rate: int,
    gain_db: float,
    aim_dbtp: float,
    ceiling_dbtp: float,
) -> Gain:
    """Re-aim the limiter lower until the measured true peak of ``mix × curve`` obeys ``ceiling_dbtp``."""
    for _ in range(MAX_PASSES):
        excess = true_peak_dbtp(apply_gain(mix, curve), sample_rate) - ceiling_dbtp
        if excess <= 0.0:
            return curve
        aim_dbtp -= excess + 0.05
        curve = _curve(glue, peaks, sample_rate, gain_db, aim_dbtp)
    excess = true_peak_dbtp(apply_gain(mix, curve), sample_rate) - ceiling_dbtp
    return curve if excess <= 0.0 else np.asarray(curve * np.float32(db_to_gain(-excess - 0.01)), np.float32)
