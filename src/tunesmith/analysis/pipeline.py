"""The whole analysis of one recording, capability by capability, with progress reports.

    audio ─▶ separate ─▶ vocal spans ─▶ melody, words          (from the vocal stem)
      │          └──────▶ key, chords                          (from the accompaniment)
      └──▶ beats ─▶ sections ; loudness                        (from the mix)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from tunesmith.analysis.base import load_analyser
from tunesmith.analysis.types import LoudnessReport, SongAnalysis, Stems
from tunesmith.dsp import loudness
from tunesmith.dsp.types import Audio

Progress = Callable[[str, float], None]
"""(stage name, share of the whole analysis done 0–1)."""

STAGES: tuple[tuple[str, float], ...] = (
    ("separator", 0.30), ("vocals", 0.02), ("beats", 0.10), ("key", 0.02), ("chords", 0.06),
    ("sections", 0.05), ("melody", 0.10), ("lyrics", 0.35),
)
"""Capabilities in the order they run, with their rough share of the time (for progress bars)."""


@dataclass(frozen=True)
class AnalysisResult:
    analysis: SongAnalysis
    stems: Stems


class AnalysisPipeline:
    """Loads each chosen analyser on first use and keeps it (one pipeline per worker process)."""

    def __init__(self, choice: Mapping[str, str] | None = None) -> None:
        self.choice = dict(choice or {})
        self._loaded: dict[str, Any] = {}

    def analyser(self, capability: str) -> Any:
        if capability not in self._loaded:
            self._loaded[capability] = load_analyser(capability, self.choice.get(capability) or None)
        return self._loaded[capability]

    def analyse(self, audio: Audio, sample_rate: int, *, lyrics: str | None = None, language: str | None = None,
                progress: Progress | None = None) -> AnalysisResult:
        """Analyse ``audio`` (float32 ``(channels, samples)``); ``lyrics`` are aligned when given."""
        done = 0.0

        def step(capability: str) -> Any:
            nonlocal done
            if progress:
                progress(capability, done)
            done += dict(STAGES)[capability]
            return self.analyser(capability)

        stems: Stems = step("separator").separate(audio, sample_rate)
        spans = step("vocals").detect(stems)
        tempo = step("beats").track(audio, sample_rate)
        key = step("key").find_key(stems.accompaniment, sample_rate)
        chords = step("chords").recognise(stems.accompaniment, sample_rate, tempo)
        sections = step("sections").find_sections(audio, sample_rate, tempo, spans)
        melody = step("melody").transcribe(stems.vocals, sample_rate, spans) if spans else ()
        words = step("lyrics").read(stems.vocals, sample_rate, spans, lyrics=lyrics, language=language,
                                    onsets=tuple(n.onset_s for n in melody))
        if progress:
            progress("done", 1.0)
        result = SongAnalysis(
            duration_s=audio.shape[-1] / sample_rate, tempo=tempo, key=key, chords=tuple(chords),
            sections=tuple(sections), vocal_spans=tuple(spans), melody=tuple(melody), lyrics=words,
            loudness=measure_loudness(audio, sample_rate), has_vocals=bool(spans),
            methods={cap: type(self._loaded[cap]).__name__ for cap in self._loaded},
        )
        return AnalysisResult(result, stems)


def measure_loudness(audio: Audio, sample_rate: int) -> LoudnessReport:
    """Integrated loudness (LUFS, −70 for silence) and true peak (dBTP) of ``audio``."""
    lufs = loudness.integrated_lufs(audio, sample_rate)
    peak = loudness.true_peak_dbtp(audio, sample_rate)
    return LoudnessReport(float(lufs) if np.isfinite(lufs) else -70.0, float(peak) if np.isfinite(peak) else -120.0)
