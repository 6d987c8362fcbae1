"""Noise-based textures and one-shot effects, each a function of a :class:`Ctx` returning ``(2, samples)``.

Textures are built from circular noise, LFOs with whole cycles and events placed with ``wrap=ctx.loop``,
so a looping texture is seamless by construction; one-shots shape one event to the buffer's length.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tunesmith.dsp.synth import (
    band,
    bell,
    decay,
    fm_tone,
    kick,
    noise_hit,
    periodic_lfo,
    place,
    shaped_noise,
    sweep_tone,
)
from tunesmith.dsp.types import Audio
from tunesmith.music.score import Key


@dataclass(frozen=True)
class Ctx:
    samples: int
    sample_rate: int
    rng: np.random.Generator
    loop: bool
    key: Key
    words: frozenset[str]

    @property
    def seconds(self) -> float:
        return self.samples / self.sample_rate

    def cycles(self, period_s: float) -> int:
        """Whole LFO cycles over the buffer closest to ``period_s`` seconds each."""
        return max(1, round(self.seconds / period_s))


def _events(ctx: Ctx, voice: Callable[[], np.ndarray], per_second: float, gain: tuple[float, float],
            out: Audio) -> None:
    """Scatter ``per_second`` instances of ``voice()`` at random times, gains and pans."""
    for _ in range(max(1, int(per_second * ctx.seconds))):
        place(out, voice(), int(ctx.rng.integers(ctx.samples)), gain=float(ctx.rng.uniform(*gain)),
              pan=float(ctx.rng.uniform(-0.8, 0.8)), wrap=ctx.loop)


def rain(ctx: Ctx) -> Audio:
    """A hiss of falling rain, patter of drops and (on "tin"/"roof"/"metal") ringing metallic pings."""
    sr = ctx.sample_rate
    out = 0.25 * shaped_noise(ctx.samples, sr, ctx.rng, band(400.0, 9000.0, slope=-2.0))
    out *= periodic_lfo(ctx.samples, ctx.cycles(5.0), depth=0.3)
    _events(ctx, lambda: noise_hit(sr, ctx.rng, low_hz=2000.0, high_hz=9000.0, tau_s=0.004), 60.0, (0.1, 0.5), out)
    if ctx.words & {"tin", "roof", "metal", "metallic", "car", "window"}:
        _events(ctx, lambda: bell(sr, float(ctx.rng.uniform(1800, 4200)), 0.15, tau_s=0.03), 25.0, (0.05, 0.2), out)
    if ctx.words & {"storm", "heavy", "downpour", "thunderstorm"}:
        out += 0.3 * shaped_noise(ctx.samples, sr, ctx.rng, band(40.0, 300.0, slope=-6.0))
    return out


def wind(ctx: Ctx) -> Audio:
    """Low rushing noise with slow gusts and a faint whistling resonance."""
    sr = ctx.sample_rate
    body = 0.5 * shaped_noise(ctx.samples, sr, ctx.rng, band(60.0, 1200.0, slope=-4.0))
    gust = periodic_lfo(ctx.samples, ctx.cycles(4.0), depth=0.8) * periodic_lfo(ctx.samples, ctx.cycles(1.7),
                                                                                  phase=1.0, depth=0.5)
    whistle = 0.15 * shaped_noise(ctx.samples, sr, ctx.rng, band(700.0, 900.0))
    out: Audio = ((body + whistle) * gust).astype(np.float32)
    return out


def ocean(ctx: Ctx) -> Audio:
    """Surf: broadband wash swelling and receding every ~7 s, with a low rumble underneath."""
    sr = ctx.sample_rate
    wash = 0.6 * shaped_noise(ctx.samples, sr, ctx.rng, band(150.0, 7000.0, slope=-3.0))
    swell = periodic_lfo(ctx.samples, ctx.cycles(7.0), depth=0.9) ** 2
    rumble = 0.3 * shaped_noise(ctx.samples, sr, ctx.rng, band(30.0, 200.0, slope=-6.0))
    return (wash * swell + rumble).astype(np.float32)


def fire(ctx: Ctx) -> Audio:
    """A low roar with random crackles and pops."""
    sr = ctx.sample_rate
    out = 0.3 * shaped_noise(ctx.samples, sr, ctx.rng, band(50.0, 600.0, slope=-6.0))
    out *= periodic_lfo(ctx.samples, ctx.cycles(2.3), depth=0.4)
    _events(ctx, lambda: noise_hit(sr, ctx.rng, low_hz=1000.0, high_hz=12000.0, tau_s=0.003), 18.0, (0.2, 1.0), out)
    _events(ctx, lambda: noise_hit(sr, ctx.rng, low_hz=300.0, high_hz=3000.0, tau_s=0.012), 3.0, (0.3, 0.8), out)
    return out


def noise(ctx: Ctx) -> Audio:
    """Plain noise: white, pink (default) or brown, as the prompt says; "room"/"ambien…" is softer."""
    slope = -6.0 if "brown" in ctx.words else 0.0 if ctx.words & {"white", "static", "hiss"} else -3.0
    out = 0.3 * shaped_noise(ctx.samples, ctx.sample_rate, ctx.rng, band(20.0, 16000.0, slope=slope))
    return out


def thunder(ctx: Ctx) -> Audio:
    """A sharp crack, then a long rolling rumble that fades over the whole sound."""
    sr = ctx.sample_rate
    out = np.zeros((2, ctx.samples), dtype=np.float32)
    rumble = shaped_noise(ctx.samples, sr, ctx.rng, band(25.0, 400.0, slope=-6.0))
    roll = decay(ctx.samples, sr, ctx.seconds / 3.0, attack_s=0.3) * periodic_lfo(ctx.samples, ctx.cycles(0.8),
                                                                                   depth=0.6)
    out += rumble * roll
    place(out, noise_hit(sr, ctx.rng, low_hz=500.0, high_hz=12000.0, tau_s=0.08), int(0.05 * sr), gain=1.2,
          wrap=ctx.loop)
    return out


def whoosh(ctx: Ctx) -> Audio:
    """Air rushing past: noise bands that light up low to high and back as the sound swells and fades."""
    sr, n = ctx.sample_rate, ctx.samples
    t = np.arange(n) / n
    out = np.zeros((2, n), dtype=np.float32)
    edges = np.geomspace(150.0, 9000.0, 8)
    for i, (low, high) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        centre = 0.3 + 0.25 * i / (len(edges) - 2)
        env = np.exp(-0.5 * ((t - centre) / 0.14) ** 2).astype(np.float32)
        out += shaped_noise(n, sr, ctx.rng, band(low, high)) * env * (1.0 - 0.08 * i)
    sweep = np.sin(np.pi * np.clip(t, 0, 1)) ** 1.5
    return (out * sweep.astype(np.float32)).astype(np.float32)


def impact(ctx: Ctx) -> Audio:
    """A cinematic hit: a falling sub tone, a noise transient and a rumble decaying over the sound."""
    sr = ctx.sample_rate
    out = np.zeros((2, ctx.samples), dtype=np.float32)
    place(out, kick(sr, tune_hz=42.0, tau_s=min(1.2, ctx.seconds / 3)), 0, gain=1.0, wrap=ctx.loop)
    place(out, noise_hit(sr, ctx.rng, low_hz=200.0, high_hz=8000.0, tau_s=0.05), 0, gain=0.7, wrap=ctx.loop)
    tail = shaped_noise(ctx.samples, sr, ctx.rng, band(30.0, 900.0, slope=-6.0))
    out += 0.35 * tail * decay(ctx.samples, sr, ctx.seconds / 5.0)
    if ctx.words & {"explosion", "blast"}:
        out += 0.5 * shaped_noise(ctx.samples, sr, ctx.rng, band(60.0, 5000.0, slope=-4.0)) * decay(
            ctx.samples, sr, ctx.seconds / 4.0, attack_s=0.01)
    return out


def laser(ctx: Ctx) -> Audio:
    """A sci-fi zap: an FM tone diving from ~2 kHz, repeated for longer sounds."""
    sr = ctx.sample_rate
    out = np.zeros((2, ctx.samples), dtype=np.float32)
    shot_s = min(0.45, ctx.seconds)
    shots = max(1, int(ctx.seconds / 0.5)) if ctx.seconds > 0.9 else 1
    for k in range(shots):
        zap = sweep_tone(sr, shot_s, 2200.0, 180.0, curve_s=shot_s / 3, harmonics=(1.0, 0.5, 0.3))
        zap *= decay(zap.size, sr, shot_s / 2.5, attack_s=0.002)
        place(out, zap, int(k * ctx.samples / shots), gain=0.8, pan=float(ctx.rng.uniform(-0.3, 0.3)),
              wrap=ctx.loop)
    return out


def chime(ctx: Ctx) -> Audio:
    """A two- or three-note bell motif on the key's tonic, third and fifth (a rising "success" chime)."""
    sr = ctx.sample_rate
    tonic = 72 + ctx.key.tonic - (12 if ctx.key.tonic > 6 else 0)
    third = 3 if ctx.key.mode == "minor" else 4
    notes = (tonic, tonic + third, tonic + 7) if ctx.words & {"success", "coin", "notification"} else (tonic, tonic + 7)
    out = np.zeros((2, ctx.samples), dtype=np.float32)
    gap = min(0.15, ctx.seconds / (len(notes) + 2))
    for i, pitch in enumerate(notes):
        hz = 440.0 * 2 ** ((pitch - 69) / 12)
        voice = bell(sr, hz, ctx.seconds, tau_s=ctx.seconds / 2) if "beep" not in ctx.words else fm_tone(
            sr, min(0.25, ctx.seconds), hz, ratio=1.0, index=0.5, tau_s=0.2)
        place(out, voice, int(i * gap * sr), gain=0.6, pan=-0.2 + 0.2 * i, wrap=ctx.loop)
    return out


def click(ctx: Ctx) -> Audio:
    """A short, bright mechanical click (two closely spaced transients)."""
    sr = ctx.sample_rate
    out = np.zeros((2, ctx.samples), dtype=np.float32)
    place(out, noise_hit(sr, ctx.rng, low_hz=1500.0, high_hz=12000.0, tau_s=0.0015), 0, wrap=ctx.loop)
    place(out, noise_hit(sr, ctx.rng, low_hz=800.0, high_hz=6000.0, tau_s=0.003), int(0.012 * sr), gain=0.6,
          wrap=ctx.loop)
    return out


EFFECTS: dict[str, Callable[[Ctx], Audio]] = {
    "rain": rain, "wind": wind, "ocean": ocean, "fire": fire, "noise": noise, "thunder": thunder,
    "whoosh": whoosh, "impact": impact, "laser": laser, "chime": chime, "click": click,
}
