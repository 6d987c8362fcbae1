"""Chord loops per section, the per-bar chord track, and chord voicings."""

from __future__ import annotations

import random
from collections.abc import Sequence

from tunesmith.engines.builtin.composer.arrangement import HARMONY_SOURCE
from tunesmith.engines.builtin.composer.form import SectionPlan
from tunesmith.engines.builtin.composer.grid import Bar
from tunesmith.music.score import ChordSymbol, Key
from tunesmith.music.styles import Genre, Progression
from tunesmith.music.theory import CHORD_QUALITIES, MODE_FAMILY, chords_over_bars, nearest_pitch

FALLBACK_LOOPS: dict[str, tuple[str, ...]] = {
    "major": ("I", "V", "vi", "IV"),
    "minor": ("i", "VI", "III", "VII"),
}
TONIC_QUALITY: dict[str, str] = {"major": "maj", "minor": "min"}


def pick_loop(genre: Genre, family: str, kind: str, rng: random.Random) -> tuple[str, ...]:
    """A chord loop for a section kind: loops written for that kind first, then general ones."""
    fitting = [p for p in genre.progressions if p.family == family]
    specific = [p for p in fitting if kind in p.sections]
    general = [p for p in fitting if not p.sections]
    pool: Sequence[Progression] = specific + general if specific else general or fitting
    return rng.choice(pool).numerals if pool else FALLBACK_LOOPS[family]


def section_loops(
    form: Sequence[SectionPlan], genre: Genre, key: Key, rng: random.Random
) -> dict[str, tuple[str, ...]]:
    """One loop per section kind (repeated sections share it); borrowed kinds reuse their source's."""
    family = MODE_FAMILY[key.mode]
    kinds = sorted({s.kind for s in form} | {HARMONY_SOURCE.get(s.kind, s.kind) for s in form})
    loops = {k: pick_loop(genre, family, k, rng) for k in kinds if k not in HARMONY_SOURCE}
    for kind in kinds:
        if kind in HARMONY_SOURCE:
            loops[kind] = loops[HARMONY_SOURCE[kind]]
    return loops


def bar_track(
    form: Sequence[SectionPlan], loops: dict[str, tuple[str, ...]], key: Key, ticks_per_bar: int
) -> list[Bar]:
    """Every bar of the song with its chord; the final bar rests on the tonic."""
    chords: list[ChordSymbol] = []
    meta: list[tuple[int, str, bool, bool]] = []
    for index, section in enumerate(form):
        start = len(chords) * ticks_per_bar
        chords += chords_over_bars(
            loops[section.kind], key, start=start, bars=section.bars, ticks_per_bar=ticks_per_bar
        )
        meta += [(index, section.kind, b == 0, b == section.bars - 1) for b in range(section.bars)]
    if chords:
        last = chords[-1]
        chords[-1] = ChordSymbol(last.start, last.duration, key.tonic, TONIC_QUALITY[MODE_FAMILY[key.mode]])
    return [
        Bar(i, c.start, c, chords[min(i + 1, len(chords) - 1)], *meta[i], final=i == len(chords) - 1)
        for i, c in enumerate(chords)
    ]


def voicing(chord: ChordSymbol, centre: int, voices: int = 4) -> list[int]:
    """A close voicing of ``voices`` notes around MIDI ``centre``, ascending; tones cycle up by octaves."""
    intervals = CHORD_QUALITIES[chord.quality]
    pcs = [(chord.root + i) % 12 for i in intervals]
    low = nearest_pitch(pcs[0], centre - 5)
    pitches = []
    for n in range(voices):
        pc = pcs[n % len(pcs)]
        pitch = low + (pc - low) % 12 + 12 * (n // len(pcs))
        pitches.append(pitch)
    return sorted(pitches)
