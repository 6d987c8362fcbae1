"""Spleeter's STFT, computed and inverted one block of frames at a time so a long song never needs its whole
spectrogram in memory.

Framing follows Spleeter: 4096-sample periodic Hann frames every 1024 samples at 44.1 kHz, with 4096 zeros
before the signal and enough frames after it that every sample lies under exactly four frames. The squared
windows then add up to exactly 1.5 everywhere, so overlap-adding ``irfft(X) · window`` and dividing by 1.5
restores the signal (and any masks that sum to one split it exactly).

Frame ``f`` starts at sample ``f · HOP − FRAME`` of the signal. Spectra are complex64 ``(channels, frames,
FRAME // 2 + 1)``. The inverse adds straight into the output signal: no buffer beyond it is needed.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import scipy.fft
import scipy.signal

from tunesmith.dsp.types import Audio

RATE = 44100
FRAME = 4096
HOP = 1024
WINDOW_POWER_SUM = 1.5
"""Σ hann² over the four frames covering any sample (hop = frame / 4)."""

Spectra = npt.NDArray[np.complex64]
Masks = npt.NDArray[np.float32]


def window() -> npt.NDArray[np.float32]:
    """The periodic Hann window of :data:`FRAME` samples (TensorFlow's and torch's default)."""
    return np.asarray(scipy.signal.get_window("hann", FRAME, fftbins=True), dtype=np.float32)


def frame_count(samples: int) -> int:
    """Frames covering ``samples`` samples so that each one lies under four frames."""
    return math.ceil((samples + FRAME) / HOP)


def spectra(audio: Audio, first: int, count: int, *, workers: int = 1) -> Spectra:
    """STFT frames ``first … first + count − 1`` of ``audio`` (channels, samples): ``(channels, count, 2049)``."""
    start = first * HOP - FRAME
    stop = start + (count - 1) * HOP + FRAME
    block = np.zeros((audio.shape[0], stop - start), dtype=np.float32)
    lo, hi = max(start, 0), min(stop, audio.shape[1])
    if hi > lo:
        block[:, lo - start:hi - start] = audio[:, lo:hi]
    frames = np.lib.stride_tricks.sliding_window_view(block, FRAME, axis=-1)[:, ::HOP]
    result: Spectra = scipy.fft.rfft(frames * window(), axis=-1, workers=workers).astype(np.complex64, copy=False)
    return result


def overlap_add(out: Audio, spectra_: Spectra, first: int, *, workers: int = 1) -> None:
    """Add the windowed inverse of frames ``first …`` into the signal ``out`` (channels, samples) in place; the
    parts of frames outside the signal are dropped. Call :func:`finish` once every frame is in."""
    frames = scipy.fft.irfft(spectra_, n=FRAME, axis=-1, workers=workers).astype(np.float32, copy=False)
    frames *= window()
    samples = out.shape[1]
    for k in range(frames.shape[1]):
        start = (first + k) * HOP - FRAME
        lo, hi = max(start, 0), min(start + FRAME, samples)
        if hi > lo:
            out[:, lo:hi] += frames[:, k, lo - start:hi - start]


def finish(out: Audio) -> Audio:
    """Remove the window gain from an overlap-added signal, in place; returns ``out``."""
    out *= np.float32(1.0 / WINDOW_POWER_SUM)
    return out


def extend_mask(mask: Masks, bins: int, *, band: int = 256) -> Masks:
    """``mask`` (channels, frames, low bins) widened to ``bins`` bins: bins above the network's range take the
    frame's mean mask over its top ``band`` bins (Spleeter's "average" extension, taken near the band edge,
    where the mix most resembles the high band)."""
    high = mask[:, :, -band:].mean(axis=-1, keepdims=True)
    tail = np.broadcast_to(high, (*mask.shape[:2], bins - mask.shape[2]))
    return np.concatenate([mask, tail], axis=-1).astype(np.float32, copy=False)
