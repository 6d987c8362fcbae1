"""Pitched accompaniment from pattern strings: bass (roots/fifths), comping chords and a held pad."""

from __future__ import annotations

import random
from collections.abc import Sequence

from tunesmith.engines.builtin.composer.arrangement import arrangement_for
from tunesmith.engines.builtin.composer.grid import Bar, pattern_events, span_ticks
from tunesmith.engines.builtin.composer.harmony import voicing
from tunesmith.music.score import Note
from tunesmith.music.theory import CHORD_QUALITIES, nearest_pitch

BASS_CENTRE = 38
"""MIDI pitch the bass roots gravitate to (D2); roots stay within E1–E3."""
BASS_RANGE = (28, 52)
COMP_CENTRE = 62
PAD_CENTRE = 66
PAD_VOICES = 3
BASS_VELOCITY = 96
COMP_VELOCITY = 78
PAD_VELOCITY = 58


def _bass_pitch(symbol: str, bar: Bar) -> int:
    root = nearest_pitch(bar.chord.root, BASS_CENTRE)
    intervals = CHORD_QUALITIES[bar.chord.quality]
    offsets = {"R": 0, "5": intervals[2], "3": intervals[1], "O": 12}
    if symbol == "A":
        return nearest_pitch(bar.next_chord.root, root) - 1
    return min(max(root + offsets.get(symbol, 0), BASS_RANGE[0]), BASS_RANGE[1])


def bass_notes(bars: Sequence[Bar], pattern: str, swing: float, steps: int) -> tuple[Note, ...]:
    """Bass notes following the chord roots with the genre's bass pattern; silent where arranged out."""
    notes = []
    for bar in bars:
        if not arrangement_for(bar.kind).bass and not bar.final:
            continue
        events = [(0, steps, "R")] if bar.final else pattern_events(pattern)
        for step, length, symbol in events:
            start, duration = span_ticks(bar.start, step, length, swing)
            notes.append(Note(start, duration, _bass_pitch(symbol, bar), BASS_VELOCITY))
    return tuple(notes)


def _comp_pitches(symbol: str, chord_voicing: list[int]) -> list[int]:
    if symbol.isdigit():
        return [chord_voicing[(int(symbol) - 1) % len(chord_voicing)]]
    return chord_voicing


def comp_notes(
    bars: Sequence[Bar], pattern: str, swing: float, steps: int, rng: random.Random
) -> tuple[Note, ...]:
    """Comping: whole-chord hits (``X``) or single chord tones (``1``–``4``) on the genre's pattern."""
    notes = []
    for bar in bars:
        arr = arrangement_for(bar.kind)
        if not arr.comp and not bar.final:
            continue
        chord_voicing = voicing(bar.chord, COMP_CENTRE)
        events = [(0, steps, "X")] if bar.final else pattern_events(pattern)
        for step, length, symbol in events:
            start, duration = span_ticks(bar.start, step, length, swing)
            velocity = max(1, min(127, round(COMP_VELOCITY * arr.energy) + rng.randint(-5, 5)))
            notes += [Note(start, duration, p, velocity) for p in _comp_pitches(symbol, chord_voicing)]
    return tuple(notes)


def pad_notes(bars: Sequence[Bar]) -> tuple[Note, ...]:
    """A pad holding each bar's chord (3 voices) wherever the arrangement wants it."""
    notes = []
    for bar in bars:
        if arrangement_for(bar.kind).pad or bar.final:
            notes += [
                Note(bar.start, bar.chord.duration, p, PAD_VELOCITY)
                for p in voicing(bar.chord, PAD_CENTRE, PAD_VOICES)
            ]
    return tuple(notes)
