"""The sung pitch contour: note pitches with portamento between notes and vibrato on long notes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from tunesmith.engines.builtin.singer.timemap import SungNote

Floats = npt.NDArray[np.float64]


def pitch_contour(
    notes: Sequence[SungNote],
    times: Floats,
    *,
    glide_s: float = 0.06,
    vibrato_hz: float = 5.5,
    vibrato_semitones: float = 0.35,
    vibrato_min_note_s: float = 0.35,
) -> Floats:
    """F0 in Hz at each of ``times`` (s, evenly spaced), following ``notes`` (time order).

    Between and before notes the pitch is the upcoming note's, so a coda keeps its note's pitch and
    the glide (a ``glide_s`` raised-cosine smoothing, centred on the note change) happens where the
    notes meet. Notes of at least ``vibrato_min_note_s`` get ``vibrato_hz`` vibrato of
    ± ``vibrato_semitones``, faded in after the note has settled.
    """
    if not notes or times.size == 0:
        return np.zeros_like(times)
    ends = np.array([n.end for n in notes])
    pitches = np.array([n.pitch for n in notes], dtype=np.float64)
    midi = pitches[np.clip(np.searchsorted(ends, times, side="right"), 0, len(notes) - 1)]
    frame_s = float(times[1] - times[0]) if times.size > 1 else 1.0
    midi = smooth(midi, max(int(round(glide_s / frame_s)), 1))
    for note in notes:
        if note.end - note.start >= vibrato_min_note_s:
            midi += vibrato(
                times, note.start, note.end, rate_hz=vibrato_hz, depth_semitones=vibrato_semitones
            )
    return np.asarray(440.0 * 2.0 ** ((midi - 69.0) / 12.0), dtype=np.float64)


def smooth(track: Floats, width: int) -> Floats:
    """``track`` convolved with a normalised Hann window ``width`` samples wide (edges held)."""
    if width < 3:
        return track.copy()
    window = np.hanning(width + 2)[1:-1]
    window /= window.sum()
    padded = np.pad(track, (width // 2, width - 1 - width // 2), mode="edge")
    return np.convolve(padded, window, mode="valid")


def vibrato(
    times: Floats,
    start: float,
    end: float,
    *,
    rate_hz: float,
    depth_semitones: float,
    delay_s: float = 0.15,
    ramp_s: float = 0.3,
) -> Floats:
    """Vibrato in semitones at ``times`` (s): a sine inside ``[start, end)`` faded in after ``delay_s``."""
    inside = (times >= start) & (times < end)
    since = times - start
    envelope = np.clip((since - delay_s) / ramp_s, 0.0, 1.0) * inside
    return np.asarray(depth_semitones * envelope * np.sin(2 * np.pi * rate_hz * since), dtype=np.float64)


def loudness_gain(notes: Sequence[SungNote], times: Floats, *, reference_velocity: int = 96) -> Floats:
    """Amplitude factor at each of ``times`` (s) from the velocity of the current or upcoming note.

    Linear in velocity, 1.0 at ``reference_velocity``; smoothed over 40 ms to avoid clicks.
    """
    if not notes or times.size == 0:
        return np.ones_like(times)
    ends = np.array([n.end for n in notes])
    velocity = np.array([n.velocity for n in notes], dtype=np.float64)
    current = np.clip(np.searchsorted(ends, times, side="right"), 0, len(notes) - 1)
    gain = velocity[current] / reference_velocity
    frame_s = float(times[1] - times[0]) if times.size > 1 else 1.0
    return smooth(gain, max(int(round(0.04 / frame_s)), 1))
