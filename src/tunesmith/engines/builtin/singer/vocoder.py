"""WORLD analysis/synthesis and the pure DSP helpers the singer needs.

Spectral parameters are ``(frames, bins)`` float64 arrays as WORLD uses them; audio handed back to
the rest of Tunesmith is float32 shaped ``(channels, samples)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd

import numpy as np
import numpy.typing as npt
from scipy.signal import resample_poly

from tunesmith.engines.builtin.singer.world import world

Floats = npt.NDArray[np.float64]
Audio = npt.NDArray[np.float32]
SILENT_POWER = 1e-12  # spectral-envelope power of a silent frame


@dataclass(frozen=True, slots=True)
class Envelope:
    """WORLD's spectral envelope ``sp`` and aperiodicity ``ap`` per frame, ``frame_s`` apart."""

    sp: Floats
    ap: Floats
    frame_s: float


def analyse(
    speech: Floats,
    sample_rate: int,
    f0_hz: Floats,
    frame_s: float,
    *,
    sp_frames: npt.NDArray[np.int64] | None = None,
    ap_frames: npt.NDArray[np.int64] | None = None,
) -> Envelope:
    """CheapTrick + D4C of mono ``speech`` given its known F0 per frame (Hz, 0 = unvoiced).

    ``f0_hz`` must have ``len(speech) / sample_rate / frame_s + 1`` frames (WORLD's framing).
    ``sp_frames`` / ``ap_frames``: the frames (sorted indices) CheapTrick / D4C analyse (None: every
    frame); the envelope or aperiodicity of the frames between them is interpolated linearly from the
    nearest analysed ones (:func:`analysis_grid` picks such frames). Both analyses cost per frame, and
    in a steady vowel or hiss neither changes within a few frames.
    """
    pw = world()
    times = np.arange(f0_hz.size, dtype=np.float64) * frame_s
    x = np.ascontiguousarray(speech, dtype=np.float64)
    every = np.arange(f0_hz.size)
    sp_at = every if sp_frames is None else np.asarray(sp_frames, dtype=np.int64)
    ap_at = every if ap_frames is None else np.asarray(ap_frames, dtype=np.int64)
    sp = pw.cheaptrick(x, np.ascontiguousarray(f0_hz[sp_at]), np.ascontiguousarray(times[sp_at]), sample_rate)
    # threshold 0: the phoneme classes already decided voicing; D4C must not mark vowels aperiodic
    ap = pw.d4c(x, np.ascontiguousarray(f0_hz[ap_at]), np.ascontiguousarray(times[ap_at]), sample_rate, threshold=0.0)
    return Envelope(sp=_fill_frames(sp, sp_at, f0_hz.size), ap=_fill_frames(ap, ap_at, f0_hz.size), frame_s=frame_s)


def analysis_grid(detail: npt.NDArray[np.bool_], *, step: int, detail_step: int = 1) -> npt.NDArray[np.int64]:
    """Frame indices to analyse: every ``detail_step``-th frame where ``detail`` is set (transitions,
    bursts), every ``step``-th elsewhere, and the first and last frame of every run of either kind (so
    the grid brackets every change of detail: a voicing change there is never interpolated across)."""
    n = detail.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    edges = np.flatnonzero(np.diff(detail.astype(np.int8))) + 1
    starts = np.concatenate([[0], edges])
    stops = np.concatenate([edges, [n]])
    picked = [
        np.concatenate([np.arange(a, b, detail_step if detail[a] else step), [b - 1]])
        for a, b in zip(starts, stops, strict=True)
    ]
    return np.unique(np.concatenate(picked)).astype(np.int64)


def _fill_frames(params: Floats, at: npt.NDArray[np.int64], frames: int) -> Floats:
    """``params`` analysed at frames ``at`` (sorted), read at every one of ``frames`` frames (linear)."""
    if at.size == frames:
        return params
    return interpolate_frames(params, np.interp(np.arange(frames), at, np.arange(at.size, dtype=np.float64)))


def frame_count(samples: int, sample_rate: int, frame_s: float) -> int:
    """How many WORLD frames cover ``samples`` samples at ``frame_s`` seconds per frame."""
    return int(samples / sample_rate / frame_s) + 1


def synthesize(f0_hz: Floats, sp: Floats, ap: Floats, sample_rate: int, frame_s: float) -> Floats:
    """WORLD synthesis of mono audio (float64, ``sample_rate``) from per-frame parameters."""
    return np.asarray(
        world().synthesize(
            np.ascontiguousarray(f0_hz),
            np.ascontiguousarray(sp),
            np.ascontiguousarray(ap),
            sample_rate,
            frame_s * 1000.0,
        )
    )


def interpolate_frames(params: Floats, positions: Floats) -> Floats:
    """Rows of ``params`` (frames, bins) read at fractional frame ``positions`` (linear, clamped)."""
    pos = np.clip(positions, 0.0, params.shape[0] - 1.0)
    low = np.floor(pos).astype(np.int64)
    high = np.minimum(low + 1, params.shape[0] - 1)
    frac = (pos - low)[:, None]
    return np.asarray(params[low] * (1.0 - frac) + params[high] * frac)


def resize_bins(params: Floats, bins: int) -> Floats:
    """``params`` (frames, bins) read at ``bins`` evenly spaced frequencies from 0 to Nyquist (linear).

    WORLD's envelope and aperiodicity are smooth across frequency (CheapTrick lifters at the F0), so an
    envelope analysed at WORLD's default FFT length can be synthesised at half of it: synthesis runs one
    FFT per pitch pulse, and a 512-point one at 22 050 Hz still spans 23 ms, longer than any pulse's
    response needs. A quarter (256 points) is audibly duller: on six English sheets the log-mel distance
    to the full-length synthesis rose from 0.35 dB (512) to 2.5 dB."""
    if bins == params.shape[1]:
        return params
    source = np.linspace(0.0, params.shape[1] - 1.0, bins)
    low = np.floor(source).astype(np.int64)
    high = np.minimum(low + 1, params.shape[1] - 1)
    frac = source - low
    return np.ascontiguousarray(params[:, low] * (1.0 - frac) + params[:, high] * frac)


def warp_formants(sp: Floats, factor: float) -> Floats:
    """Scale the spectral envelope's frequency axis by ``factor`` (> 1 moves formants up).

    Output bin ``k`` reads input frequency ``k / factor``; bins beyond the input's top are held.
    """
    if factor == 1.0:
        return sp
    bins = sp.shape[1]
    source = np.clip(np.arange(bins, dtype=np.float64) / factor, 0.0, bins - 1.0)
    low = np.floor(source).astype(np.int64)
    high = np.minimum(low + 1, bins - 1)
    frac = source - low
    return np.asarray(sp[:, low] * (1.0 - frac) + sp[:, high] * frac)


def fade(audio: Audio, sample_rate: int, *, fade_in_s: float, fade_out_s: float) -> Audio:
    """``audio`` (channels, samples) with linear fade-in/out ramps of the given lengths (s)."""
    out = audio.copy()
    n_in = min(int(fade_in_s * sample_rate), out.shape[-1])
    n_out = min(int(fade_out_s * sample_rate), out.shape[-1])
    if n_in:
        out[..., :n_in] *= np.linspace(0.0, 1.0, n_in, dtype=np.float32)
    if n_out:
        out[..., out.shape[-1] - n_out :] *= np.linspace(1.0, 0.0, n_out, dtype=np.float32)
    return out


def resample(audio: Audio, from_rate: int, to_rate: int) -> Audio:
    """``audio`` (channels, samples) resampled from ``from_rate`` to ``to_rate`` Hz (polyphase)."""
    if from_rate == to_rate:
        return audio
    common = gcd(from_rate, to_rate)
    out = resample_poly(audio, to_rate // common, from_rate // common, axis=-1)
    return np.asarray(out, dtype=np.float32)


def splice(
    audio: Floats, source: Floats, copies: list[tuple[int, int, int]], gain: Floats, *, ramp: int
) -> Floats:
    """``audio`` with ``source[src : src + n]`` × ``gain`` pasted at each ``(at, src, n)`` of ``copies``.

    Each paste cross-fades with ``audio`` over ``ramp`` samples (raised cosine) at both of its ends;
    ``gain`` is per sample of ``audio``. Pastes are clipped to both signals' bounds.
    """
    out = audio.copy()
    for at, src, n in copies:
        n = min(n, audio.size - at, source.size - src)
        if at < 0 or src < 0 or n <= 0:
            continue
        mask = np.ones(n)
        r = min(ramp, n // 2)
        if r > 0:
            edge = 0.5 - 0.5 * np.cos(np.pi * (np.arange(r) + 0.5) / r)
            mask[:r], mask[n - r :] = edge, edge[::-1]
        part = source[src : src + n] * gain[at : at + n]
        out[at : at + n] = out[at : at + n] * (1.0 - mask) + part * mask
    return out
