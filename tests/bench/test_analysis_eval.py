"""The analysis bench's truth extraction and metrics, on tiny hand-made scores and signals (no rendering)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from bench.metrics import mir
from bench.runner import analysis_eval, analysis_report, engine_songs

from bench import report
from tunesmith.music.score import (
    ChordSymbol,
    Key,
    LyricLine,
    LyricWord,
    Note,
    Part,
    Score,
    Section,
    StemFamily,
    SungSyllable,
    VocalLine,
)

TPB = 480


def _score(meter: tuple[int, int] = (4, 4), bpm: float = 120.0) -> Score:
    bar = TPB * meter[0] * 4 // meter[1]
    lines = (
        LyricLine("la la", (LyricWord("la", ("la",)), LyricWord("la", ("la",))), 0),
        LyricLine("oh", (LyricWord("oh", ("oh",)),), 0, backing=True),
    )
    syllables = (
        SungSyllable(0, 0, 0, "la", (Note(bar, TPB, 60),)),
        SungSyllable(0, 1, 0, "la", (Note(bar + TPB, TPB // 2, 62), Note(bar + 3 * TPB // 2, TPB // 2, 64))),
        SungSyllable(1, 0, 0, "oh", (Note(bar + 2 * TPB, TPB, 67),)),
    )
    return Score(
        tempo_bpm=bpm,
        meter=meter,
        key=Key(2, "dorian"),
        sections=(Section("intro", "Intro", 0, bar), Section("verse", "Verse", bar, 4 * bar)),
        chords=(ChordSymbol(0, 2 * bar, 2, "min7"), ChordSymbol(2 * bar, 2 * bar, 7, "maj")),
        parts=(Part("bass", StemFamily.BASS, 33, (Note(0, 4 * bar, 38),)),),
        vocal=VocalLine("en", "f-1", lines, syllables),
    )


def test_truth_of_a_four_four_score() -> None:
    truth = mir.score_truth(_score())
    assert truth.bpm == pytest.approx(120.0)
    assert truth.beats[:3] == pytest.approx([0.0, 0.5, 1.0])
    assert len(truth.beats) == 16  # four bars of four beats
    assert truth.downbeats == pytest.approx([0.0, 2.0, 4.0, 6.0])
    assert truth.key == "D minor"  # dorian is of the minor family
    assert truth.chord_per_beat[:8] == ("D:min7",) * 8
    assert truth.chord_per_beat[8:] == ("G:maj",) * 8
    assert truth.boundaries == pytest.approx([0.0, 2.0, 8.0])
    # the lead's three notes (a melisma of two), the parenthesised backing line left out
    assert np.array(truth.melody) == pytest.approx(np.array([[2.0, 2.5, 60.0], [2.5, 2.75, 62.0], [2.75, 3.0, 64.0]]))


def test_truth_of_three_four_and_six_eight() -> None:
    waltz = mir.score_truth(_score((3, 4), bpm=90.0))
    assert len(waltz.beats) == 12 and waltz.bpm == pytest.approx(90.0)
    assert np.diff(waltz.downbeats) == pytest.approx([2.0, 2.0, 2.0])
    compound = mir.score_truth(_score((6, 8), bpm=90.0))  # two dotted-quarter beats a bar
    assert len(compound.beats) == 8 and compound.bpm == pytest.approx(60.0)


def test_truth_is_shifted_by_a_measured_lead_in() -> None:
    stem = np.zeros((2, 1000), dtype=np.float32)
    stem[:, 250:] = 0.5
    offset = mir.measured_offset_s(0.1, stem, 1000)
    assert offset == pytest.approx(0.15)
    truth = mir.score_truth(_score(), offset_s=offset)
    assert truth.beats[0] == pytest.approx(0.15) and truth.melody[0][0] == pytest.approx(2.15)


def test_chord_labels_in_harte_syntax() -> None:
    assert mir.chord_label(2, "m7b5") == "D:hdim7"
    assert mir.chord_label(-1, "maj") == "N" and mir.chord_label(4, "N") == "N"
    assert set(mir.HARTE) >= {"maj", "min", "7", "min7", "maj7", "sus4", "dim"}


def test_tempo_tolerance_and_octaves() -> None:
    assert mir.tempo_ok(103.9, 100.0) and not mir.tempo_ok(104.5, 100.0)
    assert not mir.tempo_ok(200.0, 100.0) and mir.tempo_ok(200.0, 100.0, octave=True)
    assert mir.tempo_ok(33.4, 100.0, octave=True)


def test_beat_f_perfect_shifted_and_empty() -> None:
    beats = np.arange(0.0, 30.0, 0.5)
    assert mir.beat_f(beats, beats) == pytest.approx(1.0)
    assert mir.beat_f(beats, beats + 0.25) == pytest.approx(0.0)  # off-beat: outside ±70 ms
    assert mir.beat_f(beats, []) == 0.0


def test_key_score_mirex_weights() -> None:
    assert mir.key_score("C major", "C major") == 1.0
    assert mir.key_score("C major", "G major") == 0.5
    assert mir.key_score("C major", "A minor") == 0.3
    assert mir.key_score("C major", "C minor") == 0.2


def test_chord_accuracy_majmin_per_beat() -> None:
    reference = ["C:maj", "C:maj7", "A:min7", "G:sus4", "F:maj"]
    estimated = ["C:maj", "C:maj", "A:min", "G:maj", "F:min"]
    # sus4 is outside the majmin vocabulary: left out; maj7 and min7 reduce to maj and min
    assert mir.chord_accuracy(reference, estimated) == pytest.approx(3 / 4)
    assert mir.chord_accuracy([], []) is None


def test_labels_sampled_from_spans() -> None:
    spans = [(0.0, 1.0, "C:maj"), (1.0, 2.0, "G:maj")]
    assert mir.labels_at(np.array([0.5, 1.5, 2.5, -1.0]), spans) == ["C:maj", "G:maj", "N", "N"]


def test_note_f1_onset_and_pitch_tolerance() -> None:
    ref = [(1.0, 1.5, 60.0), (2.0, 2.5, 62.0), (3.0, 3.5, 64.0), (4.0, 4.5, 65.0)]
    est = [
        (1.04, 1.2, 60.3),  # 40 ms late, 30 cents sharp, offset ignored: a hit
        (2.06, 2.5, 62.0),  # 60 ms late: a miss
        (3.0, 3.5, 64.6),  # 60 cents: a miss
        (4.0, 4.5, 65.0),
    ]
    p, r, f = mir.note_f1(ref, est)
    assert (p, r, f) == pytest.approx((0.5, 0.5, 0.5))
    assert mir.note_f1(ref, []) == (0.0, 0.0, 0.0)
    assert mir.notes_outside(ref, [(1.5, 3.5)]) == [ref[0], ref[3]]


def test_boundary_f() -> None:
    ref = np.array([0.0, 10.0, 30.0, 50.0, 60.0])
    assert mir.boundary_f(ref, [0.0, 11.0, 29.0, 52.0, 60.0]) == pytest.approx(1.0)
    assert mir.boundary_f(ref, [0.0, 20.0, 40.0, 60.0]) == pytest.approx(0.0)


def test_sdr_plain_and_framewise() -> None:
    rng = np.random.default_rng(5)
    s = rng.standard_normal((2, 8000))
    assert mir.sdr_db(s, s + 0.1 * s) == pytest.approx(20.0)
    assert mir.sdr_db(s, s) > 150.0
    assert mir.framewise_sdr_db(s, 0.9 * s, 1000) == pytest.approx(20.0)
    assert np.isnan(mir.sdr_db(np.zeros(10), np.ones(10)))


def test_vocal_activity_frames() -> None:
    sr = 1000
    voice = np.zeros((1, 3000))
    voice[0, 1000:2000] = 0.3
    truth = mir.active_frames(voice, sr)
    assert truth.sum() == 10 and truth[10] and not truth[9]
    found = mir.span_frames([(1.0, 1.5), (2.5, 3.0)], truth.size)
    assert mir.precision_recall(truth, found) == pytest.approx((0.5, 0.5))
    nothing = np.zeros(30, dtype=bool)
    assert mir.precision_recall(nothing, nothing) == (None, None)


def test_word_start_error_english_and_chinese() -> None:
    ref = [("Hello", 1.0), ("there,", 1.5), ("world", 2.0)]
    est = [("hello", 1.05), ("world", 2.2)]
    timing = mir.word_start_error(ref, est, "en")
    assert timing.median_abs_ms == pytest.approx(125.0) and timing.matched_share == pytest.approx(2 / 3)
    assert timing.within_100ms == pytest.approx(0.5)
    # Chinese: words grouped differently on each side; only word-initial characters on both sides count
    zh = mir.word_start_error([("地铁", 1.0), ("穿过", 2.0)], [("地", 1.1), ("铁穿", 1.6), ("过", 2.3)], "zh")
    assert zh.median_abs_ms == pytest.approx(100.0) and zh.matched_share == pytest.approx(1.0)
    assert mir.word_start_error(ref, [], "en").median_abs_ms is None


def test_tempo_stability_of_a_steady_and_a_drifting_grid() -> None:
    steady = analysis_eval.tempo_stability(np.arange(0.0, 60.0, 0.5))
    assert steady["ibi_cv"] == pytest.approx(0.0) and steady["tempo_halves_agree"]
    drifting = analysis_eval.tempo_stability(np.concatenate([np.arange(0, 30, 0.5), 30 + np.arange(0, 30, 0.6)]))
    assert not drifting["tempo_halves_agree"] and drifting["bpm_halves"] == pytest.approx([120.0, 100.0])


def test_level_db() -> None:
    mix = np.ones((2, 100))
    assert analysis_eval.level_db(0.1 * mix, mix) == pytest.approx(-20.0)
    assert analysis_eval.level_db(np.zeros((2, 100)), mix) == pytest.approx(-120.0)


def test_summary_and_table_from_rows(tmp_path: Path) -> None:
    songs = [
        {"id": "a", "language": "en", "vocal": True, "duration_s": 60.0, "stage_s": {"beats": 6.0},
         "tempo_ok": True, "beat_f": 0.9, "melody_f1": 0.7, "lyrics_error": 0.2, "vocal_sdr_db": 11.0},
        {"id": "b", "language": None, "vocal": False, "duration_s": 60.0, "stage_s": {"beats": 6.0},
         "tempo_ok": False, "beat_f": 0.5, "vocal_detected_s": 1.5, "words_heard": 3,
         "errors": {"key": "ImportError: x"}},
    ]  # fmt: skip
    summary = analysis_eval.summarise(songs)
    assert summary["tempo_share"] == 0.5 and summary["beat_f"] == pytest.approx(0.7)
    assert summary["melody_f1"] == 0.7 and summary["wer_en"] == 0.2 and summary["cer_zh"] is None
    assert summary["instrumental_vocal_s"] == 1.5 and summary["instrumental_words"] == 3
    assert summary["x_realtime_mean"] == pytest.approx(10.0) and summary["capability_errors"] == ["key"]
    record = {
        "suite": "analysis", "started_at": "2026-12-06T08:00:00Z", "machine": report.machine(), "commit": "abc",
        "targets": {k: list(v) for k, v in analysis_eval.TARGETS.items()}, "errors": [], "songs": songs,
        "summary": summary, "speed": {"item": "s", "x_realtime": 6.0, "peak_rss_mib": 900.0, "stage_s": {}},
    }  # fmt: skip
    (tmp_path / "analysis-20261206T080000Z.json").write_text(json.dumps(record), encoding="utf-8")
    md = tmp_path / "BENCHMARKS.md"
    md.write_text("# Benchmarks\n", encoding="utf-8")
    report.update_benchmarks_md(path=md, directory=tmp_path)
    text = md.read_text(encoding="utf-8")
    assert analysis_report.START in text and "| Beat F-measure (±70 ms) | >= 0.9 ✗ | 0.700 |" in text
    assert "| Analysis × real time, 3-min song (wall, 2 cores) | >= 5 ✓ | 6.0× |" in text
    assert "| Vocal SDR (dB, whole song / median of 1 s) | >= 10 ✓ | 11.00 / – |" in text
    assert report.run_records(tmp_path) == []  # kept out of the suite runs table


def test_the_fixed_set() -> None:
    items = engine_songs.load_items()
    truth = [i for i in items if i.role == "truth"]
    assert 6 <= len(truth) <= 10 and sum(i.role == "speed" for i in items) == 1
    assert {i.language for i in truth} == {"en", "zh", None}
    assert sum(not i.lyrics for i in truth) == 2
    assert len({i.request["seed"] for i in items}) == len(items)
    assert any("3/4" in i.request["style"] or "waltz" in i.request["style"] for i in truth)
