"""The score: the one symbolic description of a song that every later stage reads.

Times are integer ticks (``TICKS_PER_BEAT`` per quarter-note beat) so that notes, sections and sung
syllables line up exactly; seconds are derived from the single tempo, or, when the score carries
``beat_times`` (a band fitted to a singer who drifts), from that beat grid. Rendering, singing, MIDI export
and lyric timestamps all read this structure, never each other's output.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from enum import Enum

TICKS_PER_BEAT = 480


class StemFamily(str, Enum):
    """The 12 stem families of the hosted ``split_stem`` separation, in its documented order."""

    VOCALS = "vocals"
    BACKING_VOCALS = "backing_vocals"
    DRUMS = "drums"
    BASS = "bass"
    GUITAR = "guitar"
    KEYBOARD = "keyboard"
    PERCUSSION = "percussion"
    STRINGS = "strings"
    SYNTH = "synth"
    FX = "fx"
    BRASS = "brass"
    WOODWINDS = "woodwinds"


@dataclass(frozen=True, slots=True)
class Note:
    """One note: ``start``/``duration`` in ticks, ``pitch`` MIDI 0–127, ``velocity`` 1–127."""

    start: int
    duration: int
    pitch: int
    velocity: int = 96

    def __post_init__(self) -> None:
        if self.start < 0 or self.duration <= 0:
            raise ValueError(f"note needs start >= 0 and duration > 0, got {self.start}/{self.duration}")
        if not 0 <= self.pitch <= 127 or not 1 <= self.velocity <= 127:
            raise ValueError(f"pitch/velocity out of MIDI range: {self.pitch}/{self.velocity}")

    @property
    def end(self) -> int:
        return self.start + self.duration


@dataclass(frozen=True, slots=True)
class Part:
    """An instrument part rendered into one stem family.

    ``program`` is the General MIDI program (0–127); drum parts use the GM percussion channel.
    """

    name: str
    family: StemFamily
    program: int
    notes: tuple[Note, ...]
    is_drum: bool = False
    pan: float = 0.0  # -1 (left) … +1 (right)
    gain_db: float = 0.0


@dataclass(frozen=True, slots=True)
class LyricWord:
    """A sung word split into syllables (orthographic pieces; Chinese: one character each)."""

    text: str
    syllables: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LyricLine:
    """One lyric line of a section, as written (without section tags)."""

    text: str
    words: tuple[LyricWord, ...]
    section: int  # index into Score.sections
    backing: bool = False  # parenthesised text, sung by the backing voice


@dataclass(frozen=True, slots=True)
class SungSyllable:
    """A syllable bound to one or more notes (more than one = melisma).

    ``line``/``word``/``syllable`` index into ``VocalLine.lines[line].words[word].syllables[syllable]``.
    Notes are contiguous and in time order.
    """

    line: int
    word: int
    syllable: int
    text: str
    notes: tuple[Note, ...]

    @property
    def start(self) -> int:
        return self.notes[0].start

    @property
    def end(self) -> int:
        return self.notes[-1].end


@dataclass(frozen=True, slots=True)
class VocalLine:
    """The lead vocal: the lyric lines and the syllables bound to notes."""

    language: str  # "en" or "zh"
    voice: str  # stable voice id, see engines.builtin.singer.voices
    lines: tuple[LyricLine, ...]
    syllables: tuple[SungSyllable, ...]


@dataclass(frozen=True, slots=True)
class Section:
    """A form section, e.g. ``verse``/``chorus``; ``label`` keeps the user's tag text."""

    kind: str
    label: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Key:
    tonic: int  # pitch class 0=C … 11=B
    mode: str  # "major" or "minor" (later: dorian, mixolydian, …)

    def name(self) -> str:
        names = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
        return f"{names[self.tonic]} {self.mode}"


@dataclass(frozen=True, slots=True)
class ChordSymbol:
    """A chord held from ``start`` for ``duration`` ticks: root pitch class and quality (``maj``, ``min``, …)."""

    start: int
    duration: int
    root: int
    quality: str


@dataclass(frozen=True)
class Score:
    tempo_bpm: float
    meter: tuple[int, int]
    key: Key
    sections: tuple[Section, ...]
    chords: tuple[ChordSymbol, ...]
    parts: tuple[Part, ...]
    vocal: VocalLine | None = None
    ticks_per_beat: int = TICKS_PER_BEAT
    metadata: dict[str, str] = field(default_factory=dict)
    beat_times: tuple[float, ...] = ()
    """Seconds of beat 0, 1, 2, … (tick ``i * ticks_per_beat``), increasing; empty = the single ``tempo_bpm``.
    Past the last beat time the last beat period continues."""

    @property
    def ticks_per_bar(self) -> int:
        beats, unit = self.meter
        return self.ticks_per_beat * beats * 4 // unit

    @property
    def total_ticks(self) -> int:
        ends = [s.end for s in self.sections]
        ends += [n.end for p in self.parts for n in p.notes]
        if self.vocal:
            ends += [s.end for s in self.vocal.syllables]
        return max(ends, default=0)

    def seconds(self, tick: int) -> float:
        """Tick → seconds: at the score's single tempo, or along ``beat_times`` (linear inside a beat)."""
        if len(self.beat_times) < 2:
            return tick * 60.0 / (self.tempo_bpm * self.ticks_per_beat)
        times, beat = self.beat_times, tick / self.ticks_per_beat
        index = min(max(int(beat), 0), len(times) - 2)
        return times[index] + (beat - index) * (times[index + 1] - times[index])

    def tick_at(self, seconds: float) -> int:
        """Seconds → the nearest tick (the inverse of :meth:`seconds`; never below 0)."""
        if len(self.beat_times) < 2:
            return max(0, round(seconds * self.tempo_bpm * self.ticks_per_beat / 60.0))
        times = self.beat_times
        index = min(max(bisect.bisect_right(times, seconds) - 1, 0), len(times) - 2)
        beat = index + (seconds - times[index]) / (times[index + 1] - times[index])
        return max(0, round(beat * self.ticks_per_beat))

    @property
    def duration_s(self) -> float:
        return self.seconds(self.total_ticks)
