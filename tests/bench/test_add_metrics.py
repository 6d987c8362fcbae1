"""The add-instrumental / add-vocals benchmark's metrics on synthetic data with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from bench.runner import add_inputs, add_metrics
from bench.runner.add_eval import lead_lines, phrase_starts, score_chords
from tests.bench.signals import SR, tone

from tunesmith.music.score import ChordSymbol, Key, LyricLine, LyricWord, Note, Score, Section, SungSyllable, VocalLine


def test_eighths_split_every_beat_in_two_following_the_tempo() -> None:
    assert add_metrics.subdivide([0.0, 0.5, 1.5], 2).tolist() == [0.0, 0.25, 0.5, 1.0, 1.5]


def test_distance_to_the_nearest_beat() -> None:
    beats = [0.0, 0.5, 1.0, 1.5]
    found = add_metrics.nearest_distances_s([0.02, 0.74, 2.0, -0.1], beats)
    assert np.allclose(found, [0.02, 0.24, 0.5, 0.1])
    assert add_metrics.median_ms(found) == pytest.approx(170.0)
    assert add_metrics.share_within(found, 0.05) == 0.25
    with pytest.raises(ValueError):
        add_metrics.nearest_distances_s([0.0], [])


def test_notes_in_the_chord_in_the_scale_and_unjudged() -> None:
    c_major, a_minor = (0, 4, 7), (9, 0, 4)
    chords = [(2.0, 4.0, a_minor), (0.0, 2.0, c_major)]  # unsorted on purpose
    notes = [
        (0.0, 1.0, 64.0),  # E over C: chord tone
        (0.5, 1.5, 62.0),  # D over C: in C major's scale only
        (2.0, 3.0, 69.0),  # A over Am: chord tone
        (2.5, 3.0, 61.0),  # C# over Am: neither
        (5.0, 6.0, 60.0),  # after the last chord: not judged
    ]
    counts = add_metrics.chord_tone_counts(notes, chords, scale=(0, 2, 4, 5, 7, 9, 11))
    assert (counts.judged, counts.in_chord, counts.in_chord_or_scale) == (4, 2, 3)
    assert counts.shares() == {"in_chord_share": 0.5, "in_chord_or_scale_share": 0.75}
    assert add_metrics.ToneCounts(0, 0, 0).shares() == {"in_chord_share": None, "in_chord_or_scale_share": None}


def test_the_midpoint_decides_the_chord() -> None:
    chords = [(0.0, 1.0, (0, 4, 7)), (1.0, 2.0, (7, 11, 2))]
    counts = add_metrics.chord_tone_counts([(0.8, 1.6, 71.0)], chords)  # midpoint 1.2 s: over G, B is a tone
    assert counts.in_chord == 1


def test_same_key_needs_tonic_and_family() -> None:
    assert add_metrics.same_key((9, "minor"), (21, "minor"))
    assert not add_metrics.same_key((9, "minor"), (0, "major"))  # the relative major is another key here


def test_the_upload_is_found_in_the_output_at_any_gain() -> None:
    rng = np.random.default_rng(7)
    upload = rng.standard_normal((2, SR)).astype(np.float32) * 0.1
    lead_in = int(0.25 * SR)
    output = np.zeros((2, SR + lead_in), dtype=np.float32)
    output[:, lead_in:] = 0.5 * upload
    match = add_metrics.aligned_match(upload, output, SR, max_lag_s=1.0)
    assert match.lag_s == pytest.approx(0.25, abs=1 / SR)
    assert match.correlation == pytest.approx(1.0, abs=1e-6)
    assert match.gain_db == pytest.approx(-6.02, abs=0.01)


def test_a_changed_upload_correlates_less() -> None:
    rng = np.random.default_rng(8)
    upload = rng.standard_normal(SR) * 0.1
    other = upload + rng.standard_normal(SR) * 0.05  # another part mixed into the stem
    match = add_metrics.aligned_match(upload, other, SR)
    assert match.lag_s == 0.0
    assert 0.8 < match.correlation < 0.999
    silent = add_metrics.aligned_match(upload, np.zeros(SR), SR)
    assert silent.correlation == 0.0


def test_drift_plan_slows_down_and_moves_times_with_it() -> None:
    plan = add_inputs.drift_plan(8.0, 1.0, 0.8, segments=2)
    assert plan == [(0.0, 4.0, 1.0), (4.0, 8.0, 0.8)]
    assert add_inputs.drifted_time(2.0, plan) == pytest.approx(2.0)
    assert add_inputs.drifted_time(6.0, plan) == pytest.approx(4.0 + 2.0 / 0.8)
    assert add_inputs.drifted_time(8.0, plan) == pytest.approx(9.0)


def test_a_drifted_upload_is_longer_and_its_notes_follow() -> None:
    audio = np.stack([tone(440.0, 4.0)] * 2).astype(np.float32)
    upload = add_inputs.Upload(audio, SR, (9, "major"), ((3.5, 3.9, 69.0),))
    slow = add_inputs.drifted(upload, 1.0, 0.8)
    plan = add_inputs.drift_plan(4.0, 1.0, 0.8)
    assert slow.duration_s == pytest.approx(add_inputs.drifted_time(4.0, plan), abs=0.05)
    assert slow.notes[0][0] == pytest.approx(add_inputs.drifted_time(3.5, plan))
    assert slow.key == (9, "major") and slow.origin["drift"] == [1.0, 0.8]


def _sung_score() -> Score:
    """Two lead lines (bars 1 and 3 at 120 bpm: 2 s and 6 s) and a backing line, over C then G."""
    tpb = 480
    words = (LyricWord("la", ("la",)),)
    lines = (LyricLine("la", words, 0), LyricLine("la", words, 0, backing=True), LyricLine("la", words, 0))
    syllables = (
        SungSyllable(2, 0, 0, "la", (Note(12 * tpb, tpb, 67), Note(13 * tpb, tpb, 65))),
        SungSyllable(0, 0, 0, "la", (Note(4 * tpb, tpb, 64),)),
        SungSyllable(1, 0, 0, "la", (Note(5 * tpb, tpb, 72),)),
    )
    chords = (ChordSymbol(0, 8 * tpb, 0, "maj"), ChordSymbol(8 * tpb, 8 * tpb, 7, "maj"))
    return Score(120.0, (4, 4), Key(0, "major"), (Section("verse", "Verse", 0, 16 * tpb),), chords, (),
                 VocalLine("en", "f-clear", lines, syllables))


def test_lead_lines_and_phrase_starts_leave_the_backing_out() -> None:
    score = _sung_score()
    assert [[n[0] for n in line] for line in lead_lines(score)] == [[2.0], [6.0, 6.5]]
    assert phrase_starts(score) == [2.0, 6.0]
    assert score_chords(score) == [(0.0, 4.0, (0, 4, 7)), (4.0, 8.0, (7, 11, 2))]


def test_the_set_is_complete() -> None:
    cases, sources = add_inputs.load_cases(), add_inputs.load_sources()
    assert len({c.id for c in cases}) == len(cases)
    for endpoint in ("add-instrumental", "add-vocals"):
        mine = [c for c in cases if c.endpoint == endpoint]
        assert sum(c.timing for c in mine) == 1 and next(c for c in mine if c.timing).seconds == 120
        assert all(c.source in sources or c.real for c in mine)
        assert all("seed" in c.body and c.body.get("title") for c in mine)
    vocal_sources = {sources[c.source].language for c in cases if c.endpoint == "add-instrumental" and c.source}
    assert vocal_sources == {"en", "zh"}
    assert any(c.drift for c in cases) and any(c.runs > 1 for c in cases)
    sung = [c for c in cases if c.endpoint == "add-vocals"]
    assert {c.language for c in sung} == {"en", "zh"} and all(c.body["prompt"].strip() for c in sung)
    assert any(c.real for c in sung) and any(c.source for c in sung)
    assert all(not sources[c.source].lyrics for c in sung if c.source)  # instrumentals under add-vocals
