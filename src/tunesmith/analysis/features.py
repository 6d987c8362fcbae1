"""Shared time–frequency features for rhythm, tonality and form: mono analysis signal, onset envelopes, bass and
treble chroma, and beat-synchronous pooling.

Everything runs at :data:`ANALYSIS_RATE` with hop :data:`HOP` (≈ 23.2 ms frames, ≈ 43.07 frames per second).
Input audio follows the DSP convention (float32 ``(channels, samples)``); outputs are float32 arrays shaped
``(features, frames)``. Pure functions: no I/O, no settings.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tunesmith.dsp.types import Audio

ANALYSIS_RATE = 22050
"""Hz: every analysis signal is resampled to this rate (enough for rhythm and pitch up to 11 kHz)."""
HOP = 512
"""Samples per analysis frame at :data:`ANALYSIS_RATE`."""
LOW_BAND_HZ = 150.0
"""Mel bands below this frequency make the kick/bass onset envelope."""
BASS_TOP_MIDI = 52
"""CQT bins below this MIDI pitch (E3) make the bass chroma; bins from it upwards the treble chroma."""
TREBLE_TOP_MIDI = 108
"""Default top of the treble chroma (MIDI pitch, C8: the whole transform)."""
CQT_LOW_MIDI = 24
"""The CQT starts at C1 (MIDI 24) and spans :data:`CQT_OCTAVES` octaves."""
CQT_OCTAVES = 7
BINS_PER_OCTAVE = 36

Signal = npt.NDArray[np.float32]
Matrix = npt.NDArray[np.float32]


@dataclass(frozen=True)
class OnsetFeatures:
    """Onset-strength envelopes (one value per frame, ≥ 0): ``full`` over all mel bands, ``low`` over the bands
    below :data:`LOW_BAND_HZ` (kick drum, bass attacks); ``rms`` is the frame loudness (linear)."""

    full: Signal
    low: Signal
    rms: Signal

    @property
    def frames(self) -> int:
        return int(self.full.shape[0])


def frame_rate() -> float:
    """Analysis frames per second."""
    return ANALYSIS_RATE / HOP


def to_frames(seconds: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Seconds → analysis frame indices (rounded)."""
    return np.round(np.asarray(seconds, dtype=np.float64) * frame_rate()).astype(np.int64)


def to_seconds(frames: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Analysis frame indices → seconds."""
    return np.asarray(frames, dtype=np.float64) / frame_rate()


def mono(audio: Audio, sample_rate: int, *, rate: int = ANALYSIS_RATE) -> Signal:
    """Downmix ``audio`` (channels, samples) or (samples,) to one channel at ``rate`` Hz (default
    :data:`ANALYSIS_RATE`; the pitch tracker and Whisper take 16 kHz)."""
    import soxr

    x = np.asarray(audio, dtype=np.float32)
    y = x.mean(axis=0) if x.ndim == 2 else x
    if sample_rate != rate and y.size:
        y = soxr.resample(y, sample_rate, rate, quality="HQ")
    return np.ascontiguousarray(y, dtype=np.float32)


def _librosa_call(function: Callable[[], npt.NDArray[np.float32]]) -> npt.NDArray[np.float32]:
    """Run a librosa feature call with its advisory UserWarnings (short input, empty filters) silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        return function()


def onsets(y: Signal) -> OnsetFeatures:
    """Onset envelopes and loudness of the mono analysis signal ``y``."""
    import librosa

    if y.size < HOP:
        y = np.pad(y, (0, HOP - y.size))
    mel = _librosa_call(lambda: librosa.feature.melspectrogram(y=y, sr=ANALYSIS_RATE, hop_length=HOP, n_mels=96))
    log_mel = librosa.power_to_db(mel, ref=1.0, top_db=None)
    log_mel = np.maximum(log_mel, log_mel.max() - 80.0)
    freqs = librosa.mel_frequencies(n_mels=96, fmax=ANALYSIS_RATE / 2)
    low_bands = max(int(np.sum(freqs < LOW_BAND_HZ)), 2)
    full = librosa.onset.onset_strength(S=log_mel, sr=ANALYSIS_RATE, hop_length=HOP)
    percussive = librosa.power_to_db(percussive_part(mel[:low_bands + 8])[:low_bands], ref=1.0, top_db=None)
    percussive = np.maximum(percussive, log_mel.max() - 80.0)
    low = librosa.onset.onset_strength(S=percussive, sr=ANALYSIS_RATE, hop_length=HOP)
    rms = librosa.feature.rms(y=y, frame_length=2048, hop_length=HOP)[0]
    n = min(full.shape[0], low.shape[0], rms.shape[0])
    return OnsetFeatures(full[:n].astype(np.float32), low[:n].astype(np.float32), rms[:n].astype(np.float32))


def percussive_part(power: Matrix) -> Matrix:
    """The percussive share of a (bands, frames) power spectrogram by median-filter HPSS: a kick drum is
    short in time and wide in frequency, a bass note long and narrow, so kicks survive and bass lines do not."""
    import scipy.ndimage

    harmonic = scipy.ndimage.median_filter(power, size=(1, 17), mode="nearest")
    percussive = scipy.ndimage.median_filter(power, size=(7, 1), mode="nearest")
    mask = percussive**2 / np.maximum(harmonic**2 + percussive**2, 1e-20)
    out: Matrix = (power * mask).astype(np.float32)
    return out


def chroma_pair(y: Signal, *, treble_top_midi: int = TREBLE_TOP_MIDI) -> tuple[Matrix, Matrix]:
    """Treble and bass chroma of ``y``, each ``(12, frames)`` with rows C … B, from one constant-Q transform.

    The treble fades out over the octave centred on ``treble_top_midi`` (half weight there). Values are
    log-compressed magnitudes (``log1p(100·|CQT|)`` folded per pitch class), not normalised, so silence stays
    near zero.
    """
    import librosa

    if y.size < HOP:
        y = np.pad(y, (0, HOP - y.size))
    fmin = float(librosa.midi_to_hz(CQT_LOW_MIDI))
    spectrum = _librosa_call(lambda: np.abs(librosa.cqt(
        y, sr=ANALYSIS_RATE, hop_length=HOP, fmin=fmin, n_bins=CQT_OCTAVES * BINS_PER_OCTAVE,
        bins_per_octave=BINS_PER_OCTAVE,
    )).astype(np.float32))
    compressed = np.log1p(100.0 * spectrum)
    split = (BASS_TOP_MIDI - CQT_LOW_MIDI) * BINS_PER_OCTAVE // 12
    midi = CQT_LOW_MIDI + np.arange(split, compressed.shape[0]) * 12.0 / BINS_PER_OCTAVE
    taper = np.clip((treble_top_midi + 6.0 - midi) / 12.0, 0.0, 1.0).astype(np.float32)
    return _fold(compressed[split:] * taper[:, None], split), _fold(compressed[:split], 0)


def _fold(spectrum: Matrix, first_bin: int) -> Matrix:
    """Sum CQT rows (3 per semitone, the centre one on the equal-tempered pitch) into 12 pitch classes."""
    per = BINS_PER_OCTAVE // 12
    bins = np.arange(first_bin, first_bin + spectrum.shape[0])
    pitch_class = ((bins + per // 2) // per) % 12
    out = np.zeros((12, spectrum.shape[1]), dtype=np.float32)
    np.add.at(out, pitch_class, spectrum)
    return out


def sync(features: Matrix, boundaries: npt.NDArray[np.int64], *, median: bool = False) -> Matrix:
    """Pool ``features`` (d, frames) between consecutive frame ``boundaries`` → (d, len(boundaries) - 1).

    Segments are mean-pooled (median with ``median=True``); an empty or out-of-range segment borrows the
    nearest frame.
    """
    n = features.shape[1]
    out = np.zeros((features.shape[0], max(len(boundaries) - 1, 0)), dtype=np.float32)
    pool = np.median if median else np.mean
    for i, (a, b) in enumerate(zip(boundaries[:-1], boundaries[1:], strict=True)):
        lo = int(np.clip(a, 0, max(n - 1, 0)))
        hi = int(np.clip(b, lo + 1, n))
        out[:, i] = pool(features[:, lo:hi], axis=1) if n else 0.0
    return out


def normalise_columns(features: Matrix, *, floor: float = 1e-6) -> Matrix:
    """Each column scaled to unit Euclidean length (columns below ``floor`` stay as they are)."""
    norms = np.linalg.norm(features, axis=0, keepdims=True)
    out: Matrix = (features / np.maximum(norms, floor)).astype(np.float32)
    return out


def sound_extent(rms: Signal, *, threshold_db: float = -50.0) -> tuple[int, int]:
    """First and last frame (inclusive) whose loudness is within ``threshold_db`` of the loudest frame;
    ``(0, -1)`` for silence."""
    if rms.size == 0 or float(rms.max()) <= 1e-7:
        return 0, -1
    loud = np.flatnonzero(rms >= rms.max() * 10.0 ** (threshold_db / 20.0))
    return int(loud[0]), int(loud[-1])
