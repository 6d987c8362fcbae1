"""Key and chords of the accompaniment: key profiles over bass-weighted chroma, and beat-synchronous triad
templates smoothed by a Viterbi pass.

    accompaniment ─▶ CQT bass and treble chroma ─┬─▶ mean ─▶ 24 rotated key profiles ─▶ KeyEstimate
                                                 └─▶ per beat ─▶ 24 triads + N ─▶ Viterbi ─▶ ChordSpans
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from tunesmith.analysis import features
from tunesmith.analysis.types import ChordSpan, KeyEstimate, TempoMap
from tunesmith.dsp.types import Audio

FloatArray = npt.NDArray[np.float64]

MAJOR_PROFILE = np.array([0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008, 0.081])
MINOR_PROFILE = np.array([0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052])
"""Albrecht & Shanahan (2013) pitch-class distributions of major and minor pieces, tonic first. On 28 songs of
the built-in engine (accompaniment stems) they scored MIREX 0.975 against 0.886 for Krumhansl–Kessler and
0.832 for Temperley's profiles."""
BASS_WEIGHT = 1.0
"""How much the bass chroma (below E3) counts in the key vector next to the treble chroma (unit norms); the
bass dwells on the tonic (measured: 0.5 → 0.871, 1.0 → 0.975, 2.0 → 0.871)."""

KEY_TOP_MIDI = 108
"""The key looks at pitches up to C8: melodies and overtones both speak for the scale."""
CHORD_TOP_MIDI = 76
"""Chords fade out pitches around E5 (half weight there): above it lead lines and overtones blur the triad."""

QUALITIES = ("maj", "min")
THIRDS = {"maj": 4, "min": 3}
CHORD_BASS_WEIGHT = 0.2
"""How much the bass note on the chord's root adds to a triad's template score."""
SELF_TRANSITION = 0.5
"""Probability that the chord of one beat continues on the next (Viterbi smoothing)."""
SHARPNESS = 50.0
"""Scores → probabilities: ``softmax(SHARPNESS · score)``."""
SILENCE_RATIO = 0.08
"""A beat quieter than this share of the median loud beat (chroma energy) is "N"."""


class ProfileKeyFinder:
    """The ``key`` capability: corpus key profiles over bass-weighted CQT chroma."""

    name = "profile"

    def load(self) -> None:
        """Nothing to load."""

    def find_key(self, audio: Audio, sample_rate: int) -> KeyEstimate:
        """The key of ``audio`` (float32 ``(channels, samples)``, best without the vocal)."""
        treble, bass = features.chroma_pair(features.mono(audio, sample_rate), treble_top_midi=KEY_TOP_MIDI)
        return key_from_chroma(treble, bass)


class TemplateChordRecogniser:
    """The ``chords`` capability: beat-synchronous triad templates (major/minor + N) and Viterbi smoothing."""

    name = "template"

    def load(self) -> None:
        """Nothing to load."""

    def recognise(self, audio: Audio, sample_rate: int, tempo: TempoMap) -> tuple[ChordSpan, ...]:
        """Chords of ``audio`` on the beats of ``tempo``, from 0 s to the end of the audio without gaps."""
        duration = audio.shape[-1] / sample_rate
        treble, bass = features.chroma_pair(features.mono(audio, sample_rate), treble_top_midi=CHORD_TOP_MIDI)
        bounds = segment_bounds(tempo.beats, duration)
        frames = features.to_frames(bounds)
        labels = decode(features.sync(treble, frames), features.sync(bass, frames))
        return merge(bounds, labels)


def key_vector(treble: features.Matrix, bass: features.Matrix) -> FloatArray:
    """The 12-bin pitch-class profile of a piece: unit-norm mean treble chroma plus weighted mean bass chroma."""
    t = treble.mean(axis=1).astype(np.float64) if treble.size else np.zeros(12)
    b = bass.mean(axis=1).astype(np.float64) if bass.size else np.zeros(12)
    return _unit(t) + BASS_WEIGHT * _unit(b)


def _unit(x: FloatArray) -> FloatArray:
    norm = float(np.linalg.norm(x))
    out: FloatArray = x / norm if norm > 1e-9 else x
    return out


def key_scores(vector: FloatArray) -> FloatArray:
    """(2, 12) Pearson correlations of ``vector`` with the major (row 0) and minor (row 1) profiles rotated to
    every tonic."""
    scores = np.zeros((2, 12))
    for row, profile in enumerate((MAJOR_PROFILE, MINOR_PROFILE)):
        for tonic in range(12):
            scores[row, tonic] = np.corrcoef(vector, np.roll(profile, tonic))[0, 1]
    return scores


def key_from_chroma(treble: features.Matrix, bass: features.Matrix) -> KeyEstimate:
    """The best-scoring key; confidence grows with its margin over the runner-up (0 for silence)."""
    vector = key_vector(treble, bass)
    if float(vector.sum()) <= 1e-6 or float(vector.std()) <= 1e-9:
        return KeyEstimate(tonic=0, mode="major", confidence=0.0)
    scores = np.nan_to_num(key_scores(vector), nan=-1.0)
    order = np.argsort(scores, axis=None)[::-1]
    mode_row, tonic = divmod(int(order[0]), 12)
    margin = float(scores.flat[order[0]] - scores.flat[order[1]])
    confidence = float(np.clip(0.5 * (scores.flat[order[0]] + 1.0) * min(1.0, 5.0 * margin + 0.3), 0.0, 1.0))
    return KeyEstimate(tonic=tonic, mode=QUALITIES[mode_row].replace("maj", "major").replace("min", "minor"),
                       confidence=round(confidence, 3))


def segment_bounds(beats: tuple[float, ...], duration: float) -> FloatArray:
    """Segment edges (seconds) from 0 through every beat inside the audio to ``duration``."""
    inside = [b for b in beats if 0.0 < b < duration - 1e-3]
    return np.array([0.0, *inside, duration], dtype=np.float64)


def templates() -> FloatArray:
    """(24, 12) unit-norm triad templates: rows 0–11 major on C…B, 12–23 minor on C…B."""
    out = np.zeros((24, 12))
    for row, (quality, root) in enumerate((q, r) for q in QUALITIES for r in range(12)):
        out[row, [root, (root + THIRDS[quality]) % 12, (root + 7) % 12]] = (1.0, 0.8, 0.9)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def chord_scores(treble: features.Matrix, bass: features.Matrix) -> FloatArray:
    """(25, segments) scores: 24 triads (cosine with the treble chroma plus a bonus for the root in the bass)
    then N (high where the segment is near-silent)."""
    energy = treble.sum(axis=0) + bass.sum(axis=0)
    loud = energy[energy > 0]
    reference = float(np.median(loud)) if loud.size else 0.0
    silent = energy <= SILENCE_RATIO * reference if reference > 0 else np.ones(energy.shape, dtype=bool)
    t = features.normalise_columns(treble).astype(np.float64)
    b = features.normalise_columns(bass).astype(np.float64)
    roots = np.tile(np.arange(12), 2)
    triads = templates() @ t + CHORD_BASS_WEIGHT * b[roots]
    no_chord = np.where(silent, 2.0, 0.3)
    triads[:, silent] = 0.0
    return np.vstack([triads, no_chord[None, :]])


def decode(treble: features.Matrix, bass: features.Matrix) -> list[tuple[int, str]]:
    """(root, quality) per segment after Viterbi smoothing; (-1, "N") for no chord."""
    import librosa

    if treble.shape[1] == 0:
        return []
    scores = chord_scores(treble, bass)
    logits = SHARPNESS * (scores - scores.max(axis=0, keepdims=True))
    probabilities = np.exp(logits)
    probabilities /= probabilities.sum(axis=0, keepdims=True)
    transition = librosa.sequence.transition_loop(25, SELF_TRANSITION)
    states = librosa.sequence.viterbi(probabilities, transition)
    return [(-1, "N") if s == 24 else (int(s) % 12, QUALITIES[int(s) // 12]) for s in states]


def merge(bounds: FloatArray, labels: list[tuple[int, str]]) -> tuple[ChordSpan, ...]:
    """Consecutive segments with the same chord joined into one span."""
    spans: list[ChordSpan] = []
    for start, end, (root, quality) in zip(bounds[:-1], bounds[1:], labels, strict=True):
        if spans and (spans[-1].root, spans[-1].quality) == (root, quality):
            spans[-1] = ChordSpan(spans[-1].start_s, float(end), root, quality)
        else:
            spans.append(ChordSpan(float(start), float(end), root, quality))
    return tuple(spans)
