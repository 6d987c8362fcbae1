"""Sung pitch accuracy: the share of score notes whose sung pitch is within 50 cents.

The f0 track comes from librosa's probabilistic YIN (pYIN) on the mono vocal, resampled to 16 kHz.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bench.metrics.audio import Audio, as_channels

ANALYSIS_SR = 16000
HOP = 160  # 10 ms at ANALYSIS_SR
FRAME = 1024


@dataclass(frozen=True, slots=True)
class Note:
    """A score note: onset and offset in seconds, pitch as a (fractional) MIDI number (69 = A4 = 440 Hz)."""

    start_s: float
    end_s: float
    midi: float

    @property
    def hz(self) -> float:
        return midi_to_hz(self.midi)


@dataclass(frozen=True, slots=True)
class PitchAccuracy:
    """``share_within`` (0–1) of all ``notes`` sung within ``tolerance_cents``.

    Notes with no voiced frame count as misses.
    ``median_abs_cents`` is over the ``voiced_notes`` only (None when none was voiced).
    """

    share_within: float
    notes: int
    voiced_notes: int
    median_abs_cents: float | None
    tolerance_cents: float


def midi_to_hz(midi: float) -> float:
    """Frequency in Hz of a MIDI note number (equal temperament, A4 = 440 Hz)."""
    return float(440.0 * 2.0 ** ((midi - 69.0) / 12.0))


def cents(f_hz: float, ref_hz: float) -> float:
    """Interval from ``ref_hz`` to ``f_hz`` in cents (positive = sharp)."""
    return float(1200.0 * np.log2(f_hz / ref_hz))


def pitch_track(
    audio: Audio, sr: int, *, fmin_hz: float = 65.0, fmax_hz: float = 1100.0
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(frame times in s, f0 in Hz with NaN where unvoiced) at a 10 ms hop."""
    import librosa

    mono = as_channels(audio).mean(axis=0)
    if sr != ANALYSIS_SR:
        mono = librosa.resample(mono, orig_sr=sr, target_sr=ANALYSIS_SR)
    f0, _voiced, _prob = librosa.pyin(
        mono, fmin=fmin_hz, fmax=fmax_hz, sr=ANALYSIS_SR, frame_length=FRAME, hop_length=HOP, center=True
    )
    times = np.arange(f0.size, dtype=np.float64) * (HOP / ANALYSIS_SR)
    return times, np.asarray(f0, dtype=np.float64)


def note_accuracy(
    audio: Audio, sr: int, notes: Sequence[Note], *, tolerance_cents: float = 50.0, edge_share: float = 0.15
) -> PitchAccuracy:
    """Compare the sung f0 with ``notes``.

    Each note's pitch is the median voiced f0 over its middle part (``edge_share`` of its length is
    ignored at each end, where the voice glides between notes).
    """
    if not notes:
        raise ValueError("no notes to compare")
    low = min(n.hz for n in notes) / 2 ** (4 / 12)
    high = max(n.hz for n in notes) * 2 ** (4 / 12)
    times, f0 = pitch_track(audio, sr, fmin_hz=max(40.0, low), fmax_hz=min(2000.0, high))
    errors = [_note_error(times, f0, n, edge_share) for n in notes]
    voiced = [abs(e) for e in errors if e is not None]
    within = sum(1 for e in voiced if e <= tolerance_cents)
    return PitchAccuracy(
        share_within=within / len(notes),
        notes=len(notes),
        voiced_notes=len(voiced),
        median_abs_cents=float(np.median(voiced)) if voiced else None,
        tolerance_cents=tolerance_cents,
    )


def _note_error(
    times: npt.NDArray[np.float64], f0: npt.NDArray[np.float64], note: Note, edge_share: float
) -> float | None:
    margin = (note.end_s - note.start_s) * edge_share
    inside = (times >= note.start_s + margin) & (times <= note.end_s - margin)
    sung = f0[inside]
    sung = sung[np.isfinite(sung)]
    if sung.size == 0:
        return None
    return cents(float(np.median(sung)), note.hz)
