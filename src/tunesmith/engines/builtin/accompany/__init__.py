"""Accompaniment for the user's own audio: a band for a vocal (add-instrumental), a topline for an
instrumental (add-vocals).

The text stage listens to the upload (:mod:`.listen`: the analysis, kept for the renders) and refuses audio of
the wrong kind with a 400 before any credit is spent on rendering. Each track then writes the new part on the
upload's own clock (:mod:`.band`, :mod:`.topline`) and mixes it with the upload **untouched**
(:meth:`BuiltinEngine.render_score` with ``own``): the user's audio is only scaled (one constant, then the
master's gain curve), never filtered, carved or faded. Stems: the user's audio as ``vocals`` (add-instrumental)
or ``source`` (add-vocals: split on demand by the stems jobs), plus the engine's families; they sum to the master.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tunesmith.dsp.types import Audio
from tunesmith.engines.base import ProgressSink, SongPlan, SongRequest, TrackPlan, TrackResult
from tunesmith.engines.builtin.accompany.listen import (
    listen,
    require_instrumental,
    require_voice,
    the_instrumental,
    the_vocal,
)
from tunesmith.engines.builtin.planner import TRACKS_PER_TASK, base_seed, make_plan, track_seed
from tunesmith.engines.understanding import word_timings
from tunesmith.music.lyrics import detect_language

if TYPE_CHECKING:
    from tunesmith.engines.builtin.engine import BuiltinEngine

__all__ = ["plan_audio_in", "render_audio_in"]

USER_VOCAL, USER_INSTRUMENTAL = "vocals", "source"
"""Stem names of the user's audio in the tracks."""
DEFAULT_VOCAL_LEVEL_DB = 4.0
"""How far the user's vocal sits above the new band when the style's vocal chain names no level."""
UNCARVED_LIFT_DB = 2.0
"""add-vocals: how much higher than in generate the new vocal sits over the band. Generate carves a pocket for
the voice out of its own band; the user's instrumental is never carved, so the words need the level instead."""
AUDIO_WEIGHT_SPAN_DB = 6.0
"""``audioWeight`` (0–1, default 0.5) is how much the user's audio leads the mix: from 0 to 1 it moves the
user's part from 3 dB below to 3 dB above where the style's mix would put it against the new part."""


def plan_audio_in(engine: BuiltinEngine, request: SongRequest) -> SongPlan:
    """The text stage: listen to the upload (refusing the wrong kind with a 400) and name the two tracks.

    add-instrumental shows the words heard in the vocal as each track's lyrics; add-vocals the lyrics it will
    sing (the request's, or written by the built-in lyricist from the title and style in non-custom mode)."""
    heard = listen(engine, request)
    if request.operation == "add_instrumental":
        require_voice(heard)
        lyrics = _lyrics_text(heard.analysis.lyrics.text)
        language = heard.analysis.lyrics.language if lyrics else detect_language(request.title)
        base = base_seed(request)
        return SongPlan(request, tuple(
            TrackPlan(i, request.title, lyrics, request.style, language, track_seed(base, i))
            for i in range(TRACKS_PER_TASK)
        ))  # fmt: skip
    require_instrumental(heard)
    written = make_plan(replace(request, idea=request.idea or request.title, instrumental=False))
    return SongPlan(request, tuple(replace(t, title=request.title or t.title, tags=request.style or t.tags)
                                   for t in written.tracks))


def render_audio_in(engine: BuiltinEngine, plan: SongPlan, index: int, workdir: Path,
                    stream: ProgressSink) -> TrackResult:
    """Render track ``index``: the new part written and played around the user's audio, mixed and mastered."""
    from tunesmith.engines.builtin.engine import _StageTimer

    request, track, timer = plan.request, plan.tracks[index], _StageTimer()
    with timer("listen"):
        heard = listen(engine, request)
    rate = engine.sample_rate
    if request.operation == "add_instrumental":
        from tunesmith.dsp.presets import presets_for
        from tunesmith.engines.builtin.accompany.band import band_for_vocal

        with timer("compose"):
            band = band_for_vocal(heard.analysis, track, request)
        with timer("listen"):
            vocal, _separated = the_vocal(heard, rate)
        placed = _delayed(vocal, round(band.offset_s * rate))
        level = presets_for(["vocals"], band.score.metadata.get("mix"))["vocals"].level_over_rest_db
        words = word_timings(heard.analysis.lyrics, offset_s=band.offset_s)
        lead = (level if level is not None else DEFAULT_VOCAL_LEVEL_DB) + _weight_db(request)
        return engine.render_score(band.score, track, workdir, stream, timer, own={USER_VOCAL: placed},
                                   lead_over_db=lead, words=words)
    from tunesmith.engines.builtin.accompany.topline import vocal_for_instrumental

    syllabifier, _ = engine._voice_parts()
    with timer("listen"):
        instrumental = the_instrumental(heard, rate)
    with timer("compose"):
        score = vocal_for_instrumental(heard.analysis, track, request, syllabifier, _level_of(instrumental, rate))
    return engine.render_score(score, track, workdir, stream, timer, own={USER_INSTRUMENTAL: instrumental},
                               sung_shift_db=UNCARVED_LIFT_DB - _weight_db(request))


def _weight_db(request: SongRequest) -> float:
    """How many dB ``audioWeight`` lifts the user's part against the new one (0 at the default 0.5)."""
    weight = 0.5 if request.audio_weight is None else request.audio_weight
    return AUDIO_WEIGHT_SPAN_DB * (weight - 0.5)


def _lyrics_text(heard: str) -> str:
    """The words heard in the vocal as lyrics (one line per heard line), or "" when none were heard."""
    return "\n".join(line.strip() for line in heard.splitlines() if line.strip())


def _level_of(audio: Audio, rate: int) -> Callable[[float, float], float]:
    """``(start_s, stop_s)`` → the RMS level of ``audio`` there, in dB (−120 for silence or nothing)."""
    power = np.mean(np.square(audio, dtype=np.float64), axis=0)
    total = np.concatenate([[0.0], np.cumsum(power)])

    def level(start_s: float, stop_s: float) -> float:
        a = int(np.clip(round(start_s * rate), 0, len(power)))
        b = int(np.clip(round(stop_s * rate), a, len(power)))
        mean = (total[b] - total[a]) / (b - a) if b > a else 0.0
        return float(10 * np.log10(mean)) if mean > 1e-12 else -120.0

    return level


def _delayed(audio: Audio, samples: int) -> Audio:
    """``audio`` starting ``samples`` later (silence before it)."""
    if samples <= 0:
        return audio
    return np.pad(audio, ((0, 0), (samples, 0)))
