"""The sung melody as notes: a swift-f0 pitch track of the vocal stem, cut into notes.

    vocal stem ─▶ mono 16 kHz ─▶ swift-f0 (pitch, confidence, level per 16 ms frame) ─▶ voiced frames
    inside the vocal spans ─▶ notes: a new note where the pitch settles on a new semitone or the level
    rises out of a dip (a new syllable on the same pitch) ─▶ short notes dropped ─▶ median pitch per note

swift-f0 (MIT, a 135 KB ONNX model inside its wheel) is loaded in :meth:`SwiftF0MelodyTranscriber.load`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from tunesmith.analysis import features
from tunesmith.analysis.base import Spans
from tunesmith.analysis.types import NoteEvent
from tunesmith.dsp.types import Audio

if TYPE_CHECKING:
    from swift_f0 import SwiftF0

FloatArray = npt.NDArray[np.float64]
JUMP_SEMITONES = 1.0
GATE_DB = 20.0
BoolArray = npt.NDArray[np.bool_]

TRACK_SR = 16000
"""Rate (Hz) swift-f0 listens at."""
FRAME_S = 256 / TRACK_SR
"""Seconds between pitch frames (16 ms)."""
VOICE_FMIN_HZ, VOICE_FMAX_HZ = 65.0, 1100.0
"""The pitch range searched for a singing voice (C2 to about C#6)."""


@dataclass(frozen=True)
class PitchTrack:
    """One frame every :data:`FRAME_S` seconds from 0: ``midi`` pitch (NaN where none), ``confidence`` 0–1
    (voiced at ≥ 0.5), ``level_db`` of the 32 ms around the frame (dBFS)."""

    midi: FloatArray
    confidence: FloatArray
    level_db: FloatArray

    @property
    def times(self) -> FloatArray:
        return np.arange(len(self.midi), dtype=np.float64) * FRAME_S


def to_mono_16k(audio: Audio, sample_rate: int) -> npt.NDArray[np.float32]:
    """``audio`` (channels, samples) at ``sample_rate`` → mono float32 at :data:`TRACK_SR` (16 kHz, also
    Whisper's rate)."""
    return features.mono(audio, sample_rate, rate=TRACK_SR)


def pitch_track(detector: SwiftF0, audio: Audio, sample_rate: int) -> PitchTrack:
    """The swift-f0 pitch track of ``audio`` (any channels and rate), in the singing range."""
    mono = to_mono_16k(audio, sample_rate)
    if mono.size < 256:
        empty = np.zeros(0, dtype=np.float64)
        return PitchTrack(empty, empty, empty)
    result = detector.detect(mono, TRACK_SR, fmin=VOICE_FMIN_HZ, fmax=VOICE_FMAX_HZ)
    hz = np.asarray(result.pitch_hz, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        midi = np.where(hz > 0, 69.0 + 12.0 * np.log2(hz / 440.0), np.nan)
    return PitchTrack(midi, np.asarray(result.confidence, dtype=np.float64),
                      np.asarray(result.loudness_db, dtype=np.float64))


def span_mask(spans: Spans, n_frames: int) -> BoolArray:
    """True for the frames whose time lies inside one of ``spans`` (seconds)."""
    times = np.arange(n_frames, dtype=np.float64) * FRAME_S
    mask = np.zeros(n_frames, dtype=bool)
    for start, end in spans:
        mask |= (times >= start) & (times < end)
    return mask


def runs(mask: BoolArray) -> list[tuple[int, int]]:
    """(start, stop) frame indices of each run of True in ``mask``."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))


def pitch_changes(midi: FloatArray, *, settle_frames: int = 8, tolerance: float = 0.5) -> list[int]:
    """Frame offsets inside one voiced run where the pitch settles on a new semitone.

    A change is accepted when ``settle_frames`` frames in a row (8 = 128 ms) stay within ``tolerance`` semitones
    of one another and their median is more than ``tolerance`` away from the current note's median; the
    cut is placed at the first frame of the new pitch, so a glide into a note belongs to the old one."""
    cuts: list[int] = []
    anchor = 0
    i = 1
    while i + settle_frames <= len(midi):
        window = midi[i:i + settle_frames]
        current = float(np.median(midi[anchor:i]))
        level = float(np.median(window))
        if np.ptp(window) <= 2 * tolerance and abs(level - current) > tolerance:
            start = i
            while start > anchor + 1 and abs(midi[start - 1] - level) <= tolerance:
                start -= 1
            cuts.append(start)
            anchor = start
            i = start + settle_frames
            continue
        i += 1
    return cuts


def level_onsets(level_db: FloatArray, *, rise_db: float = 6.0, rise_frames: int = 3,
                 fall_frames: int = 8) -> list[int]:
    """Frame offsets where a new syllable starts on a held pitch: the level climbs ``rise_db`` within
    ``rise_frames`` frames out of a dip that itself lies ``rise_db / 2`` below the level of the
    ``fall_frames`` frames before it (the consonant or breath between two vowels; a slow swell is no onset).
    The cut is placed at the vowel's start (:func:`_vowel_onset`)."""
    cuts: list[int] = []
    for i in range(fall_frames + rise_frames, len(level_db)):
        low = i - rise_frames + int(np.argmin(level_db[i - rise_frames:i]))
        dip = float(level_db[low])
        before = float(level_db[low - fall_frames:low].max())
        if level_db[i] - dip >= rise_db and before - dip >= rise_db / 2:
            cut = _vowel_onset(level_db, low, reach=2 * rise_frames)
            if not cuts or cut - cuts[-1] > rise_frames:
                cuts.append(cut)
    return cuts


def _vowel_onset(level_db: FloatArray, low: int, *, reach: int) -> int:
    """The frame a syllable's vowel starts after the dip at ``low``: halfway between the dip and the frame
    the level has recovered two thirds of its rise (within ``reach`` frames); singers start the consonant
    before the beat, so the dip itself comes early."""
    after = level_db[low:low + reach + 1]
    target = level_db[low] + (2.0 / 3.0) * (float(after.max()) - level_db[low])
    recovered = low + int(np.argmax(after >= target))
    return (low + 1 + recovered + 1) // 2


def pitch_jumps(midi: FloatArray, *, semitones: float = 1.0) -> list[int]:
    """Frame offsets where the pitch leaps at least ``semitones`` from one frame to the next: a new
    syllable's attack (a slide between notes moves less per 16 ms frame)."""
    steps = np.abs(np.diff(midi))
    return (np.flatnonzero(steps >= semitones) + 1).tolist()


def drop_glides(bounds: list[int], onsets: set[int], *, min_frames: int) -> list[int]:
    """``bounds`` (sorted frame offsets, first and last included) with no piece shorter than ``min_frames``
    left between pitch cuts: a glide after an onset (a Mandarin tone, a scoop) joins the note it leads into;
    a short tail before an onset joins the note before; a portamento between two pitch cuts is split at
    its middle. Onset cuts (``onsets``) and the ends always stay."""
    kept = list(bounds)
    fixed = {kept[0], kept[-1], *onsets}
    i = 0
    while i < len(kept) - 1:
        left, right = kept[i], kept[i + 1]
        if right - left >= min_frames or (left in fixed and right in fixed):
            i += 1
        elif left in fixed:
            del kept[i + 1]
        elif right in fixed:
            del kept[i]
            i = max(i - 1, 0)
        else:
            kept[i:i + 2] = [(left + right) // 2]
            i = max(i - 1, 0)
    return kept


def segment(track: PitchTrack, voiced: BoolArray, *, min_note_s: float = 0.06,
            min_pitch_piece_s: float = 0.16) -> tuple[NoteEvent, ...]:
    """Notes of ``track`` over its ``voiced`` frames: one per voiced run, cut at pitch changes and level
    onsets (a pitch piece shorter than ``min_pitch_piece_s`` is a glide and joins a neighbour); notes shorter
    than ``min_note_s`` are dropped; ``pitch`` is the median MIDI of the note's frames."""
    min_frames = max(1, int(round(min_note_s / FRAME_S)))
    glide_frames = max(1, int(round(min_pitch_piece_s / FRAME_S)))
    notes: list[NoteEvent] = []
    for start, stop in runs(voiced):
        midi = track.midi[start:stop]
        found = level_onsets(track.level_db[start:stop]) + pitch_jumps(midi, semitones=JUMP_SEMITONES)
        onsets = {c for c in found if 0 < c < len(midi)}
        cuts = onsets | {c for c in pitch_changes(midi) if 0 < c < len(midi)}
        bounds = drop_glides([0, *sorted(cuts), len(midi)], onsets, min_frames=glide_frames)
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            if b - a >= min_frames:
                pitch = float(np.median(midi[a:b]))
                notes.append(NoteEvent(round((start + a) * FRAME_S, 4), round((start + b) * FRAME_S, 4), pitch))
    return tuple(notes)


def voiced_frames(track: PitchTrack, spans: Spans, *, threshold: float = 0.5, floor_db: float = GATE_DB,
                  window_s: float = 1.0) -> BoolArray:
    """Frames with a pitch, confidence ≥ ``threshold``, inside ``spans`` and no more than ``floor_db`` below
    the loudest frame within ``window_s`` around them (a reverb tail under the next consonant is still
    pitched, but quiet); single-frame holes filled."""
    from scipy.ndimage import maximum_filter1d

    loudest: FloatArray = maximum_filter1d(track.level_db, size=max(1, int(window_s / FRAME_S)), mode="nearest")
    voiced = ((track.confidence >= threshold) & np.isfinite(track.midi) & span_mask(spans, len(track.midi))
              & (track.level_db >= loudest - floor_db))
    hole = ~voiced[1:-1] & voiced[:-2] & voiced[2:]
    voiced[1:-1] |= hole & np.isfinite(track.midi[1:-1])
    return voiced


class SwiftF0MelodyTranscriber:
    """:class:`~tunesmith.analysis.base.MelodyTranscriber` over a swift-f0 pitch track (see the module
    docstring). ``threads``: ONNX Runtime threads; ``min_note_s``: shortest note kept (seconds)."""

    name = "swiftf0"

    def __init__(self, *, threads: int = 2, min_note_s: float = 0.06) -> None:
        self.threads = threads
        self.min_note_s = min_note_s
        self._detector: Any = None

    def load(self) -> None:
        from swift_f0 import SwiftF0

        if self._detector is None:
            self._detector = SwiftF0(threads=self.threads, spin=False)

    def track(self, audio: Audio, sample_rate: int) -> PitchTrack:
        """The pitch track of ``audio`` (loads the model on first use)."""
        self.load()
        return pitch_track(self._detector, audio, sample_rate)

    def transcribe(self, vocals: Audio, sample_rate: int, vocal_spans: Spans) -> tuple[NoteEvent, ...]:
        """The sung notes of the vocal stem ``vocals`` inside ``vocal_spans`` (seconds)."""
        if not vocal_spans:
            return ()
        track = self.track(vocals, sample_rate)
        return segment(track, voiced_frames(track, vocal_spans), min_note_s=self.min_note_s)
