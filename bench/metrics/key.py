"""Musical key estimation (Krumhansl–Kessler profiles) and the MIREX key-adherence score."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from bench.metrics.audio import Audio, as_channels

Mode = Literal["major", "minor"]

# Krumhansl & Kessler (1982) probe-tone ratings, index 0 = tonic.
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])

PITCH_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_LETTERS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_KEY_RE = re.compile(r"^\s*([A-Ga-g])([#♯b♭]?)\s*(major|minor|maj|min|m)?\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Key:
    """A key: tonic pitch class 0–11 (0 = C) and mode."""

    tonic: int
    mode: Mode

    def __str__(self) -> str:
        return f"{PITCH_NAMES[self.tonic]} {self.mode}"

    @classmethod
    def parse(cls, text: str) -> Key:
        """Read "A minor", "F# major", "Bb", "Am", "c#m" (no suffix = major)."""
        match = _KEY_RE.match(text)
        if not match:
            raise ValueError(f"not a key: {text!r}")
        letter, accidental, quality = match.groups()
        tonic = _LETTERS[letter.upper()] + {"#": 1, "♯": 1, "b": -1, "♭": -1}.get(accidental, 0)
        minor = quality is not None and quality.lower() in ("minor", "min", "m")
        return cls(tonic % 12, "minor" if minor else "major")


def key_from_chroma(chroma: npt.ArrayLike) -> tuple[Key, float]:
    """Best-correlating key for a 12-bin pitch-class profile (index 0 = C), and that correlation (−1…1)."""
    profile = np.asarray(chroma, dtype=np.float64)
    if profile.shape != (12,):
        raise ValueError("chroma must have 12 bins")
    best: tuple[Key, float] | None = None
    for mode, template in (("major", MAJOR_PROFILE), ("minor", MINOR_PROFILE)):
        for tonic in range(12):
            r = float(np.corrcoef(profile, np.roll(template, tonic))[0, 1])
            if best is None or r > best[1]:
                best = (Key(tonic, mode), r)  # type: ignore[arg-type]
    assert best is not None
    return best


def estimate_key(audio: Audio, sr: int) -> tuple[Key, float]:
    """Key of the audio from its time-averaged constant-Q chroma; returns (key, correlation)."""
    import librosa

    mono = as_channels(audio).mean(axis=0)
    chroma = librosa.feature.chroma_cqt(y=mono, sr=sr, hop_length=2048)
    return key_from_chroma(chroma.mean(axis=1))


def key_from_notes(pitches: Sequence[int], durations_s: Sequence[float]) -> tuple[Key, float]:
    """Key of a note list (MIDI numbers with durations), weighting each pitch class by duration."""
    hist = np.zeros(12)
    for pitch, duration in zip(pitches, durations_s, strict=True):
        hist[pitch % 12] += duration
    return key_from_chroma(hist)


def key_score(estimated: Key, reference: Key) -> float:
    """MIREX key score: 1 same key, 0.5 a fifth away (same mode), 0.3 relative, 0.2 parallel, else 0."""
    if estimated == reference:
        return 1.0
    interval = (estimated.tonic - reference.tonic) % 12
    if estimated.mode == reference.mode and interval in (5, 7):
        return 0.5
    if estimated.mode != reference.mode:
        relative = 9 if reference.mode == "major" else 3
        if interval == relative:
            return 0.3
        if interval == 0:
            return 0.2
    return 0.0
