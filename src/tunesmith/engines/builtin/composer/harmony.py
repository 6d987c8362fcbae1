"""Chord loops per section, the per-bar chord track (with weirdness substitutions and a closing
cadence), and chord voicings."""

from __future__ import annotations

import random
from collections.abc import Sequence

from tunesmith.engines.builtin.composer.arrangement import HARMONY_SOURCE
from tunesmith.engines.builtin.composer.dynamics import SectionDynamics
from tunesmith.engines.builtin.composer.form import SectionPlan
from tunesmith.engines.builtin.composer.grid import Bar
from tunesmith.music.score import ChordSymbol, Key
from tunesmith.music.styles import Genre, Progression
from tunesmith.music.styles.controls import DEFAULT_CONTROLS, Controls
from tunesmith.music.theory import CHORD_QUALITIES, MODE_FAMILY, chords_over_bars, nearest_pitch, roman_to_chord

FALLBACK_LOOPS: dict[str, tuple[str, ...]] = {
    "major": ("I", "V", "vi", "IV"),
    "minor": ("i", "VI", "III", "VII"),
}
GENERIC_PROGRESSIONS: tuple[Progression, ...] = (
    Progression(("I", "V", "vi", "IV"), "major"),
    Progression(("I", "IV", "V", "IV"), "major"),
    Progression(("i", "VI", "III", "VII"), "minor"),
    Progression(("i", "iv", "v", "i"), "minor"),
)
"""Genre-agnostic loops that join the pool at a low style weight."""
TONIC_QUALITY: dict[str, str] = {"major": "maj", "minor": "min"}
SUBSTITUTES: dict[str, tuple[str, ...]] = {
    "major": ("bVI", "bVII", "iv", "II7", "III7", "bIII"),
    "minor": ("bII", "IV", "V7", "II7", "I"),
}
"""Chromatic substitutes per mode family (borrowed chords, secondary dominants, Neapolitan)."""
CADENCE: dict[str, str] = {"major": "V7", "minor": "V7"}
"""The chord of the bar before the final tonic (an authentic cadence closes the song)."""
PROTECTED_END_BARS = 2


def pick_loop(
    genre: Genre, family: str, kind: str, rng: random.Random, controls: Controls = DEFAULT_CONTROLS
) -> tuple[str, ...]:
    """A chord loop for a section kind: at a high style weight loops written for that kind first; at a
    low one any loop of the family (and, lowest, genre-agnostic loops)."""
    fitting = [p for p in genre.progressions if p.family == family]
    if controls.fallback_loops:
        fitting += [p for p in GENERIC_PROGRESSIONS if p.family == family]
    specific = [p for p in fitting if kind in p.sections]
    general = [p for p in fitting if not p.sections]
    if controls.section_specific_loops:
        pool: Sequence[Progression] = specific + general if specific else general or fitting
    else:
        pool = fitting
    return rng.choice(pool).numerals if pool else FALLBACK_LOOPS[family]


def section_loops(
    form: Sequence[SectionPlan], genre: Genre, key: Key, rng: random.Random, controls: Controls = DEFAULT_CONTROLS
) -> dict[str, tuple[str, ...]]:
    """One loop per section kind (repeated sections share it); borrowed kinds reuse their source's."""
    family = MODE_FAMILY[key.mode]
    kinds = sorted({s.kind for s in form} | {HARMONY_SOURCE.get(s.kind, s.kind) for s in form})
    loops = {k: pick_loop(genre, family, k, rng, controls) for k in kinds if k not in HARMONY_SOURCE}
    for kind in kinds:
        if kind in HARMONY_SOURCE:
            loops[kind] = loops[HARMONY_SOURCE[kind]]
    return loops


def _substituted(chords: list[ChordSymbol], key: Key, rng: random.Random, probability: float) -> list[ChordSymbol]:
    """Replace chords (not the last :data:`PROTECTED_END_BARS`) by chromatic substitutes."""
    family = MODE_FAMILY[key.mode]
    out = list(chords)
    for i in range(max(len(out) - PROTECTED_END_BARS, 0)):
        if rng.random() < probability:
            root, quality = roman_to_chord(rng.choice(SUBSTITUTES[family]), key)
            out[i] = ChordSymbol(out[i].start, out[i].duration, root, quality)
    return out


def _cadenced(chords: list[ChordSymbol], key: Key) -> list[ChordSymbol]:
    """The last bar on the tonic, the one before on the dominant seventh."""
    family = MODE_FAMILY[key.mode]
    out = list(chords)
    if out:
        last = out[-1]
        out[-1] = ChordSymbol(last.start, last.duration, key.tonic, TONIC_QUALITY[family])
    if len(out) > 2:
        root, quality = roman_to_chord(CADENCE[family], key)
        out[-2] = ChordSymbol(out[-2].start, out[-2].duration, root, quality)
    return out


def bar_track(
    form: Sequence[SectionPlan],
    loops: dict[str, tuple[str, ...]],
    key: Key,
    ticks_per_bar: int,
    dynamics: Sequence[SectionDynamics],
    *,
    rng: random.Random | None = None,
    substitution: float = 0.0,
) -> list[Bar]:
    """Every bar of the song with its chord, place in the form and arc energy; with probability
    ``substitution`` per bar a chromatic substitute; the song closes on V7 → tonic."""
    chords: list[ChordSymbol] = []
    meta: list[tuple[int, str, bool, bool]] = []
    for index, section in enumerate(form):
        start = len(chords) * ticks_per_bar
        chords += chords_over_bars(
            loops[section.kind], key, start=start, bars=section.bars, ticks_per_bar=ticks_per_bar
        )
        meta += [(index, section.kind, b == 0, b == section.bars - 1) for b in range(section.bars)]
    if rng is not None and substitution > 0:
        chords = _substituted(chords, key, rng, substitution)
    chords = _cadenced(chords, key)
    bars = []
    for i, c in enumerate(chords):
        section_index, kind, first, last = meta[i]
        d = dynamics[section_index]
        following = chords[min(i + 1, len(chords) - 1)]
        final = i == len(chords) - 1
        bars.append(
            Bar(i, c.start, c, following, section_index, kind, first, last, final,
                d.occurrence, d.last_of_kind, d.energy, d.next_kind)
        )  # fmt: skip
    return bars


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
