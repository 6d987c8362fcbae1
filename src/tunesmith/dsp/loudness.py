"""Loudness and peak measurement: ITU-R BS.1770 integrated loudness and 4× oversampled true peak."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from pyloudnorm.iirfilter import IIRfilter
from scipy.signal import firwin, sosfilt, upfirdn

from tunesmith.dsp.types import Audio

TRUE_PEAK_OVERSAMPLING = 4
SILENCE_LUFS = -70.0  # the BS.1770 absolute gate; anything quieter counts as silence
_BLOCK_S = 0.4  # gating block, seconds
_HOP = 0.25  # block hop as a fraction of the block (75 % overlap)
_BLOCK = 1 << 15  # samples per interpolation block
_TAPS_PER_PHASE = 12  # the BS.1770-4 annex 2 interpolator is 48 taps; odd length keeps phase 0 aligned
_INTERPOLATOR = (
    firwin(_TAPS_PER_PHASE * TRUE_PEAK_OVERSAMPLING + 1, 1.0 / TRUE_PEAK_OVERSAMPLING) * TRUE_PEAK_OVERSAMPLING
).astype(np.float32)


def integrated_lufs(audio: Audio, sample_rate: int) -> float:
    """Integrated loudness of ``audio`` (channels, samples) in LUFS per ITU-R BS.1770-4.

    K-weighting, 400 ms blocks with 75 % overlap, absolute (−70 LUFS) and relative (−10 LU) gates; all
    channels weighted 1.0 (mono or stereo). Returns ``-inf`` for silence or input shorter than one block.
    Agrees with pyloudnorm to within 0.01 LU and is several times faster on long inputs.
    """
    return integrated_from_power(k_weighted_power(audio, sample_rate), sample_rate)


def integrated_from_power(power: npt.NDArray[np.float64], sample_rate: int) -> float:
    """:func:`integrated_lufs` of a signal given its :func:`k_weighted_power` (samples,)."""
    energies = _block_energies(power, sample_rate)
    if energies.size == 0:
        return float("-inf")
    gated = energies[_loudness(energies) > SILENCE_LUFS]
    if gated.size == 0:
        return float("-inf")
    relative_gate = _loudness(np.mean(gated)) - 10.0
    gated = gated[_loudness(gated) > relative_gate]
    return float(_loudness(np.mean(gated)))


def k_weighted_power(audio: Audio, sample_rate: int) -> npt.NDArray[np.float64]:
    """The K-weighted power of ``audio`` (channels, samples), summed over channels, per sample (samples,).

    Its mean over a stretch is that stretch's ungated loudness: ``-0.691 + 10 log10(mean)`` LUFS.
    """
    weighted = _k_weighted(audio, sample_rate)
    return np.asarray(np.einsum("ij,ij->j", weighted, weighted), dtype=np.float64)


def power_to_lufs(power: float) -> float:
    """Mean K-weighted power → LUFS (``-inf`` for silence)."""
    return float(_loudness(power)) if power > 0 else float("-inf")


def lufs_to_power(lufs: float) -> float:
    """LUFS → mean K-weighted power (the inverse of :func:`power_to_lufs`)."""
    return float(10.0 ** ((lufs + 0.691) / 10.0))


def _k_weighted(audio: Audio, sample_rate: int) -> npt.NDArray[np.float32]:
    """The K-weighting pre-filter and RLB high-pass (the pyloudnorm designs) applied along time, in float32
    (the loudness it feeds agrees with a float64 filter to well under 0.01 LU, at half the cost)."""
    sos = np.vstack(
        [
            _biquad(4.0, 1 / np.sqrt(2), 1500.0, sample_rate, "high_shelf"),
            _biquad(0.0, 0.5, 38.0, sample_rate, "high_pass"),
        ]
    )
    # A −400 dBFS Nyquist ripple keeps the recursive filters out of denormal numbers in silent passages.
    signal = np.array(audio, dtype=np.float32)
    signal[:, 0::2] += np.float32(1e-20)
    signal[:, 1::2] -= np.float32(1e-20)
    return np.asarray(sosfilt(sos.astype(np.float32), signal, axis=1), dtype=np.float32)


def _biquad(gain_db: float, q: float, freq_hz: float, sample_rate: int, kind: str) -> npt.NDArray[np.float64]:
    stage = IIRfilter(gain_db, q, freq_hz, sample_rate, kind)
    return np.concatenate([stage.b, stage.a])[np.newaxis, :]


def _block_energies(power: npt.NDArray[np.float64], sample_rate: int) -> npt.NDArray[np.float64]:
    """Mean K-weighted power of each 400 ms block, hopping 100 ms, shape (blocks,)."""
    n = power.shape[0]
    count = int(np.round((n / sample_rate - _BLOCK_S) / (_BLOCK_S * _HOP))) + 1
    if n < int(_BLOCK_S * sample_rate) or count <= 0:
        return np.zeros(0)
    cumulative = np.concatenate([[0.0], np.cumsum(power, dtype=np.float64)])
    starts = (_BLOCK_S * _HOP * np.arange(count) * sample_rate).astype(np.int64)
    stops = np.minimum((_BLOCK_S * (_HOP * np.arange(count) + 1) * sample_rate).astype(np.int64), n)
    return np.asarray((cumulative[stops] - cumulative[starts]) / (_BLOCK_S * sample_rate))


def _loudness(energy: npt.ArrayLike) -> npt.NDArray[np.float64]:
    with np.errstate(divide="ignore"):
        return np.asarray(-0.691 + 10.0 * np.log10(energy))


def oversampled_peaks(audio: Audio) -> npt.NDArray[np.float32]:
    """Per-sample true-peak envelope, shape (samples,): the largest |value| over all channels and the 4
    oversampled points from each original sample up to (not including) the next one."""
    n = audio.shape[1]
    envelope = np.zeros(n, dtype=np.float32)
    samples = np.asarray(audio, dtype=np.float32)
    for start in range(0, n, _BLOCK):
        stop = min(n, start + _BLOCK)
        envelope[start:stop] = _block_peaks(samples, start, stop)
    return envelope


def _block_peaks(audio: Audio, start: int, stop: int) -> npt.NDArray[np.float32]:
    """True-peak envelope of samples ``start:stop``, interpolated with enough context on both sides.

    Working block by block keeps the 4× buffers in cache, which is several times faster than one pass.
    """
    factor, context = TRUE_PEAK_OVERSAMPLING, _TAPS_PER_PHASE
    lo, hi = max(0, start - context), min(audio.shape[1], stop + context)
    delay = (len(_INTERPOLATOR) - 1) // 2 + (start - lo) * factor
    peaks = np.zeros(stop - start, dtype=np.float32)
    for channel in audio[:, lo:hi]:
        up = np.abs(upfirdn(_INTERPOLATOR, channel, up=factor)[delay : delay + (stop - start) * factor])
        for phase in range(factor):  # strided maxima: far faster than reshape(-1, 4).max(axis=1)
            np.maximum(peaks, up[phase::factor], out=peaks)
    return peaks


def true_peak_dbtp(audio: Audio, sample_rate: int) -> float:
    """True peak of ``audio`` (channels, samples) in dBTP, measured with 4× polyphase oversampling.

    ``sample_rate`` is part of the uniform signature; the oversampling factor is fixed, as in BS.1770 for
    44.1/48 kHz material. Returns ``-inf`` for digital silence.
    """
    del sample_rate
    if audio.shape[1] == 0:
        return float("-inf")
    peak = float(oversampled_peaks(audio).max())
    return float(20.0 * np.log10(peak)) if peak > 0 else float("-inf")
