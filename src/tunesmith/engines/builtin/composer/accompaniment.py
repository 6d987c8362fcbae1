"""Pitched accompaniment from pattern strings: bass (roots, fifths, approach notes), comping chords,
a held pad, and risers (fx) into the sections that need a lift. Velocities follow the dynamic arc."""

from __future__ import annotations

import random
from collections.abc import Sequence

from tunesmith.engines.builtin.composer.arrangement import arrangement_for, role_plays
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
FX_PITCH_CENTRE = 60
BASS_VELOCITY = 96
COMP_VELOCITY = 78
PAD_VELOCITY = 58
FX_VELOCITY = 84
LIFT_KINDS = frozenset({"chorus", "instrumental", "post_chorus"})
"""Section kinds a riser leads into."""


def _clamp_velocity(value: float) -> int:
    return max(1, min(127, round(value)))


def _bass_pitch(symbol: str, bar: Bar) -> int:
    root = nearest_pitch(bar.chord.root, BASS_CENTRE)
    intervals = CHORD_QUALITIES[bar.chord.quality]
    offsets = {"R": 0, "5": intervals[2], "3": intervals[1], "O": 12}
    if symbol == "A":
        return nearest_pitch(bar.next_chord.root, root) - 1
    return min(max(root + offsets.get(symbol, 0), BASS_RANGE[0]), BASS_RANGE[1])


def _plays(role: str, bar: Bar) -> bool:
    return bar.final or role_plays(role, bar.kind, bar.occurrence, bar.last_of_kind)


def bass_notes(bars: Sequence[Bar], pattern: str, swing: float, steps: int) -> tuple[Note, ...]:
    """Bass notes following the chord roots with the genre's bass pattern; silent where arranged out."""
    notes = []
    for bar in bars:
        if not _plays("bass", bar):
            continue
        events = [(0, steps, "R")] if bar.final else pattern_events(pattern)
        for step, length, symbol in events:
            start, duration = span_ticks(bar.start, step, length, swing)
            velocity = _clamp_velocity(BASS_VELOCITY * (0.85 + 0.15 * bar.energy))
            notes.append(Note(start, duration, _bass_pitch(symbol, bar), velocity))
    return tuple(notes)


def _comp_pitches(symbol: str, chord_voicing: list[int]) -> list[int]:
    if symbol.isdigit():
        return [chord_voicing[(int(symbol) - 1) % len(chord_voicing)]]
    return chord_voicing


def comp_notes(
    bars: Sequence[Bar], pattern: str, swing: float, steps: int, rng: random.Random, centre: int = COMP_CENTRE
) -> tuple[Note, ...]:
    """Comping: whole-chord hits (``X``) or single chord tones (``1``–``4``) on the genre's pattern,
    voiced around MIDI ``centre``."""
    notes = []
    for bar in bars:
        if not _plays("comp", bar):
            continue
        chord_voicing = voicing(bar.chord, centre)
        events = [(0, steps, "X")] if bar.final else pattern_events(pattern)
        for step, length, symbol in events:
            start, duration = span_ticks(bar.start, step, length, swing)
            velocity = _clamp_velocity(COMP_VELOCITY * bar.energy + rng.randint(-5, 5))
            notes += [Note(start, duration, p, velocity) for p in _comp_pitches(symbol, chord_voicing)]
    return tuple(notes)


def pad_notes(bars: Sequence[Bar], centre: int = PAD_CENTRE) -> tuple[Note, ...]:
    """A pad holding each bar's chord (3 voices around MIDI ``centre``) wherever the arrangement wants it."""
    notes = []
    for bar in bars:
        if _plays("pad", bar):
            velocity = _clamp_velocity(PAD_VELOCITY * bar.energy)
            notes += [Note(bar.start, bar.chord.duration, p, velocity) for p in voicing(bar.chord, centre, PAD_VOICES)]
    return tuple(notes)


def fx_notes(bars: Sequence[Bar], tonic: int) -> tuple[Note, ...]:
    """A riser (one note over the whole bar, on the tonic) in the last bar of every section whose
    arrangement asks for one or that leads into a chorus/instrumental, and a swell on the song's
    first bar."""
    notes = []
    pitch = nearest_pitch(tonic, FX_PITCH_CENTRE)
    for bar in bars:
        into_lift = bar.last and (arrangement_for(bar.kind).riser or bar.next_kind in LIFT_KINDS)
        if (into_lift and bar.next_kind) or bar.index == 0:
            notes.append(Note(bar.start, bar.chord.duration, pitch, _clamp_velocity(FX_VELOCITY * bar.energy)))
    return tuple(notes)
