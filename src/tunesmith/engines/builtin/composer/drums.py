"""The drum part: the genre's per-16th groove per bar, section-dependent lanes, crashes, fills, ending."""

from __future__ import annotations

import random
from collections.abc import Sequence

from tunesmith.engines.builtin.composer.arrangement import SectionArrangement, arrangement_for
from tunesmith.engines.builtin.composer.grid import STEP_TICKS, Bar, pattern_events, span_ticks
from tunesmith.music.score import Note
from tunesmith.music.styles import CRASH_NOTE, DRUM_HITS, RhythmPatterns

HIT_STEPS = 1
"""Drum hits last one 16th step (percussion ignores note length, but notes need a duration)."""
FILL_STEPS = 4
"""A fill replaces the last this-many 16th steps of a section's last bar with snare 16ths."""
FILL_NOTE = 38
HUMANIZE = 6
"""Random velocity variation (±) per hit."""


def _velocity(base: int, energy: float, rng: random.Random) -> int:
    return max(1, min(127, round(base * energy) + rng.randint(-HUMANIZE, HUMANIZE)))


def _lane_hits(
    bar: Bar, lane: str, pattern: str, arr: SectionArrangement, swing: float, rng: random.Random, cut: int
) -> list[Note]:
    notes = []
    for step, _, symbol in pattern_events(pattern):
        if step >= cut or (lane, symbol) not in DRUM_HITS:
            continue
        pitch, base = DRUM_HITS[(lane, symbol)]
        start, duration = span_ticks(bar.start, step, HIT_STEPS, swing)
        notes.append(Note(start, duration, pitch, _velocity(base, arr.energy, rng)))
    return notes


def _fill(bar: Bar, steps: int, rng: random.Random) -> list[Note]:
    first = steps - FILL_STEPS
    return [
        Note(bar.start + s * STEP_TICKS, STEP_TICKS, FILL_NOTE, _velocity(70 + 12 * (s - first), 1.0, rng))
        for s in range(first, steps)
    ]


def drum_bar(bar: Bar, patterns: RhythmPatterns, swing: float, rng: random.Random) -> list[Note]:
    """The drum notes of one bar."""
    arr = arrangement_for(bar.kind)
    if bar.final:
        return [Note(bar.start, STEP_TICKS, 36, 110), Note(bar.start, STEP_TICKS, CRASH_NOTE, 108)]
    fill = arr.fill and bar.last and patterns.steps > FILL_STEPS
    cut = patterns.steps - FILL_STEPS if fill else patterns.steps
    lanes = {"kick": patterns.kick, "snare": patterns.snare, "hat": patterns.hat}
    notes = [n for lane in arr.lanes for n in _lane_hits(bar, lane, lanes[lane], arr, swing, rng, cut)]
    if arr.crash and bar.first:
        notes.append(Note(bar.start, STEP_TICKS, CRASH_NOTE, _velocity(100, arr.energy, rng)))
    return notes + (_fill(bar, patterns.steps, rng) if fill else [])


def drum_notes(
    bars: Sequence[Bar], patterns: RhythmPatterns, swing: float, rng: random.Random
) -> tuple[Note, ...]:
    """All drum notes in time order (GM percussion note numbers)."""
    notes = [n for bar in bars for n in drum_bar(bar, patterns, swing, rng)]
    return tuple(sorted(notes, key=lambda n: (n.start, n.pitch)))
