"""The add-instrumental / add-vocals benchmark's metrics: pure functions over seconds, pitches and audio.

Times are seconds on one timeline (the caller shifts them first); notes are ``(onset s, offset s, MIDI
pitch)``; chords are ``(start s, end s, pitch classes)``; audio is float (channels, samples) at one rate.

- :func:`nearest_distances_s` and :func:`subdivide`: how far each sung onset is from the nearest beat, or
  the nearest eighth (a beat split in two).
- :func:`chord_tone_counts`: how many notes sound a tone of the chord under their midpoint, and how many
  fall in the key's scale when not — a note with no chord under it is not judged.
- :func:`aligned_match`: where the upload sits in a stem of the output (cross-correlation), the Pearson
  correlation of the two over their overlap, and the least-squares gain between them: "the output
  carries the upload untouched" is a correlation of 1 at any gain.
- :func:`same_key`: tonic and major/minor family equal.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bench.metrics.audio import as_channels, best_lag, to_db

Floats = npt.NDArray[np.float64]
Note = tuple[float, float, float]
Chord = tuple[float, float, tuple[int, ...]]


def subdivide(beats: Sequence[float] | Floats, parts: int) -> Floats:
    """``beats`` with ``parts − 1`` evenly spaced points added inside every beat (``parts`` = 2: eighths)."""
    b = np.asarray(beats, dtype=np.float64)
    if b.size < 2 or parts < 2:
        return b
    steps = np.arange(parts, dtype=np.float64) / parts
    inner = (b[:-1, None] + np.diff(b)[:, None] * steps[None, :]).ravel()
    return np.append(inner, b[-1])


def nearest_distances_s(times: Sequence[float] | Floats, grid: Sequence[float] | Floats) -> Floats:
    """|t − the nearest point of ``grid``| for each of ``times`` (seconds; ``grid`` need not be sorted)."""
    g = np.sort(np.asarray(grid, dtype=np.float64))
    t = np.asarray(times, dtype=np.float64)
    if g.size == 0:
        raise ValueError("an empty grid")
    right = np.clip(np.searchsorted(g, t), 0, g.size - 1)
    left = np.clip(right - 1, 0, g.size - 1)
    return np.asarray(np.minimum(np.abs(t - g[left]), np.abs(t - g[right])), dtype=np.float64)


def median_ms(distances_s: Floats) -> float | None:
    """The median of ``distances_s`` in milliseconds (None for no values)."""
    return round(1000.0 * float(np.median(distances_s)), 1) if distances_s.size else None


def share_within(distances_s: Floats, window_s: float) -> float | None:
    """Share of ``distances_s`` at most ``window_s`` (None for no values)."""
    return round(float(np.mean(distances_s <= window_s)), 4) if distances_s.size else None


def chord_at(chords: Sequence[Chord], seconds: float) -> tuple[int, ...] | None:
    """The pitch classes of the chord sounding at ``seconds`` (``chords`` sorted by start), or None."""
    starts = [c[0] for c in chords]
    index = bisect.bisect_right(starts, seconds) - 1
    if index < 0 or seconds >= chords[index][1] or not chords[index][2]:
        return None
    return chords[index][2]


@dataclass(frozen=True, slots=True)
class ToneCounts:
    """Notes judged (a chord under their midpoint), those in the chord, and those in the chord or the scale."""

    judged: int
    in_chord: int
    in_chord_or_scale: int

    def shares(self) -> dict[str, float | None]:
        n = self.judged
        return {
            "in_chord_share": round(self.in_chord / n, 4) if n else None,
            "in_chord_or_scale_share": round(self.in_chord_or_scale / n, 4) if n else None,
        }


def chord_tone_counts(notes: Sequence[Note], chords: Sequence[Chord], scale: Sequence[int] = ()) -> ToneCounts:
    """Count the notes whose pitch class is a tone of the chord at the note's midpoint (and, when not, a
    tone of ``scale``); a note with no chord under it (before the first, in an "N" span) is not judged."""
    ordered = sorted(chords)
    judged = in_chord = in_scale = 0
    for onset, offset, pitch in notes:
        tones = chord_at(ordered, 0.5 * (onset + offset))
        if tones is None:
            continue
        pc = round(pitch) % 12
        judged += 1
        in_chord += pc in tones
        in_scale += pc in tones or pc in scale
    return ToneCounts(judged, in_chord, in_scale)


def same_key(truth: tuple[int, str], found: tuple[int, str]) -> bool:
    """Same tonic pitch class and same family ("major" / "minor")."""
    return truth[0] % 12 == found[0] % 12 and truth[1] == found[1]


@dataclass(frozen=True, slots=True)
class Match:
    """Where the upload sits in the output (``lag_s`` > 0: later in the output), how alike they are there
    (Pearson correlation −1…1 over the overlap, mono) and the output's gain against the upload (dB)."""

    lag_s: float
    correlation: float
    gain_db: float


def aligned_match(upload: npt.ArrayLike, output: npt.ArrayLike, sample_rate: int, *,
                  max_lag_s: float = 30.0) -> Match:
    """Find the upload in ``output`` by cross-correlation (lag within ±``max_lag_s``) and compare them there.
    Both at ``sample_rate``; channels are averaged."""
    u = as_channels(np.asarray(upload)).mean(axis=0)
    o = as_channels(np.asarray(output)).mean(axis=0)
    reach = min(round(max_lag_s * sample_rate), min(u.size, o.size) - 1)
    lag = best_lag(u[None, :], o[None, :], max_lag=max(reach, 0))
    a, b = (u, o[lag:]) if lag >= 0 else (u[-lag:], o)
    n = min(a.size, b.size)
    a, b = a[:n], b[:n]
    energy = float(np.dot(a, a))
    if n == 0 or energy == 0.0 or float(np.dot(b, b)) == 0.0:
        return Match(lag / sample_rate, 0.0, to_db(0.0))
    correlation = float(np.corrcoef(a, b)[0, 1])
    return Match(round(lag / sample_rate, 5), round(correlation, 6), round(to_db(abs(float(np.dot(a, b)) / energy)), 3))
