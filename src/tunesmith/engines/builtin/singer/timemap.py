"""The time map of a sung phrase: where each piece of the spoken source lands in the song.

A *unit* is one spoken syllable sung on one or more notes. Its onset consonants (at most
``max_consonant_s``) end exactly at the first note's start so the vowel lands on the beat; the vowel
fills the notes; the coda (at most ``max_consonant_s``) closes the vowel before the next onset or the
note end. All times are seconds: source times in the spoken utterance, output times in the song.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

MAX_CONSONANT_S = 0.16
"""Longest onset or coda kept (s); longer clusters are played faster. 0.12 s cut "str", "sl" clusters."""
MIN_VOWEL_SHARE = 0.3
"""Share of its notes a vowel keeps when consonants crowd it. Consonants at their natural length matter
more to intelligibility than long vowels (English WER 0.142 → 0.128 on the vocal set, from 0.12 s / 0.5)."""


@dataclass(frozen=True, slots=True)
class Span:
    """A time interval ``[start, end)`` in seconds."""

    start: float
    end: float

    @property
    def length(self) -> float:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class SungNote:
    """A note as the singer sees it: seconds in the song, MIDI ``pitch``, MIDI ``velocity``."""

    start: float
    end: float
    pitch: int
    velocity: int


@dataclass(frozen=True, slots=True)
class Unit:
    """A spoken syllable (source spans) and the notes it is sung on (time order, non-overlapping)."""

    onset: Span
    nucleus: Span
    coda: Span
    notes: tuple[SungNote, ...]
    noise: tuple[Span, ...] = ()
    """Source spans of the unvoiced consonants (stops, fricatives) inside ``onset`` and ``coda``."""

    @property
    def note_span(self) -> Span:
        return Span(self.notes[0].start, self.notes[-1].end)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a unit's onset, vowel and coda are sung, in song seconds."""

    onset: Span
    nucleus: Span
    coda: Span

    @property
    def whole(self) -> Span:
        return Span(self.onset.start, self.coda.end)


@dataclass(frozen=True, slots=True)
class Segment:
    """Output ``[out_start, out_end)`` plays source ``[src_start, src_end)`` at a constant rate."""

    out_start: float
    out_end: float
    src_start: float
    src_end: float


def place(
    units: Sequence[Unit],
    *,
    max_consonant_s: float = MAX_CONSONANT_S,
    min_vowel_share: float = MIN_VOWEL_SHARE,
    earliest_s: float = 0.0,
) -> list[Placement]:
    """Place each unit's onset, vowel and coda around its notes (see the module docstring).

    When a coda and the next onset would leave a vowel less than ``min_vowel_share`` of its notes,
    both shrink by the same factor; the first onset never starts before ``earliest_s``.
    """
    onsets = [min(u.onset.length, max_consonant_s) for u in units]
    codas = [min(u.coda.length, max_consonant_s) for u in units]
    if units:
        onsets[0] = min(onsets[0], max(units[0].note_span.start - earliest_s, 0.0))
    placements = []
    for i, unit in enumerate(units):
        following = units[i + 1].note_span.start if i + 1 < len(units) else np.inf
        next_onset = onsets[i + 1] if i + 1 < len(units) else 0.0
        codas[i], next_onset = _fit_consonants(
            unit.note_span, following, codas[i], next_onset, min_vowel_share
        )
        if i + 1 < len(units):
            onsets[i + 1] = next_onset
        boundary = min(unit.note_span.end, following - next_onset)
        start = unit.note_span.start
        placements.append(
            Placement(
                Span(start - onsets[i], start),
                Span(start, boundary - codas[i]),
                Span(boundary - codas[i], boundary),
            )
        )
    return placements


def _fit_consonants(
    notes: Span, next_start: float, coda: float, next_onset: float, min_vowel_share: float
) -> tuple[float, float]:
    """Shrink ``coda`` and the part of ``next_onset`` that intrudes into ``notes`` to leave the vowel room."""
    gap = max(next_start - notes.end, 0.0)
    intruding = max(next_onset - gap, 0.0)
    room = max(min(notes.end, next_start) - notes.start - min_vowel_share * notes.length, 0.0)
    demand = coda + intruding
    if demand <= room:
        return coda, next_onset
    scale = room / demand
    return coda * scale, min(next_onset, gap) + intruding * scale


def segments(
    units: Sequence[Unit], placements: Sequence[Placement], *, edge_s: float = 0.03
) -> list[Segment]:
    """The piecewise-linear map output → source for a phrase, in output time order.

    Consonants are played at the rate their placement implies; a lengthened vowel keeps ``edge_s`` of
    natural-speed transition at each end and stretches only its steady middle.
    """
    out: list[Segment] = []
    for unit, placed in zip(units, placements, strict=True):
        out.append(Segment(placed.onset.start, placed.onset.end, unit.onset.start, unit.onset.end))
        out.extend(_vowel_segments(unit.nucleus, placed.nucleus, edge_s))
        out.append(Segment(placed.coda.start, placed.coda.end, unit.coda.start, unit.coda.end))
    return [s for s in out if s.out_end > s.out_start]


def _vowel_segments(source: Span, target: Span, edge_s: float) -> list[Segment]:
    edge = min(edge_s, source.length / 4, target.length / 4)
    if target.length <= source.length or edge <= 0:
        return [Segment(target.start, target.end, source.start, source.end)]
    return [
        Segment(target.start, target.start + edge, source.start, source.start + edge),
        Segment(target.start + edge, target.end - edge, source.start + edge, source.end - edge),
        Segment(target.end - edge, target.end, source.end - edge, source.end),
    ]


def source_times(
    segs: Sequence[Segment], times: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """For output ``times`` (s), the source time each plays and whether any segment covers it."""
    if not segs:
        return np.zeros_like(times), np.zeros(times.shape, dtype=bool)
    out_start = np.array([s.out_start for s in segs])
    out_end = np.array([s.out_end for s in segs])
    src_start = np.array([s.src_start for s in segs])
    src_end = np.array([s.src_end for s in segs])
    idx = np.clip(np.searchsorted(out_start, times, side="right") - 1, 0, len(segs) - 1)
    inside = (times >= out_start[idx]) & (times < out_end[idx])
    rate = (src_end[idx] - src_start[idx]) / (out_end[idx] - out_start[idx])
    return src_start[idx] + (times - out_start[idx]) * rate, inside


def noise_copies(units: Sequence[Unit], placements: Sequence[Placement]) -> list[Segment]:
    """Where each unvoiced consonant of the phrase is copied from the source at natural speed.

    A consonant starts where its cluster's (onset's or coda's) time map puts it and plays at rate 1 for
    as long as that map gives it (its head kept: a stop's burst opens its span); the copies are what a
    re-synthesis would smear (bursts, frication), so the singer pastes the spoken samples there instead.
    """
    out: list[Segment] = []
    for unit, placed in zip(units, placements, strict=True):
        for span in unit.noise:
            for source, target in ((unit.onset, placed.onset), (unit.coda, placed.coda)):
                if source.start <= span.start and span.end <= source.end and source.length > 0:
                    rate = target.length / source.length
                    start = target.start + (span.start - source.start) * rate
                    length = span.length * min(rate, 1.0)
                    if length > 0:
                        out.append(Segment(start, start + length, span.start, span.start + length))
                    break
    return out
