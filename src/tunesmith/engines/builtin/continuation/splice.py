"""Joining audio without clicks: pure functions over float32 ``(channels, samples)`` arrays.

Crossfades are equal-power (cos/sin ramps). Every function is linear in its audio arguments, so
splicing each stem with the same positions gives stems that still sum to the spliced mix.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from tunesmith.dsp.types import Audio, fit_length

Ramp = npt.NDArray[np.float32]


def equal_power(samples: int) -> tuple[Ramp, Ramp]:
    """``(fade_out, fade_in)`` gains over ``samples`` samples with ``out² + in² = 1``; ``fade_in`` rises
    from 0 and ``fade_out`` falls from 1, so the first output sample continues the outgoing audio."""
    phase = (np.arange(samples, dtype=np.float64) + 0.5) / max(samples, 1) * (np.pi / 2)
    return np.cos(phase).astype(np.float32), np.sin(phase).astype(np.float32)


def _segment(audio: Audio, start: int, samples: int, channels: int) -> Audio:
    """``audio[:, start:start + samples]`` zero-padded (and widened to ``channels``) as needed."""
    part = audio[:, start : start + samples] if start < audio.shape[1] else np.zeros((audio.shape[0], 0), np.float32)
    part = fit_length(np.asarray(part, dtype=np.float32), samples)
    return np.repeat(part, channels, axis=0) if part.shape[0] != channels else part


def splice_after(head: Audio, tail: Audio, *, join: int, fade: int) -> Audio:
    """``head`` up to sample ``join`` (copied exactly, zero-padded if shorter), then ``tail``.

    Over ``[join, join + fade)`` ``head`` keeps sounding and fades out while ``tail`` fades in; the result
    is ``join + tail`` samples long. ``head``/``tail``: (channels, n) at the same rate.
    """
    channels = max(head.shape[0], tail.shape[0])
    out = np.zeros((channels, join + tail.shape[1]), dtype=np.float32)
    out[:, :join] = _segment(head, 0, join, channels)
    out[:, join:] = _segment(tail, 0, tail.shape[1], channels)
    n = min(fade, tail.shape[1])
    if n > 0:
        fade_out, fade_in = equal_power(n)
        out[:, join : join + n] = _segment(head, join, n, channels) * fade_out + out[:, join : join + n] * fade_in
    return out


def splice_window(source: Audio, insert: Audio, *, start: int, end: int, fade: int) -> Audio:
    """``source`` with samples ``[start, end)`` replaced by ``insert`` (the window's ``end - start`` samples).

    Outside the window the result is ``source`` exactly. Inside it, ``source`` fades out over its first
    ``fade`` samples while ``insert`` fades in, and back over its last ``fade`` samples; ``fade`` is
    capped at half the window. The result has ``source``'s length.
    """
    if not 0 <= start < end <= source.shape[1]:
        raise ValueError(f"window [{start}, {end}) is not inside the {source.shape[1]}-sample source")
    channels = max(source.shape[0], insert.shape[0])
    out = _segment(source, 0, source.shape[1], channels).copy()
    samples = end - start
    n = min(fade, samples // 2)
    keep = np.zeros(samples, dtype=np.float32)  # the source's gain inside the window
    if n > 0:
        fade_out, fade_in = equal_power(n)
        keep[:n], keep[samples - n :] = fade_out, fade_in
    take = np.sqrt(np.clip(1.0 - keep.astype(np.float64) ** 2, 0.0, 1.0)).astype(np.float32)
    out[:, start:end] = out[:, start:end] * keep + _segment(insert, 0, samples, channels) * take
    return out


def _family_pairs(first: Mapping[str, Audio], second: Mapping[str, Audio]) -> list[tuple[str, Audio, Audio]]:
    """Each family of either mapping with both sides (a missing side is an empty (2, 0) array)."""
    empty = np.zeros((2, 0), dtype=np.float32)
    return [(f, first.get(f, empty), second.get(f, empty)) for f in sorted(set(first) | set(second))]


def splice_stems_after(
    head: Mapping[str, Audio], tail: Mapping[str, Audio], *, join: int, fade: int
) -> dict[str, Audio]:
    """:func:`splice_after` per stem family; a family missing on one side is silence there. Every result
    is ``join`` + the longest tail stem samples long, so the stems stay aligned."""
    samples = max((a.shape[1] for a in tail.values()), default=0)
    return {f: splice_after(h, fit_length(t, samples), join=join, fade=fade) for f, h, t in _family_pairs(head, tail)}


def splice_stems_window(
    source: Mapping[str, Audio], insert: Mapping[str, Audio], *, start: int, end: int, fade: int, samples: int
) -> dict[str, Audio]:  # fmt: skip
    """:func:`splice_window` per stem family over ``samples``-long stems (a missing side is silence)."""
    return {
        f: splice_window(fit_length(s, samples), i, start=start, end=end, fade=fade)
        for f, s, i in _family_pairs(source, insert)
    }
