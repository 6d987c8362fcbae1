"""The built-in composer: a track plan and its request → a :class:`~tunesmith.music.score.Score`.

Steps: resolve the style; choose tempo, meter and key from the track seed; build the form from the
lyric sections (or the genre's instrumental form) and fit it to the allowed duration; pick chord
loops; write the vocal melody in the chosen voice's range; arrange drums, bass, comping and a pad.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from tunesmith.engines.base import SongRequest, Syllabifier, TrackPlan
from tunesmith.engines.builtin.composer.accompaniment import bass_notes, comp_notes, pad_notes
from tunesmith.engines.builtin.composer.arrangement import patterns_for
from tunesmith.engines.builtin.composer.drums import drum_notes
from tunesmith.engines.builtin.composer.form import SectionPlan, fitted, instrumental_form, vocal_form
from tunesmith.engines.builtin.composer.grid import Bar, beat_steps, steps_per_bar
from tunesmith.engines.builtin.composer.harmony import bar_track, section_loops
from tunesmith.engines.builtin.composer.setting import Setting, choose_setting
from tunesmith.engines.builtin.composer.vocal import VocalContext, vocal_line
from tunesmith.engines.builtin.singer.voices import choose_voice
from tunesmith.music.lyrics import parse_lyrics
from tunesmith.music.score import Note, Part, Score, Section, StemFamily, VocalLine
from tunesmith.music.styles import Instrument, ResolvedStyle, parse_style
from tunesmith.music.theory import melody_scale

__all__ = ["compose"]

PAN: dict[str, float] = {"drums": 0.0, "bass": 0.0, "comp": -0.25, "pad": 0.3}
"""Stereo position per accompaniment role (-1 left … +1 right)."""


def _wants_vocal(track: TrackPlan, request: SongRequest, style: ResolvedStyle) -> bool:
    return not request.instrumental and bool(track.lyrics.strip()) and StemFamily.VOCALS not in style.excluded


def _form(
    track: TrackPlan, request: SongRequest, style: ResolvedStyle, setting: Setting, syllabifier: Syllabifier
) -> list[SectionPlan]:
    if not _wants_vocal(track, request, style):
        form = instrumental_form(style.genre.instrumental_form)
    else:
        form = vocal_form(
            parse_lyrics(track.lyrics),
            syllabifier,
            steps=steps_per_bar(setting.meter),
            density=style.genre.vocal_density,
            backing=StemFamily.BACKING_VOCALS not in style.excluded,
        )
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
        is_drum=role == "drums",
        pan=PAN[role],
        gain_db=instrument.gain_db,
    )


def _parts(bars: list[Bar], style: ResolvedStyle, setting: Setting, rng: random.Random) -> tuple[Part, ...]:
    steps = steps_per_bar(setting.meter)
    patterns, swing = patterns_for(style.genre, steps), style.genre.swing
    builders: dict[str, Callable[[], tuple[Note, ...]]] = {
        "drums": lambda: drum_notes(bars, patterns, swing, rng),
        "bass": lambda: bass_notes(bars, patterns.bass, swing, steps),
        "comp": lambda: comp_notes(bars, patterns.comp, swing, steps, rng),
        "pad": lambda: pad_notes(bars),
    }
    parts = []
    for role, build in builders.items():
        instrument = style.instrument_for(role)
        notes = build() if instrument is not None else ()
        if instrument is not None and notes:
            parts.append(_part(role, instrument, notes))
    return tuple(parts)


def _vocal(
    form: list[SectionPlan],
    bars: list[Bar],
    track: TrackPlan,
    request: SongRequest,
    style: ResolvedStyle,
    setting: Setting,
    rng: random.Random,
) -> VocalLine | None:
    if not any(s.lines for s in form):
        return None
    ctx = VocalContext(
        bars=bars,
        ticks_per_bar=setting.ticks_per_bar,
        steps_per_bar=steps_per_bar(setting.meter),
        beat=beat_steps(setting.meter),
        scale=melody_scale(setting.key, style.genre.pentatonic),
        tonic=setting.key.tonic,
        voice=choose_voice(request.vocal_gender, track.seed),
        span=style.genre.melody_span,
        language=track.language,
        rng=rng,
    )
    return vocal_line(form, ctx)


def compose(track: TrackPlan, request: SongRequest, syllabifier: Syllabifier) -> Score:
    """Compose one track. Deterministic for ``track.seed``; never longer than ``request.max_duration_s``
    (nor ``target_duration_s`` when set) unless a single lyric line alone is longer; at least ~30 s."""
    style = parse_style(track.tags or request.style, request.negative_tags)
    rng = random.Random(track.seed)
    setting = choose_setting(style, rng)
    form = _form(track, request, style, setting, syllabifier)
    bars = bar_track(
        form, section_loops(form, style.genre, setting.key, rng), setting.key, setting.ticks_per_bar
    )
    vocal = _vocal(form, bars, track, request, style, setting, rng)
    return Score(
        tempo_bpm=setting.tempo_bpm,
        meter=setting.meter,
        key=setting.key,
        sections=_sections(form, setting.ticks_per_bar),
        chords=tuple(b.chord for b in bars),
        parts=_parts(bars, style, setting, rng),
        vocal=vocal,
        metadata={
            "genre": style.genre.name,
            "tags": track.tags,
            "title": track.title,
            "seed": str(track.seed),
        },
    )
