"""Loudness and peak measurement: ITU-R BS.1770 integrated loudness and 4× oversampled true peak."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyloudnorm
from scipy.signal import firwin, upfirdn

from tunesmith.dsp.types import Audio

TRUE_PEAK_OVERSAMPLING = 4
SILENCE_LUFS = -70.0  # the BS.1770 absolute gate; anything quieter counts as silence
_BLOCK = 1 << 15  # samples per interpolation block
_TAPS_PER_PHASE = 12  # the BS.1770-4 annex 2 interpolator is 48 taps; odd length keeps phase 0 aligned
_INTERPOLATOR = (
    firwin(_TAPS_PER_PHASE * TRUE_PEAK_OVERSAMPLING + 1, 1.0 / TRUE_PEAK_OVERSAMPLING) * TRUE_PEAK_OVERSAMPLING
).astype(np.float32)


def integrated_lufs(audio: Audio, sample_rate: int) -> float:
    """Integrated loudness of ``audio`` (channels, samples) in LUFS; ``-inf`` for silence or < 0.4 s."""
    if audio.shape[1] < int(0.4 * sample_rate) or not np.any(audio):
        return float("-inf")
    meter = pyloudnorm.Meter(sample_rate)
    value = float(meter.integrated_loudness(np.asarray(audio, dtype=np.float64).T))
    return value if np.isfinite(value) and value > SILENCE_LUFS else float("-inf")


def oversampled_peaks(audio: Audio) -> npt.NDArray[np.float32]:
    """Per-sample true-peak envelope, shape (samples,): the largest |value| over all channels and the 4
    oversampled points from each original sample up to (not including) the next one."""
    n = audio.shape[1]
    envelope = np.zeros(n, dtype=np.float32)
    for start in range(0, n, _BLOCK):
        stop = min(n, start + _BLOCK)
        envelope[start:stop] = _block_peaks(np.asarray(audio, dtype=np.float32), start, stop)
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
