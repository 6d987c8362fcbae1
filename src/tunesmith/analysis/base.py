"""One Protocol per analysis capability, and the registry that names their implementations as data.

An operator plugs in a stronger model by registering a ``module:Class`` under a capability and choosing it in
the settings (``TUNESMITH_ANALYSIS__<CAPABILITY>=<name>``). Heavy imports (onnxruntime sessions, Whisper)
happen in ``load()``, never at import time, so a server without an optional model still starts.

All audio is float32 ``(channels, samples)`` with the sample rate passed explicitly.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from tunesmith.analysis.types import ChordSpan, KeyEstimate, Lyrics, NoteEvent, SectionSpan, Stems, TempoMap
from tunesmith.dsp.types import Audio

Spans = tuple[tuple[float, float], ...]


@runtime_checkable
class Analyser(Protocol):
    name: str

    def load(self) -> None:
        """Load models; called once before first use (may be a no-op)."""


@runtime_checkable
class Separator(Analyser, Protocol):
    def separate(self, audio: Audio, sample_rate: int) -> Stems:
        """Vocals and accompaniment of ``audio`` (any channel count), at ``sample_rate``."""
        ...


@runtime_checkable
class BeatTracker(Analyser, Protocol):
    def track(self, audio: Audio, sample_rate: int) -> TempoMap:
        """Beats, downbeats and meter of ``audio``."""
        ...


@runtime_checkable
class KeyFinder(Analyser, Protocol):
    def find_key(self, audio: Audio, sample_rate: int) -> KeyEstimate: ...


@runtime_checkable
class ChordRecogniser(Analyser, Protocol):
    def recognise(self, audio: Audio, sample_rate: int, tempo: TempoMap) -> tuple[ChordSpan, ...]:
        """Chords over time (one per beat at most), covering the song without gaps."""
        ...


@runtime_checkable
class SectionFinder(Analyser, Protocol):
    def find_sections(self, audio: Audio, sample_rate: int, tempo: TempoMap,
                      vocal_spans: Spans) -> tuple[SectionSpan, ...]:
        """The form: contiguous spans on bar lines, repeats sharing a label."""
        ...


@runtime_checkable
class VocalDetector(Analyser, Protocol):
    def detect(self, stems: Stems) -> Spans:
        """Where a voice sings, as (start, end) seconds, from separated stems."""
        ...


@runtime_checkable
class MelodyTranscriber(Analyser, Protocol):
    def transcribe(self, vocals: Audio, sample_rate: int, vocal_spans: Spans) -> tuple[NoteEvent, ...]:
        """The sung melody as notes (onset, offset, MIDI pitch)."""
        ...


@runtime_checkable
class LyricsReader(Analyser, Protocol):
    def read(self, vocals: Audio, sample_rate: int, vocal_spans: Spans, *, lyrics: str | None = None,
             language: str | None = None, onsets: Sequence[float] | None = None) -> Lyrics:
        """Words with times: ``lyrics`` aligned when given, else transcribed; nothing where no one sings.
        ``onsets``: the sung notes' onsets (seconds) when the melody is already known, so a reader that
        places words on notes need not track the pitch again."""
        ...


CAPABILITIES: dict[str, Any] = {  # capability → its Protocol (runtime-checkable)
    "separator": Separator,
    "beats": BeatTracker,
    "key": KeyFinder,
    "chords": ChordRecogniser,
    "sections": SectionFinder,
    "vocals": VocalDetector,
    "melody": MelodyTranscriber,
    "lyrics": LyricsReader,
}

ANALYSERS: dict[str, dict[str, str]] = {
    "separator": {
        "spleeter": "tunesmith.analysis.separation.spleeter:SpleeterSeparator",
        "dsp": "tunesmith.analysis.separation.dsp:DspSeparator",
    },
    "beats": {"librosa": "tunesmith.analysis.rhythm:LibrosaBeatTracker"},
    "key": {"profile": "tunesmith.analysis.tonal:ProfileKeyFinder"},
    "chords": {"template": "tunesmith.analysis.tonal:TemplateChordRecogniser"},
    "sections": {"repetition": "tunesmith.analysis.structure:RepetitionSectionFinder"},
    "vocals": {"energy": "tunesmith.analysis.activity:EnergyVocalDetector"},
    "melody": {"swiftf0": "tunesmith.analysis.melody:SwiftF0MelodyTranscriber"},
    "lyrics": {"whisper": "tunesmith.analysis.words:WhisperLyricsReader"},
}
"""capability → implementation name → ``module:Class``; the first name of each is the default."""


class UnknownAnalyserError(ValueError):
    """No implementation is registered under that capability and name."""


def analyser_class(capability: str, name: str | None = None) -> type[Any]:
    """The class registered for ``capability`` as ``name`` (default: the first registered)."""
    table = ANALYSERS.get(capability)
    if table is None:
        raise UnknownAnalyserError(f"unknown analysis capability {capability!r}; known: {', '.join(ANALYSERS)}")
    chosen = name or next(iter(table))
    if chosen not in table:
        raise UnknownAnalyserError(f"no {capability} analyser {chosen!r}; available: {', '.join(table)}")
    module, _, attr = table[chosen].partition(":")
    cls: type[Any] = getattr(importlib.import_module(module), attr)
    return cls


def load_analyser(capability: str, name: str | None = None, **options: Any) -> Any:
    """An instance of the chosen implementation, checked against its Protocol and loaded."""
    instance = analyser_class(capability, name)(**options)
    if not isinstance(instance, CAPABILITIES[capability]):
        raise TypeError(f"{type(instance).__name__} does not implement the {capability} Protocol")
    instance.load()
    return instance
