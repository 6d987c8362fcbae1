"""Tempo estimation from audio and adherence to a planned tempo.

The estimate is the autocorrelation peak of librosa's onset-strength envelope, weighted by a
log-normal prior around 120 BPM (as ``librosa.feature.tempo`` does), refined to sub-frame precision by
parabolic interpolation so that a steady click track reads within a fraction of a BPM.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bench.metrics.audio import Audio, as_channels

ANALYSIS_SR = 22050
HOP = 256
MIN_BPM = 40.0
MAX_BPM = 240.0


def estimate_tempo_bpm(
    audio: Audio, sr: int, *, prior_bpm: float = 120.0, prior_octaves: float = 1.0
) -> float:
    """Dominant tempo in beats per minute.

    ``prior_bpm``/``prior_octaves`` centre and widen (standard deviation in octaves) the preference
    used to choose between metrical levels (half/double tempo).
    """
    import librosa

    mono = as_channels(audio).mean(axis=0)
    if sr != ANALYSIS_SR:
        mono = librosa.resample(mono, orig_sr=sr, target_sr=ANALYSIS_SR)
    env = librosa.onset.onset_strength(y=mono, sr=ANALYSIS_SR, hop_length=HOP)
    frame_rate = ANALYSIS_SR / HOP
    ac = _autocorrelation(env - env.mean())
    lags = np.arange(ac.size, dtype=np.float64)
    valid = (lags >= 60.0 * frame_rate / MAX_BPM) & (lags <= 60.0 * frame_rate / MIN_BPM)
    bpm = np.where(lags > 0, 60.0 * frame_rate / np.maximum(lags, 1e-9), np.inf)
    prior = np.exp(-0.5 * (np.log2(bpm / prior_bpm) / prior_octaves) ** 2)
    score = np.where(valid, np.maximum(ac, 0.0) * prior, -np.inf)
    peak = int(np.argmax(score))
    return float(60.0 * frame_rate / _refine(ac, peak))


def _autocorrelation(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    n = x.size
    spectrum = np.fft.rfft(x, 2 * n)
    ac = np.fft.irfft(np.abs(spectrum) ** 2)[:n]
    return ac / ac[0] if ac[0] > 0 else ac


def _refine(values: npt.NDArray[np.float64], peak: int) -> float:
    """Sub-sample position of a local maximum by fitting a parabola through its neighbours."""
    if peak <= 0 or peak >= values.size - 1:
        return float(peak)
    a, b, c = values[peak - 1], values[peak], values[peak + 1]
    denom = a - 2.0 * b + c
    return float(peak) if denom == 0 else float(peak + 0.5 * (a - c) / denom)


@dataclass(frozen=True, slots=True)
class TempoAdherence:
    """Estimated vs planned tempo (BPM).

    ``error_pct`` is the signed error in percent after folding metrical-level confusions: the estimate is
    compared with planned × ``octave_factor``, the one of ½, 1, 2 that fits best (1 when exact).
    """

    estimated_bpm: float
    planned_bpm: float
    octave_factor: float
    error_pct: float

    def within(self, tolerance_pct: float = 4.0) -> bool:
        return abs(self.error_pct) <= tolerance_pct


def tempo_adherence(estimated_bpm: float, planned_bpm: float) -> TempoAdherence:
    """Fold half/double-tempo confusions and express the remaining error in percent of the plan."""
    if planned_bpm <= 0 or estimated_bpm <= 0:
        raise ValueError("tempi must be positive")
    factor = min((0.5, 1.0, 2.0), key=lambda f: abs(np.log2(estimated_bpm / (planned_bpm * f))))
    target = planned_bpm * factor
    return TempoAdherence(estimated_bpm, planned_bpm, factor, 100.0 * (estimated_bpm - target) / target)
