"""The drum and hand-percussion parts: the genre's per-16th groove per bar, section-dependent lanes,
crashes at section changes, the genre's fills on section ends, weirdness ghost kicks, the ending hit."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from tunesmith.engines.builtin.composer.arrangement import arrangement_for, role_plays
from tunesmith.engines.builtin.composer.grid import STEP_TICKS, Bar, pattern_events, span_ticks
from tunesmith.music.score import Note
from tunesmith.music.styles import CRASH_NOTE, DRUM_HITS, DrumFill, RhythmPatterns

HIT_STEPS = 1
"""Drum hits last one 16th step (percussion ignores note length, but notes need a duration)."""
HUMANIZE = 6
"""Random velocity variation (±) per hit."""
GHOST_KICK = (36, 62)
"""(GM note, velocity) of a weirdness ghost kick."""
ENDING = ((36, 110), (CRASH_NOTE, 108))
"""The final bar's hits: kick and crash together."""


@dataclass(frozen=True, slots=True)
class DrumStyle:
    """What the drum part needs from the genre: the groove, its swing (0–0.45 of an 8th), the fills to
    choose from and the ghost-kick probability per bar (from weirdness)."""

    patterns: RhythmPatterns
    swing: float
    fills: tuple[DrumFill, ...]
    ghost: float = 0.0


def _velocity(base: int, energy: float, rng: random.Random) -> int:
    return max(1, min(127, round(base * energy) + rng.randint(-HUMANIZE, HUMANIZE)))


def _lane_hits(bar: Bar, lane: str, pattern: str, swing: float, rng: random.Random, cut: int) -> list[Note]:
    notes = []
    for step, _, symbol in pattern_events(pattern):
        if step >= cut or (lane, symbol) not in DRUM_HITS:
            continue
        pitch, base = DRUM_HITS[(lane, symbol)]
        start, duration = span_ticks(bar.start, step, HIT_STEPS, swing)
        notes.append(Note(start, duration, pitch, _velocity(base, bar.energy, rng)))
    return notes


def _fill(bar: Bar, steps: int, fill: DrumFill, rng: random.Random) -> list[Note]:
    """The fill's lanes over the bar's last ``fill.steps`` steps, rising in velocity."""
    first = steps - fill.steps
    notes = []
    for lane, pattern in (("snare", fill.snare), ("tom", fill.tom), ("kick", fill.kick)):
        for offset, symbol in enumerate(pattern):
            if (lane, symbol) in DRUM_HITS:
                pitch, base = DRUM_HITS[(lane, symbol)]
                crescendo = 0.8 + 0.3 * offset / max(fill.steps - 1, 1)
                start = bar.start + (first + offset) * STEP_TICKS
                notes.append(Note(start, STEP_TICKS, pitch, _velocity(base, crescendo * bar.energy, rng)))
    return notes


def _ghost(bar: Bar, steps: int, rng: random.Random) -> list[Note]:
    step = rng.choice([s for s in range(3, steps, 2)] or [0])
    return [Note(bar.start + step * STEP_TICKS, STEP_TICKS, GHOST_KICK[0], _velocity(GHOST_KICK[1], bar.energy, rng))]


def drum_bar(bar: Bar, style: DrumStyle, rng: random.Random) -> list[Note]:
    """The drum-kit notes of one bar."""
    arr, patterns = arrangement_for(bar.kind), style.patterns
    if bar.final:
        return [Note(bar.start, STEP_TICKS, pitch, velocity) for pitch, velocity in ENDING]
    fill = rng.choice(style.fills) if arr.fill and bar.last and style.fills else None
    fill = fill if fill is not None and fill.steps < patterns.steps else None
    cut = patterns.steps - fill.steps if fill else patterns.steps
    lanes = {"kick": patterns.kick, "snare": patterns.snare, "hat": patterns.hat}
    notes = [n for lane in arr.lanes for n in _lane_hits(bar, lane, lanes[lane], style.swing, rng, cut)]
    if arr.crash and bar.first:
        notes.append(Note(bar.start, STEP_TICKS, CRASH_NOTE, _velocity(100, bar.energy, rng)))
    if "kick" in arr.lanes and rng.random() < style.ghost:
        notes += _ghost(bar, cut, rng)
    return notes + (_fill(bar, patterns.steps, fill, rng) if fill else [])


def drum_notes(bars: Sequence[Bar], style: DrumStyle, rng: random.Random) -> tuple[Note, ...]:
    """All drum-kit notes in time order (GM percussion note numbers)."""
    notes = [n for bar in bars for n in drum_bar(bar, style, rng)]
    return tuple(sorted(notes, key=lambda n: (n.start, n.pitch)))


def perc_notes(bars: Sequence[Bar], pattern: str, swing: float, rng: random.Random) -> tuple[Note, ...]:
    """Hand percussion (shaker, tambourine, congas …) on the genre's ``perc`` lane, where it plays."""
    if not pattern:
        return ()
    notes = [
        n
        for bar in bars
        if not bar.final and role_plays("perc", bar.kind, bar.occurrence, bar.last_of_kind)
        for n in _lane_hits(bar, "perc", pattern, swing, rng, len(pattern))
    ]
    return tuple(sorted(notes, key=lambda n: (n.start, n.pitch)))
