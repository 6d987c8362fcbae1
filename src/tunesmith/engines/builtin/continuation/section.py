"""Replace section (hosted API §3.9): new material inside ``[infill_start_s, infill_end_s)``, the source
everywhere else.

The new material is composed in the source's tempo, key and meter (forced, so its bars line up) and
placed on the source's bar grid: its first sung section starts on the first bar line inside the
window, led in by one bar of the composition. Inside the window the source fades out over its first
:data:`FADE_S` and back in over its last, against the new material (equal power); outside the window
the master and every stem are the source's samples exactly. The new material is gain-matched to the
loudness the source had in the window, so the section sits at the song's level. On a source with a tempo
map (a band that followed a drifting singer) the material is composed at the tempo the window starts
in and then retimed onto the source's beats from where it is placed, so it drifts with the song and
its ticks are the source's.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from tunesmith.dsp.loudness import integrated_lufs
from tunesmith.dsp.resample import resample
from tunesmith.dsp.types import Audio, db_to_gain, fit_length
from tunesmith.engines.base import SongRequest, TrackPlan, WordTiming
from tunesmith.engines.builtin.continuation.material import (
    Composer,
    Edited,
    Material,
    Rendered,
    Renderer,
    compose_material,
    renumber_lines,
    shift_words,
)
from tunesmith.engines.builtin.continuation.scores import (
    bar_ceil,
    bar_floor,
    follows,
    has_tempo_map,
    joined,
    placed,
    steady,
    window,
)
from tunesmith.engines.builtin.continuation.source import SourceTrack
from tunesmith.engines.builtin.continuation.splice import splice_stems_window, splice_window
from tunesmith.media.mp3 import MP3_SAMPLE_RATE
from tunesmith.music.score import Score

FADE_S = 0.04
"""Equal-power crossfade at each border, inside the window, seconds."""
TAIL_S = 0.25
"""New material composed past the window's end, so that it still sounds through the fade-out."""
MATCH_LIMIT_DB = 12.0
"""Largest loudness correction applied to the new material, dB either way."""
PEAK_CEILING = db_to_gain(-1.6)
"""The gain-matched new material never peaks above this (the engine's pre-MP3 master ceiling, dBTP)."""
ATTEMPTS = 3
"""Compositions tried until one is long enough to fill the window."""


def _placement(source: Score, start_s: float, material: Material) -> int:
    """Source tick where the material's tick 0 goes: its lead-in ends on the first bar line at or after
    ``start_s`` (with no lead-in, it starts on the bar line at or before)."""
    if material.lead == 0:
        return bar_floor(source, start_s)
    lead = material.lead if has_tempo_map(source) else source.tick_at(material.score.seconds(material.lead))
    return bar_ceil(source, start_s) - lead


def _on_source(source: Score, start_s: float, material: Material) -> tuple[Material, float]:
    """The material as placed on ``source`` (retimed onto its tempo map, if any) and where it starts (s)."""
    at = _placement(source, start_s, material)
    if has_tempo_map(source):
        material = replace(material, score=follows(material.score, source, at))
    return material, source.seconds(at)


def _material(
    compose: Composer, source: Score, track: TrackPlan, request: SongRequest, start_s: float, end_s: float
) -> tuple[Material, float]:  # fmt: skip
    """Material covering the window and where it starts (seconds); recomposed longer when it falls short."""
    setting = steady(source, bar_ceil(source, start_s))
    bar_s = setting.seconds(setting.ticks_per_bar) - setting.seconds(0)
    target = end_s - start_s + 4 * bar_s
    for _ in range(ATTEMPTS):
        material = compose_material(compose, track, request, setting, lyrics=request.lyrics, forced=True,
                                    target_s=target)  # fmt: skip
        material, offset_s = _on_source(source, start_s, material)
        short = end_s + TAIL_S - offset_s - material.score.duration_s
        if short <= 0:
            break
        target += short + bar_s
    cut = window(material.score, 0, material.score.tick_at(end_s + TAIL_S - offset_s))
    return replace(material, score=cut), offset_s


def _matched(new: Rendered, new_window: Audio, source_window: Audio) -> tuple[Rendered, Audio]:
    """``new`` (and its window, at 44.1 kHz) scaled by one gain to the source window's loudness."""
    want = integrated_lufs(source_window, MP3_SAMPLE_RATE)
    have = integrated_lufs(new_window, MP3_SAMPLE_RATE)
    if not (np.isfinite(want) and np.isfinite(have)):
        return new, new_window
    gain = db_to_gain(float(np.clip(want - have, -MATCH_LIMIT_DB, MATCH_LIMIT_DB)))
    peak = float(np.max(np.abs(new_window))) if new_window.size else 0.0
    if peak * gain > PEAK_CEILING:
        gain = PEAK_CEILING / peak
    g = np.float32(gain)
    stems = {f: a * g for f, a in new.stems.items()}
    return replace(new, stems=stems, mix=new.mix * g), new_window * g


def _window_of(audio: Audio, offset: int, start: int, end: int) -> Audio:
    """Samples ``[start, end)`` of the timeline on which ``audio`` begins at sample ``offset``."""
    begin = start - offset
    if begin < 0:
        pad = np.zeros((audio.shape[0], -begin), dtype=np.float32)
        return fit_length(np.concatenate([pad, audio], axis=1), end - start)
    return fit_length(audio[:, begin:], end - start)


def replace_section(
    source: SourceTrack, track: TrackPlan, request: SongRequest, *, compose: Composer, render: Renderer
) -> Edited:  # fmt: skip
    """The track with ``request.infill_start_s``–``infill_end_s`` regenerated from ``request.lyrics``."""
    if request.infill_start_s is None or request.infill_end_s is None:
        raise ValueError("replace_section needs infill_start_s and infill_end_s")
    start_s, end_s = request.infill_start_s, request.infill_end_s
    material, offset_s = _material(compose, source.score, track, request, start_s, end_s)
    new = render(material.score)
    rate = new.sample_rate
    start44, end44 = round(start_s * MP3_SAMPLE_RATE), round(end_s * MP3_SAMPLE_RATE)
    offset44 = round(offset_s * MP3_SAMPLE_RATE)
    insert44 = _window_of(resample(new.mix, rate, MP3_SAMPLE_RATE), offset44, start44, end44)
    new, insert44 = _matched(new, insert44, source.master[:, start44:end44])
    master = splice_window(source.master, insert44, start=start44, end=end44, fade=round(FADE_S * MP3_SAMPLE_RATE))
    start, end, offset = round(start_s * rate), round(end_s * rate), round(offset_s * rate)
    samples = max([a.shape[1] for a in source.stems.values()] + [round(master.shape[1] * rate / MP3_SAMPLE_RATE)])
    inserts = {f: _window_of(a, offset, start, end) for f, a in new.stems.items()}
    stems = splice_stems_window(source.stems, inserts, start=start, end=end, fade=round(FADE_S * rate), samples=samples)
    return Edited(
        score=_score(source.score, material.score, offset_s, start_s, end_s, track),
        stems=stems, master=master, sample_rate=rate,
        words=_words(source.words, new.words, offset_s, start_s, end_s),
    )  # fmt: skip


def _score(source: Score, new: Score, offset_s: float, start_s: float, end_s: float, track: TrackPlan) -> Score:
    start, end = source.tick_at(start_s), source.tick_at(end_s)
    middle = window(placed(new, offset_s, source), start, end)
    pieces = [window(source, 0, start), middle, window(source, end, max(source.total_ticks, end + 1))]
    voice = source.vocal.voice if source.vocal is not None else (new.vocal.voice if new.vocal else None)
    return joined(pieces, source, voice=voice, metadata={**source.metadata, "title": track.title})


def _words(
    old: list[WordTiming], new: list[WordTiming], offset_s: float, start_s: float, end_s: float
) -> list[WordTiming]:
    inside = [w for w in shift_words(new, offset_s) if start_s <= w.start_s < end_s]
    before = [w for w in old if w.start_s < start_s]
    # A line the window cuts in two continues after it as a line of its own, as in the joined score.
    after = [replace(w, line=w.line + len(old) + 1) for w in old if w.start_s >= end_s]
    return renumber_lines(before + inside + after)
