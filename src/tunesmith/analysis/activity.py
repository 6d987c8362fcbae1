"""Where a voice sings: the separated vocal stem's level against the whole mix, and its periodicity.

A separator leaves some of the band in its "vocals" (and, on an instrumental, nothing but that residue),
so a loud-enough vocal stem is not yet singing. A frame counts as sung when the vocal stem carries a
pitch (swift-f0 confidence) *and* a fair share of the mix's level; spans open on confident frames, run on
through weaker ones (hysteresis), close over short gaps and drop blips::

    strong frame: confidence ≥ 0.7, vocal ≥ mix − 4 dB       weak frame: confidence ≥ 0.4, vocal ≥ mix − 12 dB
    stretch = a run of weak frames holding ≥ 3 strong ones ─▶ gaps < 0.3 s closed ─▶ spans < 0.2 s dropped
    ─▶ spans whose sung frames' median share is below mix − 4 dB dropped (residue of a lead instrument)
    ─▶ nothing at all when less than 1 s is left

On the engine's songs through the Spleeter separator the sung frames' share has a median near −1 dB
per span; the residue of instrumentals peaks at −4.5 dB.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from tunesmith.analysis.base import Spans
from tunesmith.analysis.melody import FRAME_S, TRACK_SR, pitch_track, runs, to_mono_16k
from tunesmith.analysis.types import Stems

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
HOP = int(FRAME_S * TRACK_SR)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The detector's settings. Confidences are swift-f0's (0–1). ``*_share_db`` is the vocal stem's
    level minus the mix's (dB, ≤ 0 when the stems add up), per frame, and as the median over a span's sung
    frames (``span_share_db``: a band's residue in the vocal stem stays lower than a voice). ``floor_db``
    is how far below the loudest vocal frame a frame may lie (dB); ``silence_dbfs`` the absolute floor;
    ``min_strong`` counts 16 ms frames; gaps and spans are in seconds; less than ``min_total_s`` of singing
    in all is no vocal (stray blips of an instrumental)."""

    strong_confidence: float = 0.7
    strong_share_db: float = -4.0
    weak_confidence: float = 0.4
    weak_share_db: float = -12.0
    span_share_db: float = -4.0
    floor_db: float = 40.0
    silence_dbfs: float = -60.0
    min_strong: int = 3
    close_gap_s: float = 0.3
    min_span_s: float = 0.2
    min_total_s: float = 1.0


def frame_levels_db(mono: npt.NDArray[np.float32], n_frames: int) -> FloatArray:
    """Level (dBFS, floor −140) of the 32 ms around each 16 ms frame of ``mono`` (16 kHz), as swift-f0
    measures it: the frame's hop and the one before."""
    hops = np.zeros(n_frames * HOP, dtype=np.float64)
    usable = min(mono.size, hops.size)
    hops[:usable] = mono[:usable]
    power = np.square(hops).reshape(n_frames, HOP).sum(axis=1)
    window = power + np.concatenate(([0.0], power[:-1]))
    levels: FloatArray = 10.0 * np.log10(np.maximum(window / (2 * HOP), 1e-14))
    return levels


def sung_frames(confidence: FloatArray, vocal_db: FloatArray, mix_db: FloatArray,
                limits: Thresholds) -> BoolArray:
    """Per frame: inside a sung stretch (a run of weak frames holding enough strong ones)."""
    audible = (vocal_db >= float(vocal_db.max(initial=-140.0)) - limits.floor_db) & (vocal_db > limits.silence_dbfs)
    share = vocal_db - mix_db
    strong = audible & (confidence >= limits.strong_confidence) & (share >= limits.strong_share_db)
    weak = audible & (confidence >= limits.weak_confidence) & (share >= limits.weak_share_db)
    sung = np.zeros_like(weak)
    for start, stop in runs(weak):
        if int(strong[start:stop].sum()) >= limits.min_strong:
            sung[start:stop] = True
    return sung


def loud_enough(spans: Spans, sung: BoolArray, share_db: FloatArray, *, min_share_db: float) -> Spans:
    """The ``spans`` whose ``sung`` frames have a median ``share_db`` of at least ``min_share_db``."""
    kept = []
    for start, end in spans:
        a, b = int(round(start / FRAME_S)), int(round(end / FRAME_S))
        frames = share_db[a:b][sung[a:b]]
        if frames.size and float(np.median(frames)) >= min_share_db:
            kept.append((start, end))
    return tuple(kept)


def to_spans(sung: BoolArray, *, close_gap_s: float, min_span_s: float) -> Spans:
    """Runs of ``sung`` frames as (start, end) seconds, gaps shorter than ``close_gap_s`` closed and spans
    shorter than ``min_span_s`` dropped."""
    spans: list[tuple[float, float]] = []
    for start, stop in runs(sung):
        a, b = start * FRAME_S, stop * FRAME_S
        if spans and a - spans[-1][1] < close_gap_s:
            spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))
    return tuple((round(a, 3), round(b, 3)) for a, b in spans if b - a >= min_span_s)


class EnergyVocalDetector:
    """:class:`~tunesmith.analysis.base.VocalDetector` from the vocal stem's share of the mix and its
    swift-f0 periodicity (see the module docstring). ``threads``: ONNX Runtime threads."""

    name = "energy"

    def __init__(self, *, threads: int = 2, thresholds: Thresholds | None = None) -> None:
        self.threads = threads
        self.thresholds = thresholds or Thresholds()
        self._detector: Any = None

    def load(self) -> None:
        from swift_f0 import SwiftF0

        if self._detector is None:
            self._detector = SwiftF0(threads=self.threads, spin=False)

    def detect(self, stems: Stems) -> Spans:
        """Where a voice sings in ``stems``, as (start, end) seconds."""
        self.load()
        track = pitch_track(self._detector, stems.vocals, stems.sample_rate)
        n = len(track.confidence)
        if n == 0:
            return ()
        vocal = to_mono_16k(stems.vocals, stems.sample_rate)
        band = to_mono_16k(stems.accompaniment, stems.sample_rate)
        mix = vocal.copy()
        mix[:band.size] += band[:vocal.size]
        vocal_db, mix_db = frame_levels_db(vocal, n), frame_levels_db(mix, n)
        limits = self.thresholds
        sung = sung_frames(track.confidence, vocal_db, mix_db, limits)
        spans = to_spans(sung, close_gap_s=limits.close_gap_s, min_span_s=limits.min_span_s)
        spans = loud_enough(spans, sung, vocal_db - mix_db, min_share_db=limits.span_share_db)
        return spans if sum(end - start for start, end in spans) >= limits.min_total_s else ()
