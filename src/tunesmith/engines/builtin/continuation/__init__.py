"""Edits of a finished track: extend (§3.3) and replace section (§3.9), for the built-in engine.

``plan_edit`` is the text stage (titles, lyrics, tags and seeds of the task's two tracks);
``render_edit`` reads the source track's files, composes and renders only the new material, splices it
into the source's audio, stems, score and words, and leaves the same files a generated track leaves.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from tunesmith.engines.base import ProgressSink, SongPlan, SongRequest, TrackPlan, TrackResult
from tunesmith.engines.builtin.continuation.extend import extend_track
from tunesmith.engines.builtin.continuation.material import Edited, Rendered
from tunesmith.engines.builtin.continuation.output import write_outputs
from tunesmith.engines.builtin.continuation.section import replace_section
from tunesmith.engines.builtin.continuation.source import SourceTrack, load_source
from tunesmith.engines.builtin.planner import TRACKS_PER_TASK, base_seed, make_plan, track_seed
from tunesmith.music.lyrics import detect_language
from tunesmith.music.score import Score

if TYPE_CHECKING:
    from tunesmith.engines.builtin.engine import BuiltinEngine, _StageTimer

__all__ = ["EDIT_OPERATIONS", "plan_edit", "render_edit"]

EDIT_OPERATIONS = frozenset({"extend", "replace_section"})


def plan_edit(request: SongRequest) -> SongPlan:
    """The text stage of an edit. An extension plans like a generate request (custom: the new lyrics;
    otherwise lyrics written afresh from the source's idea) and keeps the source's title and style when
    none is given; a replaced section shows the whole song's lyrics when the request has them."""
    if request.operation == "extend":
        plan = make_plan(request)
        tracks = tuple(replace(t, title=request.title or t.title, tags=request.style or t.tags) for t in plan.tracks)
        return SongPlan(request, tracks)
    base = base_seed(request)
    language = detect_language(request.lyrics or request.title)
    shown = request.full_lyrics or request.lyrics
    return SongPlan(request, tuple(
        TrackPlan(i, request.title, shown, request.style, language, track_seed(base, i)) for i in range(TRACKS_PER_TASK)
    ))  # fmt: skip


def render_edit(engine: BuiltinEngine, plan: SongPlan, index: int, workdir: Path, stream: ProgressSink) -> TrackResult:
    """Render track ``index`` of an edit plan into ``workdir`` (see :meth:`BuiltinEngine.render`)."""
    from tunesmith.engines.builtin.engine import _StageTimer

    request, track, timer = plan.request, plan.tracks[index], _StageTimer()
    with timer("load"):
        source = load_source(request, engine.sample_rate)
    started = time.perf_counter()
    before = sum(timer.seconds.values())
    edited = _edit(engine, source, track, request, timer)
    timer.seconds["splice"] = round(time.perf_counter() - started - (sum(timer.seconds.values()) - before), 4)
    return write_outputs(edited, track, Path(workdir), stream, timer, chunk_seconds=engine.chunk_seconds)


def _edit(engine: BuiltinEngine, source: SourceTrack, track: TrackPlan, request: SongRequest,
          timer: _StageTimer) -> Edited:  # fmt: skip
    from tunesmith.engines.builtin.composer import compose

    syllabifier, singer = engine._voice_parts()

    def composed(plan_track: TrackPlan, asked: SongRequest) -> Score:
        with timer("compose"):
            return compose(plan_track, asked, syllabifier)

    def rendered(score: Score) -> Rendered:
        processed, mastered, words = engine._make_audio(score, singer, timer)
        stems = {family.value: audio for family, audio in processed.items()}
        return Rendered(stems, mastered, engine.sample_rate, words)

    if request.operation == "extend":
        return extend_track(source, track, request, compose=composed, render=rendered)
    return replace_section(source, track, request, compose=composed, render=rendered)
