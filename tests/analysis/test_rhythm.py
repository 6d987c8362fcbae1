"""Beat tracking on synthetic click tracks: steady and drifting tempo, accented bars, any channel count and rate."""

from __future__ import annotations

import numpy as np
import pytest

from tunesmith.analysis.base import BeatTracker
from tunesmith.analysis.rhythm import LibrosaBeatTracker, complete_grid, fill_gaps
from tunesmith.dsp.types import Audio

SR = 44100


def _click(sr: int, rng: np.random.Generator) -> np.ndarray:
    """A 30 ms decaying noise burst (broadband, like a stick or hi-hat)."""
    t = np.arange(int(0.03 * sr)) / sr
    return (rng.normal(0.0, 0.3, t.size) * np.exp(-t * 120.0)).astype(np.float32)


def _kick(sr: int) -> np.ndarray:
    """A 150 ms bass drum: a sine falling from 100 to 45 Hz, decaying."""
    t = np.arange(int(0.15 * sr)) / sr
    frequency = 45.0 + 55.0 * np.exp(-t * 40.0)
    phase = 2 * np.pi * np.cumsum(frequency) / sr
    return (0.9 * np.sin(phase) * np.exp(-t * 25.0)).astype(np.float32)


def click_track(beats: np.ndarray, seconds: float, *, sr: int = SR, accents: np.ndarray | None = None,
                channels: int = 2) -> Audio:
    """Clicks on ``beats`` (seconds); a kick drum under the beats flagged in ``accents``."""
    rng = np.random.default_rng(7)
    x = np.zeros(int(seconds * sr), dtype=np.float32)
    click, kick = _click(sr, rng), _kick(sr)
    for i, b in enumerate(beats):
        start = int(round(b * sr))
        x[start:start + click.size] += click[:max(0, x.size - start)]
        if accents is not None and accents[i]:
            x[start:start + kick.size] += kick[:max(0, x.size - start)]
    return np.repeat(x[None, :], channels, axis=0)


def _matched(truth: np.ndarray, found: np.ndarray, tolerance: float) -> float:
    """Share of ``truth`` beats with a found beat within ``tolerance`` seconds."""
    found = np.asarray(found)
    return float(np.mean([np.min(np.abs(found - t)) <= tolerance for t in truth]))


def test_it_is_a_beat_tracker() -> None:
    assert isinstance(LibrosaBeatTracker(), BeatTracker)


@pytest.mark.parametrize("bpm", [92.0, 120.0, 150.0])
def test_steady_click_tempo_and_beats(bpm: float) -> None:
    truth = np.arange(0.5, 19.5, 60.0 / bpm)
    tempo = LibrosaBeatTracker().track(click_track(truth, 20.0), SR)
    assert tempo.bpm == pytest.approx(bpm, rel=0.02)
    assert _matched(truth, np.array(tempo.beats), 0.03) >= 0.97
    assert tempo.beats[0] == pytest.approx(truth[0], abs=0.03)
    assert tempo.beats[-1] == pytest.approx(truth[-1], abs=0.03)


def test_grid_follows_a_drifting_performer() -> None:
    periods = np.linspace(60.0 / 110.0, 60.0 / 126.0, 60)  # speeds up from 110 to 126 BPM
    truth = 0.4 + np.concatenate([[0.0], np.cumsum(periods)])
    tempo = LibrosaBeatTracker().track(click_track(truth, float(truth[-1]) + 0.6), SR)
    assert _matched(truth, np.array(tempo.beats), 0.03) >= 0.95
    assert 110.0 < tempo.bpm < 126.0
    early, late = np.diff(tempo.beats[:8]).mean(), np.diff(tempo.beats[-8:]).mean()
    assert early > late * 1.08


@pytest.mark.parametrize(("meter", "first_downbeat"), [(4, 1), (4, 3), (3, 2)])
def test_downbeats_fall_on_the_accented_beats(meter: int, first_downbeat: int) -> None:
    """No chord changes to go by (a held chord): the kick drum alone must place the bar line."""
    truth = np.arange(0.5, 24.0, 0.5)
    accents = (np.arange(truth.size) - first_downbeat) % meter == 0
    clicks = click_track(truth, 24.5, accents=accents)
    t = np.arange(clicks.shape[1]) / SR
    drone = sum(0.05 * np.sin(2 * np.pi * f * t) for f in (261.6, 329.6, 392.0))  # one chord throughout
    tempo = LibrosaBeatTracker().track((clicks + drone).astype(np.float32), SR)
    assert tempo.meter == (meter, 4)
    downbeat_times = np.array([tempo.beats[i] for i in tempo.downbeats])
    assert _matched(truth[accents][1:-1], downbeat_times, 0.05) >= 0.9
    assert np.all(np.diff(tempo.downbeats) == meter)


def test_mono_low_rate_and_stereo_agree() -> None:
    truth = np.arange(0.3, 15.0, 0.5)
    stereo = LibrosaBeatTracker().track(click_track(truth, 15.5), SR)
    mono = LibrosaBeatTracker().track(click_track(truth, 15.5, sr=22050, channels=1), 22050)
    assert mono.bpm == pytest.approx(stereo.bpm, rel=0.01)
    assert _matched(truth, np.array(mono.beats), 0.03) >= 0.97


def test_silence_gives_an_empty_grid() -> None:
    tempo = LibrosaBeatTracker().track(np.zeros((2, SR * 3), dtype=np.float32), SR)
    assert tempo.beats == ()
    assert tempo.downbeats == ()


def test_fill_gaps_splits_long_intervals_evenly() -> None:
    filled = fill_gaps(np.array([0.0, 0.5, 1.0, 2.5, 3.0]))
    np.testing.assert_allclose(filled, [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0])


def test_complete_grid_extends_to_the_first_and_last_sound() -> None:
    frame = 22050 / 512
    grid = complete_grid(np.array([2.0, 2.5, 3.0, 3.5]), first=int(0.95 * frame), last=int(5.05 * frame),
                         period=0.5)
    assert grid[0] == pytest.approx(1.0)
    assert grid[-1] == pytest.approx(5.0)
    np.testing.assert_allclose(np.diff(grid), 0.5)
