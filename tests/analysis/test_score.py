"""An analysis converted into the engine's score types, on the recording's own beat grid."""

from __future__ import annotations

import pytest

from tests.analysis.helpers import drifting_analysis
from tunesmith.analysis.score import BeatClock, lyric_lines, to_score
from tunesmith.music.score import TICKS_PER_BEAT, StemFamily


def test_ticks_count_detected_beats_not_seconds() -> None:
    a = drifting_analysis()
    clock = BeatClock.of(a.tempo)
    assert clock.origin == -1  # the first beat is 0.30 s in: tick 0 is one beat before it
    for i in (0, 7, 21):
        assert clock.tick(a.tempo.beats[i]) == (i + 1) * TICKS_PER_BEAT
        assert clock.seconds((i + 1) * TICKS_PER_BEAT) == pytest.approx(a.tempo.beats[i])


def test_score_holds_key_chords_sections_and_the_sung_melody() -> None:
    a = drifting_analysis()
    material = to_score(a)
    score = material.score
    assert (score.key.tonic, score.key.mode) == (7, "major") and score.meter == (4, 4)
    assert [(c.root, c.quality) for c in score.chords] == [(7, "maj"), (4, "min"), (0, "maj")]  # N dropped
    assert score.chords[1].start == 5 * TICKS_PER_BEAT and score.chords[1].duration == 4 * TICKS_PER_BEAT
    assert [s.kind for s in score.sections] == ["intro", "verse"]
    melody, chords = score.parts
    assert melody.family is StemFamily.VOCALS and chords.name == "chords"
    assert [n.pitch for n in chords.notes[:3]] == [55, 59, 62]  # G major, close position from G3
    assert [n.pitch for n in melody.notes] == [67, 69, 71]
    off_grid = melody.notes[2]  # sung 0.12 s after its beat: it keeps that place between the beats
    assert 7 * TICKS_PER_BEAT < off_grid.start < 8 * TICKS_PER_BEAT
    assert material.clock.seconds(off_grid.start) == pytest.approx(a.melody[2].onset_s, abs=0.002)


def test_lyric_lines_follow_the_word_lines() -> None:
    lines = lyric_lines(drifting_analysis())
    assert [line.text for line in lines] == ["hello there", "friend"]
    assert lines[0].words[1].syllables == ("there",)
