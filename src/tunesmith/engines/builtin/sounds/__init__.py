"""Sound effects and loops from a text prompt (hosted API §3.10), synthesised with numpy DSP and the GM
SoundFont: no model downloads.

    prompt ──plan──▶ recipe, length, tempo, key, bars ──effects/music──▶ audio ──fold or fade──▶ result

A loop is seamless: everything that rings past its end is folded back onto its start, so the last
sample flows into the first exactly as in continuous playback; its length is a whole number of bars
at its tempo. A one-shot starts and ends at silence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tunesmith.dsp.synth import fade_edges, fold, normalise_peak
from tunesmith.dsp.types import Audio
from tunesmith.engines.builtin.sounds.effects import EFFECTS, Ctx
from tunesmith.engines.builtin.sounds.plan import SoundPlan, make_plan
from tunesmith.music.score import Key

SAMPLE_RATE = 44100


@dataclass(frozen=True)
class SoundRequest:
    """Engine-side request. ``key``: ``Any`` or a ``soundKey`` name (``C#m``); ``tempo_bpm``: 1–300 or None."""

    prompt: str
    loop: bool = False
    tempo_bpm: int | None = None
    key: str = "Any"
    seed: int = 0


@dataclass(frozen=True)
class SoundResult:
    """``audio``: float32 ``(2, samples)`` at ``sample_rate`` Hz, peak −1 dBFS."""

    audio: Audio
    sample_rate: int
    recipe: str
    loop: bool
    tempo_bpm: float | None  # musical sounds and loops only
    key: Key | None  # sounds with tonal content only
    bars: int | None

    @property
    def duration_s(self) -> float:
        return float(self.audio.shape[1] / self.sample_rate)


def render_sound(request: SoundRequest, *, soundfont: Path, sample_rate: int = SAMPLE_RATE) -> SoundResult:
    """Plan and render ``request``; deterministic for a given request (``seed`` included)."""
    plan = make_plan(request.prompt, loop=request.loop, tempo_bpm=request.tempo_bpm, key=request.key,
                     sample_rate=sample_rate)
    ctx = Ctx(plan.samples, sample_rate, np.random.default_rng(request.seed), plan.loop, plan.key, plan.words)
    audio = _render(plan, ctx, soundfont)
    audio = fold(audio, plan.samples) if plan.loop else fade_edges(_trim_tail(audio, plan.samples), sample_rate)
    tonal = plan.recipe.kind == "music" and plan.recipe.name != "drums" or plan.recipe.name in ("chime",)
    musical = plan.recipe.kind == "music" or (plan.loop and plan.tempo_given)
    return SoundResult(normalise_peak(audio), sample_rate, plan.recipe.name, plan.loop,
                       plan.tempo_bpm if musical else None, plan.key if tonal else None, plan.bars)


def _render(plan: SoundPlan, ctx: Ctx, soundfont: Path) -> Audio:
    if plan.recipe.kind == "music":
        from tunesmith.engines.builtin.sounds.music import render_music

        return render_music(plan, ctx, soundfont)
    return EFFECTS[plan.recipe.name](ctx)


def _trim_tail(audio: Audio, samples: int) -> Audio:
    """Keep a one-shot's release but drop the silence after it (below −70 dBFS of its peak)."""
    if audio.shape[1] <= samples:
        return audio
    level = np.max(np.abs(audio), axis=0)
    loud = np.nonzero(level > 10 ** (-70 / 20) * max(float(level.max()), 1e-12))[0]
    end = max(samples, int(loud[-1]) + 1 if loud.size else samples)
    return np.ascontiguousarray(audio[:, :end])
