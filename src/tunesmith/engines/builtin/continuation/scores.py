"""Score surgery for edits: bar lines, windows, moving a score onto another grid, and joining pieces.

Every function returns a new :class:`Score`; ticks stay integers. A *piece* is a score already on the
target grid (same tempo or tempo map, and ``ticks_per_beat``) at its absolute position in the edited
track; joining pieces keeps their notes, sections, chords and sung syllables and renumbers lyric lines in
sung order. Bar lines are ticks (multiples of ``ticks_per_bar``) found through the score's own seconds,
so on a tempo map (a band that follows a drifting singer) they are where that singer's bars fall.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace

from tunesmith.music.score import (
    ChordSymbol,
    LyricLine,
    Note,
    Part,
    Score,
    Section,
    SungSyllable,
    VocalLine,
)

TickMap = Callable[[int], int]
SNAP_S = 1e-3
"""A time within this many seconds after a bar line counts as on it (two-decimal request times)."""


def has_tempo_map(score: Score) -> bool:
    """Whether ``score`` keeps time along ``beat_times`` rather than its single tempo."""
    return len(score.beat_times) >= 2


def bar_ceil(score: Score, seconds: float) -> int:
    """The first bar line (tick) of ``score`` at or after ``seconds`` (within :data:`SNAP_S`)."""
    bar, target = score.ticks_per_bar, seconds - SNAP_S
    line = score.tick_at(target) // bar  # at most a tick after target: the answer or the bar line before it
    while score.seconds(line * bar) < target:
        line += 1
    return line * bar


def bar_floor(score: Score, seconds: float) -> int:
    """The last bar line (tick ≥ 0) of ``score`` at or before ``seconds`` (within :data:`SNAP_S`)."""
    bar, target = score.ticks_per_bar, seconds + SNAP_S
    line = score.tick_at(target) // bar + 1  # after target: step back to the answer
    while line > 0 and score.seconds(line * bar) > target:
        line -= 1
    return line * bar


def steady(score: Score, tick: int) -> Score:
    """``score`` at one tempo: that of the beat sounding just before ``tick`` when it has a tempo map (the
    setting new material is composed in), otherwise ``score`` itself."""
    if not has_tempo_map(score):
        return score
    beat = max(math.ceil(tick / score.ticks_per_beat), 1) * score.ticks_per_beat
    period = score.seconds(beat) - score.seconds(beat - score.ticks_per_beat)
    return replace(score, tempo_bpm=60.0 / period, beat_times=())


def continued(source: Score, join: int, new: Score) -> Score:
    """``source``'s grid for a track that is ``source`` up to tick ``join`` and ``new`` (from its tick 0) after.

    With a tempo map, the beats up to the join keep the source's times and the beats after it take
    ``new``'s, through ``new``'s end, so both parts keep the seconds they sound at (exactly when ``join`` is
    on a beat, as a bar line of a quarter-note meter is). A single-tempo source is returned as it is
    (``new`` is then placed on its tempo)."""
    if not has_tempo_map(source):
        return source
    tpb, times = source.ticks_per_beat, source.beat_times
    last = join // tpb
    kept = [*times[: last + 1], *(source.seconds(i * tpb) for i in range(len(times), last + 1))]
    origin = source.seconds(join) - new.seconds(0)
    end = math.ceil((join + new.total_ticks) / tpb) + 1
    added = (origin + new.seconds(i * tpb - join) for i in range(last + 1, end + 1))
    return replace(source, beat_times=(*kept, *added))


def follows(score: Score, grid: Score, at: int) -> Score:
    """``score`` retimed so that its tick ``t`` sounds ``grid.seconds(at + t) - grid.seconds(at)`` seconds
    after its start: new material keeping to ``grid``'s tempo map from tick ``at`` (same resolution)."""
    tpb, origin = grid.ticks_per_beat, grid.seconds(at)
    beats = math.ceil(score.total_ticks / tpb) + 1
    return replace(score, beat_times=tuple(grid.seconds(at + k * tpb) - origin for k in range(beats + 1)))


def _clip_notes(notes: Sequence[Note], start: int, end: int) -> tuple[Note, ...]:
    """Notes that begin in ``[start, end)``, cut off at ``end``."""
    return tuple(replace(n, duration=min(n.end, end) - n.start) for n in notes if start <= n.start < end)


def _clip_vocal(vocal: VocalLine, start: int, end: int) -> VocalLine | None:
    syllables = []
    for s in vocal.syllables:
        if start <= s.start < end:
            syllables.append(replace(s, notes=_clip_notes(s.notes, start, end)))
    return replace(vocal, syllables=tuple(syllables)) if syllables else None


def window(score: Score, start: int, end: int) -> Score:
    """What of ``score`` begins in ticks ``[start, end)``, at its own position: notes and syllables that
    start there (cut off at ``end``), and sections and chords overlapping it (cut to the window)."""
    sections = tuple(
        replace(s, start=max(s.start, start), end=min(s.end, end))
        for s in score.sections
        if s.start < end and s.end > start
    )
    chords = tuple(
        replace(c, start=max(c.start, start), duration=min(c.start + c.duration, end) - max(c.start, start))
        for c in score.chords
        if c.start < end and c.start + c.duration > start
    )
    parts = tuple(replace(p, notes=_clip_notes(p.notes, start, end)) for p in score.parts)
    vocal = _clip_vocal(score.vocal, start, end) if score.vocal is not None else None
    kept = [i for i, s in enumerate(score.sections) if s.start < end and s.end > start]
    if vocal is not None:
        vocal = replace(vocal, lines=tuple(replace(ln, section=_nearest(kept, ln.section)) for ln in vocal.lines))
    return replace(score, sections=sections, chords=chords, parts=tuple(p for p in parts if p.notes), vocal=vocal)


def _nearest(kept: list[int], index: int) -> int:
    """The position in ``kept`` (old section indices) of ``index`` or of the closest kept section."""
    if not kept:
        return 0
    return min(range(len(kept)), key=lambda i: abs(kept[i] - index))


def shifted(score: Score, start: int) -> Score:
    """``score`` from tick ``start`` on, moved so that ``start`` becomes tick 0 at 0 s (earlier material
    dropped; a tempo map is cut at ``start`` too)."""
    cut = window(score, start, max(score.total_ticks, start + 1))
    moved = remapped(cut, lambda t: t - start, score)
    return follows(moved, score, start) if has_tempo_map(score) else moved


def placed(score: Score, offset_s: float, grid: Score) -> Score:
    """``score`` moved to begin at ``offset_s`` seconds on ``grid``'s tempo (or tempo map) and resolution.

    Every time is converted through seconds and rounded to the nearest tick of ``grid``. That is a pure tick
    shift when ``offset_s`` falls on a tick and ``grid`` keeps ``score``'s time from there on: the same
    tempo, a grid :func:`continued` with ``score``, or ``score`` retimed to :func:`follows` the grid.
    """

    def to_grid(tick: int) -> int:
        return grid.tick_at(offset_s + score.seconds(tick))

    return remapped(score, to_grid, grid)


def remapped(score: Score, to_tick: TickMap, grid: Score) -> Score:
    """Every time of ``score`` mapped through ``to_tick`` (monotonic), on ``grid``'s tempo (or tempo map),
    meter and resolution."""

    def note(n: Note) -> Note:
        start = to_tick(n.start)
        return replace(n, start=start, duration=max(to_tick(n.end) - start, 1))

    sections = tuple(replace(s, start=to_tick(s.start), end=to_tick(s.end)) for s in score.sections)
    chords = tuple(
        replace(c, start=to_tick(c.start), duration=max(to_tick(c.start + c.duration) - to_tick(c.start), 1))
        for c in score.chords
    )
    parts = tuple(replace(p, notes=tuple(note(n) for n in p.notes)) for p in score.parts)
    vocal = score.vocal
    if vocal is not None:
        vocal = replace(
            vocal, syllables=tuple(replace(s, notes=tuple(note(n) for n in s.notes)) for s in vocal.syllables)
        )
    return replace(
        score, tempo_bpm=grid.tempo_bpm, beat_times=grid.beat_times, meter=grid.meter,
        ticks_per_beat=grid.ticks_per_beat, sections=sections, chords=chords, parts=parts, vocal=vocal,
    )  # fmt: skip


def joined(pieces: Sequence[Score], base: Score, *, voice: str | None, metadata: dict[str, str]) -> Score:
    """One score of ``pieces`` (in time order, all on ``base``'s grid) with ``base``'s key and meter.

    Parts with the same name, family, program and kit are merged into one; sung lines are renumbered in
    the order they are sung, and each line points at its piece's section in the joined section list.
    """
    sections: list[Section] = []
    chords: list[ChordSymbol] = []
    parts: dict[tuple[str, str, int, bool], Part] = {}
    for piece in pieces:
        sections.extend(piece.sections)
        chords.extend(piece.chords)
        for p in piece.parts:
            key = (p.name, p.family.value, p.program, p.is_drum)
            parts[key] = replace(parts[key], notes=parts[key].notes + p.notes) if key in parts else p
    merged = tuple(replace(p, notes=tuple(sorted(p.notes, key=lambda n: (n.start, n.pitch)))) for p in parts.values())
    return replace(
        base, sections=tuple(sections), chords=tuple(sorted(chords, key=lambda c: c.start)), parts=merged,
        vocal=_joined_vocal(pieces, voice), metadata=metadata,
    )  # fmt: skip


def _joined_vocal(pieces: Sequence[Score], voice: str | None) -> VocalLine | None:
    """The pieces' sung syllables with lines renumbered by their first sung syllable."""
    sung = [(i, p.vocal) for i, p in enumerate(pieces) if p.vocal is not None and p.vocal.syllables]
    if not sung:
        return None
    section_base = [sum(len(p.sections) for p in pieces[:i]) for i in range(len(pieces))]
    first: dict[tuple[int, int], int] = {}
    for i, vocal in sung:
        for s in vocal.syllables:
            first[(i, s.line)] = min(first.get((i, s.line), s.start), s.start)
    order = sorted(first, key=lambda k: (first[k], k))
    number = {k: n for n, k in enumerate(order)}
    lines: list[LyricLine] = []
    for i, line in order:
        original = dict(sung)[i].lines[line]
        lines.append(replace(original, section=section_base[i] + original.section))
    syllables: list[SungSyllable] = [replace(s, line=number[(i, s.line)]) for i, vocal in sung for s in vocal.syllables]
    syllables.sort(key=lambda s: s.start)
    language = sung[0][1].language
    return VocalLine(
        language=language, voice=voice or sung[-1][1].voice, lines=tuple(lines), syllables=tuple(syllables)
    )
