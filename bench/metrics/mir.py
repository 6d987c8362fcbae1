"""Music-understanding metrics over mir_eval, and the exact truth a rendered score gives for each of them.

Truth (from :class:`~tunesmith.music.score.Score`, single tempo, integer ticks): beat times (the meter's
counted beat: a quarter note in x/4, a dotted quarter in compound x/8), downbeats (bar starts), the key, one
chord label per beat (Harte syntax, so ``mir_eval.chord.majmin`` can leave out chords outside its vocabulary),
section boundaries and the lead vocal's notes in seconds. Every time can be shifted by ``offset_s`` (the
render's lead-in against the score, measured by :func:`measured_offset_s`).

Metrics follow MIREX: beat and downbeat F-measure with a ±70 ms window after dropping the first 5 s
(``mir_eval.beat.trim_beats``), tempo within 4 % (strict, and with octave errors ×2, ×½, ×3, ×⅓ allowed),
the MIREX weighted key score, majmin chord accuracy sampled once per reference beat (at the middle of the
beat), note F1 with onsets within ±50 ms and pitch within ±50 cents, offsets ignored.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tunesmith.music.score import Score
from tunesmith.music.theory import MODE_FAMILY

Floats = npt.NDArray[np.float64]
PITCH_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
HARTE = {
    "maj": "maj", "min": "min", "dim": "dim", "aug": "aug", "sus2": "sus2", "sus4": "sus4", "maj7": "maj7",
    "min7": "min7", "7": "7", "m7b5": "hdim7", "dim7": "dim7", "add9": "maj(9)", "min9": "min9",
}  # fmt: skip
"""The composer's chord qualities (:data:`tunesmith.music.theory.CHORD_QUALITIES`) in Harte syntax."""
TEMPO_TOLERANCE = 0.04
OCTAVE_FACTORS = (1.0, 2.0, 0.5, 3.0, 1.0 / 3.0)
BOUNDARY_WINDOW_S = 3.0


@dataclass(frozen=True, slots=True)
class Truth:
    """What a rendered song is known to contain, in seconds from the start of its audio."""

    bpm: float  # counted beats per minute (the meter's beat, not always the quarter note)
    meter: tuple[int, int]
    beats: Floats
    downbeats: Floats
    key: str  # "D major" / "B minor" (mir_eval.key syntax)
    chord_per_beat: tuple[str, ...]  # one Harte label per beat of ``beats``
    boundaries: Floats  # section starts and the last section's end
    melody: tuple[tuple[float, float, float], ...]  # lead vocal notes: (onset s, offset s, MIDI pitch)
    offset_s: float = 0.0  # the render's lead-in, already added to every time above


def beat_ticks(score: Score) -> int:
    """Ticks per counted beat: the quarter note in x/4 (and x/2), the dotted quarter in 6/8, 9/8, 12/8."""
    beats, unit = score.meter
    if unit == 8 and beats % 3 == 0 and beats > 3:
        return score.ticks_per_bar // (beats // 3)
    return score.ticks_per_bar // beats


def key_label(score: Score) -> str:
    """The score's key as mir_eval reads it: its tonic and the major/minor family of its mode."""
    family = MODE_FAMILY.get(score.key.mode, "major")
    return f"{PITCH_NAMES[score.key.tonic]} {family}"


def chord_label(root: int, quality: str) -> str:
    """A Harte chord label ("D:min7"); ``root`` < 0 or quality "N" is no chord."""
    if root < 0 or quality == "N":
        return "N"
    return f"{PITCH_NAMES[root % 12]}:{HARTE.get(quality, quality)}"


def score_truth(score: Score, *, offset_s: float = 0.0) -> Truth:
    """Every quantity the analysis estimates, read from ``score`` (see the module docstring)."""
    step = beat_ticks(score)
    end = max(score.total_ticks, max((s.end for s in score.sections), default=0))
    ticks = np.arange(0, end, step)
    seconds = np.array([score.seconds(int(t)) for t in ticks]) + offset_s
    bar = score.ticks_per_bar
    downbeats = np.array([score.seconds(int(t)) for t in ticks if t % bar == 0]) + offset_s
    bounds = sorted({s.start for s in score.sections} | {s.end for s in score.sections})
    return Truth(
        bpm=60.0 / score.seconds(step),
        meter=score.meter,
        beats=seconds,
        downbeats=downbeats,
        key=key_label(score),
        chord_per_beat=tuple(_chord_at(score, int(t) + step // 2) for t in ticks),
        boundaries=np.array([score.seconds(b) for b in bounds]) + offset_s,
        melody=tuple((a + offset_s, b + offset_s, p) for a, b, p in lead_melody(score)),
        offset_s=offset_s,
    )


def _chord_at(score: Score, tick: int) -> str:
    for c in score.chords:
        if c.start <= tick < c.start + c.duration:
            return chord_label(c.root, c.quality)
    return "N"


def lead_melody(score: Score) -> list[tuple[float, float, float]]:
    """The lead vocal's notes (backing lines left out) as (onset s, offset s, MIDI pitch), in time order."""
    vocal = score.vocal
    if vocal is None:
        return []
    notes = [n for s in vocal.syllables if not vocal.lines[s.line].backing for n in s.notes]
    return sorted((score.seconds(n.start), score.seconds(n.end), float(n.pitch)) for n in notes)


def measured_offset_s(first_note_s: float, stem: npt.NDArray[np.floating], sample_rate: int) -> float:
    """Seconds by which a rendered stem's first sound lags the score's first note of that stem: the
    render's lead-in (0 when the score's time 0 is the audio's first sample). ``stem``: (channels, n)."""
    level = np.max(np.abs(stem), axis=0)
    if level.size == 0 or float(level.max()) <= 0.0:
        return 0.0
    first = int(np.argmax(level > 0.01 * float(level.max())))
    return first / sample_rate - first_note_s


# --- metrics -------------------------------------------------------------------------------------------------


def tempo_ok(estimated_bpm: float, true_bpm: float, *, octave: bool = False) -> bool:
    """Within :data:`TEMPO_TOLERANCE` of the truth (``octave``: of the truth ×2, ×½, ×3 or ×⅓ too)."""
    factors = OCTAVE_FACTORS if octave else (1.0,)
    return any(abs(estimated_bpm - true_bpm * f) <= TEMPO_TOLERANCE * true_bpm * f for f in factors)


def beat_f(reference: Sequence[float] | Floats, estimated: Sequence[float] | Floats) -> float:
    """MIREX beat F-measure (±70 ms) after dropping beats in the first 5 s; 0 when either side is empty."""
    import mir_eval

    ref = mir_eval.beat.trim_beats(np.asarray(reference, dtype=np.float64))
    est = mir_eval.beat.trim_beats(np.asarray(estimated, dtype=np.float64))
    if ref.size == 0 or est.size == 0:
        return 0.0
    return float(mir_eval.beat.f_measure(ref, est))


def key_score(reference: str, estimated: str) -> float:
    """MIREX weighted key score: 1 same, 0.5 fifth, 0.3 relative, 0.2 parallel, 0 otherwise."""
    import mir_eval

    return float(mir_eval.key.weighted_score(reference, estimated))


def labels_at(times: Floats, spans: Sequence[tuple[float, float, str]]) -> list[str]:
    """The label of the span (start s, end s, label) sounding at each time; "N" where none does."""
    starts = np.array([s[0] for s in spans], dtype=np.float64)
    out = []
    for t in times:
        i = int(np.searchsorted(starts, t, side="right")) - 1
        out.append(spans[i][2] if i >= 0 and spans[i][0] <= t < spans[i][1] else "N")
    return out


def chord_accuracy(reference: Sequence[str], estimated: Sequence[str]) -> float | None:
    """majmin accuracy over paired per-beat labels: the share of beats whose majmin reduction agrees,
    beats with a reference chord outside the maj/min vocabulary left out (None if none is left)."""
    import mir_eval

    if not reference:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mir_eval warns about labels it reduces; the reduction is intended
        scores = np.asarray(mir_eval.chord.majmin(list(reference), list(estimated)), dtype=np.float64)
    kept = scores[scores >= 0]
    return float(kept.mean()) if kept.size else None


def note_f1(
    reference: Sequence[tuple[float, float, float]], estimated: Sequence[tuple[float, float, float]]
) -> tuple[float, float, float]:
    """(precision, recall, F1) of notes (onset s, offset s, MIDI pitch): onset ±50 ms, pitch ±50 cents,
    offsets ignored. An empty side scores 0."""
    import mir_eval

    if not reference or not estimated:
        return 0.0, 0.0, 0.0
    ref_iv, ref_hz = _notes(reference)
    est_iv, est_hz = _notes(estimated)
    p, r, f, _ = mir_eval.transcription.precision_recall_f1_overlap(
        ref_iv, ref_hz, est_iv, est_hz, onset_tolerance=0.05, pitch_tolerance=50.0, offset_ratio=None
    )
    return float(p), float(r), float(f)


def notes_outside(
    notes: Sequence[tuple[float, float, float]], spans: Sequence[tuple[float, float]]
) -> list[tuple[float, float, float]]:
    """The notes whose onset lies in none of ``spans`` (seconds)."""
    return [n for n in notes if not any(a <= n[0] < b for a, b in spans)]


def _notes(notes: Sequence[tuple[float, float, float]]) -> tuple[Floats, Floats]:
    intervals = np.array([(a, max(b, a + 1e-3)) for a, b, _ in notes], dtype=np.float64)
    hz = 440.0 * 2.0 ** ((np.array([p for _, _, p in notes], dtype=np.float64) - 69.0) / 12.0)
    return intervals, hz


def boundary_f(reference: Floats, estimated: Sequence[float] | Floats, *, window_s: float = BOUNDARY_WINDOW_S) -> float:
    """F-measure of section boundaries within ±``window_s`` (the song's start and end excluded)."""
    import mir_eval

    ref = np.asarray(reference, dtype=np.float64)
    est = np.unique(np.asarray(estimated, dtype=np.float64))
    if ref.size < 2 or est.size < 2:
        return 0.0
    _, _, f = mir_eval.segment.detection(_intervals(ref), _intervals(est), window=window_s, trim=True)
    return float(f)


def _intervals(bounds: Floats) -> Floats:
    b = np.sort(bounds)
    return np.stack([b[:-1], b[1:]], axis=1)


def sdr_db(reference: npt.NDArray[np.floating], estimate: npt.NDArray[np.floating]) -> float:
    """Plain signal-to-distortion ratio, 10·log10(|s|² / |s − ŝ|²) over every sample (same shapes)."""
    s = np.asarray(reference, dtype=np.float64)
    e = np.asarray(estimate, dtype=np.float64)
    noise = float(np.sum((s - e) ** 2))
    signal = float(np.sum(s**2))
    if signal <= 0.0:
        return float("nan")
    return 10.0 * float(np.log10(signal / max(noise, 1e-20)))


def framewise_sdr_db(
    reference: npt.NDArray[np.floating], estimate: npt.NDArray[np.floating], sample_rate: int, *, frame_s: float = 1.0
) -> float:
    """Median SDR over ``frame_s`` windows where the reference sounds (the SiSEC/museval convention of
    one-second frames, with the plain SDR per frame instead of BSS-eval's filtered one); NaN if none does."""
    hop = int(frame_s * sample_rate)
    s = np.asarray(reference, dtype=np.float64)
    e = np.asarray(estimate, dtype=np.float64)
    values = []
    for start in range(0, s.shape[-1] - hop + 1, hop):
        ref = s[..., start : start + hop]
        if float(np.sum(ref**2)) > 1e-8 * hop:
            values.append(sdr_db(ref, e[..., start : start + hop]))
    return float(np.median(values)) if values else float("nan")


def active_frames(audio: npt.NDArray[np.floating], sample_rate: int, *, frame_s: float = 0.1,
                  floor_db: float = -40.0) -> npt.NDArray[np.bool_]:
    """Frames (``frame_s`` long) whose RMS is within ``floor_db`` of the loudest frame of ``audio``."""
    mono = np.asarray(audio, dtype=np.float64).reshape(-1, np.asarray(audio).shape[-1]).mean(axis=0)
    hop = max(int(frame_s * sample_rate), 1)
    count = mono.size // hop
    rms = np.sqrt(np.mean(mono[: count * hop].reshape(count, hop) ** 2, axis=1)) if count else np.zeros(0)
    if rms.size == 0 or float(rms.max()) <= 0.0:
        return np.zeros(rms.size, dtype=bool)
    return np.asarray(20.0 * np.log10(np.maximum(rms, 1e-12) / float(rms.max())) > floor_db)


def span_frames(spans: Sequence[tuple[float, float]], count: int, *, frame_s: float = 0.1) -> npt.NDArray[np.bool_]:
    """``count`` frames of ``frame_s``: True where a frame's centre lies inside one of ``spans`` (seconds)."""
    centres = (np.arange(count) + 0.5) * frame_s
    out = np.zeros(count, dtype=bool)
    for a, b in spans:
        out |= (centres >= a) & (centres < b)
    return out


def precision_recall(truth: npt.NDArray[np.bool_], found: npt.NDArray[np.bool_]) -> tuple[float | None, float | None]:
    """Frame precision and recall of ``found`` against ``truth`` (None where undefined: nothing found,
    nothing true)."""
    hit = float(np.sum(truth & found))
    p = hit / float(found.sum()) if found.any() else None
    r = hit / float(truth.sum()) if truth.any() else None
    return p, r


@dataclass(frozen=True, slots=True)
class WordTimingError:
    """How far aligned word starts are from the truth: over reference words whose text the alignment
    reproduced (matched in order), the median and 90th percentile of |start error| in ms, the share within
    100 ms, and the share of reference words matched at all."""

    median_abs_ms: float | None
    p90_abs_ms: float | None
    within_100ms: float | None
    matched_share: float


def word_start_error(
    reference: Sequence[tuple[str, float]], estimated: Sequence[tuple[str, float]], language: str
) -> WordTimingError:
    """Compare word starts (text, start s). English words are matched as lower-cased words; Chinese as
    characters, a word's start belonging to its first character (either side may group characters into
    words differently)."""
    import difflib

    ref, est = _tokens(reference, language), _tokens(estimated, language)
    matcher = difflib.SequenceMatcher(None, [t for t, _ in ref], [t for t, _ in est], autojunk=False)
    errors, matched = [], 0
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            r, e = ref[block.a + k][1], est[block.b + k][1]
            if r is not None:
                matched += 1
                if e is not None:
                    errors.append(abs(e - r) * 1000.0)
    starts = sum(1 for _, s in ref if s is not None)
    if not errors:
        return WordTimingError(None, None, None, matched / starts if starts else 0.0)
    arr = np.array(errors)
    return WordTimingError(
        float(np.median(arr)), float(np.percentile(arr, 90)), float(np.mean(arr <= 100.0)),
        matched / starts if starts else 0.0,
    )


def _tokens(words: Sequence[tuple[str, float]], language: str) -> list[tuple[str, float | None]]:
    import re

    out: list[tuple[str, float | None]] = []
    for text, start in words:
        if language == "zh":
            chars = re.findall(r"\w", text)
            out.extend((c.lower(), start if i == 0 else None) for i, c in enumerate(chars))
        else:
            token = re.sub(r"[^\w']", "", text.lower())
            if token:
                out.append((token, start))
    return out
