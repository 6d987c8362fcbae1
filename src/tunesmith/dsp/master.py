"""The master bus: gentle glue compression, loudness normalisation and a true-peak-safe limiter."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pedalboard

from tunesmith.dsp.effects import process
from tunesmith.dsp.limiter import gain_for_peaks
from tunesmith.dsp.loudness import integrated_lufs, oversampled_peaks, true_peak_dbtp
from tunesmith.dsp.types import Audio, db_to_gain

REFERENCE_LUFS = -20.0  # the bus compressor always sees the mix at this loudness, whatever came in
TARGET_LUFS = -14.0
CEILING_DBTP = -1.0
LUFS_TOLERANCE = 0.1
MAX_PASSES = 6
_AIM_MARGIN_DB = 0.2  # the limiter aims a little under the ceiling; the measured result is then checked


def bus_compress(mix: Audio, sample_rate: int) -> Audio:
    """Gentle 2:1 glue compression of ``mix`` (channels, n); the slow attack lets transients through.

    The threshold assumes the mix arrives at about :data:`REFERENCE_LUFS`, where it takes roughly
    1–2 dB off a typical pop mix.
    """
    glue = pedalboard.Compressor(threshold_db=-22.0, ratio=2.0, attack_ms=30.0, release_ms=250.0)
    return process(glue, mix, sample_rate)


def master(
    mix: Audio, sample_rate: int, *, target_lufs: float = TARGET_LUFS, ceiling_dbtp: float = CEILING_DBTP
) -> Audio:
    """Master ``mix`` (channels, n) float32 to ``target_lufs`` integrated, true peak ≤ ``ceiling_dbtp``.

    Limiting lowers loudness, so gain and limiting are iterated until the loudness lands within ±0.1 LU
    or the passes run out (very peaky material cannot reach the target under the ceiling). The
    true-peak ceiling is always enforced on the result, measured with 4× oversampling. Silent input is
    returned unchanged.
    """
    incoming = integrated_lufs(mix, sample_rate)
    if not np.isfinite(incoming):
        return np.asarray(mix, dtype=np.float32).copy()
    glued = bus_compress((mix * db_to_gain(REFERENCE_LUFS - incoming)).astype(np.float32), sample_rate)
    loudness = integrated_lufs(glued, sample_rate)
    peaks = oversampled_peaks(glued)
    gain_db, aim = target_lufs - loudness, ceiling_dbtp - _AIM_MARGIN_DB
    out, previous_error = glued, float("inf")
    for _ in range(MAX_PASSES):
        out = _apply(glued, peaks, sample_rate, gain_db, aim)
        error = target_lufs - integrated_lufs(out, sample_rate)
        if abs(error) <= LUFS_TOLERANCE or abs(error) > 0.5 * abs(previous_error):
            break  # on target, or the limiter is eating the extra gain: more passes will not help
        gain_db, previous_error = gain_db + error, error
    return _enforce_ceiling(out, glued, peaks, sample_rate, gain_db, aim, ceiling_dbtp)


def _apply(
    audio: Audio, peaks: npt.NDArray[np.float32], sample_rate: int, gain_db: float, aim_dbtp: float
) -> Audio:
    """``audio`` × make-up gain × limiter gain; the limiter reads the pre-computed true-peak envelope."""
    gain = db_to_gain(gain_db)
    curve = gain_for_peaks(peaks * np.float32(gain), sample_rate, ceiling_dbtp=aim_dbtp)
    return (audio * (curve * np.float32(gain))[np.newaxis, :]).astype(np.float32)


def _enforce_ceiling(
    out: Audio,
    audio: Audio,
    peaks: npt.NDArray[np.float32],
    sample_rate: int,
    gain_db: float,
    aim_dbtp: float,
    ceiling_dbtp: float,
) -> Audio:
    """Re-aim the limiter lower until the measured true peak of the output obeys ``ceiling_dbtp``."""
    for _ in range(MAX_PASSES):
        excess = true_peak_dbtp(out, sample_rate) - ceiling_dbtp
        if excess <= 0.0:
            return out
        aim_dbtp -= excess + 0.05
        out = _apply(audio, peaks, sample_rate, gain_db, aim_dbtp)
    excess = true_peak_dbtp(out, sample_rate) - ceiling_dbtp
    return out if excess <= 0.0 else (out * db_to_gain(-excess - 0.01)).astype(np.float32)
