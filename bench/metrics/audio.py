"""Level, silence, clipping and comparison metrics.

Audio is float32 shaped (channels, samples) with full scale at ±1.0; a 1-D array is taken as mono.
Levels are in dB relative to full scale (dBFS); loudness follows ITU-R BS.1770-4 (LUFS, dBTP).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import signal

Audio = npt.NDArray[np.floating]

#: Floor for every dB figure, so that digital silence and exact sums stay finite (and JSON-safe).
DB_FLOOR = -120.0


def as_channels(audio: Audio) -> npt.NDArray[np.float64]:
    """``audio`` as float64 shaped (channels, samples); 1-D input becomes one channel."""
    arr = np.asarray(audio, dtype=np.float64)
    if arr.ndim == 1:
        return arr[np.newaxis, :]
    if arr.ndim != 2:
        raise ValueError(f"audio must be (channels, samples) or (samples,), got shape {arr.shape}")
    return arr


def to_db(ratio: float) -> float:
    """20·log10(ratio) of an amplitude ratio, floored at :data:`DB_FLOOR`."""
    return DB_FLOOR if ratio <= 10 ** (DB_FLOOR / 20) else 20.0 * math.log10(ratio)


def integrated_loudness_lufs(audio: Audio, sr: int) -> float:
    """Gated integrated loudness (BS.1770-4) in LUFS; needs at least 0.4 s of audio.

    A 997 Hz sine peaking at 0 dBFS in one channel reads −3.01 LUFS.
    """
    import pyloudnorm

    x = as_channels(audio)
    value = float(pyloudnorm.Meter(sr).integrated_loudness(x.T))
    return max(value, DB_FLOOR)


def sample_peak_dbfs(audio: Audio) -> float:
    """Largest absolute sample value in dBFS."""
    return to_db(float(np.max(np.abs(as_channels(audio)), initial=0.0)))


def true_peak_dbtp(audio: Audio, sr: int) -> float:
    """True peak (BS.1770-4 Annex 2) in dBTP: the peak of the signal 4× oversampled.

    Inter-sample peaks make it exceed the sample peak by up to ~3 dB (a sine at sr/4 with a 45°
    phase offset is the worst common case). ``sr`` is accepted for symmetry; the factor is fixed.
    """
    del sr
    x = as_channels(audio)
    up = signal.resample_poly(x, 4, 1, axis=-1)
    return to_db(float(max(np.max(np.abs(up), initial=0.0), np.max(np.abs(x), initial=0.0))))


def frame_levels_db(audio: Audio, sr: int, *, frame_s: float = 0.05) -> npt.NDArray[np.float64]:
    """RMS level (dBFS, power summed over channels then averaged) of consecutive ``frame_s`` frames."""
    x = as_channels(audio)
    hop = max(1, round(frame_s * sr))
    n = x.shape[1] // hop
    if n == 0:
        return np.zeros(0)
    power = np.mean(x[:, : n * hop].reshape(x.shape[0], n, hop) ** 2, axis=(0, 2))
    return np.asarray(np.maximum(10.0 * np.log10(np.maximum(power, 1e-30)), DB_FLOOR), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class SilenceReport:
    """Silence below ``threshold_db`` in seconds (leading, trailing, longest inside) and its share 0–1."""

    leading_s: float
    trailing_s: float
    longest_internal_s: float
    silent_share: float
    threshold_db: float


def silence_report(
    audio: Audio, sr: int, *, threshold_db: float = -60.0, frame_s: float = 0.05
) -> SilenceReport:
    """Where the audio is silent, at ``frame_s`` resolution."""
    silent = frame_levels_db(audio, sr, frame_s=frame_s) < threshold_db
    if silent.size == 0:
        return SilenceReport(0.0, 0.0, 0.0, 0.0, threshold_db)
    runs = _runs(silent)
    leading = runs[0][1] if runs and runs[0][0] == 0 else 0
    trailing = runs[-1][1] if runs and runs[-1][0] + runs[-1][1] == silent.size else 0
    inner = [length for start, length in runs if start > 0 and start + length < silent.size]
    return SilenceReport(
        leading_s=leading * frame_s,
        trailing_s=trailing * frame_s,
        longest_internal_s=max(inner, default=0) * frame_s,
        silent_share=float(np.mean(silent)),
        threshold_db=threshold_db,
    )


def _runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(start, length) of every run of True in a 1-D mask."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(s), int(e - s)) for s, e in zip(edges[::2], edges[1::2], strict=True)]


@dataclass(frozen=True, slots=True)
class ClippingReport:
    """Samples at or above ``threshold`` (count, share 0–1) and clip events (runs ≥ ``min_run`` samples)."""

    clipped_samples: int
    clipped_share: float
    clip_events: int
    threshold: float


def clipping_report(audio: Audio, *, threshold: float = 0.999, min_run: int = 3) -> ClippingReport:
    """Hard clipping: a run of ``min_run`` or more consecutive samples at |x| ≥ ``threshold``."""
    x = as_channels(audio)
    hot = np.abs(x) >= threshold
    events = sum(sum(1 for _, n in _runs(channel) if n >= min_run) for channel in hot)
    return ClippingReport(int(hot.sum()), float(hot.mean()) if hot.size else 0.0, events, threshold)


def best_lag(reference: Audio, other: Audio, *, max_lag: int) -> int:
    """Integer lag (samples, |lag| ≤ ``max_lag``) that best aligns ``other`` to ``reference``.

    A positive lag means ``other`` is late: ``other[lag:]`` lines up with ``reference``.
    """
    a = as_channels(reference).mean(axis=0)
    b = as_channels(other).mean(axis=0)
    corr = signal.correlate(b, a, mode="full", method="fft")
    zero = a.size - 1
    window = corr[zero - max_lag : zero + max_lag + 1]
    return int(np.argmax(window)) - max_lag


def _shift(x: npt.NDArray[np.float64], lag: int) -> npt.NDArray[np.float64]:
    return x[:, lag:] if lag >= 0 else np.pad(x, ((0, 0), (-lag, 0)))


def stem_residual_db(stems: Sequence[Audio], mix: Audio, *, max_lag: int = 0, fit_gain: bool = False) -> float:
    """Level of ``mix − Σ stems`` relative to the mix, in dB (≤ −100 when the stems sum exactly).

    All inputs share one rate and channel count; lengths are trimmed to the shortest. With
    ``max_lag`` > 0 the stem sum is first aligned to the mix (decoded MP3s can be offset). With
    ``fit_gain`` the stem sum is first scaled by the least-squares gain (:func:`stem_gain`), so that
    pre-master stems can be compared with a mastered mix: what remains is what the stems lack plus
    the master bus's non-linear part (compression, limiting).
    """
    total, m = _aligned_sum(stems, mix, max_lag)
    if fit_gain:
        total = total * _least_squares_gain(total, m)
    residual = m - total
    mix_rms = float(np.sqrt(np.mean(m**2)))
    if mix_rms == 0.0:
        raise ValueError("the mix is digital silence")
    return to_db(float(np.sqrt(np.mean(residual**2))) / mix_rms)


def stem_gain_db(stems: Sequence[Audio], mix: Audio, *, max_lag: int = 0) -> float:
    """The least-squares gain (dB) that takes ``Σ stems`` closest to ``mix`` (0 dB when they sum to it)."""
    total, m = _aligned_sum(stems, mix, max_lag)
    return to_db(abs(_least_squares_gain(total, m)))


def _aligned_sum(
    stems: Sequence[Audio], mix: Audio, max_lag: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(Σ stems, mix), aligned when ``max_lag`` > 0 and trimmed to a common length."""
    if not stems:
        raise ValueError("need at least one stem")
    m = as_channels(mix)
    parts = [as_channels(s) for s in stems]
    n = min(p.shape[1] for p in parts)
    total = np.sum([p[:, :n] for p in parts], axis=0)
    if max_lag:
        total = _shift(total, best_lag(m, total, max_lag=max_lag))
    n = min(n, total.shape[1], m.shape[1])
    return total[:, :n], m[:, :n]


def _least_squares_gain(x: npt.NDArray[np.float64], target: npt.NDArray[np.float64]) -> float:
    energy = float(np.sum(x**2))
    return float(np.sum(x * target)) / energy if energy > 0 else 1.0


@dataclass(frozen=True, slots=True)
class TrackDifference:
    """How two renditions differ: waveform correlation (−1…1) and long-term spectral distance (dB)."""

    correlation: float
    spectral_distance_db: float


def track_difference(a: Audio, b: Audio, sr: int) -> TrackDifference:
    """Compare two tracks of one task.

    ``correlation`` is the Pearson correlation of the mono waveforms over their common length (1 for
    identical tracks, ≈ 0 for unrelated ones). ``spectral_distance_db`` is the RMS difference of the
    two long-term (Welch) power spectra in dB over 50 Hz–16 kHz: 0 for identical spectra, exactly
    20·log10(g) when one track is the other scaled by g.
    """
    x, y = as_channels(a).mean(axis=0), as_channels(b).mean(axis=0)
    n = min(x.size, y.size)
    xs, ys = x[:n] - x[:n].mean(), y[:n] - y[:n].mean()
    denom = float(np.sqrt(np.sum(xs**2) * np.sum(ys**2)))
    correlation = float(np.sum(xs * ys) / denom) if denom > 0 else 0.0
    return TrackDifference(correlation, _spectral_distance_db(x, y, sr))


def _spectral_distance_db(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], sr: int) -> float:
    nperseg = min(4096, x.size, y.size)
    freqs, px = signal.welch(x, sr, nperseg=nperseg)
    _, py = signal.welch(y, sr, nperseg=nperseg)
    band = (freqs >= 50.0) & (freqs <= min(16000.0, sr / 2))
    floor = 1e-12
    diff = 10.0 * np.log10(np.maximum(px[band], floor)) - 10.0 * np.log10(np.maximum(py[band], floor))
    return float(np.sqrt(np.mean(diff**2)))
