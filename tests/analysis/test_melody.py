"""The vocal melody from a swift-f0 pitch track: notes, onsets and pitches of a synthetic sung line."""

from __future__ import annotations

import numpy as np
import pytest

from tests.analysis.voice import LINE, SR, noise, sing
from tunesmith.analysis.base import MelodyTranscriber
from tunesmith.analysis.melody import (
    FRAME_S,
    SwiftF0MelodyTranscriber,
    drop_glides,
    level_onsets,
    pitch_changes,
    pitch_jumps,
    runs,
    span_mask,
)


@pytest.fixture(scope="module")
def transcriber() -> SwiftF0MelodyTranscriber:
    t = SwiftF0MelodyTranscriber()
    t.load()
    return t


def test_it_is_a_melody_transcriber() -> None:
    assert isinstance(SwiftF0MelodyTranscriber(), MelodyTranscriber)


@pytest.mark.parametrize("sr", [SR, 16000])
def test_sung_line_gives_its_notes(transcriber: SwiftF0MelodyTranscriber, sr: int) -> None:
    audio = sing(LINE, 3.5, sr=sr)
    notes = transcriber.transcribe(np.repeat(audio, 2, axis=0), sr, ((0.0, 3.5),))
    assert len(notes) == len(LINE)  # the two repeated 65s stay two notes
    for note, (onset, offset, midi) in zip(notes, LINE, strict=True):
        assert note.onset_s == pytest.approx(onset, abs=0.03)
        assert note.offset_s == pytest.approx(offset, abs=0.05)
        assert note.pitch == pytest.approx(midi, abs=0.25)


def test_notes_stay_inside_the_vocal_spans(transcriber: SwiftF0MelodyTranscriber) -> None:
    notes = transcriber.transcribe(sing(LINE, 3.5), SR, ((1.55, 3.5),))
    assert [round(n.pitch) for n in notes] == [65, 65, 62]
    assert transcriber.transcribe(sing(LINE, 3.5), SR, ()) == ()


def test_silence_and_noise_give_no_notes(transcriber: SwiftF0MelodyTranscriber) -> None:
    assert transcriber.transcribe(np.zeros((1, 3 * SR), np.float32), SR, ((0.0, 3.0),)) == ()
    assert transcriber.transcribe(noise(3.0, 0.1), SR, ((0.0, 3.0),)) == ()
    assert transcriber.transcribe(np.zeros((1, 100), np.float32), SR, ((0.0, 1.0),)) == ()


def test_pitch_changes_cut_where_a_new_pitch_settles() -> None:
    midi = np.array([60.0] * 20 + [60.5, 61.2, 61.8] + [62.0] * 20)
    assert pitch_changes(midi, settle_frames=8) == [21]  # the first frame within a semitone of the new 62
    assert pitch_changes(np.full(40, 60.0) + np.sin(np.arange(40)) * 0.2) == []  # vibrato is no change


def test_level_onsets_find_a_new_syllable_on_a_held_pitch() -> None:
    level = np.array([-20.0] * 15 + [-24.0, -32.0, -34.0, -28.0, -21.0] + [-20.0] * 15)
    (cut,) = level_onsets(level)
    assert 17 <= cut <= 19
    assert level_onsets(np.linspace(-40.0, -20.0, 40)) == []  # a swell has no dip before it


def test_pitch_jumps_and_glides() -> None:
    assert pitch_jumps(np.array([60.0, 60.1, 62.0, 62.0])) == [2]
    # a short piece after an onset (kept) joins the note it leads into; the ends always stay
    assert drop_glides([0, 10, 13, 40], {10}, min_frames=8) == [0, 10, 40]
    # a short piece between two pitch cuts is split at its middle
    assert drop_glides([0, 20, 24, 40], set(), min_frames=8) == [0, 22, 40]


def test_runs_and_span_mask() -> None:
    assert runs(np.array([False, True, True, False, True])) == [(1, 3), (4, 5)]
    mask = span_mask(((0.0, 2 * FRAME_S),), 4)
    assert mask.tolist() == [True, True, False, False]
