"""The counter-melody ("lead" role): a melodic line for intros, instrumentals, outros and later
choruses, on the genre's lead rhythm. Where the voice sings it answers with long chord tones above it;
in sections without voice it plays a motif that repeats per section kind and follows the chords."""

from __future__ import annotations

import random
from collections.abc import Sequence

from tunesmith.engines.builtin.composer.arrangement import role_plays
from tunesmith.engines.builtin.composer.grid import Bar, pattern_events, span_ticks
from tunesmith.music.score import Note
from tunesmith.music.theory import chord_pitch_classes, pitches_in_range

LEAD_RANGE = (67, 86)
"""MIDI range of an instrumental counter-melody (G4–D6)."""
ANSWER_RANGE = (72, 84)
"""MIDI range of the held answer line under a sung section (C5–C6)."""
LEAD_VELOCITY = 88
ANSWER_VELOCITY = 60


def generic_lead(steps: int) -> str:
    """A lead rhythm for any bar length: a note on every beat, the last one held."""
    return "".join("x" if i % 4 == 0 else "-" for i in range(steps))


def _motif(length: int, rng: random.Random) -> list[int]:
    """A contour as scale-step moves: mostly steps, one leap, ending back near its start."""
    moves = [rng.choice((-1, 1, 1, 2, -2)) for _ in range(length)]
    if length > 2:
        moves[rng.randrange(length)] = rng.choice((3, -3, 4))
    return moves


def _walk(scale: list[int], moves: Sequence[int], start: int, chords: Sequence[Sequence[int]]) -> list[int]:
    """Pitches following ``moves`` through ``scale`` from index ``start``, snapping each note to the
    nearest chord tone of its bar (``chords`` per note)."""
    out, index = [], start
    for move, chord in zip(moves, chords, strict=True):
        index = min(max(index + move, 0), len(scale) - 1)
        tones = [i for i, p in enumerate(scale) if p % 12 in chord]
        index = min(tones, key=lambda i: abs(i - index)) if tones else index
        out.append(scale[index])
    return out


def _lead_bars(bars: Sequence[Bar]) -> list[Bar]:
    return [b for b in bars if not b.final and role_plays("lead", b.kind, b.occurrence, b.last_of_kind)]


def lead_notes(
    bars: Sequence[Bar],
    scale_pcs: Sequence[int],
    pattern: str,
    swing: float,
    sung_sections: frozenset[int],
    rng: random.Random,
) -> tuple[Note, ...]:
    """The counter-melody: a motif per section kind in bars without voice (``sung_sections`` lists the
    form indices with lyrics), held chord tones an octave above the voice where it sings."""
    scale = pitches_in_range(scale_pcs, *LEAD_RANGE)
    motifs: dict[str, list[int]] = {}
    notes: list[Note] = []
    for bar in _lead_bars(bars):
        chord = chord_pitch_classes(bar.chord.root, bar.chord.quality)
        if bar.section in sung_sections:
            notes += _answer(bar, chord)
            continue
        events = pattern_events(pattern)
        moves = motifs.setdefault(bar.kind, _motif(len(events), rng))
        pitches = _walk(scale, moves[: len(events)], len(scale) // 2, [chord] * len(events))
        for (step, length, _), pitch in zip(events, pitches, strict=True):
            start, duration = span_ticks(bar.start, step, length, swing)
            velocity = max(1, min(127, round(LEAD_VELOCITY * bar.energy)))
            notes.append(Note(start, duration, pitch, velocity))
    return tuple(notes)


def _answer(bar: Bar, chord: Sequence[int]) -> list[Note]:
    """Two held chord tones per bar (third, then fifth) in :data:`ANSWER_RANGE`."""
    tones = pitches_in_range(chord[1:3] or chord, *ANSWER_RANGE)
    if not tones:
        return []
    half = bar.chord.duration // 2
    velocity = max(1, min(127, round(ANSWER_VELOCITY * bar.energy)))
    return [Note(bar.start + i * half, half, tones[min(i, len(tones) - 1)], velocity) for i in range(2)]
