"""The time map puts vowels on the beat and keeps consonants short."""

from __future__ import annotations

import numpy as np
import pytest

from tunesmith.engines.builtin.singer.contour import pitch_contour
from tunesmith.engines.builtin.singer.timemap import (
    MAX_CONSONANT_S,
    MIN_VOWEL_SHARE,
    Span,
    SungNote,
    Unit,
    noise_copies,
    place,
    segments,
    source_times,
)


def unit(onset: float, vowel: float, coda: float, notes: list[tuple[float, float, int]], at: float = 0.0) -> Unit:
    """A unit whose source onset/vowel/coda last the given seconds, starting at source time ``at``."""
    return Unit(
        onset=Span(at, at + onset),
        nucleus=Span(at + onset, at + onset + vowel),
        coda=Span(at + onset + vowel, at + onset + vowel + coda),
        notes=tuple(SungNote(a, b, p, 96) for a, b, p in notes),
    )


def test_vowel_starts_on_the_beat_and_consonants_are_capped() -> None:
    units = [unit(0.3, 0.1, 0.05, [(1.0, 2.0, 60)]), unit(0.05, 0.1, 0.2, [(2.0, 2.5, 62)], at=0.5)]
    first, second = place(units)
    assert first.nucleus.start == 1.0 and first.onset.end == 1.0
    assert abs(first.onset.length - MAX_CONSONANT_S) < 1e-9  # 0.3 s of source onset squeezed
    assert second.onset.end == 2.0 and first.coda.end <= second.onset.start
    assert second.coda.end == 2.5 and second.coda.length <= MAX_CONSONANT_S + 1e-9


def test_short_notes_shrink_consonants_to_keep_part_of_the_vowel() -> None:
    units = [unit(0.05, 0.1, 0.12, [(1.0, 1.1, 60)]), unit(0.12, 0.1, 0.0, [(1.1, 1.3, 62)], at=0.5)]
    first, _ = place(units)
    assert first.nucleus.length >= MIN_VOWEL_SHARE * 0.1 - 1e-9


def test_first_onset_never_starts_before_time_zero() -> None:
    (only,) = place([unit(0.1, 0.1, 0.0, [(0.04, 0.5, 60)])])
    assert only.onset.start >= 0.0 and only.nucleus.start == 0.04


def test_segments_map_output_to_source() -> None:
    units = [unit(0.1, 0.2, 0.1, [(1.0, 3.0, 60)])]
    segs = segments(units, place(units))
    src, inside = source_times(segs, np.array([0.5, 0.95, 2.0, 2.97, 3.5]))
    assert inside.tolist() == [False, True, True, True, False]
    assert 0.1 < src[2] < 0.3  # mid-note plays the stretched vowel
    assert src[3] > 0.3  # the coda closes the note


def test_pitch_contour_glides_and_settles() -> None:
    notes = [SungNote(0.0, 0.5, 60, 96), SungNote(0.5, 1.5, 67, 96)]
    times = np.arange(0, 1.5, 0.005)
    f0 = pitch_contour(notes, times, vibrato_semitones=0.0)
    assert abs(f0[50] - 261.63) < 0.5 and abs(f0[200] - 392.0) < 0.5
    assert 261.63 < f0[100] < 392.0  # mid-glide at the note change


def test_noise_copies_play_unvoiced_consonants_at_natural_speed() -> None:
    base = unit(0.1, 0.2, 0.1, [(1.0, 2.0, 60)])
    noisy = Unit(base.onset, base.nucleus, base.coda, base.notes, noise=(Span(0.02, 0.08), Span(0.32, 0.36)))
    (placed,) = place([noisy])
    onset_copy, coda_copy = noise_copies([noisy], [placed])
    # the onset keeps its length, so the consonant sits where the time map puts it, at rate 1
    assert onset_copy.out_start == pytest.approx(placed.onset.start + 0.02)
    assert onset_copy.out_end - onset_copy.out_start == pytest.approx(0.06)
    assert (onset_copy.src_start, onset_copy.src_end) == pytest.approx((0.02, 0.08))
    assert coda_copy.out_start == pytest.approx(placed.coda.start + 0.02) and coda_copy.src_start == pytest.approx(0.32)


def test_noise_copies_of_a_squeezed_cluster_keep_the_consonant_head() -> None:
    base = unit(0.32, 0.2, 0.0, [(1.0, 2.0, 60)])  # twice the longest onset kept: played at double speed
    noisy = Unit(base.onset, base.nucleus, base.coda, base.notes, noise=(Span(0.16, 0.24),))
    (placed,) = place([noisy])
    (copy,) = noise_copies([noisy], [placed])
    assert copy.out_start == pytest.approx(placed.onset.start + 0.08)  # where the squeezed map puts it
    assert copy.src_start == pytest.approx(0.16) and copy.src_end == pytest.approx(0.20)  # its first half
    assert copy.out_end - copy.out_start == pytest.approx(copy.src_end - copy.src_start)
