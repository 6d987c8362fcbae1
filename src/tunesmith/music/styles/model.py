"""The shape of style knowledge: genres, moods, their rhythm patterns, fills and instruments.

Rhythm patterns are strings with one character per 16th-note step of a bar (16 steps in 4/4, 12 in
3/4 and 6/8). Drum lanes (``kick``, ``snare``, ``hat``, ``perc`` and the fill lanes ``tom``): ``.``
rest, other characters are looked up in :data:`DRUM_HITS`. Bass: ``R`` root, ``5`` fifth, ``3`` third,
``O`` octave, ``A`` chromatic approach to the next bar's root. Comping: ``X`` whole chord, ``1``–``4``
one chord tone (lowest first). Lead (counter-melody rhythm): ``x`` a note. For all pitched lanes ``-``
holds the previous note and ``.`` is a rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from tunesmith.music.score import StemFamily

DRUM_HITS: dict[tuple[str, str], tuple[int, int]] = {
    ("kick", "x"): (36, 112), ("kick", "g"): (36, 70),
    ("snare", "x"): (38, 108), ("snare", "g"): (38, 48), ("snare", "r"): (37, 84), ("snare", "c"): (39, 104),
    ("hat", "x"): (42, 78), ("hat", "g"): (42, 50), ("hat", "o"): (46, 80), ("hat", "r"): (51, 76),
    ("hat", "s"): (70, 64), ("hat", "p"): (44, 70),
    ("tom", "h"): (50, 100), ("tom", "m"): (47, 100), ("tom", "l"): (45, 104), ("tom", "f"): (41, 108),
    ("perc", "s"): (70, 60), ("perc", "t"): (54, 64), ("perc", "c"): (63, 80), ("perc", "l"): (64, 84),
    ("perc", "b"): (60, 76), ("perc", "w"): (56, 70), ("perc", "k"): (75, 74), ("perc", "g"): (73, 70),
    ("perc", "h"): (39, 90), ("perc", "m"): (35, 96), ("perc", "y"): (57, 70),
}  # fmt: skip
"""(lane, pattern character) → (GM percussion note, velocity 1–127).

Perc: ``s`` shaker, ``t`` tambourine, ``c``/``l`` high/low conga, ``b`` bongo, ``w`` cowbell,
``k`` claves, ``g`` guiro, ``h`` hand clap, ``m`` orchestral bass drum, ``y`` suspended cymbal."""

CRASH_NOTE = 49
"""GM crash cymbal, hit at section starts."""

ROLES = ("drums", "bass", "comp", "pad", "lead", "perc", "fx")
"""Accompaniment roles; each role renders into exactly one stem family (its instrument's)."""
REQUIRED_ROLES = ("bass", "comp", "pad")
"""Roles every genre fills; the others (a drum kit, a counter-melody lead, hand percussion, effects)
only where the genre calls for them."""
DRUM_ROLES = frozenset({"drums", "perc"})
"""Roles played on the GM percussion channel."""


@dataclass(frozen=True, slots=True)
class RhythmPatterns:
    """One bar of groove for a meter whose bar has ``len(kick)`` 16th steps.

    ``perc`` and ``lead`` may be empty (no hand percussion / the generic lead rhythm)."""

    kick: str
    snare: str
    hat: str
    bass: str
    comp: str
    perc: str = ""
    lead: str = ""

    def __post_init__(self) -> None:
        lanes = (self.kick, self.snare, self.hat, self.bass, self.comp, self.perc, self.lead)
        lengths = {len(lane) for lane in lanes if lane}
        if len(lengths) != 1:
            raise ValueError(f"rhythm pattern lanes differ in length: {lengths}")

    @property
    def steps(self) -> int:
        return len(self.kick)


@dataclass(frozen=True, slots=True)
class DrumFill:
    """A fill over the last ``len(snare)`` 16th steps of a section's last bar (lanes as in patterns)."""

    name: str
    snare: str
    tom: str
    kick: str

    @property
    def steps(self) -> int:
        return len(self.snare)


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
    """Everything the composer, the mixer and the style booster need to know about one genre.

    ``tempo`` is a quarter-note BPM range; ``meters`` is a weighted pool (repeat to weight);
    ``modes`` is a weighted pool of key modes; ``vocal_density`` is sung syllables per quarter-note
    beat (about 0.7 ballad … 2 rap); ``instruments`` lists candidates per role in preference order;
    ``swing`` delays off-beat 8ths by that fraction of an 8th (0 straight … 0.33 hard swing);
    ``fills`` names drum fills of :data:`tunesmith.music.styles.grooves.FILLS` (a weighted pool);
    ``mix`` names the mix style of ``tunesmith.dsp.presets`` (per-family EQ, pan, compression,
    reverb and the vocal chain); ``feel_en``/``feel_zh`` describe the sound in a phrase.
    """

    name: str
    display: str
    display_zh: str
    keywords_en: tuple[str, ...]
    keywords_zh: tuple[str, ...]
    tempo: tuple[int, int]
    modes: tuple[str, ...]
    progressions: tuple[Progression, ...]
    patterns: tuple[RhythmPatterns, ...]
    instruments: tuple[Instrument, ...]
    tags: tuple[str, ...]
    mix: str
    feel_en: str
    feel_zh: str
    fills: tuple[str, ...] = ("snare_roll",)
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
    """Mood words that nudge a style: ``family`` prefers major/minor keys, ``tempo_factor`` scales BPM,
    ``energy`` scales the dynamic arc (velocity factor, about 0.85 … 1.1)."""

    name: str
    words_en: tuple[str, ...]
    words_zh: tuple[str, ...]
    family: str | None
    tempo_factor: float
    energy: float = 1.0
