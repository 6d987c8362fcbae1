"""What the analysis of a song finds, as plain typed values (seconds, MIDI pitches, pitch classes).

Every capability of :mod:`tunesmith.analysis` returns one of these; :class:`SongAnalysis` gathers them and
converts to and from JSON (stored with an upload, so a second request does not analyse again).
:mod:`tunesmith.analysis.score` converts them into the engine's score types (ticks on a beat grid).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from tunesmith.dsp.types import Audio

PITCH_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


@dataclass(frozen=True, slots=True)
class TempoMap:
    """The beat grid: every beat's time (seconds, increasing), which beats start a bar, the meter.

    ``downbeats`` are indices into ``beats``. ``bpm`` is the median tempo; the grid itself follows a
    performer who drifts.
    """

    beats: tuple[float, ...]
    downbeats: tuple[int, ...]
    meter: tuple[int, int] = (4, 4)
    bpm: float = 120.0

    def beat_at(self, seconds: float) -> float:
        """Fractional beat index at ``seconds`` (linear between beats, the edge tempo outside)."""
        b = np.asarray(self.beats, dtype=np.float64)
        if len(b) < 2:
            return seconds * self.bpm / 60.0
        period_start, period_end = b[1] - b[0], b[-1] - b[-2]
        if seconds < b[0]:
            return float((seconds - b[0]) / period_start)
        if seconds > b[-1]:
            return float(len(b) - 1 + (seconds - b[-1]) / period_end)
        return float(np.interp(seconds, b, np.arange(len(b), dtype=np.float64)))

    def seconds_at(self, beat: float) -> float:
        """Seconds at fractional beat index ``beat`` (the inverse of :meth:`beat_at`)."""
        b = np.asarray(self.beats, dtype=np.float64)
        if len(b) < 2:
            return beat * 60.0 / self.bpm
        if beat < 0:
            return float(b[0] + beat * (b[1] - b[0]))
        if beat > len(b) - 1:
            return float(b[-1] + (beat - len(b) + 1) * (b[-1] - b[-2]))
        return float(np.interp(beat, np.arange(len(b), dtype=np.float64), b))


@dataclass(frozen=True, slots=True)
class KeyEstimate:
    """``tonic`` pitch class 0=C … 11=B, ``mode`` "major" | "minor", ``confidence`` 0–1."""

    tonic: int
    mode: str
    confidence: float = 0.0

    def name(self) -> str:
        return f"{PITCH_NAMES[self.tonic]} {self.mode}"


@dataclass(frozen=True, slots=True)
class ChordSpan:
    """A chord sounding from ``start_s`` to ``end_s``: ``root`` pitch class (-1 = no chord), ``quality``
    "maj" | "min" | "N"."""

    start_s: float
    end_s: float
    root: int
    quality: str

    def name(self) -> str:
        if self.root < 0 or self.quality == "N":
            return "N"
        return PITCH_NAMES[self.root] + ("m" if self.quality == "min" else "")


@dataclass(frozen=True, slots=True)
class SectionSpan:
    """A part of the form: ``label`` groups repeats ("A", "B", …: same letter = same music), ``kind`` is a
    role guess ("intro", "verse", "chorus", "bridge", "instrumental", "outro")."""

    start_s: float
    end_s: float
    label: str
    kind: str


@dataclass(frozen=True, slots=True)
class NoteEvent:
    """A sung (or lead) note: onset/offset seconds, ``pitch`` MIDI number (float: cents kept)."""

    onset_s: float
    offset_s: float
    pitch: float


@dataclass(frozen=True, slots=True)
class TimedWord:
    """A word and when it is sung; ``line`` counts lyric lines from 0; ``probability`` 0–1."""

    text: str
    start_s: float
    end_s: float
    line: int = 0
    probability: float = 1.0


@dataclass(frozen=True, slots=True)
class Lyrics:
    """The words of the vocal. ``source``: "aligned" (the user's lyrics placed in time), "transcribed"
    (heard by the recogniser) or "none" (no vocal, or nothing intelligible)."""

    language: str
    source: str
    words: tuple[TimedWord, ...] = ()

    @property
    def text(self) -> str:
        lines: dict[int, list[str]] = {}
        for w in self.words:
            lines.setdefault(w.line, []).append(w.text)
        joiner = "" if self.language == "zh" else " "
        return "\n".join(joiner.join(ws) for _, ws in sorted(lines.items()))


@dataclass(frozen=True, slots=True)
class LoudnessReport:
    integrated_lufs: float
    true_peak_dbtp: float


@dataclass(frozen=True)
class Stems:
    """Separated audio, float32 ``(channels, samples)`` at ``sample_rate``; ``vocals + accompaniment`` ≈
    the input. ``method`` names the separator that made them."""

    vocals: Audio
    accompaniment: Audio
    sample_rate: int
    method: str


@dataclass(frozen=True)
class SongAnalysis:
    """Everything known about one recording. Times in seconds from its start."""

    duration_s: float
    tempo: TempoMap
    key: KeyEstimate
    chords: tuple[ChordSpan, ...]
    sections: tuple[SectionSpan, ...]
    vocal_spans: tuple[tuple[float, float], ...]  # where a voice sings
    melody: tuple[NoteEvent, ...]  # the vocal melody (empty for an instrumental)
    lyrics: Lyrics
    loudness: LoudnessReport
    has_vocals: bool
    methods: dict[str, str] = field(default_factory=dict)  # capability → implementation that ran
    version: int = 1

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SongAnalysis:
        tempo = data["tempo"]
        lyrics = data["lyrics"]
        return cls(
            duration_s=float(data["duration_s"]),
            tempo=TempoMap(tuple(tempo["beats"]), tuple(tempo["downbeats"]), tuple(tempo["meter"]),
                           float(tempo["bpm"])),
            key=KeyEstimate(**data["key"]),
            chords=tuple(ChordSpan(**c) for c in data["chords"]),
            sections=tuple(SectionSpan(**s) for s in data["sections"]),
            vocal_spans=tuple((float(a), float(b)) for a, b in data["vocal_spans"]),
            melody=tuple(NoteEvent(**n) for n in data["melody"]),
            lyrics=Lyrics(lyrics["language"], lyrics["source"], tuple(TimedWord(**w) for w in lyrics["words"])),
            loudness=LoudnessReport(**data["loudness"]),
            has_vocals=bool(data["has_vocals"]),
            methods=dict(data.get("methods", {})),
            version=int(data.get("version", 1)),
        )


FloatArray = npt.NDArray[np.float32]
