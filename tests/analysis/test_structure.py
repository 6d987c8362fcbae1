"""Sections of synthetic A-B-A-B pieces: boundaries on bar lines, repeats sharing a label, roles from vocals."""

from __future__ import annotations

import numpy as np
import pytest

from tunesmith.analysis.base import SectionFinder
from tunesmith.analysis.structure import (
    RepetitionSectionFinder,
    boundaries,
    guess_kinds,
    label_segments,
    vocal_share,
)
from tunesmith.analysis.types import TempoMap
from tunesmith.dsp.types import Audio

SR = 22050
BAR_S = 2.0  # 4 beats at 120 BPM
BARS_PER_PART = 8

PART_A = ((0, 4), (7, 4), (9, 3), (5, 4))  # C G Am F as (root, third)
PART_B = ((2, 3), (4, 3), (5, 4), (7, 4))  # Dm Em F G


def _note(midi: float, seconds: float, *, bright: bool) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    f = 440.0 * 2 ** ((midi - 69) / 12)
    partials = 8 if bright else 1
    wave = sum(np.sin(2 * np.pi * (k + 1) * f * t) / (k + 1) for k in range(partials))
    return (0.1 * wave * np.exp(-t * 0.8)).astype(np.float32)


def _bar(root: int, third: int, *, bright: bool) -> np.ndarray:
    bar = sum(_note(60 + root + step, BAR_S, bright=bright) for step in (0, third, 7))
    bass = _note(36 + root, BAR_S, bright=False) * 2.0
    return np.asarray(bar + bass, dtype=np.float32)


def _part(chords: tuple[tuple[int, int], ...], *, bright: bool) -> np.ndarray:
    return np.concatenate([_bar(*chords[i % len(chords)], bright=bright) for i in range(BARS_PER_PART)])


def abab(*, channels: int = 1) -> Audio:
    """A (soft sines, C G Am F) and B (bright saws, Dm Em F G), 8 bars each, played A B A B (64 s)."""
    a, b = _part(PART_A, bright=False), _part(PART_B, bright=True)
    song = np.concatenate([a, b, a, b])
    return np.repeat(song[None, :], channels, axis=0)


def bar_grid(seconds: float) -> TempoMap:
    beats = tuple(float(t) for t in np.arange(0.0, seconds - 1e-6, BAR_S / 4))
    return TempoMap(beats, tuple(range(0, len(beats), 4)), (4, 4), 120.0)


def test_it_is_a_section_finder() -> None:
    assert isinstance(RepetitionSectionFinder(), SectionFinder)


def test_abab_boundaries_and_repeat_labels() -> None:
    audio = abab()
    seconds = audio.shape[1] / SR
    sections = RepetitionSectionFinder().find_sections(audio, SR, bar_grid(seconds), ())
    starts = [s.start_s for s in sections]
    assert len(sections) == 4
    np.testing.assert_allclose(starts, [0.0, 16.0, 32.0, 48.0], atol=BAR_S + 1e-6)
    labels = [s.label for s in sections]
    assert labels[0] == labels[2] and labels[1] == labels[3] and labels[0] != labels[1]
    assert sections[-1].end_s == pytest.approx(seconds)
    assert all(a.end_s == b.start_s for a, b in zip(sections, sections[1:], strict=False))


def test_stereo_at_44100_and_vocal_roles() -> None:
    mono = abab()
    stereo = np.repeat(np.repeat(mono, 2, axis=0), 2, axis=1)  # 44.1 kHz by sample doubling
    seconds = stereo.shape[1] / 44100
    sung = ((16.5, 31.5), (32.5, 47.5), (48.5, 63.0))
    sections = RepetitionSectionFinder().find_sections(stereo, 44100, bar_grid(seconds), sung)
    assert [s.kind for s in sections] == ["intro", "chorus", "verse", "chorus"]
    assert all(s.start_s in np.arange(0.0, seconds, BAR_S) for s in sections)


def test_silence_and_very_short_audio_do_not_crash() -> None:
    finder = RepetitionSectionFinder()
    silent = finder.find_sections(np.zeros((2, SR * 10), dtype=np.float32), SR, bar_grid(10.0), ())
    assert silent[0].start_s == 0.0 and silent[-1].end_s == pytest.approx(10.0)
    short = finder.find_sections(np.zeros((1, SR // 2), dtype=np.float32), SR, TempoMap((), ()), ())
    assert len(short) == 1 and short[0].end_s == pytest.approx(0.5)
    assert finder.find_sections(np.zeros((1, 0), dtype=np.float32), SR, TempoMap((), ()), ()) == ()


def _blocks(pattern: str, bars: int) -> np.ndarray:
    """A (bars, bars) similarity where bars of the same letter (per ``bars``-bar block) are identical."""
    letters = np.repeat(list(pattern), bars)
    return np.where(letters[:, None] == letters[None, :], 1.0, 0.2)


def test_boundaries_and_labels_from_a_block_matrix() -> None:
    similarity = _blocks("ABAB", 8)
    starts = boundaries(similarity, 4)
    assert starts == [0, 8, 16, 24]
    assert label_segments(similarity, starts) == ["A", "B", "A", "B"]


def test_kinds_from_where_the_voice_sings() -> None:
    labels = ["A", "B", "C", "B", "C", "D", "C", "E"]
    edges = [0.0, 8.0, 24.0, 40.0, 56.0, 72.0, 80.0, 96.0, 104.0]
    sung = ((8.0, 72.0), (80.0, 96.0))
    kinds = guess_kinds(labels, edges, sung)
    assert kinds == ["intro", "verse", "chorus", "verse", "chorus", "instrumental", "chorus", "outro"]


def test_a_sung_label_heard_once_after_the_chorus_is_a_bridge() -> None:
    labels = ["A", "B", "C", "B", "C", "D", "C"]
    edges = [0.0, 4.0, 8.0, 12.0, 16.0, 20.0, 24.0, 28.0]
    kinds = guess_kinds(labels, edges, ((4.0, 28.0),))
    assert kinds == ["intro", "verse", "chorus", "verse", "chorus", "bridge", "chorus"]


def test_instrumental_song_kinds() -> None:
    assert guess_kinds(["A", "B", "C", "B", "D"], [0.0, 1, 2, 3, 4, 5], ()) == \
        ["intro", "instrumental", "instrumental", "instrumental", "outro"]


def test_vocal_share() -> None:
    assert vocal_share(0.0, 10.0, ((2.0, 4.0), (8.0, 12.0))) == pytest.approx(0.4)
