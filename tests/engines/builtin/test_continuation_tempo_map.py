"""Extend and replace-section of a source on a tempo map (a band fitted to a singer who drifts).

The stand-in renderer places every sung word at ``score.seconds`` of its syllable, as the real singer does,
so the words of an edit and its score can be checked against each other.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tests.engines.builtin.test_continuation import SR, check_stems_sum, noise, song
from tunesmith.engines.base import SongRequest, TrackPlan, WordTiming
from tunesmith.engines.builtin.continuation.extend import extend_track
from tunesmith.engines.builtin.continuation.material import Rendered
from tunesmith.engines.builtin.continuation.scores import (
    SNAP_S,
    bar_ceil,
    bar_floor,
    continued,
    follows,
    placed,
    shifted,
    steady,
)
from tunesmith.engines.builtin.continuation.section import replace_section
from tunesmith.engines.builtin.continuation.source import SourceTrack
from tunesmith.music.score import Score
from tunesmith.music.score_io import score_from_json, score_to_json
from tunesmith.music.styles import parse_style

BARS = 8


def drifting(bars: int = BARS, first_s: float = 0.0) -> Score:
    """:func:`song` on beats that speed up from 100 to 124 BPM with a wobble (beat 0 at ``first_s``)."""
    beats = 4 * bars
    bpm = np.linspace(100.0, 124.0, beats) * (1 + 0.04 * np.sin(np.arange(beats) * 1.3))
    times = first_s + np.concatenate([[0.0], np.cumsum(60.0 / bpm)])
    return replace(song(bars, tempo=110.0), beat_times=tuple(float(t) for t in times))


def words_of(score: Score) -> list[WordTiming]:
    """One word per sung syllable, where ``score`` sings it."""
    assert score.vocal is not None
    return [WordTiming(s.text, score.seconds(s.start), score.seconds(s.end), s.line) for s in score.vocal.syllables]


def render(score: Score) -> Rendered:
    seconds = score.duration_s + 0.5
    stems = {"drums": noise(seconds, 0.25), "bass": noise(seconds, 0.05)}
    return Rendered(stems, stems["drums"] + stems["bass"], SR, words_of(score))


def source_track(first_s: float = 0.0) -> SourceTrack:
    score = drifting(first_s=first_s)
    stems = {"drums": noise(score.duration_s + 1.0, 0.2), "vocals": noise(score.duration_s + 1.0, 0.1)}
    return SourceTrack(master=stems["drums"] + stems["vocals"], stems=stems, score=score, words=words_of(score))


class Recorder:
    """A stand-in composer at the style's tempo (6 bars, one syllable a bar) that keeps what it was asked
    and what the renderer was given."""

    def __init__(self) -> None:
        self.tempi: list[float] = []
        self.rendered: list[Score] = []

    def compose(self, track: TrackPlan, request: SongRequest) -> Score:
        tempo = parse_style(track.tags).tempo_bpm
        assert tempo is not None
        self.tempi.append(tempo)
        return song(bars=6, tempo=tempo)

    def render(self, score: Score) -> Rendered:
        self.rendered.append(score)
        return render(score)


def bar_lines(score: Score) -> list[float]:
    return [score.seconds(b * score.ticks_per_bar) for b in range(2 * BARS)]


# -- the grid -----------------------------------------------------------------------------------------------


def test_bar_lines_of_a_tempo_map() -> None:
    score = drifting(first_s=0.3)
    lines = bar_lines(score)
    near = (-2e-3, -SNAP_S / 2, 0.0, SNAP_S / 2, 2e-3)
    probes = [*np.linspace(-0.5, lines[-2], 97), *(s + d for s in lines[:-1] for d in near)]
    for seconds in probes:
        ceil = next(i for i, s in enumerate(lines) if s >= seconds - SNAP_S)
        floor = max([i for i, s in enumerate(lines) if s <= seconds + SNAP_S], default=0)
        assert (bar_ceil(score, seconds), bar_floor(score, seconds)) == (ceil * 1920, floor * 1920), seconds


def test_steady_takes_the_tempo_of_the_beat_before() -> None:
    score = drifting()
    times = score.beat_times
    assert steady(score, 8 * 480).tempo_bpm == pytest.approx(60.0 / (times[8] - times[7]))
    assert steady(score, 8 * 480 + 100).tempo_bpm == pytest.approx(60.0 / (times[9] - times[8]))
    assert steady(score, 0).tempo_bpm == pytest.approx(60.0 / (times[1] - times[0]))
    assert steady(score, 8 * 480).beat_times == ()
    plain = song()
    assert steady(plain, 960) is plain


def test_continued_and_follows_keep_every_part_at_its_seconds() -> None:
    source, new = drifting(), song(bars=3, tempo=97.0)
    join = 5 * 1920
    grid = continued(source, join, new)
    assert grid.beat_times[:21] == source.beat_times[:21]
    tail = placed(new, source.seconds(join), grid)
    assert [n.start for n in tail.parts[0].notes] == [n.start + join for n in new.parts[0].notes]
    for mine, theirs in zip(tail.parts[0].notes, new.parts[0].notes, strict=True):
        assert grid.seconds(mine.end) == pytest.approx(source.seconds(join) + new.seconds(theirs.end), abs=1e-9)
    at = 3 * 1920 - 480
    retimed = follows(new, source, at)
    assert retimed.seconds(0) == 0.0
    moved = placed(retimed, source.seconds(at), source)
    assert [n.start for n in moved.parts[0].notes] == [n.start + at for n in new.parts[0].notes]
    cut = shifted(source, 2 * 1920)
    assert cut.seconds(0) == 0.0
    assert cut.seconds(1920) == pytest.approx(source.seconds(3 * 1920) - source.seconds(2 * 1920))
    assert continued(song(), join, new) == song()


# -- extend -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("continue_at", "first_s"), [(9.3, 0.0), (9.3, 0.35), (None, 0.0)])
def test_extend_a_tempo_mapped_source(continue_at: float | None, first_s: float) -> None:
    """``None``: from the end, a bar past the tempo map's last beat."""
    source, recorder = source_track(first_s), Recorder()
    track = TrackPlan(0, "More", "[Verse]\nmore", "pop", "en", 1)
    request = SongRequest(custom=True, instrumental=False, model="V4_5", continue_at=continue_at, operation="extend")
    edited = extend_track(source, track, request, compose=recorder.compose, render=recorder.render)
    bar = bar_ceil(source.score, source.duration_s if continue_at is None else continue_at)
    join_s = source.score.seconds(bar)
    assert source.score.seconds(bar - 1920) < (continue_at or source.duration_s) <= join_s
    join44 = round(join_s * SR)
    head = min(join44, source.master.shape[1])  # past its end the source is silence up to the join
    assert np.array_equal(edited.master[:, :head], source.master[:, :head])
    assert not np.any(edited.master[:, head:join44])
    check_stems_sum(edited.stems, edited.master)
    period = source.score.seconds(bar) - source.score.seconds(bar - 480)  # the beat leading into the join
    assert recorder.tempi == [pytest.approx(60.0 / period, rel=1e-5)]
    score = edited.score
    kept = min(bar // 480 + 1, len(source.score.beat_times))
    assert score.beat_times[:kept] == source.score.beat_times[:kept]
    assert np.diff(score.beat_times[bar // 480 :]) == pytest.approx(60.0 / recorder.tempi[0])
    assert score.seconds(score.total_ticks) == pytest.approx(join_s + recorder.rendered[0].duration_s)
    assert score.vocal is not None and [s.start >= bar for s in score.vocal.syllables].count(True) == 6
    sung = [score.seconds(s.start) for s in score.vocal.syllables]
    assert sung == pytest.approx([w.start_s for w in edited.words], abs=1e-6)
    assert score_from_json(score_to_json(score)) == score


# -- replace section ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("start_s", "end_s"), [(4.6, 12.4), (8.0, 15.0)])
def test_replace_a_section_of_a_tempo_mapped_source(start_s: float, end_s: float) -> None:
    source, recorder = source_track(), Recorder()
    track = TrackPlan(0, "Fix", "[Verse]\nfix", "pop", "en", 1)
    request = SongRequest(custom=True, instrumental=False, model="V4_5", lyrics="[Verse]\nfix",
                          operation="replace_section", infill_start_s=start_s, infill_end_s=end_s)  # fmt: skip
    edited = replace_section(source, track, request, compose=recorder.compose, render=recorder.render)
    start44, end44 = round(start_s * SR), round(end_s * SR)
    assert edited.master.shape == source.master.shape
    assert np.array_equal(edited.master[:, :start44], source.master[:, :start44])
    assert np.array_equal(edited.master[:, end44:], source.master[:, end44:])
    check_stems_sum(edited.stems, edited.master)
    at = bar_floor(source.score, start_s)  # the stand-in has no intro: it starts on the bar line
    rendered = recorder.rendered[-1]
    kicks = [n.start for n in rendered.parts[0].notes]
    offset = source.score.seconds(at)
    assert [offset + rendered.seconds(t) for t in kicks] == pytest.approx(
        [source.score.seconds(at + t) for t in kicks], abs=1e-9)  # fmt: skip
    score = edited.score
    assert score.beat_times == source.score.beat_times
    inside = [s for s in score.vocal.syllables if start_s <= score.seconds(s.start) < end_s]  # type: ignore[union-attr]
    assert inside and all((s.start - at) % 1920 == 480 for s in inside)  # one beat into each bar, as composed
    sung = [score.seconds(s.start) for s in score.vocal.syllables]  # type: ignore[union-attr]
    assert sung == pytest.approx([w.start_s for w in edited.words], abs=1e-6)
