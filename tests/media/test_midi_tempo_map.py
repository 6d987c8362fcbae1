"""MIDI export of a score on a tempo map: a DAW must place every note at the second the audio plays it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import mido
import numpy as np
import pretty_midi
import pytest

from tunesmith.media.midi import score_parts, write_midi
from tunesmith.music.score import Key, Note, Part, Score, StemFamily

TOLERANCE_S = 1e-3


def drifting(start_s: float, beats: int = 400) -> Score:
    """``beats`` beats whose tempo drifts from 90 to 110 BPM with a wobble; beat 0 at ``start_s``.

    Notes on every beat, between beats (odd ticks), and past the last beat time."""
    rng = np.random.default_rng(11)
    bpm = np.linspace(90.0, 110.0, beats - 1) * (1 + 0.03 * np.sin(np.arange(beats - 1) / 3.0))
    times = start_s + np.concatenate([[0.0], np.cumsum(60.0 / bpm)])
    tpb = 480
    melody = tuple(Note(int(t), 200, int(p)) for t, p in zip(rng.integers(0, (beats + 8) * tpb, 600),
                                                               rng.integers(48, 84, 600), strict=True))
    kicks = tuple(Note(b * tpb, 120, 36, 110) for b in range(beats + 8))
    parts = (Part("keys", StemFamily.KEYBOARD, 0, tuple(sorted(melody, key=lambda n: n.start))),
             Part("kit", StemFamily.DRUMS, 0, kicks, is_drum=True))  # fmt: skip
    return Score(100.0, (3, 4), Key(0, "major"), (), (), parts, beat_times=tuple(float(t) for t in times))


def note_ons(path: Path) -> dict[int, list[float]]:
    """Note-on seconds by channel, as ``mido`` plays the file."""
    ons: dict[int, list[float]] = {}
    now = 0.0
    for msg in mido.MidiFile(str(path)):
        now += msg.time
        if msg.type == "note_on" and msg.velocity > 0:
            ons.setdefault(msg.channel, []).append(now)
    return ons


def expected(score: Score, notes: tuple[Note, ...]) -> list[float]:
    return sorted(max(score.seconds(n.start), 0.0) for n in notes)


@pytest.mark.parametrize("start_s", [0.0, 0.75, -0.4])
def test_every_note_sounds_at_its_score_second(tmp_path: Path, start_s: float) -> None:
    score = drifting(start_s)
    path = write_midi(score, score_parts(score), tmp_path / "song.mid")
    ons = note_ons(path)
    keys, kit = score.parts
    for channel, notes in ((0, keys.notes), (9, kit.notes)):
        got, want = np.array(sorted(ons[channel])), np.array(expected(score, notes))
        assert got.shape == want.shape and np.max(np.abs(got - want)) < TOLERANCE_S
    pm = pretty_midi.PrettyMIDI(str(path))
    starts = sorted(n.start for instrument in pm.instruments if not instrument.is_drum for n in instrument.notes)
    assert np.max(np.abs(np.array(starts) - np.array(expected(score, keys.notes)))) < TOLERANCE_S


def test_the_file_keeps_the_score_ticks_and_bars(tmp_path: Path) -> None:
    score = drifting(0.0, beats=40)
    midi = mido.MidiFile(str(write_midi(score, score_parts(score), tmp_path / "song.mid")))
    assert midi.ticks_per_beat == score.ticks_per_beat
    tempo_ticks = []
    now = 0
    for msg in midi.tracks[0]:
        now += msg.time
        if msg.type == "set_tempo":
            tempo_ticks.append(now)
    assert tempo_ticks == [i * 480 for i in range(len(tempo_ticks))] and len(tempo_ticks) >= 39
    on = next(m for m in midi.tracks[2] if m.type == "note_on")  # the kit: its first kick is on tick 0
    assert on.time == 0


def test_a_late_tick_0_is_led_in_by_whole_bars(tmp_path: Path) -> None:
    score = drifting(2.5, beats=20)
    midi = mido.MidiFile(str(write_midi(score, score_parts(score), tmp_path / "song.mid")))
    first_kick = next(m for m in midi.tracks[2] if m.type == "note_on")
    assert first_kick.time == score.ticks_per_bar


def test_a_single_tempo_score_is_written_as_before(tmp_path: Path) -> None:
    score = replace(drifting(0.0, beats=20), beat_times=())
    midi = mido.MidiFile(str(write_midi(score, score_parts(score), tmp_path / "song.mid")))
    conductor = [m for m in midi.tracks[0] if m.type in ("set_tempo", "time_signature")]
    assert [(m.type, m.time) for m in conductor] == [("set_tempo", 0), ("time_signature", 0)]
    assert conductor[0].tempo == mido.bpm2tempo(100.0)
    ons = note_ons(midi.filename)
    assert np.max(np.abs(np.array(sorted(ons[0])) - np.array(expected(score, score.parts[0].notes)))) < 1e-6
