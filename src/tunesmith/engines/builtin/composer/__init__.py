"""The built-in composer: a track plan and its request → a :class:`~tunesmith.music.score.Score`.

Steps: resolve the style and the styleWeight/weirdness controls; choose tempo, meter and key from the
track seed; build the form from the lyric sections (or the genre's instrumental form) and fit it to the
allowed duration; pick chord loops and lay them on bars with the dynamic arc; write the vocal melody in
the chosen voice's range; orchestrate and arrange drums, percussion, bass, comping, pad, a
counter-melody and effects.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from tunesmith.engines.base import SongRequest, Syllabifier, TrackPlan
from tunesmith.engines.builtin.composer.accompaniment import bass_notes, comp_notes, fx_notes, pad_notes
from tunesmith.engines.builtin.composer.arrangement import patterns_for
from tunesmith.engines.builtin.composer.counter import generic_lead, lead_notes
from tunesmith.engines.builtin.composer.drums import DrumStyle, drum_notes, perc_notes
from tunesmith.engines.builtin.composer.dynamics import section_dynamics
from tunesmith.engines.builtin.composer.form import (
    SectionPlan,
    fitted,
    instrumental_form,
    vocal_form,
    with_break,
    with_bridge,
)
from tunesmith.engines.builtin.composer.grid import Bar, beat_steps, steps_per_bar
from tunesmith.engines.builtin.composer.harmony import bar_track, section_loops
from tunesmith.engines.builtin.composer.orchestration import orchestrate
from tunesmith.engines.builtin.composer.setting import Setting, choose_setting
from tunesmith.engines.builtin.composer.vocal import VocalContext, vocal_line
from tunesmith.engines.builtin.singer.voices import VOICES, choose_voice
from tunesmith.music.lyrics import parse_lyrics
from tunesmith.music.score import Note, Part, Score, Section, StemFamily, VocalLine
from tunesmith.music.styles import DRUM_ROLES, FILLS, MOODS, Controls, Instrument, ResolvedStyle, parse_style
from tunesmith.music.theory import melody_scale

__all__ = ["band_parts", "compose", "vocal_over"]

PAN: dict[str, float] = {
    "drums": 0.0, "perc": 0.35, "bass": 0.0, "comp": -0.25, "pad": 0.3, "lead": 0.2, "fx": 0.0,
}  # fmt: skip
"""Stereo position per accompaniment role (-1 left … +1 right)."""
MIN_SPAN = 5
"""Narrowest melodic span (semitones) whatever the weirdness."""
VOICINGS: tuple[tuple[int, int], ...] = ((62, 66), (55, 72), (67, 60), (58, 70))
"""(comping centre, pad centre) as MIDI pitches; each track draws one, so the two tracks of a task are
voiced differently even when tempo, key and instruments are pinned by the prompt."""


@dataclass(frozen=True, slots=True)
class _Context:
    """What arranging needs besides the bars: the style, controls, setting and the seed's RNG."""

    style: ResolvedStyle
    controls: Controls
    setting: Setting
    rng: random.Random


def _wants_vocal(track: TrackPlan, request: SongRequest, style: ResolvedStyle) -> bool:
    return (
        not request.instrumental
        and not style.instrumental
        and bool(track.lyrics.strip())
        and StemFamily.VOCALS not in style.excluded
    )


def _form(track: TrackPlan, request: SongRequest, ctx: _Context, syllabifier: Syllabifier) -> list[SectionPlan]:
    style, setting, controls = ctx.style, ctx.setting, ctx.controls
    if not _wants_vocal(track, request, style):
        form = instrumental_form(style.genre.instrumental_form)
        form = with_bridge(form) if controls.adds_bridge else form
    else:
        form = vocal_form(
            parse_lyrics(track.lyrics),
            syllabifier,
            steps=steps_per_bar(setting.meter),
            density=style.genre.vocal_density,
            backing=StemFamily.BACKING_VOCALS not in style.excluded,
        )
    form = with_break(form) if controls.adds_break else form
    return fitted(form, setting.bar_seconds, max_s=request.max_duration_s, target_s=request.target_duration_s)


def _sections(form: list[SectionPlan], ticks_per_bar: int) -> tuple[Section, ...]:
    sections, bar = [], 0
    for s in form:
        sections.append(Section(s.kind, s.label, bar * ticks_per_bar, (bar + s.bars) * ticks_per_bar))
        bar += s.bars
    return tuple(sections)


def _part(role: str, instrument: Instrument, notes: tuple[Note, ...]) -> Part:
    return Part(
        name=instrument.name,
        family=instrument.family,
        program=instrument.program,
        notes=notes,
        is_drum=role in DRUM_ROLES,
        pan=PAN[role],
        gain_db=instrument.gain_db,
    )


def _builders(bars: list[Bar], form: list[SectionPlan], ctx: _Context,
              sung: frozenset[int] | None = None) -> dict[str, Callable[[], tuple[Note, ...]]]:
    genre, setting, rng = ctx.style.genre, ctx.setting, ctx.rng
    steps = steps_per_bar(setting.meter)
    patterns, swing = patterns_for(genre, steps), genre.swing
    drums = DrumStyle(patterns, swing, tuple(FILLS[f] for f in genre.fills), ctx.controls.ghost_kick_probability)
    sung = sung if sung is not None else frozenset(i for i, s in enumerate(form) if s.lines)
    scale = melody_scale(setting.key, genre.pentatonic)
    comp_centre, pad_centre = rng.choice(VOICINGS)
    return {
        "drums": lambda: drum_notes(bars, drums, rng),
        "perc": lambda: perc_notes(bars, patterns.perc, swing, rng),
        "bass": lambda: bass_notes(bars, patterns.bass, swing, steps),
        "comp": lambda: comp_notes(bars, patterns.comp, swing, steps, rng, comp_centre),
        "pad": lambda: pad_notes(bars, pad_centre),
        "lead": lambda: lead_notes(bars, scale, patterns.lead or generic_lead(steps), swing, sung, rng),
        "fx": lambda: fx_notes(bars, setting.key.tonic),
    }


def _parts(bars: list[Bar], form: list[SectionPlan], ctx: _Context,
           sung: frozenset[int] | None = None) -> tuple[Part, ...]:
    instruments = orchestrate(ctx.style, ctx.controls, ctx.rng)
    parts = []
    for role, build in _builders(bars, form, ctx, sung).items():
        if role in instruments:
            notes = build()
            if notes:
                parts.append(_part(role, instruments[role], notes))
    return tuple(parts)


def _vocal(
    form: list[SectionPlan], bars: list[Bar], track: TrackPlan, request: SongRequest, ctx: _Context
) -> VocalLine | None:
    if not any(s.lines for s in form):
        return None
    style, setting = ctx.style, ctx.setting
    vocal_ctx = VocalContext(
        bars=bars,
        ticks_per_bar=setting.ticks_per_bar,
        steps_per_bar=steps_per_bar(setting.meter),
        beat=beat_steps(setting.meter),
        scale=melody_scale(setting.key, style.genre.pentatonic),
        tonic=setting.key.tonic,
        voice=VOICES.get(request.voice or "") or choose_voice(request.vocal_gender or style.voice, track.seed),
        span=max(style.genre.melody_span + ctx.controls.span_change, MIN_SPAN),
        language=track.language,
        rng=ctx.rng,
        dotted=ctx.controls.dotted_probability,
    )
    return vocal_line(form, vocal_ctx)


def band_parts(bars: list[Bar], form: list[SectionPlan], style: ResolvedStyle, controls: Controls,
               setting: Setting, rng: random.Random, *, sung: frozenset[int]) -> tuple[Part, ...]:
    """The band of ``style`` over ``bars`` (chords, form and arc already laid out, e.g. fitted to a user's
    vocal): drums, percussion, bass, comping, pad, counter-melody and effects. ``sung``: the indices of the
    sections somebody sings in (the counter-melody stays out of them)."""
    return _parts(bars, form, _Context(style, controls, setting, rng), sung)


def vocal_over(form: list[SectionPlan], bars: list[Bar], track: TrackPlan, request: SongRequest,
               style: ResolvedStyle, controls: Controls, setting: Setting, rng: random.Random) -> VocalLine | None:
    """The lead vocal line for ``form``'s lyric lines over ``bars`` (e.g. bars of a user's instrumental)."""
    return _vocal(form, bars, track, request, _Context(style, controls, setting, rng))


def mood_energy(style: ResolvedStyle) -> float:
    """The energy factor of the style's moods (1.0 without moods)."""
    return _mood_energy(style)


def _mood_energy(style: ResolvedStyle) -> float:
    energy = 1.0
    for mood in MOODS:
        if mood.name in style.moods:
            energy *= mood.energy
    return energy


def compose(track: TrackPlan, request: SongRequest, syllabifier: Syllabifier) -> Score:
    """Compose one track. Deterministic for ``track.seed``; never longer than ``request.max_duration_s``
    (nor ``target_duration_s`` when set) unless a single lyric line alone is longer; at least ~30 s."""
    style = parse_style(
        ", ".join(filter(None, (track.tags or request.style, request.persona_style))), request.negative_tags
    )
    controls = Controls.of(request.style_weight, request.weirdness)
    rng = random.Random(track.seed)
    ctx = _Context(style, controls, choose_setting(style, rng, controls), rng)
    setting = ctx.setting
    form = _form(track, request, ctx, syllabifier)
    loops = section_loops(form, style.genre, setting.key, rng, controls)
    dynamics = section_dynamics(form, _mood_energy(style))
    bars = bar_track(
        form,
        loops,
        setting.key,
        setting.ticks_per_bar,
        dynamics,
        rng=rng,
        substitution=controls.substitution_probability,
    )
    vocal = _vocal(form, bars, track, request, ctx)
    return Score(
        tempo_bpm=setting.tempo_bpm,
        meter=setting.meter,
        key=setting.key,
        sections=_sections(form, setting.ticks_per_bar),
        chords=tuple(b.chord for b in bars),
        parts=_parts(bars, form, ctx),
        vocal=vocal,
        metadata={
            "genre": style.genre.name,
            "mix": style.genre.mix,
            "tags": track.tags,
            "title": track.title,
            "seed": str(track.seed),
        },
    )
