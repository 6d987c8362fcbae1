"""The form of a song: bar-synchronous harmony and timbre, a self-similarity matrix, checkerboard novelty for
boundaries on downbeats, repeat labels from bar-by-bar similarity, and a role guess from where the voice sings.

    mix ─▶ chroma + MFCC per bar ─▶ self-similarity ─▶ novelty peaks (≥ MIN_BARS apart) ─▶ segments
                                          └──────────▶ aligned segment similarity ─▶ labels A, B, …
    labels + vocal spans ─▶ intro / verse / chorus / bridge / instrumental / outro
"""

from __future__ import annotations

import string
from collections import Counter

import numpy as np
import numpy.typing as npt

from tunesmith.analysis import features
from tunesmith.analysis.types import SectionSpan, TempoMap
from tunesmith.dsp.types import Audio

FloatArray = npt.NDArray[np.float64]
Spans = tuple[tuple[float, float], ...]

MIN_BARS = 4
"""Shortest section (bars) unless the song is very short."""
KERNEL_BARS = 4
"""Half-width (bars) of the checkerboard kernel: contrasts 4 bars before a line with 4 after."""
PEAK_THRESHOLD = -0.5
"""A novelty peak becomes a boundary above median + this many standard deviations of the novelty curve."""
SAME_LABEL = 0.95
"""Two segments share a label when their aligned bar-by-bar similarity (0–1, 1 = identical) reaches this
share of the song's typical repeat similarity (the 90th percentile of off-diagonal bar similarity)."""
VOCAL_SHARE = 0.3
"""A segment counts as sung when voice covers at least this share of it."""
FALLBACK_BAR_S = 2.0
"""Bar length (seconds) assumed when the tempo map has no downbeats."""


class RepetitionSectionFinder:
    """The ``sections`` capability: novelty boundaries on downbeats and repetition-based labels (no model)."""

    name = "repetition"

    def load(self) -> None:
        """Nothing to load."""

    def find_sections(self, audio: Audio, sample_rate: int, tempo: TempoMap,
                      vocal_spans: Spans) -> tuple[SectionSpan, ...]:
        """Contiguous sections of ``audio`` from 0 s to its end, starting on bar lines of ``tempo``."""
        duration = audio.shape[-1] / sample_rate
        if duration <= 0:
            return ()
        y = features.mono(audio, sample_rate)
        bars = bar_lines(tempo, duration)
        similarity = bar_similarity(y, bars)
        starts = boundaries(similarity, min_bars(len(bars) - 1))
        labels = label_segments(similarity, starts)
        edges = [0.0, *(float(bars[s]) for s in starts[1:]), duration]
        kinds = guess_kinds(labels, edges, vocal_spans)
        return tuple(SectionSpan(a, b, lab, kind)
                     for a, b, lab, kind in zip(edges[:-1], edges[1:], labels, kinds, strict=True))


def bar_lines(tempo: TempoMap, duration: float) -> FloatArray:
    """Bar start times (seconds) from 0 to ``duration`` inclusive: downbeats of ``tempo`` inside the audio,
    with 0 and ``duration`` as the outer edges (fixed-length bars when there are no downbeats)."""
    inner = [tempo.beats[i] for i in tempo.downbeats if 0 <= i < len(tempo.beats)]
    inner = [t for t in inner if 0.5 < t < duration - 0.5]
    if len(inner) < 2:
        count = max(int(round(duration / FALLBACK_BAR_S)), 1)
        return np.linspace(0.0, duration, count + 1)
    return np.array([0.0, *inner, duration], dtype=np.float64)


def min_bars(total: int) -> int:
    """:data:`MIN_BARS`, or a third of a very short song."""
    return max(1, min(MIN_BARS, total // 3))


def bar_features(y: features.Signal, bars: FloatArray) -> tuple[features.Matrix, features.Matrix]:
    """Per bar: unit-norm chroma (bass + treble, 24 rows) and unit-norm standardised MFCC 1–12 (12 rows)."""
    import librosa

    treble, bass = features.chroma_pair(y, treble_top_midi=84)
    with np.errstate(all="ignore"):
        mel = librosa.feature.melspectrogram(y=np.pad(y, (0, max(features.HOP - y.size, 0))),
                                             sr=features.ANALYSIS_RATE, hop_length=features.HOP, n_mels=64)
    mfcc = librosa.feature.mfcc(S=librosa.power_to_db(mel + 1e-10), n_mfcc=13)[1:].astype(np.float32)
    frames = features.to_frames(bars)
    chroma = np.vstack([features.normalise_columns(features.sync(treble, frames)),
                        features.normalise_columns(features.sync(bass, frames))])
    timbre = features.sync(mfcc, frames)
    spread = timbre.std(axis=1, keepdims=True)
    timbre = (timbre - timbre.mean(axis=1, keepdims=True)) / np.maximum(spread, 1e-6)
    return features.normalise_columns(chroma), features.normalise_columns(timbre.astype(np.float32))


def bar_similarity(y: features.Signal, bars: FloatArray) -> FloatArray:
    """(bars, bars) self-similarity in 0–1: the mean of chroma cosine and (1 + MFCC cosine) / 2."""
    chroma, timbre = bar_features(y, bars)
    harmony = chroma.T.astype(np.float64) @ chroma
    colour = (1.0 + timbre.T.astype(np.float64) @ timbre) / 2.0
    out: FloatArray = np.clip(0.5 * (harmony + colour), 0.0, 1.0)
    return out


def checkerboard(half: int) -> FloatArray:
    """(2·half, 2·half) Gaussian-tapered checkerboard kernel: +1 within past and future, −1 across."""
    axis = np.arange(-half, half) + 0.5
    taper = np.exp(-0.5 * (axis / max(half, 1)) ** 2)
    out: FloatArray = np.outer(np.sign(axis), np.sign(axis)) * np.outer(taper, taper)
    return out


def novelty(similarity: FloatArray, half: int = KERNEL_BARS) -> FloatArray:
    """Novelty at each bar line 0 … n (n = bars): the checkerboard correlation centred on the line."""
    n = similarity.shape[0]
    kernel = checkerboard(half)
    padded = np.pad(similarity, half, mode="edge")
    out = np.zeros(n + 1)
    for line in range(n + 1):
        out[line] = float((padded[line:line + 2 * half, line:line + 2 * half] * kernel).sum())
    out[0] = out[n] = 0.0
    return out


def boundaries(similarity: FloatArray, shortest: int) -> list[int]:
    """Section start bars (the first is 0): positive novelty peaks above the threshold, strongest first, at
    least ``shortest`` bars from each other and from both ends."""
    n = similarity.shape[0]
    curve = novelty(similarity)
    threshold = float(np.median(curve[1:n]) + PEAK_THRESHOLD * curve[1:n].std()) if n > 2 else np.inf
    chosen: list[int] = []
    for line in np.argsort(curve)[::-1]:
        if curve[line] <= max(threshold, 0.0):
            break
        if line < shortest or line > n - shortest or not _is_peak(curve, int(line)):
            continue
        if all(abs(int(line) - c) >= shortest for c in chosen):
            chosen.append(int(line))
    return [0, *sorted(chosen)]


def _is_peak(curve: FloatArray, i: int) -> bool:
    """``curve[i]`` is a local maximum (at least one neighbour strictly lower)."""
    left, right = curve[max(i - 1, 0)], curve[min(i + 1, curve.size - 1)]
    return bool(curve[i] >= left and curve[i] >= right and (curve[i] > left or curve[i] > right))


def segment_similarity(similarity: FloatArray, a: tuple[int, int], b: tuple[int, int]) -> float:
    """Mean similarity of bar k of segment ``a`` with bar k of segment ``b`` (bar ranges, end exclusive),
    over the shorter length, at the best offset of up to 2 bars into the longer one."""
    length = min(a[1] - a[0], b[1] - b[0])
    if length <= 0:
        return 0.0
    best = 0.0
    for shift_a in range(0, min(3, a[1] - a[0] - length + 1)):
        for shift_b in range(0, min(3, b[1] - b[0] - length + 1)):
            k = np.arange(length)
            best = max(best, float(similarity[a[0] + shift_a + k, b[0] + shift_b + k].mean()))
    return best


def label_segments(similarity: FloatArray, starts: list[int]) -> list[str]:
    """A letter per segment: a segment takes the label of the most similar earlier segment when that
    similarity passes :data:`SAME_LABEL` × the song's typical repeat similarity, else the next new letter."""
    n = similarity.shape[0]
    ranges = list(zip(starts, [*starts[1:], n], strict=True))
    off_diagonal = similarity[~np.eye(n, dtype=bool)] if n > 1 else np.ones(1)
    reference = float(np.percentile(off_diagonal, 90))
    labels: list[str] = []
    for i, segment in enumerate(ranges):
        scores = [segment_similarity(similarity, ranges[j], segment) for j in range(i)]
        best = int(np.argmax(scores)) if scores else -1
        if best >= 0 and scores[best] >= SAME_LABEL * reference:
            labels.append(labels[best])
        else:
            labels.append(_letter(len(set(labels))))
    return labels


def _letter(index: int) -> str:
    letters = string.ascii_uppercase
    return letters[index] if index < len(letters) else f"{letters[index // 26 - 1]}{letters[index % 26]}"


def vocal_share(start: float, end: float, spans: Spans) -> float:
    """Share (0–1) of ``start``–``end`` covered by vocal ``spans``."""
    covered = sum(max(0.0, min(end, b) - max(start, a)) for a, b in spans)
    return covered / max(end - start, 1e-9)


def guess_kinds(labels: list[str], edges: list[float], spans: Spans) -> list[str]:
    """A role per segment: intro/outro outside the sung part, instrumental between sung segments, the most
    repeated sung label the chorus, the first other sung label the verse, sung labels heard once after the
    first chorus bridges."""
    sung = [vocal_share(a, b, spans) >= VOCAL_SHARE for a, b in zip(edges[:-1], edges[1:], strict=True)]
    if not any(sung):
        return _instrumental_kinds(labels)
    first, last = sung.index(True), len(sung) - 1 - sung[::-1].index(True)
    counts = Counter(lab for lab, s in zip(labels, sung, strict=True) if s)
    chorus = _chorus_label(labels, counts)
    verse = next((lab for lab, s in zip(labels, sung, strict=True) if s and lab != chorus), None)
    first_chorus = labels.index(chorus) if chorus in labels else len(labels)
    kinds = []
    for i, (lab, s) in enumerate(zip(labels, sung, strict=True)):
        if i < first:
            kinds.append("intro")
        elif i > last:
            kinds.append("outro")
        elif not s:
            kinds.append("instrumental")
        elif lab == chorus:
            kinds.append("chorus")
        elif lab != verse and counts[lab] == 1 and i > first_chorus:
            kinds.append("bridge")
        else:
            kinds.append("verse")
    return kinds


def _chorus_label(labels: list[str], counts: Counter[str]) -> str | None:
    """The sung label heard most often (``counts``); a tie goes to the later first appearance (verses come
    first); none when every sung label is heard once."""
    if not counts:
        return None
    top = max(counts.values())
    tied = [lab for lab in counts if counts[lab] == top]
    if top == 1 and len(counts) > 1:
        return None
    return max(tied, key=labels.index)


def _instrumental_kinds(labels: list[str]) -> list[str]:
    """Without a voice: a unique first/last segment is intro/outro, everything else instrumental."""
    kinds = ["instrumental"] * len(labels)
    if len(labels) >= 3:
        if labels.count(labels[0]) == 1:
            kinds[0] = "intro"
        if labels.count(labels[-1]) == 1:
            kinds[-1] = "outro"
    return kinds
