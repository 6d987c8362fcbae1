"""Beats, downbeats and meter of a mix: tempo chosen among octave candidates, a drifting dynamic-programming
grid, bar phase from kick energy and chord changes.

    mix ─▶ onset envelopes ─▶ tempo (octave-resolved) ─▶ local tempo curve ─▶ DP beat grid ─▶ filled to the
           chroma ─────────────────────────────────────────────────────────────────────────▶ edges ─▶ bar phase

Envelopes are at :data:`tunesmith.analysis.features.HOP` (≈ 23 ms frames); the DP runs on a 4× finer grid,
and each beat is then snapped to its onset peak (± 3 frames) to sub-frame precision.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tunesmith.analysis import features
from tunesmith.analysis.types import TempoMap
from tunesmith.dsp.types import Audio

MIN_BPM, MAX_BPM = 50.0, 220.0
"""Quarter-note tempi considered (BPM)."""
PRIOR_CENTRE_BPM = 120.0
"""Centre of the log-normal tempo prior (BPM): where most popular music sits."""
PRIOR_OCTAVES = 1.5
"""Standard deviation of that prior, in octaves."""
TEMPO_WINDOW_S = 8.0
"""Seconds of onset envelope per local-tempo estimate."""
DRIFT_LIMIT = 0.08
"""A local tempo may stray this fraction from the global one (a human performer, not a tempo change)."""
TIGHTNESS = 3000.0
"""librosa's DP tightness: how strongly beats keep to the local period."""
UPSAMPLE = 4
"""The DP runs on frames this many times finer than the analysis hop (≈ 5.8 ms)."""
SNAP_FRAMES = 3
"""A tracked beat may move up to this many frames (≈ 70 ms) to the onset it belongs to."""
OFFBEAT_RATIO = 0.6
"""Alternate beats weaker than this share of the others mean the grid is twice too fast."""
ONSET_LAG_S = 0.02
"""The spectral-flux peak trails a sound's true start by about one frame (measured on clicks); beats are
moved back by this much."""
LOW_IN_ENVELOPE = 0.5
"""Weight of the kick envelope next to the full-band one (each at unit mean) in the envelope beats are placed on."""
KICK_WEIGHT = 0.2
"""Weight of the kick envelope's periodicity next to the full-band one when choosing the tempo octave."""
BAR_KICK_WEIGHT = 0.5
"""Kick accents count this much next to chord changes when placing the bar line: chords change on the
downbeat far more reliably than the kick lands there (punk and funk kick hardest on 2 and 4, or on 3)."""
METER_BIAS = 1.15
"""3/4 must explain bar accents this many times better than 4/4 to be chosen (4/4 is far more common)."""

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class BarGrid:
    """Beats per bar and the index of the first downbeat (0 ≤ phase < meter)."""

    meter: int
    phase: int
    strength: float


class LibrosaBeatTracker:
    """The ``beats`` capability with librosa's onset envelope, tempogram and DP tracker (no model weights)."""

    name = "librosa"

    def load(self) -> None:
        """Nothing to load: librosa is imported on first use."""

    def track(self, audio: Audio, sample_rate: int) -> TempoMap:
        """Beats, downbeats and meter of ``audio`` (float32 ``(channels, samples)`` at ``sample_rate`` Hz)."""
        y = features.mono(audio, sample_rate)
        return tempo_map(y)


def tempo_map(y: features.Signal) -> TempoMap:
    """The whole beat analysis of the mono analysis-rate signal ``y``."""
    onset = features.onsets(y)
    first, last = features.sound_extent(onset.rms)
    if last - first < 4:
        return TempoMap(beats=(), downbeats=(), meter=(4, 4), bpm=120.0)
    bpm = global_tempo(onset)
    envelope = beat_envelope(onset)
    curve = local_tempo(envelope, bpm)
    placed = halve_if_offbeats_weak(track(envelope, curve), onset.full)
    period = float(np.median(np.diff(placed))) if placed.size > 1 else 60.0 / bpm
    completed = complete_grid(placed, first, last, period, first_onset=first_onset(onset.full))
    times = refine(completed, envelope) - ONSET_LAG_S
    treble, _ = features.chroma_pair(y)
    times = on_the_beat(times, onset.low, harmonic_change(treble))
    bars = bar_grid(times, onset.low, treble)
    downbeats = tuple(range(bars.phase, len(times), bars.meter))
    median_period = float(np.median(np.diff(times))) if len(times) > 1 else 60.0 / bpm
    return TempoMap(beats=tuple(float(t) for t in times), downbeats=downbeats, meter=(bars.meter, 4),
                    bpm=round(60.0 / median_period, 2))


def beat_envelope(onset: features.OnsetFeatures) -> features.Signal:
    """The envelope beats are placed on: full-band flux plus :data:`LOW_IN_ENVELOPE` × kick flux, each scaled
    to unit mean. Some kick helps slow, drum-light pieces; more pulls the grid onto syncopated kicks and 808
    bass (trap, latin: measured beat F 0.15 / 0.24 at weight 1, 0.97 / 0.85 at 0.5)."""
    full = onset.full / max(float(onset.full.mean()), 1e-9)
    low = onset.low / max(float(onset.low.mean()), 1e-9)
    return (full + LOW_IN_ENVELOPE * low).astype(np.float32)


def _tempogram(envelope: features.Signal) -> npt.NDArray[np.float32]:
    """Windowed autocorrelation tempogram of ``envelope``, (lags, frames), lag in frames."""
    import librosa

    win = int(round(TEMPO_WINDOW_S * features.frame_rate()))
    tg: npt.NDArray[np.float32] = librosa.feature.tempogram(
        onset_envelope=envelope, sr=features.ANALYSIS_RATE, hop_length=features.HOP, win_length=win)
    return tg


def _lag_bpm(lags: int) -> FloatArray:
    """BPM of each tempogram lag (lag 0 → inf)."""
    with np.errstate(divide="ignore"):
        out: FloatArray = 60.0 * features.frame_rate() / np.arange(lags, dtype=np.float64)
    return out


def _prior(bpm: FloatArray) -> FloatArray:
    """Log-normal tempo prior weight (≤ 1) of each BPM."""
    octaves = np.log2(np.maximum(bpm, 1e-3) / PRIOR_CENTRE_BPM)
    out: FloatArray = np.exp(-0.5 * (octaves / PRIOR_OCTAVES) ** 2)
    return out


def _salience(autocorrelation: FloatArray, bpm: float) -> float:
    """Autocorrelation at the lag of ``bpm`` (interpolated, ≥ 0)."""
    lag = 60.0 * features.frame_rate() / bpm
    return max(float(np.interp(lag, np.arange(autocorrelation.size), autocorrelation)), 0.0)


def global_tempo(onset: features.OnsetFeatures) -> float:
    """The quarter-note tempo (BPM) of the whole piece.

    Candidates are the prior-weighted autocorrelation peak of the full-band envelope and its ×2 and ×½
    relatives (×3/2 relatives were tried and picked dotted-rhythm lags); each is scored by a broad
    log-normal prior × (full-band salience + :data:`KICK_WEIGHT` × kick salience at the same lag).
    """
    full = _tempogram(onset.full).mean(axis=1).astype(np.float64)
    low = _tempogram(onset.low).mean(axis=1).astype(np.float64)
    bpms = _lag_bpm(full.size)
    valid = (bpms >= MIN_BPM) & (bpms <= MAX_BPM)
    weighted = np.where(valid, full * _prior(bpms), -np.inf)
    best = float(bpms[int(np.argmax(weighted))])
    candidates = [best * r for r in (1.0, 2.0, 0.5) if MIN_BPM <= best * r <= MAX_BPM]
    scores = [tempo_score(full, low, c) for c in candidates]
    return refine_tempo(full, candidates[int(np.argmax(scores))])


def tempo_score(full: FloatArray, low: FloatArray, bpm: float) -> float:
    """How well ``bpm`` explains the envelopes' periodicity, weighted by the prior (higher is better)."""
    beat = _salience(full, bpm) / max(float(full[1:].max()), 1e-9)
    kick = _salience(low, bpm) / max(float(low[1:].max()), 1e-9)
    return float(_prior(np.array([bpm]))[0]) * (beat + KICK_WEIGHT * kick)


def refine_tempo(autocorrelation: FloatArray, bpm: float) -> float:
    """``bpm`` moved to the autocorrelation maximum within ±4 % (parabolic interpolation between lags)."""
    lag = 60.0 * features.frame_rate() / bpm
    lo, hi = max(int(np.floor(lag * 0.96)), 1), min(int(np.ceil(lag * 1.04)), autocorrelation.size - 2)
    if hi <= lo:
        return bpm
    k = lo + int(np.argmax(autocorrelation[lo:hi + 1]))
    a, b, c = autocorrelation[k - 1], autocorrelation[k], autocorrelation[k + 1]
    denom = a - 2 * b + c
    offset = 0.5 * (a - c) / denom if denom < 0 else 0.0
    return float(60.0 * features.frame_rate() / (k + np.clip(offset, -0.5, 0.5)))


def local_tempo(envelope: features.Signal, bpm: float) -> FloatArray:
    """Per-frame tempo (BPM) following drift: the local tempogram peak within ±:data:`DRIFT_LIMIT` of ``bpm``,
    median-smoothed over about 4 seconds."""
    import scipy.signal

    tg = _tempogram(envelope)
    bpms = _lag_bpm(tg.shape[0])
    band = np.flatnonzero((bpms >= bpm * (1 - DRIFT_LIMIT)) & (bpms <= bpm * (1 + DRIFT_LIMIT)))
    if band.size < 2:
        return np.full(envelope.shape[0], bpm, dtype=np.float64)
    local = bpms[band[np.argmax(tg[band], axis=0)]]
    weak = tg[band].max(axis=0) <= 1e-6
    local[weak] = bpm
    kernel = int(round(4.0 * features.frame_rate())) | 1
    smoothed: FloatArray = scipy.signal.medfilt(local, kernel_size=min(kernel, (local.size // 2) * 2 + 1))
    return smoothed


def track(envelope: features.Signal, curve: FloatArray) -> FloatArray:
    """Beat times (seconds) by librosa's dynamic programming over ``envelope`` with the time-varying tempo
    ``curve``, run on a :data:`UPSAMPLE`-times finer frame grid: the DP rounds the beat period to whole
    frames, and at the analysis rate that rounding (up to 2 %) would pull a tight grid off a steady pulse."""
    import librosa

    n = envelope.size
    fine = np.arange(n * UPSAMPLE) / UPSAMPLE
    dense = np.interp(fine, np.arange(n), envelope).astype(np.float32)
    dense_curve = np.interp(fine, np.arange(n), curve)
    _, beats = librosa.beat.beat_track(onset_envelope=dense, sr=features.ANALYSIS_RATE,
                                       hop_length=features.HOP // UPSAMPLE, bpm=dense_curve,
                                       tightness=TIGHTNESS, trim=False)
    out: FloatArray = features.to_seconds(np.asarray(beats, dtype=np.float64) / UPSAMPLE)
    return out


def refine(times: FloatArray, envelope: features.Signal, *, reach: int = SNAP_FRAMES) -> FloatArray:
    """Each beat time moved to the strongest ``envelope`` peak within ±``reach`` frames, to sub-frame
    precision by a parabola. The DP works in whole-frame periods, so a tight grid strays up to half a frame
    per beat from a steady pulse whose period falls between frames; this snaps it back."""
    out = times.copy()
    frames = features.to_frames(times)
    for i, f in enumerate(frames):
        lo, hi = max(int(f) - reach, 1), min(int(f) + reach, envelope.size - 2)
        if hi < lo:
            continue
        k = lo + int(np.argmax(envelope[lo:hi + 1]))
        a, b, c = (float(v) for v in envelope[k - 1:k + 2])
        denom = a - 2 * b + c
        if denom < 0 and b >= max(a, c):
            out[i] = (k + float(np.clip(0.5 * (a - c) / denom, -0.5, 0.5))) / features.frame_rate()
    return out


def first_onset(envelope: features.Signal) -> int:
    """The first frame whose onset strength reaches a tenth of the strongest (0 for a flat envelope)."""
    peak = float(envelope.max()) if envelope.size else 0.0
    return int(np.argmax(envelope >= 0.1 * peak)) if peak > 0 else 0


def halve_if_offbeats_weak(times: FloatArray, envelope: features.Signal) -> FloatArray:
    """Every other beat (the stronger half) when the other half carries under :data:`OFFBEAT_RATIO` of its
    onset strength: a grid that fast is counting eighth notes (strings, skanks), not the beat."""
    if times.size < 8 or 60.0 / float(np.median(np.diff(times))) / 2.0 < MIN_BPM:
        return times
    strength = _sample(envelope, times)
    even, odd = float(strength[0::2].mean()), float(strength[1::2].mean())
    if min(even, odd) >= OFFBEAT_RATIO * max(even, odd):
        return times
    return times[0::2] if even >= odd else times[1::2]


def complete_grid(times: FloatArray, first: int, last: int, period: float, *, first_onset: int = 0) -> FloatArray:
    """The grid from the first to the last sounding frame: gaps (> 1.5 periods) filled evenly, tracked beats
    before the first clear onset (frame ``first_onset``) or after the last sound dropped (the tracker only
    guesses there), the edges then extended at the edge tempo."""
    start, end = float(features.to_seconds(first)), float(features.to_seconds(last))
    onset = max(start, float(features.to_seconds(first_onset)))
    times = np.sort(times[(times >= onset - 0.1 * period) & (times <= end + 0.1 * period)])
    if times.size < 2:
        return np.arange(start, end + 1e-9, period)
    filled = trim_edges(fill_gaps(times))
    head_period, tail_period = filled[1] - filled[0], filled[-1] - filled[-2]
    head = filled[0] - head_period * np.arange(int((filled[0] - start) / head_period + 0.5), 0, -1)
    tail = filled[-1] + tail_period * np.arange(1, int((end - filled[-1]) / tail_period + 0.5) + 1)
    grid: FloatArray = np.concatenate([head, filled, tail])
    return grid[grid >= 0.0]


def trim_edges(times: FloatArray, *, tolerance: float = 0.05) -> FloatArray:
    """``times`` without first or last beats whose interval to their neighbour strays more than ``tolerance``
    from the median interval (the DP's start-up and run-out guesses); extrapolation puts them back in step."""
    if times.size < 6:
        return times
    period = float(np.median(np.diff(times)))
    lo, hi = 0, times.size
    while hi - lo > 4 and abs(times[lo + 1] - times[lo] - period) > tolerance * period:
        lo += 1
    while hi - lo > 4 and abs(times[hi - 1] - times[hi - 2] - period) > tolerance * period:
        hi -= 1
    return times[lo:hi]


def fill_gaps(times: FloatArray) -> FloatArray:
    """Intervals longer than 1.5× the median interval split into equal beats."""
    intervals = np.diff(times)
    period = float(np.median(intervals))
    pieces = [times[:1]]
    for a, gap in zip(times[:-1], intervals, strict=True):
        count = max(int(round(gap / period)), 1) if gap > 1.5 * period else 1
        pieces.append(a + gap * np.arange(1, count + 1) / count)
    out: FloatArray = np.concatenate(pieces)
    return out


def harmonic_change(chroma: features.Matrix) -> features.Signal:
    """Per frame: cosine distance (0–1) between the mean chroma of the 4 frames before and the 4 from it
    (≈ 93 ms each side) — large where the chord or bass note changes, blind to loudness changes."""
    unit = features.normalise_columns(chroma)
    kernel = np.ones(4, dtype=np.float32) / 4.0
    smoothed = np.stack([np.convolve(row, kernel, mode="full")[:unit.shape[1]] for row in unit])
    before = np.pad(smoothed, ((0, 0), (1, 0)), mode="edge")[:, :-1]
    after = np.pad(smoothed, ((0, 0), (0, 3)), mode="edge")[:, 3:]
    cos = (before * after).sum(axis=0) / np.maximum(np.linalg.norm(before, axis=0) * np.linalg.norm(after, axis=0),
                                                   1e-9)
    out: features.Signal = np.clip(1.0 - cos, 0.0, 1.0).astype(np.float32)
    return out


def _sample(envelope: features.Signal, times: FloatArray) -> FloatArray:
    """The maximum of ``envelope`` within ±2 frames of each time (0 outside the signal)."""
    frames = features.to_frames(times)
    return np.array([float(envelope[max(f - 2, 0):f + 3].max()) if 0 <= f < envelope.size else 0.0
                     for f in frames])


def on_the_beat(times: FloatArray, low: features.Signal, change: features.Signal) -> FloatArray:
    """``times`` or the grid half a beat later, whichever carries more kick and harmonic change.

    The tracker locks on to the strongest periodic onsets; in house or reggae those are off-beat hats and
    bass, so the kick drum and the chord changes (which fall on beats) decide the phase.
    """
    if times.size < 4:
        return times
    mid = np.concatenate([(times[:-1] + times[1:]) / 2.0, [times[-1] + (times[-1] - times[-2]) / 2.0]])

    def evidence(t: FloatArray) -> float:
        kick = _sample(low, t).mean() / max(float(low.mean()), 1e-9)
        harmony = _sample(change, t).mean() / max(float(change.mean()), 1e-9)
        return float(kick + harmony)

    return mid if evidence(mid) > 1.1 * evidence(times) else times


def beat_accents(times: FloatArray, low: features.Signal, chroma: features.Matrix) -> tuple[FloatArray, FloatArray]:
    """Per beat: low-band onset strength at the beat and harmonic novelty (chroma change from the beat before),
    each standardised to zero mean and unit variance."""
    frames = features.to_frames(times)
    kick = np.array([low[max(f - 2, 0):f + 3].max() if 0 <= f < low.size else 0.0 for f in frames])
    bounds = np.concatenate([frames, [frames[-1] + int(np.median(np.diff(frames)))]]) if frames.size > 1 else frames
    per_beat = features.normalise_columns(features.sync(chroma, bounds))
    novelty = np.zeros(len(times))
    novelty[1:] = 1.0 - np.sum(per_beat[:, 1:] * per_beat[:, :-1], axis=0)
    return _standardise(kick), _standardise(novelty)


def _standardise(x: FloatArray) -> FloatArray:
    spread = float(x.std())
    out: FloatArray = (x - x.mean()) / spread if spread > 1e-9 else np.zeros_like(x)
    return out


def bar_grid(times: FloatArray, low: features.Signal, chroma: features.Matrix) -> BarGrid:
    """Meter (3 or 4 beats) and downbeat phase.

    The meter is the bar length whose best position stands out most in kick energy plus chord changes; the
    downbeat is then the position with the most chord changes plus :data:`BAR_KICK_WEIGHT` × kick energy.
    """
    if times.size < 8:
        return BarGrid(4, 0, 0.0)
    kick, novelty = beat_accents(times, low, chroma)
    accents = kick + novelty
    best = {m: max(float(accents[p::m].mean()) for p in range(m)) for m in (3, 4)}
    meter = 3 if best[3] > METER_BIAS * best[4] and best[3] > 0 else 4
    evidence = BAR_KICK_WEIGHT * kick + novelty
    strength, phase = max((float(evidence[p::meter].mean()), p) for p in range(meter))
    return BarGrid(meter, phase, strength)
