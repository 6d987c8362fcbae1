"""The shape of style knowledge: genres, their rhythm patterns and instruments.

Rhythm patterns are strings with one character per 16th-note step of a bar (16 steps in 4/4, 12 in
3/4 and 6/8). Drum lanes: ``.`` rest, other characters are looked up in :data:`DRUM_HITS`. Bass: ``R``
root, ``5`` fifth, ``3`` third, ``O`` octave, ``A`` chromatic approach to the next bar's root. Comping:
``X`` whole chord, ``1``–``4`` one chord tone (lowest first). For both, ``-`` holds the previous note
and ``.`` is a rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from tunesmith.music.score import StemFamily

DRUM_HITS: dict[tuple[str, str], tuple[int, int]] = {
    ("kick", "x"): (36, 112),
    ("kick", "g"): (36, 70),
    ("snare", "x"): (38, 108),
    ("snare", "g"): (38, 48),
    ("snare", "r"): (37, 84),
    ("snare", "c"): (39, 104),
    ("hat", "x"): (42, 78),
    ("hat", "g"): (42, 50),
    ("hat", "o"): (46, 80),
    ("hat", "r"): (51, 76),
    ("hat", "s"): (70, 64),
}
"""(lane, pattern character) → (GM percussion note, velocity 1–127)."""

CRASH_NOTE = 49
"""GM crash cymbal, hit at section starts."""

ROLES = ("drums", "bass", "comp", "pad")
"""Accompaniment roles every genre fills; each role renders into exactly one stem family."""


@dataclass(frozen=True, slots=True)
class RhythmPatterns:
    """One bar of groove for a meter whose bar has ``len(kick)`` 16th steps."""

    kick: str
    snare: str
    hat: str
    bass: str
    comp: str

    def __post_init__(self) -> None:
        lengths = {len(self.kick), len(self.snare), len(self.hat), len(self.bass), len(self.comp)}
        if len(lengths) != 1:
            raise ValueError(f"rhythm pattern lanes differ in length: {lengths}")

    @property
    def steps(self) -> int:
        return len(self.kick)


@dataclass(frozen=True, slots=True)
class Instrument:
    """An instrument for one accompaniment ``role``: GM ``program`` 0–127 rendered into ``family``."""

    role: str
    family: StemFamily
    program: int
    name: str
    gain_db: float = 0.0


@dataclass(frozen=True, slots=True)
class Progression:
    """A chord loop in Roman numerals for a mode family (``major``/``minor``).

    ``sections`` lists the section kinds it suits; empty means any.
    """

    numerals: tuple[str, ...]
    family: str
    sections: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Genre:
    """Everything the composer needs to know about one genre.

    ``tempo`` is a quarter-note BPM range; ``meters`` is a weighted pool (repeat to weight);
    ``modes`` is a weighted pool of key modes; ``vocal_density`` is sung syllables per quarter-note
    beat (about 0.7 ballad … 2 rap); ``instruments`` lists candidates per role in preference order;
    ``swing`` delays off-beat 8ths by that fraction of an 8th (0 straight … 0.33 hard swing).
    """

    name: str
    display: str
    keywords_en: tuple[str, ...]
    keywords_zh: tuple[str, ...]
    tempo: tuple[int, int]
    modes: tuple[str, ...]
    progressions: tuple[Progression, ...]
    patterns: tuple[RhythmPatterns, ...]
    instruments: tuple[Instrument, ...]
    tags: tuple[str, ...]
    meters: tuple[tuple[int, int], ...] = ((4, 4),)
    vocal_density: float = 1.0
    melody_span: int = 12
    pentatonic: bool = False
    swing: float = 0.0
    instrumental_form: tuple[str, ...] = ("intro", "verse", "chorus", "verse", "chorus", "outro")

    def patterns_for(self, steps: int) -> RhythmPatterns | None:
        """This genre's own patterns for a bar of ``steps`` 16ths, if it has them."""
        return next((p for p in self.patterns if p.steps == steps), None)

    def instruments_for(self, role: str) -> tuple[Instrument, ...]:
        return tuple(i for i in self.instruments if i.role == role)


@dataclass(frozen=True, slots=True)
class Mood:
    """Mood words that nudge a style: ``family`` prefers major/minor keys, ``tempo_factor`` scales BPM."""

    name: str
    words_en: tuple[str, ...]
    words_zh: tuple[str, ...]
    family: str | None
    tempo_factor: float
