"""The analysis run capability by capability, so one that fails (or is not written yet) is recorded and the
others are still measured.

The order and the inputs are those of :meth:`tunesmith.analysis.pipeline.AnalysisPipeline.analyse`
(separate → vocal spans → beats → key and chords on the accompaniment → sections → melody and words on the
vocal stem); a capability whose input failed is skipped with the reason. Where separation fails, key and
chords fall back to the mix (recorded as ``key_input``); where vocal detection fails, melody and words run
over the whole song (``spans_input``). Seconds per capability exclude loading the model
(:func:`load_all` loads them first and times that apart).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from tunesmith.analysis.pipeline import AnalysisPipeline
    from tunesmith.analysis.types import ChordSpan, KeyEstimate, Lyrics, NoteEvent, SectionSpan, Stems, TempoMap
    from tunesmith.dsp.types import Audio

T = TypeVar("T")
CAPABILITIES = ("separator", "vocals", "beats", "key", "chords", "sections", "melody", "lyrics")


@dataclass
class Partial:
    """What each capability found (None where it failed or was skipped), its errors and its seconds."""

    stems: Stems | None = None
    spans: tuple[tuple[float, float], ...] | None = None
    tempo: TempoMap | None = None
    key: KeyEstimate | None = None
    chords: tuple[ChordSpan, ...] | None = None
    sections: tuple[SectionSpan, ...] | None = None
    melody: tuple[NoteEvent, ...] | None = None
    lyrics: Lyrics | None = None
    key_input: str = "accompaniment"
    spans_input: str = "detected"
    errors: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def attempt(self, capability: str, work: Callable[[], T]) -> T | None:
        """``work()``, timed under ``capability``; an exception is recorded and gives None."""
        start = time.perf_counter()
        try:
            return work()
        except Exception as exc:  # noqa: BLE001 - one broken capability must not lose the others' figures
            self.errors[capability] = f"{type(exc).__name__}: {exc}"[:500]
            return None
        finally:
            self.seconds[capability] = round(self.seconds.get(capability, 0.0) + time.perf_counter() - start, 3)

    def skip(self, capability: str, reason: str) -> None:
        self.errors.setdefault(capability, f"skipped: {reason}")


def load_all(pipeline: AnalysisPipeline) -> tuple[dict[str, float], dict[str, str]]:
    """Load every capability's analyser once: (seconds per capability, errors per capability)."""
    seconds: dict[str, float] = {}
    errors: dict[str, str] = {}
    for capability in CAPABILITIES:
        start = time.perf_counter()
        try:
            pipeline.analyser(capability)
        except Exception as exc:  # noqa: BLE001 - reported per capability, the rest still run
            errors[capability] = f"{type(exc).__name__}: {exc}"[:500]
        seconds[capability] = round(time.perf_counter() - start, 3)
    return seconds, errors


def analyse(pipeline: AnalysisPipeline, audio: Audio, sample_rate: int, *, lyrics: str | None = None,
            language: str | None = None) -> Partial:
    """Every capability on ``audio`` (float32 ``(channels, n)``), as far as each one's inputs allow."""
    out = Partial()
    get = pipeline.analyser
    out.stems = out.attempt("separator", lambda: get("separator").separate(audio, sample_rate))
    stems = out.stems
    if stems is not None:
        found = out.attempt("vocals", lambda: tuple(get("vocals").detect(stems)))
        out.spans = tuple((float(a), float(b)) for a, b in found) if found is not None else None
    else:
        out.skip("vocals", "no stems")
    out.tempo = out.attempt("beats", lambda: get("beats").track(audio, sample_rate))
    backing, backing_sr = (stems.accompaniment, stems.sample_rate) if stems is not None else (audio, sample_rate)
    out.key_input = "accompaniment" if stems is not None else "mix"
    out.key = out.attempt("key", lambda: get("key").find_key(backing, backing_sr))
    tempo = out.tempo
    if tempo is not None:
        out.chords = _tuple(out.attempt("chords", lambda: get("chords").recognise(backing, backing_sr, tempo)))
        spans = out.spans or ()
        out.sections = _tuple(out.attempt("sections", lambda: get("sections").find_sections(
            audio, sample_rate, tempo, spans)))  # fmt: skip
    else:
        out.skip("chords", "no beats")
        out.skip("sections", "no beats")
    _voice(out, pipeline, lyrics=lyrics, language=language)
    return out


def _voice(out: Partial, pipeline: AnalysisPipeline, *, lyrics: str | None, language: str | None) -> None:
    stems, spans = out.stems, out.spans
    if stems is None:
        out.skip("melody", "no stems")
        out.skip("lyrics", "no stems")
        return
    if spans is None:  # the detector failed: the rest still measured over the whole song, and it says so
        spans = ((0.0, stems.vocals.shape[-1] / stems.sample_rate),)
        out.spans_input = "whole song (no vocal spans)"
    get = pipeline.analyser
    sr = stems.sample_rate
    out.melody = _tuple(out.attempt("melody", lambda: get("melody").transcribe(stems.vocals, sr, spans))) if spans \
        else ()
    onsets = tuple(n.onset_s for n in out.melody) if out.melody is not None else None  # as the pipeline does
    out.lyrics = out.attempt(
        "lyrics", lambda: get("lyrics").read(stems.vocals, sr, spans, lyrics=lyrics, language=language,
                                             onsets=onsets)
    )


def read_words(pipeline: AnalysisPipeline, stems: Stems, spans: tuple[tuple[float, float], ...], *,
               lyrics: str | None, language: str | None) -> tuple[Lyrics | None, str | None, float]:
    """One more pass of the lyrics reader (e.g. aligning after transcribing): (lyrics, error, seconds)."""
    probe = Partial()
    found = probe.attempt("lyrics", lambda: pipeline.analyser("lyrics").read(
        stems.vocals, stems.sample_rate, spans, lyrics=lyrics, language=language))  # fmt: skip
    return found, probe.errors.get("lyrics"), probe.seconds["lyrics"]


def _tuple(value: Any) -> Any:
    return tuple(value) if value is not None else None
