"""Extend (hosted API §3.3): the source up to the join, then new material composed to follow it.

The join is ``continue_at`` rounded up to the source's next bar line, so the first ``continue_at``
seconds of the result are the source's master sample for sample and the new material starts on the
beat. The source keeps sounding for :data:`FADE_S` after the join while the new material fades in
(equal power), so nothing clicks. Stems are spliced the same way and still sum to the master; the
score and the sung words are the source's before the join and the new ones after it.

A source on a tempo map (a band that followed a drifting singer) is continued at the tempo of its last
beat before the join; the edited score's tempo map is the source's up to the join, then the new
material's steady beats.
"""

from __future__ import annotations

from tunesmith.dsp.resample import resample
from tunesmith.engines.base import SongRequest, TrackPlan
from tunesmith.engines.builtin.continuation.material import (
    Composer,
    Edited,
    Renderer,
    compose_material,
    renumber_lines,
    shift_words,
)
from tunesmith.engines.builtin.continuation.scores import bar_ceil, continued, joined, placed, steady, window
from tunesmith.engines.builtin.continuation.source import SourceTrack
from tunesmith.engines.builtin.continuation.splice import splice_after, splice_stems_after
from tunesmith.media.mp3 import MP3_SAMPLE_RATE
from tunesmith.music.score import Score

FADE_S = 0.05
"""Equal-power crossfade after the join, seconds."""


def join_seconds(source: Score, continue_at: float) -> float:
    """Where the new material starts: ``continue_at`` rounded up to the next bar line of ``source``."""
    return source.seconds(bar_ceil(source, continue_at))


def extend_track(
    source: SourceTrack, track: TrackPlan, request: SongRequest, *, compose: Composer, render: Renderer
) -> Edited:  # fmt: skip
    """The extended track for ``track`` of an extend request (``request.continue_at`` seconds kept)."""
    at = request.continue_at if request.continue_at is not None else source.duration_s
    bar, join_s = bar_ceil(source.score, at), join_seconds(source.score, at)
    setting = steady(source.score, bar)
    material = compose_material(compose, track, request, setting, lyrics=track.lyrics, forced=False)
    new = render(material.score)
    rate = new.sample_rate
    join = round(join_s * rate)
    stems = splice_stems_after(source.stems, new.stems, join=join, fade=round(FADE_S * rate))
    mix44 = resample(new.mix, rate, MP3_SAMPLE_RATE)
    join44 = round(join_s * MP3_SAMPLE_RATE)
    master = splice_after(source.master, mix44, join=join44, fade=round(FADE_S * MP3_SAMPLE_RATE))
    grid = continued(source.score, bar, material.score)
    score = joined(
        [window(source.score, 0, bar), placed(material.score, join_s, grid)],
        grid,
        voice=_voice(material.score, source.score),
        metadata={**source.score.metadata, **material.score.metadata, "title": track.title, "tags": track.tags},
    )
    words = [w for w in source.words if w.start_s < join_s] + shift_words(new.words, join_s)
    return Edited(score, stems, master, rate, renumber_lines(words))


def _voice(new: Score, old: Score) -> str | None:
    for score in (new, old):
        if score.vocal is not None and score.vocal.syllables:
            return score.vocal.voice
    return None
