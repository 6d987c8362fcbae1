"""Extend and replace-section internals on synthetic audio and scores: splicing, score surgery, style."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tests.support.fake_engine import fake_score
from tunesmith.dsp.types import Audio
from tunesmith.engines.base import SongRequest, TrackPlan, WordTiming
from tunesmith.engines.builtin.continuation import plan_edit
from tunesmith.engines.builtin.continuation.extend import extend_track, join_seconds
from tunesmith.engines.builtin.continuation.material import Rendered, lead_in
from tunesmith.engines.builtin.continuation.scores import bar_ceil, bar_floor, joined, placed, shifted, window
from tunesmith.engines.builtin.continuation.section import replace_section
from tunesmith.engines.builtin.continuation.source import SourceTrack
from tunesmith.engines.builtin.continuation.splice import (
    equal_power,
    splice_after,
    splice_stems_after,
    splice_window,
)
from tunesmith.engines.builtin.continuation.style import inherited_style, inherited_voice, same_sounds
from tunesmith.music.score import Key, Note, Part, Score, Section, StemFamily
from tunesmith.music.score_io import score_from_json, score_to_json
from tunesmith.music.styles import parse_style

SR = 44100
rng = np.random.default_rng(5)


def noise(seconds: float, level: float = 0.3) -> Audio:
    return (rng.standard_normal((2, int(seconds * SR))) * level).astype(np.float32)


# -- splicing ---------------------------------------------------------------------------------------


def test_equal_power_ramps() -> None:
    out, into = equal_power(64)
    assert np.allclose(out**2 + into**2, 1.0, atol=1e-6)
    assert out[0] > 0.999 and into[0] < 0.03 and np.all(np.diff(out) < 0) and np.all(np.diff(into) > 0)


@pytest.mark.parametrize("join", [0, 1000, 44100, 90000])
def test_splice_after_keeps_the_head_exactly(join: int) -> None:
    head, tail = noise(2.0), noise(1.0)
    out = splice_after(head, tail, join=join, fade=2205)
    assert out.shape == (2, join + tail.shape[1])
    expected_head = np.concatenate([head, np.zeros((2, max(join - head.shape[1], 0)), np.float32)], axis=1)
    assert np.array_equal(out[:, :join], expected_head[:, :join])
    assert np.array_equal(out[:, join + 2205 :], tail[:, 2205:])


def test_splice_after_has_no_click() -> None:
    head = np.full((2, 1000), 0.5, np.float32)
    tail = np.full((2, 1000), -0.5, np.float32)
    out = splice_after(head, tail, join=500, fade=200)
    assert np.max(np.abs(np.diff(out, axis=1))) < 0.01


def test_stem_splicing_is_linear_so_stems_still_sum() -> None:
    heads = {"drums": noise(2.0), "bass": noise(2.0)}
    tails = {"drums": noise(1.5), "vocals": noise(1.0)}
    stems = splice_stems_after(heads, tails, join=30000, fade=2205)
    mix = splice_after(heads["drums"] + heads["bass"], tails["drums"] + np.pad(tails["vocals"], ((0, 0), (0, 22050))),
                       join=30000, fade=2205)  # fmt: skip
    assert set(stems) == {"bass", "drums", "vocals"} and {a.shape for a in stems.values()} == {mix.shape}
    assert np.max(np.abs(sum(stems.values()) - mix)) < 1e-5


def test_splice_window_is_exact_outside() -> None:
    source, insert = noise(3.0), noise(1.0)
    out = splice_window(source, insert, start=44100, end=88200, fade=1764)
    assert out.shape == source.shape
    assert np.array_equal(out[:, :44100], source[:, :44100]) and np.array_equal(out[:, 88200:], source[:, 88200:])
    assert np.array_equal(out[:, 44100 + 1764 : 88200 - 1764], insert[:, 1764 : 44100 - 1764])
    with pytest.raises(ValueError, match="not inside"):
        splice_window(source, insert, start=100000, end=200000, fade=10)


# -- scores -----------------------------------------------------------------------------------------


def song(bars: int = 8, tempo: float = 120.0) -> Score:
    """``bars`` bars of 4/4 with a kick per beat and one sung syllable per bar (one line per 2 bars)."""
    base = fake_score(True)
    tpb = base.ticks_per_bar
    kick = replace(base.parts[0], notes=tuple(Note(t, 240, 36, 100) for t in range(0, bars * tpb, 480)))
    assert base.vocal is not None
    lines = tuple(replace(base.vocal.lines[0], text=f"line {i}") for i in range(bars // 2))
    syllables = tuple(replace(base.vocal.syllables[0], line=b // 2, notes=(Note(b * tpb + 480, 480, 64, 90),))
                      for b in range(bars))  # fmt: skip
    sections = (Section("verse", "Verse", 0, bars * tpb // 2), Section("chorus", "Chorus", bars * tpb // 2, bars * tpb))
    lines = tuple(replace(ln, section=0 if i < bars // 4 else 1) for i, ln in enumerate(lines))
    return replace(base, tempo_bpm=tempo, parts=(kick,), sections=sections,
                   vocal=replace(base.vocal, lines=lines, syllables=syllables))  # fmt: skip


def test_bar_lines() -> None:
    score = song()  # 120 BPM 4/4: a bar is 2 s
    assert bar_ceil(score, 3.0) == 2 * score.ticks_per_bar and bar_ceil(score, 4.0) == 2 * score.ticks_per_bar
    assert bar_ceil(score, 4.0004) == 2 * score.ticks_per_bar and bar_ceil(score, 4.01) == 3 * score.ticks_per_bar
    assert bar_floor(score, 3.99) == score.ticks_per_bar and bar_floor(score, 3.9995) == 2 * score.ticks_per_bar
    assert join_seconds(score, 5.5) == 6.0


def test_window_shift_and_place() -> None:
    score = song()
    tpb = score.ticks_per_bar
    part = window(score, tpb, 3 * tpb + 240)
    assert [n.start for n in part.parts[0].notes][0] == tpb and max(n.end for n in part.parts[0].notes) <= 3 * tpb + 240
    assert part.vocal is not None and len(part.vocal.syllables) == 2
    moved = shifted(score, 4 * tpb)
    assert moved.parts[0].notes[0].start == 0 and moved.sections[0].kind == "chorus"
    assert moved.vocal is not None and {ln.section for ln in moved.vocal.lines} == {0}
    later = placed(moved, 2.0, score)  # exactly one bar later on the same grid
    assert [n.start for n in later.parts[0].notes] == [n.start + tpb for n in moved.parts[0].notes]
    slower = placed(moved, 0.0, song(tempo=60.0))  # same seconds, half the ticks per second
    assert slower.tempo_bpm == 60.0 and slower.seconds(slower.parts[0].notes[1].start) == pytest.approx(0.5)


def test_joined_scores_renumber_lines_and_round_trip() -> None:
    score = song()
    tpb = score.ticks_per_bar
    head = window(score, 0, 3 * tpb)
    tail = placed(shifted(song(), 2 * tpb), 6.0, score)
    both = joined([head, tail], score, voice="m-deep", metadata={"title": "x"})
    assert both.vocal is not None and both.vocal.voice == "m-deep" and both.metadata == {"title": "x"}
    starts = [s.start for s in both.vocal.syllables]
    assert starts == sorted(starts) and len(starts) == 3 + 6
    firsts = [min(s.start for s in both.vocal.syllables if s.line == i) for i in range(len(both.vocal.lines))]
    assert firsts == sorted(firsts)
    assert len(both.parts) == 1 and both.duration_s == pytest.approx(6.0 + 12.0, abs=0.3)
    assert [s.kind for s in both.sections] == ["verse", "verse", "chorus", "verse", "chorus"][: len(both.sections)]
    assert score_from_json(score_to_json(both)) == both


def test_lead_in_drops_the_added_intro_but_one_bar() -> None:
    score = song()
    tpb = score.ticks_per_bar
    intro = replace(score, sections=(Section("intro", "Intro", 0, 4 * tpb), *score.sections[1:]),
                    vocal=replace(score.vocal, syllables=tuple(s for s in score.vocal.syllables if s.start >= 4 * tpb)))  # type: ignore[arg-type]  # fmt: skip
    material = lead_in(intro, "[Verse]\nwords")
    assert material.lead == tpb and material.score.sections[0].kind == "intro"
    assert lead_in(intro, "[Intro]\n[Verse]\nwords").lead == 0
    assert lead_in(replace(score, vocal=None), "").lead == 0


# -- style --------------------------------------------------------------------------------------------


def source_score() -> Score:
    return replace(song(tempo=92.0), key=Key(2, "minor"), meter=(6, 8), metadata={"genre": "rock"})


def test_the_continuation_keeps_tempo_key_meter_and_genre() -> None:
    style = parse_style(inherited_style(source_score(), "dreamy", forced=False))
    got = (style.tempo_bpm, style.tonic, style.mode, style.meter, style.genre.name)
    assert got == (92.0, 2, "minor", (6, 8), "rock")


def test_a_new_style_wins_unless_forced() -> None:
    new = parse_style(inherited_style(source_score(), "jazz, 140 bpm, in F major", forced=False))
    assert (new.tempo_bpm, new.tonic, new.mode, new.meter, new.genre.name) == (140.0, 5, "major", (6, 8), "jazz")
    forced = parse_style(inherited_style(source_score(), "jazz, 140 bpm, in F major", forced=True))
    assert (forced.tempo_bpm, forced.tonic, forced.mode, forced.genre.name) == (92.0, 2, "minor", "jazz")


def test_voice_is_kept_unless_another_is_asked() -> None:
    source = song()  # sung by f-warm
    ask = SongRequest(custom=True, instrumental=False, model="V4_5")
    assert inherited_voice(ask, source) == "f-warm"
    assert inherited_voice(replace(ask, vocal_gender="f"), source) == "f-warm"
    assert inherited_voice(replace(ask, vocal_gender="m"), source) is None
    assert inherited_voice(replace(ask, style="male vocals"), source) is None
    assert inherited_voice(replace(ask, voice="m-bright"), source) == "m-bright"


def test_same_sounds_takes_the_source_programs_by_family() -> None:
    source = replace(song(), parts=(Part("organ", StemFamily.KEYBOARD, 16, (Note(0, 10, 60),), pan=0.3),))
    new = replace(song(), parts=(Part("piano", StemFamily.KEYBOARD, 0, (Note(0, 10, 60),)),
                                 Part("epiano", StemFamily.KEYBOARD, 4, (Note(0, 10, 60),))))  # fmt: skip
    parts = same_sounds(new, source).parts
    assert [(p.name, p.program, p.pan) for p in parts] == [("organ", 16, 0.3), ("epiano", 4, 0.0)]


# -- whole edits with a stand-in composer and renderer ---------------------------------------------------


def source_track() -> SourceTrack:
    score = song()
    stems = {"drums": noise(16.5, 0.2), "vocals": noise(16.5, 0.1)}
    words = [WordTiming(f"w{i}", 2.0 * i + 0.5, 2.0 * i + 1.0, i // 2) for i in range(8)]
    return SourceTrack(master=stems["drums"] + stems["vocals"], stems=stems, score=score, words=words)


def compose(track: TrackPlan, request: SongRequest) -> Score:
    return song(bars=6)


def render(score: Score) -> Rendered:
    seconds = score.duration_s + 0.5
    stems = {"drums": noise(seconds, 0.25), "bass": noise(seconds, 0.05)}
    words = [WordTiming("new", s.notes[0].start / 960, s.notes[0].start / 960 + 0.3, s.line)
             for s in score.vocal.syllables] if score.vocal else []  # fmt: skip
    return Rendered(stems, stems["drums"] + stems["bass"], SR, words)


def check_stems_sum(stems: dict[str, Audio], master: Audio) -> None:
    total = np.sum(list(stems.values()), axis=0)
    assert total.shape == master.shape and np.max(np.abs(total - master)) < 1e-5


def test_extend_track_on_synthetic_audio() -> None:
    source = source_track()
    track = TrackPlan(0, "More", "[Verse]\nmore", "pop", "en", 1)
    request = SongRequest(custom=True, instrumental=False, model="V4_5", continue_at=5.2, operation="extend")
    edited = extend_track(source, track, request, compose=compose, render=render)
    join = 6 * SR  # 5.2 s rounds up to the bar line at 6 s
    assert np.array_equal(edited.master[:, :join], source.master[:, :join])
    check_stems_sum(edited.stems, edited.master)
    assert [w.word for w in edited.words] == ["w0", "w1", "w2", "new", "new", "new", "new", "new", "new"]
    assert [w.line for w in edited.words] == [0, 0, 1, 2, 2, 3, 3, 4, 4]
    assert edited.score.vocal is not None and len(edited.score.vocal.syllables) == 9
    assert edited.master.shape[1] == join + int((12.0 + 0.5) * SR)


def test_replace_section_on_synthetic_audio() -> None:
    source = source_track()
    track = TrackPlan(0, "Fix", "[Verse]\nfix", "pop", "en", 1)
    request = SongRequest(custom=True, instrumental=False, model="V4_5", lyrics="[Verse]\nfix",
                          operation="replace_section", infill_start_s=3.0, infill_end_s=9.5)  # fmt: skip
    edited = replace_section(source, track, request, compose=compose, render=render)
    start, end = 3 * SR, int(9.5 * SR)
    assert edited.master.shape == source.master.shape
    assert np.array_equal(edited.master[:, :start], source.master[:, :start])
    assert np.array_equal(edited.master[:, end:], source.master[:, end:])
    check_stems_sum(edited.stems, edited.master)
    assert np.array_equal(edited.stems["drums"][:, end:], source.stems["drums"][:, end:])
    words = [w.word for w in edited.words]
    assert words[:2] == ["w0", "w1"] and words[-3:] == ["w5", "w6", "w7"]
    assert all(w.word == "new" for w in edited.words if 3.0 <= w.start_s < 9.5)
    assert [w.line for w in edited.words] == sorted(w.line for w in edited.words)


def test_plans_of_edits() -> None:
    ext = SongRequest(custom=False, instrumental=False, model="V4_5", idea="night bus", style="lo-fi",
                      title="Night Bus", operation="extend", seed=3)  # fmt: skip
    plan = plan_edit(ext)
    assert [t.title for t in plan.tracks] == ["Night Bus"] * 2 and {t.tags for t in plan.tracks} == {"lo-fi"}
    assert all(t.lyrics.strip() for t in plan.tracks) and plan.tracks[0].lyrics != plan.tracks[1].lyrics
    rep = SongRequest(custom=True, instrumental=False, model="V4_5", lyrics="[Verse]\nnew", style="pop", title="T",
                      operation="replace_section", full_lyrics="[Verse]\nold\n[Verse]\nnew", seed=3)  # fmt: skip
    tracks = plan_edit(rep).tracks
    assert [t.lyrics for t in tracks] == [rep.full_lyrics] * 2 and tracks[0].seed != tracks[1].seed
