"""Lays the lyric lines of the form onto bars: the lead vocal line of the score."""

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
    motifs: dict[tuple[str, int, int, int, bool], tuple[list[tuple[int, int]], list[int]]] = field(
        default_factory=dict
    )


def _line_phrase(
    ctx: VocalContext, picker: PitchPicker, line: LinePlan, kind: str, offset: int, start: int, final: bool
) -> Phrase:
    """Rhythm and pitches for one line, reusing the melody of an earlier line in the same place."""
    motif_key = (kind, offset, line.bars, line.syllables, final)
    if motif_key not in ctx.motifs:
        stresses = line_stresses(line.words, ctx.language)
        rhythm = line_rhythm(stresses, line.bars * ctx.steps_per_bar, ctx.beat, ctx.rng)
        centre = ctx.voice.low + REGISTER.get(kind, DEFAULT_REGISTER) * (ctx.voice.high - ctx.voice.low)
        pitches = line_pitches(
            rhythm,
            start,
            picker,
            ctx.bars,
            centre=centre,
            span=ctx.span,
            beat=ctx.beat,
            final_tonic=ctx.tonic if final else None,
        )
        ctx.motifs[motif_key] = (rhythm, pitches)
    rhythm, pitches = ctx.motifs[motif_key]
    velocity = line_velocity(line, arrangement_for(kind).energy)
    return phrase_notes(rhythm, pitches, start, ctx.rng, ctx.scale, velocity)


def _bound(line_index: int, line: LinePlan, phrase: Phrase) -> list[SungSyllable]:
    slots = [(w, s, text) for w, word in enumerate(line.words) for s, text in enumerate(word.syllables)]
    return [
        SungSyllable(line_index, w, s, text, notes)
        for (w, s, text), notes in zip(slots, phrase.notes, strict=True)
    ]


def vocal_line(form: Sequence[SectionPlan], ctx: VocalContext) -> VocalLine | None:
    """The vocal line for the whole form, or ``None`` when no section has lyrics."""
    picker = PitchPicker(ctx.scale, ctx.voice.low, ctx.voice.high, ctx.rng)
    lines: list[LyricLine] = []
    syllables: list[SungSyllable] = []
    bar = 0
    for index, section in enumerate(form):
        centre = ctx.voice.low + REGISTER.get(section.kind, DEFAULT_REGISTER) * (
            ctx.voice.high - ctx.voice.low
        )
        picker.set_band(centre, ctx.span, ctx.voice.low, ctx.voice.high)
        offset = 0
        for n, line in enumerate(section.lines):
            start = (bar + offset) * ctx.ticks_per_bar
            phrase = _line_phrase(ctx, picker, line, section.kind, offset, start, n == len(section.lines) - 1)
            syllables += _bound(len(lines), line, phrase)
            lines.append(LyricLine(line.text, line.words, index, line.backing))
            offset += line.bars
        bar += section.bars
    if not lines:
        return None
    return VocalLine(ctx.language, ctx.voice.id, tuple(lines), tuple(syllables))
