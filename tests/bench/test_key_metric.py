"""Known-answer tests for bench.metrics.key."""

from __future__ import annotations

import numpy as np
import pytest
from bench.metrics import key
from bench.metrics.key import Key
from bench.metrics.pitch import midi_to_hz
from tests.bench.signals import SR, tone


def chords(progression: list[tuple[int, ...]], seconds: float = 1.0) -> np.ndarray:
    return np.concatenate([sum(tone(midi_to_hz(m), seconds) for m in chord) for chord in progression])


def test_parse_key_names() -> None:
    assert Key.parse("A minor") == Key(9, "minor")
    assert Key.parse("F# major") == Key(6, "major")
    assert Key.parse("Bb") == Key(10, "major")
    assert Key.parse("c#m") == Key(1, "minor")
    assert str(Key.parse("Eb minor")) == "Eb minor"
    with pytest.raises(ValueError):
        Key.parse("H major")


def test_profiles_themselves_are_recognised() -> None:
    for tonic in range(12):
        assert key.key_from_chroma(np.roll(key.MAJOR_PROFILE, tonic))[0] == Key(tonic, "major")
        assert key.key_from_chroma(np.roll(key.MINOR_PROFILE, tonic))[0] == Key(tonic, "minor")


def test_c_major_cadence_is_c_major() -> None:
    audio = chords([(60, 64, 67), (65, 69, 72), (67, 71, 74), (60, 64, 67)] * 2)
    assert key.estimate_key(audio, SR)[0] == Key(0, "major")


def test_a_minor_cadence_is_a_minor() -> None:
    audio = chords([(57, 60, 64), (62, 65, 69), (64, 68, 71), (57, 60, 64)] * 2)
    assert key.estimate_key(audio, SR)[0] == Key(9, "minor")


def test_key_from_notes_of_a_d_major_scale() -> None:
    scale = [62, 64, 66, 67, 69, 71, 73, 74, 62, 66, 69, 62]
    assert key.key_from_notes(scale, [1.0] * len(scale))[0] == Key(2, "major")


def test_mirex_scores() -> None:
    c_major = Key(0, "major")
    assert key.key_score(c_major, c_major) == 1.0
    assert key.key_score(Key(7, "major"), c_major) == 0.5
    assert key.key_score(Key(5, "major"), c_major) == 0.5
    assert key.key_score(Key(9, "minor"), c_major) == 0.3
    assert key.key_score(Key(0, "minor"), c_major) == 0.2
    assert key.key_score(Key(0, "major"), Key(9, "minor")) == 0.3
    assert key.key_score(Key(2, "major"), c_major) == 0.0
