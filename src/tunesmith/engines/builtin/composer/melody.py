"""The vocal melody: a rhythm per lyric line (stressed syllables on beats, long phrase ends) and pitches
that follow the chords inside the chosen voice's range."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

import pronouncing

from tunesmith.engines.builtin.composer.form import BREATH_STEPS, LinePlan
from tunesmith.engines.builtin.composer.grid import STEP_TICKS, Bar
from tunesmith.music.score import LyricWord, Note
from tunesmith.music.theory import chord_pitch_classes

FUNCTION_WORDS_EN = frozenset({
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "by", "for", "with", "from",
    "my", "your", "his", "her", "its", "our", "their", "i", "you", "we", "it", "is", "are", "was",
    "were", "be", "as", "so", "if", "me", "than", "that", "this", "these", "those", "up", "out",
})  # fmt: skip
"""Unstressed one-syllable English words."""
BASE_LENGTHS = (4, 2, 1)
"""Preferred note lengths in 16th steps, longest first."""
DOTTED_CHANCE = 0.2
"""Probability that two 8ths become dotted-8th + 16th."""
MELISMA_CHANCE = 0.25
"""Probability that a long phrase-end syllable is sung on two notes."""
MAX_PHRASE_END = 8
"""Longest phrase-end note in 16th steps; the rest of the line is breath."""


@dataclass(frozen=True, slots=True)
class Phrase:
    """A sung line's notes: one tuple of notes per syllable (in syllable order); ticks are absolute."""

    notes: tuple[tuple[Note, ...], ...]


def word_stresses(word: LyricWord, language: str) -> list[bool]:
    """Which syllables of a word are stressed: CMU dict for English when it agrees, else a heuristic."""
    count = len(word.syllables)
    if language != "en":
        return [i == 0 for i in range(count)]
    phones = pronouncing.phones_for_word(word.text.lower().strip(".,!?;:'\""))
    if phones:
        marks = pronouncing.stresses(phones[0])
        if len(marks) == count:
            return [m in "12" for m in marks] if count > 1 else [word.text.lower() not in FUNCTION_WORDS_EN]
    if count == 1:
        return [word.text.lower().strip(".,!?;:'\"") not in FUNCTION_WORDS_EN]
    return [i == 0 for i in range(count)]


def line_stresses(words: Sequence[LyricWord], language: str) -> list[bool]:
    return [s for w in words for s in word_stresses(w, language)]


def _base_lengths(
    stresses: Sequence[bool], usable: int, rng: random.Random, dotted: float = DOTTED_CHANCE
) -> list[int]:
    n = len(stresses)
    base = next((b for b in BASE_LENGTHS if n * b <= usable * 0.75), 1)
    lengths = [base] * n
    overflow = sum(lengths) - usable
    for i in sorted(range(n), key=lambda j: (stresses[j], j)):
        if overflow <= 0:
            break
        if lengths[i] > 1:
            lengths[i], overflow = lengths[i] - 1, overflow - 1
    for i in range(n - 2):
        if lengths[i] == lengths[i + 1] == 2 and stresses[i] and rng.random() < dotted:
            lengths[i], lengths[i + 1] = 3, 1
    return lengths


def line_rhythm(
    stresses: Sequence[bool], total_steps: int, beat: int, rng: random.Random, dotted: float = DOTTED_CHANCE
) -> list[tuple[int, int]]:
    """(step offset, length in steps) per syllable within ``total_steps``; stressed syllables move onto
    beats (every ``beat`` steps) when time allows, and the last note is held towards the phrase end.
    ``dotted`` is the probability that two 8ths become dotted 8th + 16th."""
    breath = BREATH_STEPS if total_steps >= len(stresses) + BREATH_STEPS else 0
    usable = total_steps - breath
    lengths = _base_lengths(stresses, usable, rng, dotted)
    spare = usable - sum(lengths)
    pos, out = 0, list[list[int]]()
    for length, stressed in zip(lengths, stresses, strict=True):
        shift = (beat - pos % beat) % beat
        if stressed and 0 < shift <= spare:
            if out:
                out[-1][1] += shift
            pos, spare = pos + shift, spare - shift
        out.append([pos, length])
        pos += length
    out[-1][1] = max(1, min(out[-1][1] + spare, MAX_PHRASE_END, usable - out[-1][0]))
    return [(s, n) for s, n in out]


@dataclass
class PitchPicker:
    """Chooses melody pitches: chord tones on beats and phrase ends, scale steps between, an arch
    contour around a section's register ``centre`` within ``low``–``high`` (MIDI)."""

    scale: tuple[int, ...]
    low: int
    high: int
    rng: random.Random
    previous: int | None = None

    def set_band(self, centre: float, span: int, voice_low: int, voice_high: int) -> None:
        """Limit choices to ``span`` semitones around ``centre``, inside the voice range (≥ a fifth wide)."""
        half = max(span, 7) / 2
        self.low = max(voice_low, min(round(centre - half), voice_high - 7))
        self.high = min(voice_high, max(round(centre + half), voice_low + 7))

    def pick(self, chord_pcs: Sequence[int], strong: bool, target: float, tonic: int | None, pull: float = 0.6) -> int:
        """One pitch; ``tonic`` (a pitch class) is favoured when given (section-final notes); ``pull``
        weighs closeness to ``target`` (per semitone) against smooth motion (0.9 per semitone)."""
        band = [p for p in range(self.low, self.high + 1) if p % 12 in self.scale]
        tones = [p for p in band if p % 12 in chord_pcs] if strong else band
        previous = self.previous if self.previous is not None else round(target)
        scores = {
            p: abs(p - previous) * 0.9
            + abs(p - target) * pull
            + self.rng.random() * 2.2
            + (1.5 if p == previous else 0.0)
            - (3.0 if tonic is not None and p % 12 == tonic else 0.0)
            for p in (tones or band)
        }
        self.previous = min(scores, key=lambda p: scores[p])
        return self.previous


def _chord_at(bars: Sequence[Bar], tick: int, ticks_per_bar: int) -> tuple[int, ...]:
    bar = bars[min(tick // ticks_per_bar, len(bars) - 1)]
    return chord_pitch_classes(bar.chord.root, bar.chord.quality)


def line_pitches(
    rhythm: Sequence[tuple[int, int]],
    start: int,
    picker: PitchPicker,
    bars: Sequence[Bar],
    *,
    centre: float,
    span: int,
    beat: int,
    final_tonic: int | None,
    targets: Sequence[float] | None = None,
    pull: float = 0.6,
) -> list[int]:
    """A pitch per rhythm slot following the chords under it, arching up then down around ``centre``,
    or following ``targets`` (a hook's pitches, cycled) with weight ``pull``."""
    ticks_per_bar = bars[1].start - bars[0].start if len(bars) > 1 else bars[0].chord.duration
    lift = picker.rng.uniform(-1.5, 1.5)
    pitches = []
    for i, (step, _) in enumerate(rhythm):
        tick = start + step * STEP_TICKS
        last = i == len(rhythm) - 1
        arc = math.sin(math.pi * (i + 0.5) / len(rhythm)) - 0.35
        target = targets[i % len(targets)] if targets else centre + lift + arc * span / 3
        tonic = final_tonic if last else None
        strong = step % beat == 0 or last
        pitches.append(picker.pick(_chord_at(bars, tick, ticks_per_bar), strong, target, tonic, pull))
    return pitches


def phrase_notes(
    rhythm: Sequence[tuple[int, int]],
    pitches: Sequence[int],
    start: int,
    rng: random.Random,
    scale: Sequence[int],
    velocity: int,
) -> Phrase:
    """Notes per syllable; a long last note may turn into a two-note melisma (down a scale step)."""
    notes: list[tuple[Note, ...]] = []
    for (step, length), pitch in zip(rhythm, pitches, strict=True):
        tick = start + step * STEP_TICKS
        notes.append((Note(tick, length * STEP_TICKS, pitch, velocity),))
    step, length = rhythm[-1]
    if length >= 4 and rng.random() < MELISMA_CHANCE:
        lower = next((p for p in range(pitches[-1] - 1, pitches[-1] - 3, -1) if p % 12 in scale), pitches[-1])
        tick, half = start + step * STEP_TICKS, length // 2 * STEP_TICKS
        notes[-1] = (
            Note(tick, half, pitches[-1], velocity),
            Note(tick + half, length * STEP_TICKS - half, lower, velocity),
        )
    return Phrase(tuple(notes))


def line_velocity(line: LinePlan, energy: float) -> int:
    """Vocal note velocity 1–127: backing lines sit lower."""
    return max(1, min(127, round((72 if line.backing else 92) * energy)))
