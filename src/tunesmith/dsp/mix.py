"""Mixing: per-stem channel strips whose outputs sum exactly to the pre-master mix.

Every effect — including the shared room reverb and the lead's loudness balancing — is applied to each
stem on its own, so ``premaster == sum(processed_stems)`` holds sample for sample (up to float32
rounding). That is what lets the stems a user downloads recombine into the song.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

import numpy as np

from tunesmith.dsp.effects import MixPreset, ReverbSpace, run_channel
from tunesmith.dsp.loudness import integrated_lufs
from tunesmith.dsp.presets import DEFAULT_PRESET, SHARED_ROOM
from tunesmith.dsp.types import Audio, as_stereo, db_to_gain, fade_out

K = TypeVar("K", bound=str)

DEFAULT_FADE_OUT_S = 0.5
STEM_REFERENCE_LUFS = -20.0  # every stem enters its channel at this loudness (gain staging)


def mix_stems(
    stems: Mapping[K, Audio],
    presets: Mapping[K, MixPreset],
    sample_rate: int,
    *,
    space: ReverbSpace = SHARED_ROOM,
    fade_out_s: float = DEFAULT_FADE_OUT_S,
    input_lufs: float | None = STEM_REFERENCE_LUFS,
) -> tuple[dict[K, Audio], Audio]:
    """Process each stem through its channel strip and sum them.

    ``stems`` are ``(1|2, n)`` float32 arrays of one common length ``n`` at ``sample_rate`` Hz; mono is
    spread to both sides. Each stem is first gain-staged to ``input_lufs`` integrated (``None`` keeps
    the levels as rendered), so the presets' faders and compressor thresholds mean the same thing
    whatever SoundFont or singer produced the stem. ``presets`` are looked up per stem (missing ones
    use the default channel).
    Stems whose preset sets ``level_over_rest_db`` are re-levelled against the sum of all the others.
    A raised-cosine fade of ``fade_out_s`` seconds closes every stem so the song ends in silence.
    Returns the processed ``(2, n)`` stems and the ``(2, n)`` pre-master mix, their exact sum.
    """
    lengths = {s.shape[1] for s in stems.values()}
    if len(lengths) > 1:
        raise ValueError(f"stems must share one length, got {sorted(lengths)}")
    processed = {
        name: run_channel(
            _gain_stage(as_stereo(audio), sample_rate, input_lufs),
            presets.get(name, DEFAULT_PRESET),
            sample_rate,
            space,
        )
        for name, audio in stems.items()
    }
    processed = _balance_leads(processed, presets, sample_rate)
    processed = {name: fade_out(audio, sample_rate, fade_out_s) for name, audio in processed.items()}
    return processed, sum_stems(processed.values(), lengths.pop() if lengths else 0)


def trim_to_headroom(
    stems: Mapping[K, Audio], mix: Audio, *, ceiling_dbfs: float = -1.0
) -> tuple[dict[K, Audio], Audio]:
    """Scale stems and mix by one common gain so no sample of any of them exceeds ``ceiling_dbfs``.

    A single linear gain keeps ``mix == sum(stems)``; it only ever attenuates. Use it before writing
    fixed-point files, which would otherwise clip a loud pre-master mix or stem.
    """
    peak = max([float(np.max(np.abs(a))) for a in (*stems.values(), mix) if a.size] or [0.0])
    limit = db_to_gain(ceiling_dbfs)
    if peak <= limit:
        return dict(stems), mix
    gain = np.float32(limit / peak)
    return {name: (audio * gain).astype(np.float32) for name, audio in stems.items()}, (mix * gain).astype(np.float32)


def sum_stems(stems: Iterable[Audio], samples: int) -> Audio:
    """Sum ``(2, samples)`` stems into one ``(2, samples)`` float32 mix (float64 accumulator)."""
    total = np.zeros((2, samples), dtype=np.float64)
    for audio in stems:
        total += audio
    return total.astype(np.float32)


def _gain_stage(audio: Audio, sample_rate: int, target_lufs: float | None) -> Audio:
    """``audio`` scaled to ``target_lufs`` integrated; silent audio (or ``None``) passes unchanged."""
    loudness = integrated_lufs(audio, sample_rate)
    if target_lufs is None or not np.isfinite(loudness):
        return audio
    return (audio * db_to_gain(target_lufs - loudness)).astype(np.float32)


def _balance_leads(processed: dict[K, Audio], presets: Mapping[K, MixPreset], sample_rate: int) -> dict[K, Audio]:
    """Scale each lead stem (``level_over_rest_db`` set) to sit that far above the other stems' sum."""
    out = dict(processed)
    for name, audio in processed.items():
        over = presets.get(name, DEFAULT_PRESET).level_over_rest_db
        if over is None:
            continue
        rest = sum_stems((a for n, a in processed.items() if n != name), audio.shape[1])
        lead_lufs, rest_lufs = integrated_lufs(audio, sample_rate), integrated_lufs(rest, sample_rate)
        if np.isfinite(lead_lufs) and np.isfinite(rest_lufs):
            out[name] = (audio * db_to_gain(rest_lufs + over - lead_lufs)).astype(np.float32)
    return out
