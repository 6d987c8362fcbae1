import pytest

from tunesmith.music.score import Key
from tunesmith.music.theory import (
    chord_pitch_classes,
    chords_over_bars,
    melody_scale,
    nearest_pitch,
    parse_pitch_class,
    roman_to_chord,
    scale_pitch_classes,
)


def test_pitch_names() -> None:
    assert parse_pitch_class("C") == 0
    assert parse_pitch_class("Bb") == parse_pitch_class("A#") == 10
    assert parse_pitch_class("f#") == 6
    with pytest.raises(ValueError):
        parse_pitch_class("H")


def test_scales() -> None:
    assert scale_pitch_classes(0, "major") == (0, 2, 4, 5, 7, 9, 11)
    assert scale_pitch_classes(9, "minor") == (9, 11, 0, 2, 4, 5, 7)
    assert melody_scale(Key(0, "major"), pentatonic=True) == (0, 2, 4, 7, 9)


@pytest.mark.parametrize(
    ("numeral", "key", "expected"),
    [
        ("I", Key(0, "major"), (0, "maj")),
        ("vi", Key(0, "major"), (9, "min")),
        ("V7", Key(7, "major"), (2, "7")),
        ("bVII", Key(0, "mixolydian"), (10, "maj")),
        ("VI", Key(9, "minor"), (5, "maj")),
        ("iiø7", Key(9, "minor"), (11, "m7b5")),
        ("IVmaj7", Key(0, "major"), (5, "maj7")),
    ],
)
def test_roman_numerals(numeral: str, key: Key, expected: tuple[int, str]) -> None:
    assert roman_to_chord(numeral, key) == expected


def test_bad_numeral() -> None:
    with pytest.raises(ValueError):
        roman_to_chord("X", Key(0, "major"))


def test_chords_cycle_over_bars() -> None:
    chords = chords_over_bars(["I", "V"], Key(0, "major"), start=0, bars=3, ticks_per_bar=1920)
    assert [(c.start, c.root) for c in chords] == [(0, 0), (1920, 7), (3840, 0)]
    assert chord_pitch_classes(0, "min7") == (0, 3, 7, 10)


def test_nearest_pitch() -> None:
    assert nearest_pitch(0, 61) == 60
    assert nearest_pitch(7, 60) == 55
    assert nearest_pitch(9, 64) == 69 or nearest_pitch(9, 64) == 57
