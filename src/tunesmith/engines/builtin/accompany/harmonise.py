"""Chords that harmonise a sung melody: a hidden-Markov choice of one chord per half bar, solved by Viterbi.

    melody ─▶ weighted pitch-class time per half bar ─▶ emission per chord of the key's vocabulary
                                                                  │
    bars ─▶ slots (two per bar) ─▶ Viterbi over chords ◀──────────┘ transitions: root motion, chord costs,
                                        │                             mid-bar changes, cadence and start
                                        ▼
                       per bar: one chord, or two when the melody clearly changes harmony mid-bar

**Vocabulary.** The key's diatonic triads plus the dominant seventh and a few borrowed chords, each with a
cost (:data:`VOCABULARIES`, data per style family and mode family: ``pop`` by default, ``rock`` with cheaper
borrowed chords, ``jazz`` in sevenths, ``blues`` in dominant sevenths).

**Emission.** A slot (half a bar) scores a chord by the melody time sounding in it, in beats, weighted by
metre: a note starting on the downbeat counts :data:`METRIC_WEIGHTS` ``downbeat``, on another beat less, on
an 8th or finer least; the part of a note held over from an earlier slot counts ``held``. Time on a chord
tone scores +1 per weighted beat, time a semitone above a chord tone (the clash a held note makes: F over C
major) :data:`CLASH`, any other note 0 — so a passing tone on a weak 8th costs a chord little, a long note
on the downbeat decides it.

**Transitions.** Across a bar line a change of chord earns a bonus by root motion (:data:`ROOT_MOTION`: a
fifth down is the strongest progression, a step up next) and pays the new chord's cost; holding a chord bar
after bar costs more the longer it lasts (:data:`REPEAT_COSTS`; the Viterbi state carries how many bar lines
the chord has been held across), so a chord stays only while the melody keeps asking for it. Inside a bar a
change costs :data:`MID_BAR_CHANGE` and happens only where the melody clearly asks for it. The song's first
bar and the first sung bar prefer the tonic (:data:`START_TONIC`); the last sung bar and the song's last bar
prefer to end on it (:data:`END_TONIC`), reached from a dominant or subdominant (:data:`CADENCE`). Bars
without melody (intro, gaps, outro) have no emission, so transitions alone fill them: a functional walk into
the next sung chord.

**Variants.** Variant 0 is the best path. Variant *k* is the best path with a cost :data:`DIVERSITY` on every
slot whose chord root an earlier variant used there, plus a little ``rng`` noise on the chord costs: it
keeps the chords the melody demands and takes substitutes (vi for I, ii for IV, …) where the melody allows
them. If that path still equals an earlier one the cost doubles until it does not.

:func:`chord_tone_share` is the measure the bench uses: the share of sung notes whose pitch class belongs to
the chord sounding at the note's midpoint.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from tunesmith.analysis.types import NoteEvent
from tunesmith.music.score import Key
from tunesmith.music.theory import CHORD_QUALITIES, MODE_FAMILY, chord_pitch_classes, roman_to_chord

FloatArray = npt.NDArray[np.float64]

VOCABULARIES: dict[str, dict[str, tuple[tuple[str, float], ...]]] = {
    "pop": {
        "major": (("I", 0.0), ("ii", 0.15), ("iii", 0.35), ("IV", 0.0), ("V", 0.0), ("vi", 0.1), ("V7", 0.15),
                  ("iv", 0.6), ("bVII", 0.5), ("bVI", 0.7), ("II7", 0.7), ("viio", 0.9)),
        "minor": (("i", 0.0), ("iio", 0.6), ("III", 0.1), ("iv", 0.0), ("v", 0.2), ("VI", 0.05), ("VII", 0.05),
                  ("V", 0.3), ("V7", 0.35), ("IV", 0.6), ("bII", 0.9)),
    },
    "rock": {
        "major": (("I", 0.0), ("ii", 0.3), ("iii", 0.4), ("IV", 0.0), ("V", 0.0), ("vi", 0.1), ("bVII", 0.1),
                  ("bVI", 0.3), ("bIII", 0.4), ("iv", 0.5), ("V7", 0.4)),
        "minor": (("i", 0.0), ("III", 0.1), ("iv", 0.0), ("v", 0.1), ("VI", 0.0), ("VII", 0.0), ("IV", 0.3),
                  ("V", 0.4), ("bII", 0.8)),
    },
    "jazz": {
        "major": (("Imaj7", 0.0), ("ii7", 0.0), ("iii7", 0.2), ("IVmaj7", 0.0), ("V7", 0.0), ("vi7", 0.05),
                  ("viiø7", 0.5), ("II7", 0.3), ("VI7", 0.4), ("III7", 0.5), ("bVII7", 0.5), ("iv7", 0.5)),
        "minor": (("i7", 0.0), ("iiø7", 0.0), ("IIImaj7", 0.1), ("iv7", 0.0), ("V7", 0.0), ("VImaj7", 0.05),
                  ("VII7", 0.2), ("v7", 0.3), ("bII7", 0.6)),
    },
    "blues": {
        "major": (("I7", 0.0), ("IV7", 0.0), ("V7", 0.0), ("ii7", 0.3), ("vi7", 0.4), ("bVII7", 0.3),
                  ("II7", 0.5), ("VI7", 0.5), ("I", 0.2), ("IV", 0.2)),
        "minor": (("i7", 0.0), ("iv7", 0.0), ("v7", 0.1), ("V7", 0.1), ("VI7", 0.2), ("VII7", 0.3), ("bII7", 0.6)),
    },
}
"""Per style family and mode family: the chords the harmoniser may use (Roman numerals, see
:func:`tunesmith.music.theory.roman_to_chord`) and the cost of each (weighted beats of chord tones)."""
DEFAULT_FAMILY = "pop"

METRIC_WEIGHTS = {"downbeat": 1.0, "half": 0.85, "beat": 0.7, "eighth": 0.45, "other": 0.35, "held": 0.6,
                  "passing": 0.1}
"""Weight of a beat of melody by where its note starts (``half``: the middle beat of an even bar; ``held``:
the part of a note sounding on from an earlier slot; ``passing``: a short note off the beat moving by step)."""
ORNAMENT_BEATS = 0.55
"""A note off the beat this short (beats), a step from a note this close to it, is a passing or neighbour
tone: it may be a non-chord tone."""
ON_POSITION_BEATS = 0.12
"""An onset this close to a beat or an 8th (beats) counts as on it."""
CLASH = -0.5
"""Score per weighted beat of a melody note a semitone above a chord tone."""
ROOT_MOTION = {0: -0.1, 1: -0.15, 2: 0.1, 3: 0.05, 4: 0.05, 5: 0.15, 6: -0.15, 7: 0.05, 8: 0.05, 9: 0.05, 10: 0.05,
               11: -0.15}  # fmt: skip
"""Bonus by root motion in semitones up (mod 12) at a bar line between different chords: a fifth down (5 up)
is the strongest progression, a step up next; tritones and semitones weakest; 0 is a change of quality only."""
REPEAT_COSTS = (0.0, 0.05, 0.2, 0.4)
"""Cost of holding a chord across its 1st, 2nd, 3rd and every later bar line in a row."""
MID_BAR_CHANGE = 0.4
"""Cost of a chord change in the middle of a bar (weighted beats of chord tones it must win)."""
START_TONIC = 0.5
"""Bonus of the tonic on the song's first bar and on the first sung bar."""
END_TONIC = 0.6
"""Bonus of the tonic at the end of the last sung bar and of the song's last bar."""
CADENCE = 0.4
"""Bonus of a dominant or subdominant resolving to that final tonic."""
DIVERSITY = 0.2
"""Variant *k*: cost per slot (half bar) of a chord root an earlier variant chose there (doubled until the path
differs; at 0.6 the second variant traded away a tenth of the chord tones of clear arpeggios)."""
VARIANT_NOISE = 0.1
"""Variant *k* ≥ 1: chord costs move by up to this much at random (``rng``)."""
MAX_DIVERSITY_DOUBLINGS = 8


@dataclass(frozen=True, slots=True)
class TimedChord:
    """A chord from ``start_s`` to ``end_s`` (seconds): ``root`` pitch class 0–11, ``quality`` a key of
    :data:`tunesmith.music.theory.CHORD_QUALITIES`."""

    start_s: float
    end_s: float
    root: int
    quality: str


class ChordLike(Protocol):
    """Anything with a chord's time span, root and quality (:class:`TimedChord`, the analysis's ChordSpan)."""

    @property
    def start_s(self) -> float: ...
    @property
    def end_s(self) -> float: ...
    @property
    def root(self) -> int: ...
    @property
    def quality(self) -> str: ...


@dataclass(frozen=True, slots=True)
class _Chord:
    root: int
    quality: str
    cost: float
    tones: frozenset[int]


@dataclass(frozen=True, slots=True)
class _Slots:
    """Half bars: their time spans, their bar, each chord's local score in them (emission + the tonic's start
    and end bonuses), and the first slots of the bars a cadence resolves into."""

    spans: tuple[tuple[float, float], ...]
    bar: tuple[int, ...]
    local: FloatArray  # (slots, chords)
    resolutions: frozenset[int]
    tonic: npt.NDArray[np.bool_]  # per chord


def harmonise(melody: Sequence[NoteEvent], key: Key, bars: Sequence[tuple[float, float]], *,
              variant: int = 0, style_family: str | None = None, rng: random.Random | None = None,
              beats_per_bar: int = 4) -> list[list[TimedChord]]:
    """Chords for ``bars`` (``(start_s, end_s)`` each, in order) that harmonise ``melody`` in ``key``: per bar
    one chord spanning it, or two splitting it at its middle. ``variant`` > 0 gives a different, still fitting
    harmonisation (variant 0 is the best); ``style_family`` picks the vocabulary (:data:`VOCABULARIES`,
    unknown or ``None`` → ``pop``); ``rng`` varies the alternatives of variants ≥ 1 (default: seeded by the
    variant, so a variant is reproducible); ``beats_per_bar`` places the beats for the metric weights."""
    if not bars:
        return []
    chords = _vocabulary(key, style_family)
    slots = _slots(melody, bars, chords, key, beats_per_bar)
    paths: list[list[int]] = [_viterbi(slots, chords)]
    generator = rng or random.Random(variant)
    for _ in range(variant):
        paths.append(_alternative(slots, chords, paths, generator))
    return _per_bar(paths[-1], slots, chords, len(bars))


def chord_tone_share(melody: Sequence[NoteEvent], chords: Iterable[ChordLike]) -> float:
    """Share (0–1) of sung notes on a chord tone: a note's pitch class (rounded MIDI pitch mod 12) belongs to
    the chord sounding at the note's midpoint. Notes with no chord there (or an ``N`` / unknown chord) are not
    judged; 1.0 when none is. The bench's ``add_metrics.chord_tone_counts`` counts the same way."""
    spans = sorted((c for c in chords if c.root >= 0 and c.quality in CHORD_QUALITIES), key=lambda c: c.start_s)
    starts = np.array([c.start_s for c in spans])
    judged = on = 0
    for note in melody:
        middle = (note.onset_s + note.offset_s) / 2.0
        i = int(np.searchsorted(starts, middle, side="right")) - 1
        if i < 0 or middle >= spans[i].end_s:
            continue
        judged += 1
        on += round(note.pitch) % 12 in chord_pitch_classes(spans[i].root, spans[i].quality)
    return on / judged if judged else 1.0


def _vocabulary(key: Key, style_family: str | None) -> list[_Chord]:
    table = VOCABULARIES.get(style_family or DEFAULT_FAMILY, VOCABULARIES[DEFAULT_FAMILY])
    out = []
    for numeral, cost in table[MODE_FAMILY[key.mode]]:
        root, quality = roman_to_chord(numeral, key)
        out.append(_Chord(root, quality, cost, frozenset(chord_pitch_classes(root, quality))))
    return out


# --- emission -----------------------------------------------------------------------------------------------

def _slots(melody: Sequence[NoteEvent], bars: Sequence[tuple[float, float]], chords: Sequence[_Chord], key: Key,
           beats_per_bar: int) -> _Slots:
    """Two slots per bar (its halves in time) and each chord's local score in each.

    The tonic's bonuses: :data:`START_TONIC` spread over the song's first bar and the first sung bar,
    :data:`END_TONIC` on the second half of the last sung bar and of the song's last bar (the resolutions: a
    bar that ends on the tonic; a bonus on the downbeat alone would split bars whose melody outlines another
    chord).
    """
    spans = tuple(s for a, b in bars for s in ((a, (a + b) / 2.0), ((a + b) / 2.0, b)))
    time = _pitch_class_time(melody, bars, spans, beats_per_bar)
    value = np.array([[_tone_value(pc, c.tones) for c in chords] for pc in range(12)])
    tonic = np.array([c.root == key.tonic and _tonic_quality(c, key) for c in chords])
    local = time @ value
    sung = np.flatnonzero(time.sum(axis=1) > 0) // 2
    resolutions = {len(bars) - 1}
    for bar in {0, int(sung[0])} if sung.size else {0}:
        local[2 * bar:2 * bar + 2] += START_TONIC / 2.0 * tonic
    if sung.size:
        resolutions.add(int(sung[-1]))
    for bar in resolutions:
        local[2 * bar + 1] += END_TONIC * tonic
    return _Slots(spans, tuple(i // 2 for i in range(len(spans))), local, frozenset(2 * b for b in resolutions),
                  tonic)


def _tone_value(pc: int, tones: frozenset[int]) -> float:
    if pc in tones:
        return 1.0
    return CLASH if (pc - 1) % 12 in tones else 0.0


def _pitch_class_time(melody: Sequence[NoteEvent], bars: Sequence[tuple[float, float]],
                      spans: Sequence[tuple[float, float]], beats_per_bar: int) -> FloatArray:
    """(slots, 12): metre-weighted beats of melody per pitch class sounding in each slot."""
    out = np.zeros((len(spans), 12))
    starts = np.array([a for a, _ in spans])
    notes = sorted((n for n in melody if n.offset_s > n.onset_s), key=lambda n: n.onset_s)
    for j, note in enumerate(notes):
        first = max(int(np.searchsorted(starts, note.onset_s, side="right")) - 1, 0)
        weight = _note_weight(notes, j, bars[first // 2], beats_per_bar)
        for i in range(first, len(spans)):
            a, b = spans[i]
            if a >= note.offset_s:
                break
            overlap = max(min(b, note.offset_s) - max(a, note.onset_s), 0.0)
            starts_here = a <= note.onset_s < b
            beats = overlap / _beat_s(bars[i // 2], beats_per_bar)
            out[i, round(note.pitch) % 12] += (weight if starts_here else METRIC_WEIGHTS["held"]) * beats
    return out


def _note_weight(notes: Sequence[NoteEvent], j: int, bar: tuple[float, float], beats_per_bar: int) -> float:
    """The weight of ``notes[j]`` where it starts: its metric weight, or ``passing`` for a short note off the
    beat that steps from the note before or to the note after (a passing or neighbour tone)."""
    note, beat_s = notes[j], _beat_s(bar, beats_per_bar)
    weight = _metric_weight(note.onset_s, bar[0], beat_s, beats_per_bar)
    reach = ORNAMENT_BEATS * beat_s
    if weight >= METRIC_WEIGHTS["beat"] or note.offset_s - note.onset_s > reach:
        return weight
    before = notes[j - 1] if j > 0 and note.onset_s - notes[j - 1].offset_s <= reach else None
    after = notes[j + 1] if j + 1 < len(notes) and notes[j + 1].onset_s - note.offset_s <= reach else None
    stepwise = any(n is not None and 0 < abs(round(n.pitch) - round(note.pitch)) <= 2 for n in (before, after))
    return METRIC_WEIGHTS["passing"] if stepwise else weight


def _beat_s(bar: tuple[float, float], beats_per_bar: int) -> float:
    """Seconds per beat in ``bar`` (a degenerate bar gets a tiny positive beat)."""
    return max((bar[1] - bar[0]) / beats_per_bar, 1e-6)


def _metric_weight(onset_s: float, bar_start: float, beat_s: float, beats_per_bar: int) -> float:
    """:data:`METRIC_WEIGHTS` of a note starting at ``onset_s`` in the bar starting at ``bar_start``."""
    position = (onset_s - bar_start) / beat_s
    beat = round(position)
    if abs(position - beat) <= ON_POSITION_BEATS:
        if beat % beats_per_bar == 0:
            return METRIC_WEIGHTS["downbeat"]
        even_middle = beats_per_bar % 2 == 0 and beat == beats_per_bar // 2
        return METRIC_WEIGHTS["half" if even_middle else "beat"]
    if abs(position - np.floor(position) - 0.5) <= ON_POSITION_BEATS:
        return METRIC_WEIGHTS["eighth"]
    return METRIC_WEIGHTS["other"]


def _tonic_quality(chord: _Chord, key: Key) -> bool:
    """A tonic chord: major-family keys a major third over the root, minor-family keys a minor third."""
    third = 4 if MODE_FAMILY[key.mode] == "major" else 3
    return (chord.root + third) % 12 in chord.tones


# --- Viterbi ------------------------------------------------------------------------------------------------

def _viterbi(slots: _Slots, chords: Sequence[_Chord], extra: FloatArray | None = None) -> list[int]:
    """The best chord index per slot (``extra``: added local scores, slots × chords). A state is a chord and
    how many bar lines it has been held across (capped at ``len(REPEAT_COSTS) − 1``)."""
    runs = len(REPEAT_COSTS)
    local = np.repeat(slots.local if extra is None else slots.local + extra, runs, axis=1)
    bar_line, mid_bar = _transitions(chords)
    resolving = bar_line + _cadence(chords, slots.tonic)
    score = np.where(np.arange(local.shape[1]) % runs == 0, local[0] - np.repeat(_costs(chords), runs), -np.inf)
    backs = []
    for i in range(1, len(slots.spans)):
        moves = mid_bar if slots.bar[i] == slots.bar[i - 1] else resolving if i in slots.resolutions else bar_line
        total = score[:, None] + moves
        back = np.argmax(total, axis=0)
        score = total[back, np.arange(total.shape[1])] + local[i]
        backs.append(back)
    state = int(np.argmax(score))
    path = [state]
    for back in reversed(backs):
        state = int(back[state])
        path.append(state)
    return [s // runs for s in reversed(path)]


def _costs(chords: Sequence[_Chord]) -> FloatArray:
    return np.array([c.cost for c in chords])


def _transitions(chords: Sequence[_Chord]) -> tuple[FloatArray, FloatArray]:
    """(from state, to state) scores across a bar line and inside a bar (−inf: impossible). A change pays the
    new chord's cost (using it, not holding it, is what it costs) and enters it with no bar lines held;
    holding across a bar line counts one more and pays :data:`REPEAT_COSTS` for it."""
    runs, k = len(REPEAT_COSTS), len(chords)
    roots = np.array([c.root for c in chords])
    motion = np.vectorize(ROOT_MOTION.__getitem__)((roots[None, :] - roots[:, None]) % 12) - _costs(chords)[None, :]
    held = np.minimum(np.arange(runs) + 1, runs - 1)
    bar_line, mid_bar = np.full((k * runs, k * runs), -np.inf), np.full((k * runs, k * runs), -np.inf)
    for a in range(k):
        rows = slice(a * runs, (a + 1) * runs)
        bar_line[rows, ::runs] = motion[a]
        mid_bar[rows, ::runs] = -MID_BAR_CHANGE - _costs(chords)
        bar_line[rows, a * runs] = mid_bar[rows, a * runs] = -np.inf
        bar_line[a * runs + np.arange(runs), a * runs + held] = -np.asarray(REPEAT_COSTS)[held]
        mid_bar[a * runs + np.arange(runs), a * runs + np.arange(runs)] = 0.0
    return bar_line, mid_bar


def _cadence(chords: Sequence[_Chord], tonic: npt.NDArray[np.bool_]) -> FloatArray:
    """Extra scores of the bar-line moves into a resolution bar: a dominant or subdominant (root a fifth above
    or below) → a tonic chord gets :data:`CADENCE`."""
    runs = len(REPEAT_COSTS)
    roots = np.array([c.root for c in chords])
    fifth = np.isin((roots[:, None] - roots[None, :]) % 12, (5, 7))
    into = np.zeros((len(chords) * runs, len(chords) * runs))
    into[:, ::runs] = np.repeat(np.where(fifth & tonic[None, :], CADENCE, 0.0), runs, axis=0)
    return into


def _alternative(slots: _Slots, chords: Sequence[_Chord], earlier: Sequence[Sequence[int]],
                 rng: random.Random) -> list[int]:
    """The best path that avoids the chord roots of ``earlier`` paths slot by slot (see Variants)."""
    noise = np.array([rng.uniform(-VARIANT_NOISE, VARIANT_NOISE) for _ in chords])
    roots = np.array([c.root for c in chords])
    used = np.zeros_like(slots.local)
    for path in earlier:
        used += roots[None, :] == roots[np.asarray(path)][:, None]
    known = [roots[np.asarray(p)].tolist() for p in earlier]
    weight = DIVERSITY
    path = _viterbi(slots, chords, noise[None, :] - weight * used)
    for _ in range(MAX_DIVERSITY_DOUBLINGS):
        if roots[np.asarray(path)].tolist() not in known:
            break
        weight *= 2.0
        path = _viterbi(slots, chords, noise[None, :] - weight * used)
    return path


def _per_bar(path: Sequence[int], slots: _Slots, chords: Sequence[_Chord], bars: int) -> list[list[TimedChord]]:
    out: list[list[TimedChord]] = [[] for _ in range(bars)]
    for i, c in enumerate(path):
        a, b = slots.spans[i]
        bar = out[slots.bar[i]]
        if bar and (bar[-1].root, bar[-1].quality) == (chords[c].root, chords[c].quality):
            bar[-1] = TimedChord(bar[-1].start_s, b, chords[c].root, chords[c].quality)
        else:
            bar.append(TimedChord(a, b, chords[c].root, chords[c].quality))
    return out
