"""add-vocals: a sung line written for the user's instrumental, on the instrumental's own beat grid.

1. **Bars.** The analysis's beats and downbeats of the upload (extended to its end); bar 0 is its first downbeat,
   and the score's ticks are beats of that grid (``Score.beat_times``), so every phrase starts on the
   instrumental's own bar lines even where its tempo moves.
2. **Harmony.** Each bar takes the detected chord that sounds longest in it (no chord: the tonic triad of the
   detected key); the melody writer puts chord tones on the strong beats and keeps to the key's scale.
3. **Form.** The analysis's sections (runs of one repetition label), on bar lines, in blocks of at most
   :data:`BLOCK_BARS` bars, framed by an unsung intro and outro; the loudest label that recurs is the chorus.
   Lyric sections go to the blocks that sound like them: a chorus's lyrics to the chorus blocks (repeated
   there when the song has more choruses than the lyrics), verses, bridges and the rest in order to the others.
   Where no chorus is heard, the lyric sections fill the blocks in order and then the chorus comes back every
   other block. A block takes the lines that fit in it (sized by the style's syllable density, as in generate);
   lines that do not fit are left out, and a block without words plays as an instrumental section: the length
   of the song is the instrumental's.
4. **Voice.** The composer's melody writer and the built-in singer, with ``vocalGender`` (or the style's voice);
   parenthesised lines go to the backing voice.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from tunesmith.analysis.types import SongAnalysis
from tunesmith.engines.base import SongRequest, Syllabifier, TrackPlan
from tunesmith.engines.builtin.accompany.grid import extended
from tunesmith.engines.builtin.composer import mood_energy, vocal_over
from tunesmith.engines.builtin.composer.dynamics import section_dynamics
from tunesmith.engines.builtin.composer.form import LinePlan, SectionPlan, plan_lines
from tunesmith.engines.builtin.composer.grid import Bar, steps_per_bar
from tunesmith.engines.builtin.composer.setting import Setting
from tunesmith.engines.builtin.singer.voices import VOICES, choose_voice
from tunesmith.music.lyrics import ParsedSection, parse_lyrics
from tunesmith.music.score import TICKS_PER_BEAT, ChordSymbol, Key, Score, Section
from tunesmith.music.styles import Controls, parse_style
from tunesmith.music.theory import MODE_FAMILY

SINGABLE = frozenset({"verse", "pre_chorus", "chorus", "post_chorus", "bridge"})
CHORUS_KINDS = frozenset({"chorus", "post_chorus"})
MIN_SECTION_BARS = 2
"""A sung section is at least this long; shorter analysis sections stay instrumental."""
BLOCK_BARS = 8
"""Longest section the form uses: a longer analysis section is cut into blocks of this many bars."""
FRAME_BARS, FRAME_MAX_BARS = 2, 4
"""Bars carved for an intro/outro from a long first/last section; a first/last section this short is one."""
TONIC_QUALITY = {"major": "maj", "minor": "min"}


@dataclass(frozen=True)
class _Span:
    """An analysis section on bar lines: bars ``[start, start + bars)``."""

    kind: str
    label: str
    start: int
    bars: int


def vocal_for_instrumental(analysis: SongAnalysis, track: TrackPlan, request: SongRequest,
                           syllabifier: Syllabifier, loudness: Callable[[float, float], float]) -> Score:
    """The vocal score for the analysed instrumental (see the module docstring); it has no band parts.
    ``loudness(start_s, stop_s)``: the instrumental's level there (dB), to tell choruses from verses."""
    style = parse_style(track.tags or request.style, request.negative_tags)
    controls = Controls.of(request.style_weight, request.weirdness)
    rng = random.Random(track.seed)
    per_bar = 3 if analysis.tempo.meter[0] == 3 else 4
    meter = (per_bar, 4)
    beats, first = _beats(analysis, per_bar)
    starts = beats[first::per_bar]
    count = max(int(np.sum(starts[1:] <= analysis.duration_s + 1e-6)), 1)
    spans = [(float(starts[i]), float(starts[i + 1])) for i in range(count)]
    key = Key(analysis.key.tonic, analysis.key.mode)
    setting = Setting(analysis.tempo.bpm, meter, key)
    levels = [loudness(a, b) for a, b in spans]
    sections = _sections(analysis, spans, levels)
    lyrics = parse_lyrics(track.lyrics)
    density = style.genre.vocal_density
    form = _placed(sections, lyrics.sections, lambda texts, bars: _fitting(
        plan_lines(texts, lyrics.language, syllabifier, steps_per_bar(meter), density), bars))
    ticks_per_bar = TICKS_PER_BEAT * per_bar
    dynamics = section_dynamics(form, mood_energy(style))
    chords = [_bar_chord(analysis, a, b, key, i * ticks_per_bar, ticks_per_bar) for i, (a, b) in enumerate(spans)]
    bars, index = [], 0
    for s, section in enumerate(form):
        d = dynamics[s]
        for k in range(section.bars):
            final = index == len(chords) - 1
            bars.append(Bar(index, index * ticks_per_bar, chords[index], chords[min(index + 1, len(chords) - 1)], s,
                            section.kind, k == 0, k == section.bars - 1, final, d.occurrence, d.last_of_kind,
                            d.energy, d.next_kind))
            index += 1
    vocal = vocal_over(form, bars, track, _voiced(request, style.voice, track), style, controls, setting, rng)
    tick, placed = 0, []
    for section in form:
        placed.append(Section(section.kind, section.label, tick, tick + section.bars * ticks_per_bar))
        tick += section.bars * ticks_per_bar
    beat_times = tuple(float(t) for t in beats[first : first + count * per_bar + 1])
    return Score(
        tempo_bpm=float(analysis.tempo.bpm), meter=meter, key=key, sections=tuple(placed), chords=tuple(chords),
        parts=(), vocal=vocal, beat_times=beat_times,
        metadata={"genre": style.genre.name, "mix": style.genre.mix, "tags": track.tags, "title": track.title,
                  "seed": str(track.seed), "own_audio": "source"},
    )  # fmt: skip


def _beats(analysis: SongAnalysis, per_bar: int) -> tuple[npt.NDArray[np.float64], int]:
    """Every beat of the upload (the tracker's, extended by its edge periods to cover the whole upload) and the
    index of the first downbeat at or after 0 s."""
    tempo = analysis.tempo
    beats = np.asarray(tempo.beats, dtype=np.float64)
    if len(beats) < 2:
        period = 60.0 / (tempo.bpm or 100.0)
        beats = np.arange(0.0, analysis.duration_s + 4 * period, period)
    phase = (tempo.downbeats[0] if tempo.downbeats else 0) % per_bar
    head_period, tail_period = beats[1] - beats[0], beats[-1] - beats[-2]
    before = int(np.ceil(max(beats[0], 0.0) / head_period / per_bar)) * per_bar
    after = int(np.ceil(max(analysis.duration_s - beats[-1], 0.0) / tail_period)) + 2 * per_bar
    every = extended(beats, before, after)
    first = (before + phase) % per_bar
    while every[first] < -1e-6:
        first += per_bar
    return every, first


def _sections(analysis: SongAnalysis, spans: Sequence[tuple[float, float]],
              loudness: Sequence[float]) -> list[_Span]:
    """The form's roles on the bars: the analysis's sections (runs of bars of one label), cut into blocks of at
    most :data:`BLOCK_BARS`; an intro and an outro (a short first/last section, else :data:`FRAME_BARS` bars
    carved from it); the loudest recurring label as the chorus; verses elsewhere."""
    runs: list[_Span] = []
    for i, (a, b) in enumerate(spans):
        middle = (a + b) / 2
        label = next((s.label for s in analysis.sections if s.start_s <= middle < s.end_s), "")
        if runs and runs[-1].label == label and runs[-1].bars < BLOCK_BARS:
            runs[-1] = _Span("verse", label, runs[-1].start, runs[-1].bars + 1)
        else:
            runs.append(_Span("verse", label, i, 1))
    runs = _framed(runs)
    middle_runs = [r for r in runs if r.kind == "verse"]
    counts: dict[str, list[float]] = {}
    for r in middle_runs:
        counts.setdefault(r.label, []).append(float(np.mean(loudness[r.start : r.start + r.bars])))
    recurring = {label: float(np.mean(levels)) for label, levels in counts.items() if len(levels) >= 2}
    if len(counts) >= 2 and recurring:
        chorus = max(recurring, key=lambda label: recurring[label])
        runs = [_Span("chorus", r.label, r.start, r.bars) if r.kind == "verse" and r.label == chorus else r
                for r in runs]
    return runs


def _framed(runs: list[_Span]) -> list[_Span]:
    """``runs`` with an intro at the start and an outro at the end."""
    if not runs:
        return runs
    first = runs[0]
    if len(runs) >= 3 and first.bars <= FRAME_MAX_BARS:
        runs[0] = _Span("intro", first.label, first.start, first.bars)
    elif first.bars > FRAME_BARS + 1:
        runs[:1] = [_Span("intro", first.label, first.start, FRAME_BARS),
                    _Span("verse", first.label, first.start + FRAME_BARS, first.bars - FRAME_BARS)]
    last = runs[-1]
    if len(runs) >= 3 and last.bars <= FRAME_MAX_BARS and last.kind != "intro":
        runs[-1] = _Span("outro", last.label, last.start, last.bars)
    elif last.bars > FRAME_BARS + 1 and last.kind != "intro":
        runs[-1:] = [_Span(last.kind, last.label, last.start, last.bars - FRAME_BARS),
                     _Span("outro", last.label, last.start + last.bars - FRAME_BARS, FRAME_BARS)]
    return runs


def _voiced(request: SongRequest, style_voice: str | None, track: TrackPlan) -> SongRequest:
    """The request with a voice for this track: a persona's, else one of ``vocalGender`` (or the style's), the two
    tracks of a task taking different voices (the form and the words are the same for both)."""
    if request.voice:
        return request
    gender = request.vocal_gender or style_voice
    pool = sorted((v for v in VOICES.values() if gender in (None, v.gender)), key=lambda v: v.id) or \
        sorted(VOICES.values(), key=lambda v: v.id)
    first = pool.index(choose_voice(gender, track.seed - track.index)) if gender or len(pool) else 0
    return replace(request, voice=pool[(first + track.index) % len(pool)].id)


LineFitter = Callable[[list[tuple[str, bool]], int], tuple[LinePlan, ...]]
"""(lines as (text, backing), bars of the section) → the planned lines that fit."""


def _placed(spans: Sequence[_Span], lyric_sections: Sequence[ParsedSection], fitter: LineFitter) -> list[SectionPlan]:
    """The form: every analysis section, sung ones with the lines of the lyric section placed on them."""
    sung = [s for s in lyric_sections if s.lines]
    choruses = [s for s in sung if s.kind in CHORUS_KINDS]
    others = [s for s in sung if s.kind not in CHORUS_KINDS]
    singable = [i for i, s in enumerate(spans) if s.kind in SINGABLE and s.bars >= MIN_SECTION_BARS]
    assigned: dict[int, ParsedSection] = {}
    if any(spans[i].kind in CHORUS_KINDS for i in singable):
        chorus_i, other_i = 0, 0
        for i in singable:
            if spans[i].kind in CHORUS_KINDS and choruses:
                assigned[i] = choruses[chorus_i % len(choruses)]
                chorus_i += 1
            elif other_i < len(others):
                assigned[i] = others[other_i]
                other_i += 1
    else:
        for i, section in zip(singable, sung, strict=False):
            assigned[i] = section
        rest = singable[len(sung):]
        for n, i in enumerate(rest[1::2]):  # the lyrics are sung: the choruses come back, every other block
            if choruses:
                assigned[i] = choruses[n % len(choruses)]
    form = []
    for i, span in enumerate(spans):
        lyric = assigned.get(i)
        lines = fitter([(line.text, line.backing) for line in lyric.lines], span.bars) if lyric else ()
        kind = lyric.kind if lyric and lines and lyric.kind in SINGABLE else span.kind
        label = lyric.label if lyric and lines else (span.label or kind.title())
        form.append(SectionPlan(kind if lines else _unsung(kind), label, span.bars, lines))
    return form


def _unsung(kind: str) -> str:
    """A section left without words plays as an instrumental one (its arrangement and dynamics)."""
    return kind if kind not in SINGABLE else "instrumental"


def _fitting(lines: tuple[LinePlan, ...], bars: int) -> tuple[LinePlan, ...]:
    """The leading lines whose bars fit in ``bars``."""
    out, used = [], 0
    for line in lines:
        if used + line.bars > bars:
            break
        out.append(line)
        used += line.bars
    return tuple(out)


def _bar_chord(analysis: SongAnalysis, start: float, stop: float, key: Key, tick: int, ticks: int) -> ChordSymbol:
    """The detected chord sounding longest in ``[start, stop)``; the key's tonic triad where none is heard."""
    best, best_overlap = None, 0.0
    for c in analysis.chords:
        overlap = min(stop, c.end_s) - max(start, c.start_s)
        if c.root >= 0 and c.quality in ("maj", "min") and overlap > best_overlap:
            best, best_overlap = c, overlap
    if best is None:
        return ChordSymbol(tick, ticks, key.tonic, TONIC_QUALITY[MODE_FAMILY[key.mode]])
    return ChordSymbol(tick, ticks, best.root, best.quality)
