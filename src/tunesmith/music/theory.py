"""Music theory as data: pitch names, scales and modes, chord qualities and Roman-numeral progressions.

Pitch classes are integers 0–11 (0 = C); pitches are MIDI note numbers 0–127. Roman numerals are read
against the *parent* scale of a key's mode (major for major-like modes, natural minor for minor-like
ones), so ``bVII`` means the same chord in ``major`` and ``mixolydian``; the numeral's case gives the
triad quality (upper = major, lower = minor).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from tunesmith.music.score import ChordSymbol, Key

PITCH_CLASS_NAMES: dict[str, int] = {
    "C": 0, "B#": 0, "C#": 1, "DB": 1, "D": 2, "D#": 3, "EB": 3, "E": 4, "FB": 4, "F": 5, "E#": 5,
    "F#": 6, "GB": 6, "G": 7, "G#": 8, "AB": 8, "A": 9, "A#": 10, "BB": 10, "B": 11, "CB": 11,
}  # fmt: skip

PITCH_CLASS_SPELLING: tuple[str, ...] = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
"""The spelling used when a pitch class is written out (index = pitch class)."""

SCALES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "harmonic_minor": (0, 2, 3, 5, 7, 8, 11),
    "major_pentatonic": (0, 2, 4, 7, 9),
    "minor_pentatonic": (0, 3, 5, 7, 10),
}
"""Scale intervals in semitones above the tonic."""

MODE_FAMILY: dict[str, str] = {
    "major": "major",
    "lydian": "major",
    "mixolydian": "major",
    "major_pentatonic": "major",
    "minor": "minor",
    "dorian": "minor",
    "phrygian": "minor",
    "harmonic_minor": "minor",
    "minor_pentatonic": "minor",
}
"""Whether a mode is heard as major or minor; picks the parent scale for Roman numerals."""

PENTATONIC_OF_FAMILY: dict[str, str] = {"major": "major_pentatonic", "minor": "minor_pentatonic"}

CHORD_QUALITIES: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7),
    "min": (0, 3, 7),
    "dim": (0, 3, 6),
    "aug": (0, 4, 8),
    "sus2": (0, 2, 7),
    "sus4": (0, 5, 7),
    "maj7": (0, 4, 7, 11),
    "min7": (0, 3, 7, 10),
    "7": (0, 4, 7, 10),
    "m7b5": (0, 3, 6, 10),
    "dim7": (0, 3, 6, 9),
    "add9": (0, 4, 7, 14),
    "min9": (0, 3, 7, 10, 14),
}
"""Chord quality → intervals in semitones above the root."""

_ROMAN_DEGREES: dict[str, int] = {"i": 0, "ii": 1, "iii": 2, "iv": 3, "v": 4, "vi": 5, "vii": 6}
_ROMAN_RE = re.compile(r"^(?P<acc>[b#]?)(?P<num>[ivIV]+)(?P<suffix>.*)$")

_SUFFIX_QUALITY: dict[tuple[str, bool], str] = {
    ("", True): "maj",
    ("", False): "min",
    ("7", True): "7",
    ("7", False): "min7",
    ("maj7", True): "maj7",
    ("maj7", False): "maj7",
    ("9", False): "min9",
    ("add9", True): "add9",
    ("o", False): "dim",
    ("o7", False): "dim7",
    ("ø7", False): "m7b5",
    ("+", True): "aug",
    ("sus2", True): "sus2",
    ("sus4", True): "sus4",
}
"""(numeral suffix, numeral is upper case) → chord quality."""


def parse_pitch_class(name: str) -> int:
    """``"C"``, ``"F#"``, ``"Bb"``, ``"eb"`` … → pitch class 0–11; raises ``ValueError`` if unknown."""
    cleaned = name.strip().replace("♯", "#").replace("♭", "b").upper()
    if cleaned not in PITCH_CLASS_NAMES:
        raise ValueError(f"unknown pitch name {name!r}")
    return PITCH_CLASS_NAMES[cleaned]


def scale_pitch_classes(tonic: int, scale: str) -> tuple[int, ...]:
    """The pitch classes (0–11) of ``scale`` built on ``tonic``, in scale-degree order."""
    return tuple((tonic + step) % 12 for step in SCALES[scale])


def key_pitch_classes(key: Key) -> tuple[int, ...]:
    """The pitch classes of the key's own mode."""
    return scale_pitch_classes(key.tonic, key.mode)


def melody_scale(key: Key, pentatonic: bool) -> tuple[int, ...]:
    """Pitch classes a melody may use: the key's mode, or the pentatonic of its family."""
    if not pentatonic:
        return key_pitch_classes(key)
    return scale_pitch_classes(key.tonic, PENTATONIC_OF_FAMILY[MODE_FAMILY[key.mode]])


def chord_pitch_classes(root: int, quality: str) -> tuple[int, ...]:
    """The pitch classes of a chord, root first (extensions above the octave folded in)."""
    return tuple((root + step) % 12 for step in CHORD_QUALITIES[quality])


def roman_to_chord(numeral: str, key: Key) -> tuple[int, str]:
    """A Roman numeral (``I``, ``vi``, ``V7``, ``bVII``, ``iiø7``, ``IVmaj7``) → (root pc, quality).

    Raises ``ValueError`` for a numeral this module cannot read.
    """
    match = _ROMAN_RE.match(numeral.strip())
    if match is None or match["num"].lower() not in _ROMAN_DEGREES:
        raise ValueError(f"bad Roman numeral {numeral!r}")
    upper = match["num"].isupper()
    quality = _SUFFIX_QUALITY.get((match["suffix"], upper))
    if quality is None:
        raise ValueError(f"bad chord suffix in {numeral!r}")
    parent = scale_pitch_classes(key.tonic, MODE_FAMILY[key.mode])
    shift = {"": 0, "b": -1, "#": 1}[match["acc"]]
    return (parent[_ROMAN_DEGREES[match["num"].lower()]] + shift) % 12, quality


def progression_chords(numerals: Sequence[str], key: Key) -> list[tuple[int, str]]:
    """A Roman-numeral progression → list of (root pc, quality)."""
    return [roman_to_chord(n, key) for n in numerals]


def chords_over_bars(
    numerals: Sequence[str], key: Key, *, start: int, bars: int, ticks_per_bar: int
) -> list[ChordSymbol]:
    """One chord per bar for ``bars`` bars from tick ``start``, cycling the progression."""
    chords = progression_chords(numerals, key)
    return [ChordSymbol(start + bar * ticks_per_bar, ticks_per_bar, *chords[bar % len(chords)]) for bar in range(bars)]


def nearest_pitch(pitch_class: int, around: int) -> int:
    """The MIDI pitch with ``pitch_class`` closest to ``around`` (ties go down)."""
    base = around - (around - pitch_class) % 12
    return base if around - base <= base + 12 - around else base + 12


def pitches_in_range(pitch_classes: Iterable[int], low: int, high: int) -> list[int]:
    """All MIDI pitches in ``[low, high]`` whose pitch class is in ``pitch_classes``, ascending."""
    wanted = set(pitch_classes)
    return [p for p in range(max(low, 0), min(high, 127) + 1) if p % 12 in wanted]
