"""A beat grid fitted to a singer who sang without a click.

The analysis's beat tracker hears little pulse in an a-cappella vocal: its grid may sit on the off-beats,
run at half or double speed, stop in the rests or wobble. The notes the singer starts are the better
evidence, and :func:`fit_grid` places the grid on them:

    onsets ─▶ envelope ─▶ tempo candidates ──────▶ per candidate: DP over (beat, period) ─▶ least-squares
                          (analysis ×½ ×1 ×2,         refinement on the onsets' 8th positions ─▶ likelihood
                           onset autocorrelation)     ─▶ best ─▶ bar phase (stress) ─▶ extended to the range

1. **Envelope.** Each onset becomes a Gaussian bump (:data:`ONSET_SIGMA_S`, height 1) on a :data:`FRAME_S`
   grid. (Weighting long notes here pulled the grid onto long syncopated notes; stress only decides bars.)
2. **Candidates.** The analysis tempo and the strongest beat-range periodicity of the envelope, each with its
   half and double (the tracker's octave errors), within :data:`MIN_BPM`–:data:`MAX_BPM`.
3. **DP over (beat time, period)** (Ellis' beat tracker with the period as part of the state): a beat at
   frame *t* with period *p* scores the envelope at *t* and, at :data:`OFFBEAT_WEIGHT`, half-way back (the
   8th between two beats), plus the best chain ending one period earlier whose period differs by at most one
   frame (a step costs :data:`PERIOD_STEP_COST`). The tempo may so drift smoothly, which a single target
   period (Ellis' original) would resist, and adjacent periods differ by at most one frame (≤ 3.3 %).
4. **Refinement.** Each onset is assigned to its nearest 8th of the DP grid; beat times then solve a
   weighted least-squares problem — onsets at their 8th positions plus :data:`SMOOTHNESS` × squared period
   changes — with Tukey weights, so an onset more than :data:`OUTLIER_BEATS` off its 8th (a pickup a 16th
   early, a grace note, an ornament) does not drag the grid. This gives sub-frame precision and averages the
   singer's jitter over a few beats; it is iterated as assignments settle.
5. **Choice.** Each candidate's refined grid is scored by the onsets' mean log-likelihood under "mostly on
   beats, some on 8ths, with jitter, or anywhere" (:func:`_fit`: a finer grid must explain enough more
   onsets to pay for being finer), plus a log-normal tempo prior and a small bonus for the analysis tempo;
   the best wins.
6. **Bar phase.** Which beat is "1" goes by stress: long notes and phrase starts on beats vote for their
   beat of the bar; analysis downbeats that agree with the grid add :data:`ANALYSIS_BAR_BONUS` of the vote.

With fewer than :data:`MIN_ONSETS` onsets the analysis grid is only extended over the range (or, with none
either, a :data:`FALLBACK_BPM` grid).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.ndimage import gaussian_filter1d
from scipy.sparse.linalg import spsolve

from tunesmith.analysis.types import TempoMap

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

FRAME_S = 0.01
"""DP frame length (seconds); refinement then works in continuous time."""
ONSET_SIGMA_S = 0.03
"""Width of an onset's bump in the envelope (seconds): the singer's timing plus the note detector's error."""
MIN_BPM, MAX_BPM = 50.0, 200.0
"""Tempo candidates considered (quarter notes per minute)."""
FALLBACK_BPM = 100.0
"""The grid when neither analysis beats nor onsets say anything."""
MIN_ONSETS = 4
"""Fewer onsets than this cannot place a grid: the analysis grid is kept."""
DRIFT = 0.2
"""The DP's period may stray this fraction either way from its candidate's (a drifting singer, not a new tempo)."""
PERIOD_STEP_COST = 0.3
"""DP cost of changing the period by one frame between beats, in onsets (each scores 1 on a beat): the DP
keeps a steady skeleton (drift of 12 % costs a handful of steps) and the refinement follows the rubato;
at 0.1 it bent the grid half a beat across sparse, syncopated bars."""
PERIOD_PRIOR = 3.0
"""DP cost per beat of ``log(period / candidate period)²``: keeps the DP in its candidate's octave."""
OFFBEAT_WEIGHT = 0.5
"""Weight of the envelope half-way between two beats (an onset on the 8th) next to one on the beat."""
SMOOTHNESS = 50.0
"""Weight of squared period changes (s²) against squared onset residuals (s²) in the refinement: the grid
averages the singer's timing over about (SMOOTHNESS / onsets per beat)^¼ ≈ 2–3 beats."""
ANCHOR = 1e-3
"""Weight pulling each refined beat towards its DP time: only keeps the system well posed in long rests."""
OUTLIER_BEATS = 0.2
"""Tukey cut-off (beats): onsets further than this from their 8th do not pull the grid."""
REFINE_ROUNDS = 4
MAX_PERIOD_RATIO = 1.08
"""Adjacent beat periods of the result differ by at most this factor."""
JITTER_S = 0.025
"""Timing spread (seconds) of onsets around their 8th in the model candidates are compared by."""
OFF_GRID_SHARE = 0.1
"""Share of onsets that model expects off the grid (ornaments, pickups, detector errors)."""
ON_BEAT_SHARE = 0.85
"""Share of the on-grid onsets that model expects on beats rather than on the 8ths between them: high enough
that even quarter notes at 140 make a 140 grid, not a 70 one with half the notes on its off-beats (0.75 did)."""
PRIOR_CENTRE_BPM, PRIOR_OCTAVES, PRIOR_WEIGHT = 100.0, 0.7, 1.0
"""Log-normal tempo prior (centre, spread in octaves) and its weight next to the fit (nats per onset)."""
ANALYSIS_BONUS = 0.1
"""Score bonus of a candidate within 6 % of the analysis tempo (the tie-breaker between near-equal fits)."""
PHRASE_GAP_BEATS = 2.0
"""An onset after a gap this long (beats) starts a phrase."""
PHRASE_STRESS = 1.0
"""Stress added to a phrase start (a note's own stress is its length in beats, 0.5–4)."""
BAR_TOLERANCE_BEATS = 0.15
"""An onset votes for a beat of the bar only when it is this close to the beat."""
ANALYSIS_BAR_BONUS = 0.15
"""Share of the total bar vote added to the beat the analysis downbeats fall on, when they agree."""


def fit_grid(tempo: TempoMap, onsets: Sequence[float], *, start_s: float, end_s: float,
             meter: tuple[int, int] | None = None) -> TempoMap:
    """The beat grid of a vocal sung without a click, locked to its note ``onsets`` (seconds).

    ``tempo`` is the analysis's grid of the same recording (any phase, octave or gaps); ``meter`` overrides
    its meter. Only onsets within ``[start_s, end_s]`` are used. The result's beats increase strictly and
    cover the range: ``beats[0] <= start_s`` (possibly negative) and ``beats[-1] >= end_s``; ``downbeats``
    recur every ``meter[0]`` beats; ``bpm`` is the median tempo.
    """
    meter = meter or tempo.meter
    end_s = max(end_s, start_s)
    times = np.sort(np.asarray([t for t in onsets if start_s <= t <= end_s], dtype=np.float64))
    if times.size < MIN_ONSETS:
        return _extended(tempo, start_s, end_s, meter)
    beats = _best_grid(times, _candidates(tempo, times))
    beats, _ = _cover(beats, start_s, end_s)
    phase = _bar_phase(beats, times, meter[0], _analysis_downbeats(tempo))
    return _tempo_map(beats, phase, meter)


def _tempo_map(beats: FloatArray, phase: int, meter: tuple[int, int]) -> TempoMap:
    period = float(np.median(np.diff(beats)))
    downbeats = tuple(range(phase % meter[0], beats.size, meter[0]))
    return TempoMap(beats=tuple(float(b) for b in beats), downbeats=downbeats, meter=meter,
                    bpm=round(60.0 / period, 2))


def _extended(tempo: TempoMap, start_s: float, end_s: float, meter: tuple[int, int]) -> TempoMap:
    """The analysis grid over ``[start_s, end_s]`` (a :data:`FALLBACK_BPM` grid if it has under 2 beats),
    its bar phase kept."""
    beats = np.asarray(tempo.beats, dtype=np.float64)
    if beats.size < 2 or np.any(np.diff(beats) <= 0):
        beats, first_downbeat = start_s + 60.0 / FALLBACK_BPM * np.arange(2.0), 0
    else:
        first_downbeat = tempo.downbeats[0] if tempo.downbeats else 0
    beats, shift = _cover(beats, start_s, end_s)
    return _tempo_map(beats, first_downbeat + shift, meter)


def _cover(beats: FloatArray, start_s: float, end_s: float) -> tuple[FloatArray, int]:
    """``beats`` extended at their edge periods (mean of up to 4) and trimmed so that exactly one beat lies at
    or before ``start_s`` and one at or after ``end_s``; also the index shift (new index = old + shift)."""
    head, tail = float(np.mean(np.diff(beats[:5]))), float(np.mean(np.diff(beats[-5:])))
    before = max(int(np.ceil((beats[0] - start_s) / head)), 0)
    after = max(int(np.ceil((end_s - beats[-1]) / tail)), 0)
    full = np.concatenate([beats[0] - head * np.arange(before, 0, -1), beats,
                           beats[-1] + tail * np.arange(1, after + 1)])
    first = int(np.searchsorted(full, start_s, side="right")) - 1
    last = max(int(np.searchsorted(full, end_s, side="left")), first + 1)
    return full[first:last + 1], before - first


def _analysis_downbeats(tempo: TempoMap) -> FloatArray:
    return np.asarray([tempo.beats[i] for i in tempo.downbeats if 0 <= i < len(tempo.beats)], dtype=np.float64)


# --- stress and envelope ------------------------------------------------------------------------------------

def _stress(times: FloatArray, period: float) -> FloatArray:
    """Per onset: its note's length in beats (the gap to the next onset, 0.5–4) plus :data:`PHRASE_STRESS`
    if a gap of :data:`PHRASE_GAP_BEATS` precedes it."""
    gaps = np.diff(times) / period
    length = np.clip(np.append(gaps, np.median(gaps)), 0.5, 4.0)
    phrase = np.concatenate([[True], gaps >= PHRASE_GAP_BEATS])
    out: FloatArray = length + PHRASE_STRESS * phrase
    return out


def _envelope(times: FloatArray, weights: FloatArray, origin: float, frames: int) -> FloatArray:
    """Onset bumps of height ``weights`` on a :data:`FRAME_S` grid starting at ``origin`` seconds."""
    spikes = np.zeros(frames)
    idx = np.clip(np.round((times - origin) / FRAME_S).astype(np.int64), 0, frames - 1)
    np.add.at(spikes, idx, weights)
    sigma = ONSET_SIGMA_S / FRAME_S
    out: FloatArray = gaussian_filter1d(spikes, sigma) * (sigma * np.sqrt(2.0 * np.pi))
    return out


# --- tempo candidates ---------------------------------------------------------------------------------------

def _candidates(tempo: TempoMap, times: FloatArray) -> list[tuple[float, bool]]:
    """Candidate beat periods (seconds), each flagged if it is the analysis tempo's own."""
    seeds: list[tuple[float, bool]] = []
    analysis = _analysis_period(tempo, times)
    if analysis is not None:
        seeds.append((analysis, True))
    seeds.append((_autocorrelation_period(times), False))
    out: list[tuple[float, bool]] = []
    for period, own in seeds:
        for factor in (1.0, 0.5, 2.0):
            p = period * factor
            near = [i for i, (q, _) in enumerate(out) if abs(q / p - 1.0) < 0.06]
            if 60.0 / MAX_BPM <= p <= 60.0 / MIN_BPM and not near:
                out.append((p, own and factor == 1.0))
    return out or [(60.0 / FALLBACK_BPM, False)]


def _analysis_period(tempo: TempoMap, times: FloatArray) -> float | None:
    """The analysis grid's median period where the voice sings (its bpm if it has no beats there; ``None``
    if it found no beats at all)."""
    beats = np.asarray(tempo.beats, dtype=np.float64)
    inside = beats[(beats >= times[0] - 2.0) & (beats <= times[-1] + 2.0)]
    if inside.size >= 3:
        return float(np.median(np.diff(inside)))
    return 60.0 / tempo.bpm if beats.size >= 2 and tempo.bpm > 0 else None


def _autocorrelation_period(times: FloatArray) -> float:
    """The beat-range lag (seconds) with the strongest prior-weighted autocorrelation of the onset envelope."""
    frames = int(np.ceil((times[-1] - times[0]) / FRAME_S)) + 1
    env = _envelope(times, np.ones_like(times), times[0], frames)
    env -= env.mean()
    spectrum = np.fft.rfft(env, n=2 * frames)
    acf = np.fft.irfft(spectrum * np.conj(spectrum))[:frames]
    lags = np.arange(int(60.0 / MAX_BPM / FRAME_S), min(int(60.0 / MIN_BPM / FRAME_S), frames - 1) + 1)
    if lags.size == 0:
        return 60.0 / FALLBACK_BPM
    periods = lags.astype(np.float64) * FRAME_S
    best = int(np.argmax(acf[lags] * _prior(60.0 / periods)))
    return float(periods[best])


def _prior(bpm: FloatArray | float) -> FloatArray:
    """Log-normal tempo prior weight (≤ 1) of each ``bpm``."""
    octaves = np.log2(np.asarray(bpm, dtype=np.float64) / PRIOR_CENTRE_BPM) / PRIOR_OCTAVES
    out: FloatArray = np.exp(-0.5 * octaves ** 2)
    return out


def _best_grid(times: FloatArray, candidates: Sequence[tuple[float, bool]]) -> FloatArray:
    """The refined grid of the best-scoring candidate period; the prior and the analysis bonus go by the
    tempo the grid ended at (the DP may drift from its candidate)."""
    best: tuple[float, FloatArray] | None = None
    analysis = [period for period, own in candidates if own]
    for period, _ in candidates:
        grid = _refine(_track(times, period), times)
        fitted = float(np.median(np.diff(grid)))
        own = any(abs(fitted / p - 1.0) < 0.06 for p in analysis)
        score = _fit(grid, times) + PRIOR_WEIGHT * float(np.log(_prior(60.0 / fitted))) + ANALYSIS_BONUS * own
        if best is None or score > best[0]:
            best = (score, grid)
    assert best is not None
    return best[1]


def _fit(beats: FloatArray, times: FloatArray) -> float:
    """Mean log-likelihood (nats per onset) of the onsets under a model of the grid: an onset lies on a beat
    (share :data:`ON_BEAT_SHARE`) or on the 8th between two (the rest), with Gaussian jitter
    :data:`JITTER_S`, or (share :data:`OFF_GRID_SHARE`) anywhere.

    Up to a constant an onset scores ``log((1 − ε)·P·(q·N(r_beat) + (1 − q)·N(r_8th)) + ε)`` with *P* the
    local beat period: a grid twice as fine pays ``log 2`` on every onset and must earn it back with onsets
    only it explains (a 16th pickup per phrase does not make the grid double-time; a melody of 8ths does make
    a half-time grid lose), and a grid twice as coarse that puts half the onsets on its off-beats earns little
    (a melody of even quarter notes is left to the tempo prior).
    """
    position = _positions(beats, times)
    period = np.interp(position, np.arange(beats.size - 1) + 0.5, np.diff(beats))
    on_beat = _density(np.abs(times - _times_at(beats, np.round(position))))
    off_beat = _density(np.abs(times - _times_at(beats, np.floor(position) + 0.5)))
    on_grid = ON_BEAT_SHARE * on_beat + (1.0 - ON_BEAT_SHARE) * off_beat
    return float(np.mean(np.log((1.0 - OFF_GRID_SHARE) * period * on_grid + OFF_GRID_SHARE)))


def _density(r: FloatArray) -> FloatArray:
    """Gaussian density of timing errors ``r`` (seconds) with spread :data:`JITTER_S`."""
    out: FloatArray = np.exp(-0.5 * (r / JITTER_S) ** 2) / (JITTER_S * np.sqrt(2.0 * np.pi))
    return out


def _positions(beats: FloatArray, times: FloatArray) -> FloatArray:
    """Fractional beat index of each time (linear between beats, the edge periods outside)."""
    index = np.arange(beats.size, dtype=np.float64)
    inner = np.interp(times, beats, index)
    before = (times - beats[0]) / (beats[1] - beats[0])
    after = beats.size - 1 + (times - beats[-1]) / (beats[-1] - beats[-2])
    out: FloatArray = np.where(times < beats[0], before, np.where(times > beats[-1], after, inner))
    return out


def _times_at(beats: FloatArray, positions: FloatArray) -> FloatArray:
    """The inverse of :func:`_positions`."""
    index = np.arange(beats.size, dtype=np.float64)
    inner = np.interp(positions, index, beats)
    before = beats[0] + positions * (beats[1] - beats[0])
    after = beats[-1] + (positions - beats.size + 1) * (beats[-1] - beats[-2])
    out: FloatArray = np.where(positions < 0, before, np.where(positions > beats.size - 1, after, inner))
    return out


# --- dynamic programming ------------------------------------------------------------------------------------

def _track(times: FloatArray, period: float) -> FloatArray:
    """Beat times (seconds, on the frame grid) of the best (beat, period) chain over the onsets' span padded
    by one slowest period each side; periods within ±:data:`DRIFT` of ``period``."""
    periods = np.arange(int(period * (1 - DRIFT) / FRAME_S), int(np.ceil(period * (1 + DRIFT) / FRAME_S)) + 1)
    pad = float(periods[-1]) * FRAME_S
    origin = times[0] - pad
    frames = int(np.ceil((times[-1] + pad - origin) / FRAME_S)) + 1
    env = _envelope(times, np.ones_like(times), origin, frames)
    cost = PERIOD_PRIOR * np.log(periods * FRAME_S / period) ** 2
    score, back = _chain_scores(env, periods, cost)
    out: FloatArray = origin + FRAME_S * _backtrack(score, back, periods)
    return out


def _chain_scores(env: FloatArray, periods: IntArray, cost: FloatArray) -> tuple[FloatArray, npt.NDArray[np.int8]]:
    """score[t, j]: best chain of beats ending at frame t with period ``periods[j]``; back[t, j]: the period
    index step (−1, 0, +1) to the previous beat's period. A chain starts within the first period.

    Frames are filled in blocks of the shortest period: every predecessor of a block lies before it.
    """
    n, k = env.size, periods.size
    score = np.zeros((n, k))
    back = np.zeros((n, k), dtype=np.int8)
    cols = np.arange(k)[None, :]
    for start in range(0, n, int(periods[0])):
        t = np.arange(start, min(start + int(periods[0]), n))[:, None]
        prev = t - periods[None, :]
        rows = np.maximum(prev, 0)
        stay = score[rows, cols]
        slower = score[rows, np.maximum(cols - 1, 0)] - PERIOD_STEP_COST
        faster = score[rows, np.minimum(cols + 1, k - 1)] - PERIOD_STEP_COST
        slower[:, 0] = faster[:, -1] = -np.inf
        best = np.maximum(stay, np.maximum(slower, faster))
        step = np.where(best == stay, 0, np.where(best == slower, -1, 1))
        local = env[t] + OFFBEAT_WEIGHT * env[np.maximum(t - periods[None, :] // 2, 0)] - cost[None, :]
        first = prev < 0
        score[t[:, 0]] = local + np.where(first, 0.0, best)
        back[t[:, 0]] = np.where(first, 0, step)
    return score, back


def _backtrack(score: FloatArray, back: npt.NDArray[np.int8], periods: IntArray) -> FloatArray:
    """Beat frames of the best chain ending in the last period."""
    tail = score[-int(periods[-1]):]
    row, col = np.unravel_index(int(np.argmax(tail)), tail.shape)
    t, j = int(row) + score.shape[0] - tail.shape[0], int(col)
    frames = [t]
    while t - periods[j] >= 0:
        t, j = t - int(periods[j]), j + int(back[t, j])
        frames.append(t)
    return np.asarray(frames[::-1], dtype=np.float64)


# --- least-squares refinement -------------------------------------------------------------------------------

def _refine(beats: FloatArray, times: FloatArray) -> FloatArray:
    """``beats`` moved to fit the onsets at their nearest 8ths (see the module docstring, step 4); the DP
    grid itself if the fit cannot keep adjacent periods within :data:`MAX_PERIOD_RATIO`."""
    grid = beats
    for _ in range(REFINE_ROUNDS):
        grid = _solve(grid, beats, times, SMOOTHNESS)
    for factor in (4.0, 16.0):
        if _steady(grid):
            return grid
        grid = _solve(grid, beats, times, SMOOTHNESS * factor)
    return grid if _steady(grid) else beats


def _steady(beats: FloatArray) -> bool:
    """Beats increase and adjacent periods differ by at most :data:`MAX_PERIOD_RATIO`."""
    periods = np.diff(beats)
    if np.any(periods <= 0):
        return False
    return bool(np.all(np.abs(np.log(periods[1:] / periods[:-1])) <= np.log(MAX_PERIOD_RATIO)))


def _solve(grid: FloatArray, anchor: FloatArray, times: FloatArray, smoothness: float) -> FloatArray:
    """One weighted least-squares step: onsets assigned to their nearest 8th of ``grid``, Tukey-weighted by
    their distance from it, pull the beats; squared second differences keep the tempo smooth."""
    n = grid.size
    position = _positions(grid, times)
    eighth = np.round(2.0 * position) / 2.0
    residual = np.abs(position - eighth) / OUTLIER_BEATS
    weight = np.where(residual < 1.0, (1.0 - residual ** 2) ** 2, 0.0)
    inside = (eighth >= 0) & (eighth <= n - 1) & (weight > 0)
    k = np.minimum(np.floor(eighth[inside]).astype(np.int64), n - 2)
    frac = eighth[inside] - k
    rows = np.repeat(np.arange(k.size), 2)
    a = sparse.csr_matrix((np.column_stack([1.0 - frac, frac]).ravel(), (rows, np.column_stack([k, k + 1]).ravel())),
                          shape=(k.size, n))
    w = sparse.diags(weight[inside])
    d = sparse.diags([np.ones(n - 2), -2.0 * np.ones(n - 2), np.ones(n - 2)], [0, 1, 2], shape=(max(n - 2, 0), n))
    system = a.T @ w @ a + smoothness * (d.T @ d) + ANCHOR * sparse.identity(n)
    rhs = a.T @ (weight[inside] * times[inside]) + ANCHOR * anchor
    out: FloatArray = np.asarray(spsolve(system.tocsc(), rhs), dtype=np.float64)
    return out


# --- bar phase ----------------------------------------------------------------------------------------------

def _bar_phase(beats: FloatArray, times: FloatArray, meter: int, analysis: FloatArray) -> int:
    """Index of the first downbeat (0 ≤ phase < meter): the beat of the bar with the most stress on it."""
    period = float(np.median(np.diff(beats)))
    position = _positions(beats, times)
    nearest = np.round(position)
    on_beat = np.abs(position - nearest) <= BAR_TOLERANCE_BEATS
    vote = np.zeros(meter)
    np.add.at(vote, nearest[on_beat].astype(np.int64) % meter, _stress(times, period)[on_beat])
    agreed = _analysis_phase(beats, analysis, meter)
    if agreed is not None:
        vote[agreed] += ANALYSIS_BAR_BONUS * vote.sum()
    return int(np.argmax(vote))


def _analysis_phase(beats: FloatArray, downbeats: FloatArray, meter: int) -> int | None:
    """The beat of the bar most analysis downbeats fall on, if they fall on beats and mostly agree."""
    if downbeats.size == 0:
        return None
    position = _positions(beats, downbeats)
    nearest = np.round(position)
    close = np.abs(position - nearest) <= BAR_TOLERANCE_BEATS
    if close.sum() < max(2, downbeats.size // 2):
        return None
    counts = np.bincount(nearest[close].astype(np.int64) % meter, minlength=meter)
    top = int(np.argmax(counts))
    return top if counts[top] >= 0.6 * close.sum() else None


def extended(beats: npt.NDArray[np.float64], before: int, after: int) -> npt.NDArray[np.float64]:
    """``beats`` (at least two, increasing) with ``before`` more ahead of them at their first period and
    ``after`` more behind at their last: room for an intro, an outro or the rest of a recording."""
    head = beats[0] - (beats[1] - beats[0]) * np.arange(before, 0, -1)
    tail = beats[-1] + (beats[-1] - beats[-2]) * np.arange(1, after + 1)
    return np.concatenate([head, beats, tail])
