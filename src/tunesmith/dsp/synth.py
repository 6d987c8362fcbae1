"""Synthesis primitives for sound effects and loops: shaped noise, envelopes, tones and drum voices.

Pure functions over float32 arrays shaped ``(channels, samples)`` (one-shot voices return mono
``(samples,)`` to be placed with :func:`place`); the sample rate is always passed explicitly. Noise is
shaped in the frequency domain over the whole buffer, so it is *circular*: a buffer of noise repeats
without a seam. Events placed with ``wrap=True`` fold their tails back onto the start for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from tunesmith.dsp.types import Audio

Mono = npt.NDArray[np.float32]
Shape = Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]  # frequency (Hz) → linear gain


def shaped_noise(samples: int, sample_rate: int, rng: np.random.Generator, shape: Shape, *, channels: int = 2) -> Audio:
    """Gaussian noise with magnitude spectrum ``shape(f)``, normalised to unit RMS per channel.

    Circular: sample ``samples - 1`` flows into sample 0 exactly as any two neighbours do.
    """
    freqs = np.fft.rfftfreq(samples, 1.0 / sample_rate)
    gains = shape(np.asarray(freqs, dtype=np.float64))
    out = np.empty((channels, samples), dtype=np.float32)
    for ch in range(channels):
        spectrum = np.fft.rfft(rng.standard_normal(samples)) * gains
        signal = np.fft.irfft(spectrum, samples)
        out[ch] = signal / max(float(np.sqrt(np.mean(signal**2))), 1e-12)
    return out


def band(low_hz: float, high_hz: float, *, slope: float = 0.0) -> Shape:
    """A band-pass magnitude shape with soft (2nd-order-like) edges and a tilt of ``slope`` dB/octave
    above ``low_hz`` (−3 ≈ pink, −6 ≈ brown)."""

    def shape(f: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        safe = np.maximum(f, 1.0)
        high_pass = (safe / low_hz) ** 2 / (1.0 + (safe / low_hz) ** 2)
        low_pass = 1.0 / (1.0 + (safe / high_hz) ** 4)
        tilt = (np.maximum(safe, low_hz) / low_hz) ** (slope / 6.02)
        return np.asarray(high_pass * low_pass * tilt, dtype=np.float64)

    return shape


def periodic_lfo(samples: int, cycles: int, *, phase: float = 0.0, depth: float = 1.0) -> Mono:
    """``1 - depth/2 + depth/2·sin`` completing a whole number of ``cycles`` over the buffer (so it loops)."""
    t = np.arange(samples, dtype=np.float64) / samples
    wave = 1.0 - depth / 2.0 + depth / 2.0 * np.sin(2 * np.pi * max(1, cycles) * t + phase)
    return wave.astype(np.float32)


def decay(samples: int, sample_rate: int, tau_s: float, *, attack_s: float = 0.001) -> Mono:
    """A linear attack of ``attack_s`` then an exponential decay with time constant ``tau_s`` seconds."""
    t = np.arange(samples, dtype=np.float64) / sample_rate
    attack = np.clip(t / max(attack_s, 1e-6), 0.0, 1.0)
    return (attack * np.exp(-np.maximum(t - attack_s, 0.0) / tau_s)).astype(np.float32)


def sweep_tone(
    sample_rate: int,
    seconds: float,
    start_hz: float,
    end_hz: float,
    *,
    curve_s: float,
    harmonics: tuple[float, ...] = (1.0,),
) -> Mono:
    """A tone gliding exponentially from ``start_hz`` towards ``end_hz`` (time constant ``curve_s``),
    with partial amplitudes ``harmonics`` (1st, 2nd, …)."""
    t = np.arange(int(seconds * sample_rate), dtype=np.float64) / sample_rate
    freq = end_hz + (start_hz - end_hz) * np.exp(-t / curve_s)
    phase = 2 * np.pi * np.cumsum(freq) / sample_rate
    tone = sum(a * np.sin((k + 1) * phase) for k, a in enumerate(harmonics))
    return np.asarray(tone, dtype=np.float32)


def bell(sample_rate: int, freq_hz: float, seconds: float, *, tau_s: float) -> Mono:
    """An additive bell: inharmonic partials (ratios of a struck bar) decaying faster the higher they are."""
    t = np.arange(int(seconds * sample_rate), dtype=np.float64) / sample_rate
    partials = ((1.0, 1.0), (2.0, 0.5), (2.76, 0.35), (5.4, 0.18), (8.93, 0.08))
    tone = sum(
        a * np.sin(2 * np.pi * freq_hz * r * t) * np.exp(-t * r / tau_s)
        for r, a in partials
        if freq_hz * r < sample_rate / 2.2
    )
    return (np.asarray(tone) * np.clip(t / 0.002, 0, 1)).astype(np.float32)


def fm_tone(sample_rate: int, seconds: float, carrier_hz: float, *, ratio: float, index: float, tau_s: float) -> Mono:
    """Two-operator FM (modulator at ``ratio`` × carrier, modulation ``index`` decaying with the note)."""
    t = np.arange(int(seconds * sample_rate), dtype=np.float64) / sample_rate
    env = np.exp(-t / tau_s)
    modulator = index * env * np.sin(2 * np.pi * carrier_hz * ratio * t)
    return (np.sin(2 * np.pi * carrier_hz * t + modulator) * env * np.clip(t / 0.003, 0, 1)).astype(np.float32)


def kick(sample_rate: int, *, tune_hz: float = 50.0, tau_s: float = 0.25) -> Mono:
    """A synthesised kick (an 808 with a long ``tau_s``): a sine falling from ~3× ``tune_hz`` to it."""
    seconds = min(4.0, 6 * tau_s)
    body = sweep_tone(sample_rate, seconds, tune_hz * 3.2, tune_hz, curve_s=0.03)
    out: Mono = (np.tanh(1.6 * body) * decay(body.size, sample_rate, tau_s, attack_s=0.0005)).astype(np.float32)
    return out


def noise_hit(sample_rate: int, rng: np.random.Generator, *, low_hz: float, high_hz: float, tau_s: float) -> Mono:
    """A burst of band-passed noise decaying with ``tau_s`` (snares, hats, claps, crackles)."""
    samples = int(min(2.0, 7 * tau_s) * sample_rate) + 64
    noise = shaped_noise(samples, sample_rate, rng, band(low_hz, high_hz), channels=1)[0]
    out: Mono = (noise * decay(samples, sample_rate, tau_s, attack_s=0.0005)).astype(np.float32)
    return out


def snare(sample_rate: int, rng: np.random.Generator) -> Mono:
    tone = sweep_tone(sample_rate, 0.3, 330.0, 185.0, curve_s=0.02) * decay(int(0.3 * sample_rate), sample_rate, 0.05)
    rattle = noise_hit(sample_rate, rng, low_hz=1500.0, high_hz=9000.0, tau_s=0.07)
    out = np.zeros(max(tone.size, rattle.size), dtype=np.float32)
    out[: tone.size] += 0.6 * tone
    out[: rattle.size] += 0.8 * rattle
    return out


def place(buffer: Audio, voice: Mono, start: int, *, gain: float = 1.0, pan: float = 0.0, wrap: bool = False) -> None:
    """Add ``voice`` into ``buffer`` (channels, n) at sample ``start``, panned −1…+1 (equal power).

    ``wrap``: the part running past the end re-enters at the start (a loop's tail); otherwise it is cut.
    """
    n = buffer.shape[1]
    angle = (pan + 1.0) * np.pi / 4.0
    gains = (np.cos(angle), np.sin(angle)) if buffer.shape[0] == 2 else (1.0,)
    idx = start + np.arange(voice.size)
    if wrap:
        idx %= n
    else:
        voice, idx = voice[idx < n], idx[idx < n]
    for ch, g in enumerate(gains):
        np.add.at(buffer[ch], idx, (gain * g * voice).astype(np.float32))


def fold(audio: Audio, samples: int) -> Audio:
    """Wrap everything after ``samples`` back onto the start: the steady state of the buffer repeated."""
    out = np.array(audio[:, :samples], dtype=np.float32, copy=True)
    for start in range(samples, audio.shape[1], samples):
        chunk = audio[:, start : start + samples]
        out[:, : chunk.shape[1]] += chunk
    return out


def fade_edges(audio: Audio, sample_rate: int, *, in_s: float = 0.005, out_s: float = 0.05) -> Audio:
    """Short linear fades so a one-shot starts and ends at silence without a click."""
    out = np.array(audio, dtype=np.float32, copy=True)
    n_in, n_out = min(out.shape[1], int(in_s * sample_rate)), min(out.shape[1], int(out_s * sample_rate))
    if n_in:
        out[:, :n_in] *= np.linspace(0.0, 1.0, n_in, dtype=np.float32)
    if n_out:
        out[:, -n_out:] *= np.linspace(1.0, 0.0, n_out, dtype=np.float32)
    return out


def normalise_peak(audio: Audio, *, peak_db: float = -1.0) -> Audio:
    """One static gain so the highest sample peak is ``peak_db`` dBFS (linear, so loops stay seamless)."""
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if peak <= 0.0:
        return np.asarray(audio, dtype=np.float32)
    return (audio * (10 ** (peak_db / 20) / peak)).astype(np.float32)
