"""Lays the lyric lines of the form onto bars: the lead vocal line of the score.

Material is reused and varied: a line in the same place of a repeated section (same kind, offset and
syllable count) gets the earlier melody, and on repeats one line in :data:`VARIATION_CHANCE` re-picks
its second half. Chorus lines follow the chorus's first line (the hook) closely, so the chorus is both
higher (:data:`~.arrangement.REGISTER`) and more repetitive than the verse.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from tunesmith.engines.builtin.composer.arrangement import REGISTER, arrangement_for
from tunesmith.engines.builtin.composer.form import LinePlan, SectionPlan
from tunesmith.engines.builtin.composer.grid import Bar
from tunesmith.engines.builtin.composer.melody import (
    Phrase,
    PitchPicker,
    line_pitches,
    line_rhythm,
    line_stresses,
    line_velocity,
    phrase_notes,
)
from tunesmith.engines.builtin.singer.voices import Voice
from tunesmith.music.score import LyricLine, SungSyllable, VocalLine

DEFAULT_REGISTER = 0.45
HOOK_KINDS = frozenset({"chorus", "post_chorus"})
HOOK_PULL = 4.0
"""Weight per semitone pulling a chorus line onto the hook's pitches (the verse arch uses 0.6)."""
VARIATION_CHANCE = 0.35
"""Probability that a reused line of a repeated section re-picks the second half of its melody."""


@dataclass
class VocalContext:
    """What every line needs: the grid, the key's melody scale and tonic, the voice and the seed's RNG."""

    bars: Sequence[Bar]
    ticks_per_bar: int
    steps_per_bar: int
    beat: int
    scale: tuple[int, ...]
    tonic: int
    voice: Voice
    span: int
    language: str
    rng: random.Random
    dotted: float = 0.2
    motifs: dict[tuple[str, int, int, int, bool], tuple[list[tuple[int, int]], list[int]]] = field(default_factory=dict)
    hooks: dict[str, list[float]] = field(default_factory=dict)


def _pitches(
    ctx: VocalContext, picker: PitchPicker, rhythm: list[tuple[int, int]], kind: str, start: int, final: bool
) -> list[int]:
    centre = ctx.voice.low + REGISTER.get(kind, DEFAULT_REGISTER) * (ctx.voice.high - ctx.voice.low)
    hook = ctx.hooks.get(kind) if kind in HOOK_KINDS else None
    pitches = line_pitches(
        rhythm,
        start,
        picker,
        ctx.bars,
        centre=centre,
        span=ctx.span,
        beat=ctx.beat,
        final_tonic=ctx.tonic if final else None,
        targets=hook,
        pull=HOOK_PULL if hook else 0.6,
    )
    if kind in HOOK_KINDS and hook is None:
        ctx.hooks[kind] = [float(p) for p in pitches]
    return pitches


def _varied(
    ctx: VocalContext, picker: PitchPicker, rhythm: list[tuple[int, int]], pitches: list[int], kind: str, start: int
) -> list[int]:
    """The earlier melody with its second half re-picked (same rhythm), keeping the phrase end."""
    half = len(pitches) // 2
    if half < 2:
        return pitches
    fresh = _pitches(ctx, picker, rhythm, kind, start, final=False)
    return pitches[:half] + fresh[half:-1] + pitches[-1:]


def _line_phrase(
    ctx: VocalContext,
    picker: PitchPicker,
    line: LinePlan,
    place: tuple[str, int, int, bool],
    start: int,
) -> Phrase:
    """Rhythm and pitches for one line, reusing (and on repeats varying) an earlier line in the same
    place; ``place`` is (section kind, bar offset in the section, occurrence of the kind, is last line)."""
    kind, offset, occurrence, final = place
    motif_key = (kind, offset, line.bars, line.syllables, final)
    if motif_key not in ctx.motifs:
        stresses = line_stresses(line.words, ctx.language)
        rhythm = line_rhythm(stresses, line.bars * ctx.steps_per_bar, ctx.beat, ctx.rng, ctx.dotted)
        ctx.motifs[motif_key] = (rhythm, _pitches(ctx, picker, rhythm, kind, start, final))
    rhythm, pitches = ctx.motifs[motif_key]
    if occurrence > 0 and ctx.rng.random() < VARIATION_CHANCE:
        pitches = _varied(ctx, picker, rhythm, pitches, kind, start)
    velocity = line_velocity(line, arrangement_for(kind).energy)
    return phrase_notes(rhythm, pitches, start, ctx.rng, ctx.scale, velocity)


def _bound(line_index: int, line: LinePlan, phrase: Phrase) -> list[SungSyllable]:
    slots = [(w, s, text) for w, word in enumerate(line.words) for s, text in enumerate(word.syllables)]
    return [
        SungSyllable(line_index, w, s, text, notes) for (w, s, text), notes in zip(slots, phrase.notes, strict=True)
    ]


def vocal_line(form: Sequence[SectionPlan], ctx: VocalContext) -> VocalLine | None:
    """The vocal line for the whole form, or ``None`` when no section has lyrics."""
    picker = PitchPicker(ctx.scale, ctx.voice.low, ctx.voice.high, ctx.rng)
    lines: list[LyricLine] = []
    syllables: list[SungSyllable] = []
    bar = 0
    seen: dict[str, int] = {}
    for index, section in enumerate(form):
        occurrence = seen.get(section.kind, 0)
        seen[section.kind] = occurrence + 1
        centre = ctx.voice.low + REGISTER.get(section.kind, DEFAULT_REGISTER) * (ctx.voice.high - ctx.voice.low)
        picker.set_band(centre, ctx.span, ctx.voice.low, ctx.voice.high)
        offset = 0
        for n, line in enumerate(section.lines):
            start = (bar + offset) * ctx.ticks_per_bar
            place = (section.kind, offset, occurrence, n == len(section.lines) - 1)
            phrase = _line_phrase(ctx, picker, line, place, start)
            syllables += _bound(len(lines), line, phrase)
            lines.append(LyricLine(line.text, line.words, index, line.backing))
            offset += line.bars
        bar += section.bars
    if not lines:
        return None
    return VocalLine(ctx.language, ctx.voice.id, tuple(lines), tuple(syllables))
