"""New material for an edit: composed in the source's setting, then started where its singing begins.

The composer frames every lyric with an intro it adds itself; an edit continues a song that is already
playing, so that intro is dropped except for its last bar, which leads into the first sung section
(and carries any pick-up notes). An intro the user asked for (``[Intro]`` first) is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from tunesmith.dsp.types import Audio
from tunesmith.engines.base import SongRequest, TrackPlan, WordTiming
from tunesmith.engines.builtin.continuation.scores import shifted
from tunesmith.engines.builtin.continuation.style import inherited_style, inherited_voice, same_sounds
from tunesmith.music.lyrics import parse_lyrics
from tunesmith.music.score import Score
from tunesmith.music.styles import parse_style

Composer = Callable[[TrackPlan, SongRequest], Score]
"""A track plan and request → a score (the built-in composer with its syllabifier bound)."""


@dataclass(frozen=True)
class Rendered:
    """A score's audio at the engine's rate: mastered ``stems`` (family → (2, n)) summing to ``mix``
    (2, n), and the sung ``words`` (seconds from the score's tick 0)."""

    stems: dict[str, Audio]
    mix: Audio
    sample_rate: int
    words: list[WordTiming]


Renderer = Callable[[Score], Rendered]


@dataclass(frozen=True)
class Material:
    """``score`` starts with ``lead`` ticks of lead-in before its first sung section (0: none)."""

    score: Score
    lead: int


def _first_sung_section(score: Score) -> int | None:
    """Start tick of the section in which singing begins, or ``None`` for an instrumental score."""
    if score.vocal is None or not score.vocal.syllables:
        return None
    first = min(s.start for s in score.vocal.syllables)
    return next((s.start for s in score.sections if s.start <= first < s.end), first)


def lead_in(score: Score, lyrics: str) -> Material:
    """``score`` from one bar before its first sung section (see the module doc)."""
    sung = _first_sung_section(score)
    sections = parse_lyrics(lyrics).sections
    if sung is None or sung == 0 or (sections and sections[0].kind == "intro"):
        return Material(score, 0)
    start = max(sung - score.ticks_per_bar, 0)
    return Material(shifted(score, start), sung - start)


def compose_material(
    compose: Composer, track: TrackPlan, request: SongRequest, source: Score, *, lyrics: str, forced: bool,
    target_s: float | None = None,
) -> Material:  # fmt: skip
    """Compose ``lyrics`` in ``track.tags`` following ``source`` (see :mod:`.style`) and start it at its
    lead-in. ``target_s`` caps the whole composition (seconds) so that the lyrics are fitted to it."""
    style = inherited_style(source, track.tags, forced=forced)
    asked = replace(request, voice=inherited_voice(request, source))
    if target_s is not None:
        asked = replace(asked, target_duration_s=target_s, max_duration_s=min(request.max_duration_s, target_s))
    score = compose(replace(track, tags=style, lyrics=lyrics), asked)
    if parse_style(style).genre.name == source.metadata.get("genre"):
        score = same_sounds(score, source)
    return lead_in(score, lyrics)


@dataclass(frozen=True)
class Edited:
    """An edited track: ``master`` (2, n) at :data:`MP3_SAMPLE_RATE`, ``stems`` (2, m) at ``sample_rate``
    summing to it, the whole track's ``score`` and sung ``words``."""

    score: Score
    stems: dict[str, Audio]
    master: Audio
    sample_rate: int
    words: list[WordTiming]


def shift_words(words: list[WordTiming], offset_s: float) -> list[WordTiming]:
    """``words`` moved ``offset_s`` seconds later, their lines marked as new (negative until renumbered)."""
    return [
        WordTiming(w.word, w.start_s + offset_s, w.end_s + offset_s, -1 - w.line,
                   tuple((t, a + offset_s, b + offset_s) for t, a, b in w.syllables))
        for w in words
    ]  # fmt: skip


def renumber_lines(words: list[WordTiming]) -> list[WordTiming]:
    """``words`` in time order with ``line`` counting sung lines 0, 1, … in the order they begin."""
    ordered = sorted(words, key=lambda w: w.start_s)
    number: dict[int, int] = {}
    out = []
    for w in ordered:
        number.setdefault(w.line, len(number))
        out.append(WordTiming(w.word, w.start_s, w.end_s, number[w.line], w.syllables))
    return out
