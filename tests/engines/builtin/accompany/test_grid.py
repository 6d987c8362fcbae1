"""The fitted beat grid follows synthetic singers: drifting tempo, jitter, rests, pickups, a wrong analysis."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import pytest

from tunesmith.analysis.types import TempoMap
from tunesmith.engines.builtin.accompany.grid import FALLBACK_BPM, MAX_PERIOD_RATIO, fit_grid


@dataclass(frozen=True)
class Singer:
    """Sung onsets (seconds) and the truth they were made from."""

    onsets: np.ndarray
    positions: np.ndarray  # per onset: where it was meant to be, in beats of ``beats``
    beats: np.ndarray  # the true beat times
    beats_per_bar: int

    @property
    def on_beat(self) -> np.ndarray:
        return np.asarray(self.positions % 1.0 == 0.0)

    def times(self, positions: np.ndarray) -> np.ndarray:
        return np.asarray(np.interp(positions, np.arange(self.beats.size), self.beats))

    @property
    def mean_period(self) -> float:
        return float((self.beats[-1] - self.beats[0]) / (self.beats.size - 1))


def sing(seed: int, *, bpm: tuple[float, float] = (92.0, 104.0), bars: int = 48, beats_per_bar: int = 4,
         pickups: bool = False, jitter_s: float = 0.015, lead_s: float = 2.0) -> Singer:
    """Phrases of 2 or 4 bars (a rest bar between some), a long note on every downbeat, then notes on beats
    and 8ths; the tempo drifts linearly between ``bpm``; each onset jitters uniformly by ± ``jitter_s``.
    With ``pickups`` every phrase starts with a note a 16th before its downbeat."""
    rng = random.Random(seed)
    tempo = np.linspace(*bpm, bars * beats_per_bar + 1)
    beats = lead_s + np.concatenate([[0.0], np.cumsum(60.0 / tempo[:-1])])
    positions: list[float] = []
    bar = 0
    while bar + 4 <= bars:
        length = rng.choice([2, 2, 4])
        positions += [bar * beats_per_bar - 0.25] if pickups and bar > 0 else []
        for b in range(bar, bar + length):
            positions += _bar_rhythm(rng, b * beats_per_bar, beats_per_bar, last=b == bar + length - 1)
        bar += length + rng.choice([0, 1])
    at = np.array(positions)
    onsets = np.interp(at, np.arange(beats.size), beats) + np.array([rng.uniform(-jitter_s, jitter_s) for _ in at])
    return Singer(onsets, at, beats, beats_per_bar)


def _bar_rhythm(rng: random.Random, first: int, beats_per_bar: int, *, last: bool) -> list[float]:
    """One bar's onsets (beat positions): a long downbeat note, then quarters and 8ths."""
    out = [float(first)]
    for beat in range(2 if beats_per_bar > 3 else 1, beats_per_bar - (1 if last else 0)):
        draw = rng.random()
        if draw < 0.75:
            out.append(float(first + beat))
        if 0.5 <= draw < 0.9:
            out.append(first + beat + 0.5)
    return out


def constant_map(singer: Singer, *, bpm_factor: float = 1.0, phase_beats: float = 0.3,
                 downbeat_phase: int = 0) -> TempoMap:
    """A steady analysis grid at the singer's mean tempo × ``bpm_factor``, shifted by ``phase_beats``."""
    period = singer.mean_period / bpm_factor
    count = int((singer.beats[-1] - singer.beats[0]) / period) + 2
    beats = singer.beats[0] + (np.arange(count) + phase_beats) * period
    return TempoMap(tuple(float(b) for b in beats), tuple(range(downbeat_phase, count, 4)), (4, 4), 60.0 / period)


def nearest_error(grid: np.ndarray, times: np.ndarray, subdivision: int) -> np.ndarray:
    """Seconds from each time to the nearest 1/``subdivision`` of a beat of ``grid`` (times inside it)."""
    position = np.interp(times, grid, np.arange(grid.size))
    snapped = np.round(position * subdivision) / subdivision
    return np.asarray(np.abs(times - np.interp(snapped, np.arange(grid.size), grid)))


def downbeat_share(fitted: TempoMap, singer: Singer) -> float:
    """Share of fitted downbeats inside the song that fall on a true downbeat."""
    downbeats = np.array([fitted.beats[i] for i in fitted.downbeats])
    inside = downbeats[(downbeats > singer.beats[0] - 0.1) & (downbeats < singer.beats[-1])]
    position = np.interp(inside, singer.beats, np.arange(singer.beats.size))
    on_bar = (np.abs(position - np.round(position)) < 0.1) & (np.round(position) % singer.beats_per_bar == 0)
    return float(on_bar.mean())


def assert_valid(fitted: TempoMap, start_s: float, end_s: float) -> None:
    beats = np.array(fitted.beats)
    periods = np.diff(beats)
    assert beats[0] <= start_s and beats[-1] >= end_s
    assert np.all(periods > 0)
    assert np.all(np.abs(np.log(periods[1:] / periods[:-1])) <= np.log(MAX_PERIOD_RATIO) + 1e-9)
    assert fitted.bpm == pytest.approx(60.0 / float(np.median(periods)), abs=0.01)
    steps = np.diff(fitted.downbeats)
    assert fitted.downbeats[0] < fitted.meter[0] and np.all(steps == fitted.meter[0])


def check_locked(singer: Singer, analysis: TempoMap) -> TempoMap:
    end_s = float(singer.beats[-1]) + 3.0
    fitted = fit_grid(analysis, singer.onsets.tolist(), start_s=0.0, end_s=end_s)
    assert_valid(fitted, 0.0, end_s)
    grid = np.array(fitted.beats)
    assert np.median(nearest_error(grid, singer.onsets, 2)) <= 0.020
    assert np.median(nearest_error(grid, singer.onsets[singer.on_beat], 1)) <= 0.025
    return fitted


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_drifting_singer_against_a_grid_off_by_a_third_of_a_beat(seed: int) -> None:
    singer = sing(seed)
    fitted = check_locked(singer, constant_map(singer, phase_beats=0.3))
    assert downbeat_share(fitted, singer) >= 0.95
    assert 96.0 <= fitted.bpm <= 100.0  # the median of 92 → 104


@pytest.mark.parametrize("seed", [3, 4])
def test_half_and_double_tempo_analysis_is_corrected(seed: int) -> None:
    singer = sing(seed)
    for factor in (0.5, 2.0):
        fitted = check_locked(singer, constant_map(singer, bpm_factor=factor, phase_beats=0.0))
        assert 96.0 <= fitted.bpm <= 100.0
        assert downbeat_share(fitted, singer) >= 0.95


def test_an_analysis_without_beats_is_no_obstacle() -> None:
    singer = sing(10)
    fitted = check_locked(singer, TempoMap((), (), (4, 4), 120.0))
    assert downbeat_share(fitted, singer) >= 0.95


@pytest.mark.parametrize("bpm", [80.0, 120.0, 140.0])
def test_even_quarter_notes_are_beats_not_eighths(bpm: float) -> None:
    period = 60.0 / bpm
    onsets = 1.0 + period * np.arange(96) + np.random.default_rng(0).uniform(-0.015, 0.015, 96)
    half_time = TempoMap(tuple(1.0 + 2 * period * np.arange(48)), (0,), (4, 4), bpm / 2)
    fitted = fit_grid(half_time, onsets.tolist(), start_s=0.0, end_s=float(onsets[-1]) + 1.0)
    assert fitted.bpm == pytest.approx(bpm, rel=0.01)


def test_the_grid_follows_drift_beat_by_beat() -> None:
    singer = sing(5, bpm=(80.0, 112.0))
    fitted = fit_grid(constant_map(singer), singer.onsets.tolist(), start_s=0.0, end_s=float(singer.beats[-1]))
    sung = singer.times(np.arange(np.ceil(singer.positions[0]), singer.positions[-1]))
    assert np.median(nearest_error(np.array(fitted.beats), sung, 1)) <= 0.02
    assert np.all(nearest_error(np.array(fitted.beats), sung, 1) < 0.1 * singer.mean_period)


def test_pickups_a_sixteenth_early_do_not_drag_the_grid() -> None:
    singer = sing(6, pickups=True)
    fitted = check_locked(singer, constant_map(singer, phase_beats=0.3))
    pickups = singer.positions[singer.positions % 1.0 == 0.75]
    assert pickups.size >= 10
    downbeats_after_pickups = singer.times(pickups + 0.25)
    error = nearest_error(np.array(fitted.beats), downbeats_after_pickups, 1)
    assert np.median(error) <= 0.008 and np.max(error) <= 0.02  # a grid pulled towards them: ~23 ms
    assert downbeat_share(fitted, singer) >= 0.95


def test_sloppier_timing_still_lands_on_beats() -> None:
    singer = sing(7, jitter_s=0.04)
    fitted = fit_grid(constant_map(singer), singer.onsets.tolist(), start_s=0.0, end_s=float(singer.beats[-1]))
    assert np.median(nearest_error(np.array(fitted.beats), singer.onsets[singer.on_beat], 1)) <= 0.03


def test_three_four_with_the_meter_given() -> None:
    singer = sing(8, beats_per_bar=3, bpm=(120.0, 126.0))
    analysis = TempoMap((), (), (4, 4), 120.0)
    fitted = fit_grid(analysis, singer.onsets.tolist(), start_s=0.0, end_s=float(singer.beats[-1]), meter=(3, 4))
    assert fitted.meter == (3, 4)
    assert_valid(fitted, 0.0, float(singer.beats[-1]))
    assert downbeat_share(fitted, singer) >= 0.95


@pytest.mark.parametrize("downbeat_phase", [1, 2])
def test_analysis_downbeats_decide_when_the_voice_does_not(downbeat_phase: int) -> None:
    beats = 1.0 + 0.6 * np.arange(64)
    onsets = beats + 0.003 * np.sin(np.arange(64))  # even quarters: no note is longer or starts a phrase
    analysis = TempoMap(tuple(float(b) for b in beats), tuple(range(downbeat_phase, 64, 4)), (4, 4), 100.0)
    fitted = fit_grid(analysis, onsets.tolist(), start_s=1.0, end_s=float(beats[-1]))
    first_downbeat = fitted.beats[fitted.downbeats[0]]
    assert round((first_downbeat - 1.0) / 0.6) % 4 == downbeat_phase


def test_few_onsets_keep_the_analysis_grid_extended() -> None:
    analysis = TempoMap((10.0, 10.5, 11.0, 11.5, 12.0), (1,), (4, 4), 120.0)
    fitted = fit_grid(analysis, [10.2, 11.3], start_s=0.0, end_s=20.0)
    assert_valid(fitted, 0.0, 20.0)
    assert fitted.bpm == pytest.approx(120.0)
    assert np.allclose(np.diff(fitted.beats), 0.5)
    assert min(abs(fitted.beats[i] - 10.5) for i in fitted.downbeats) < 1e-9  # the analysis bar line kept


def test_nothing_at_all_gives_the_fallback_grid() -> None:
    fitted = fit_grid(TempoMap((), (), (4, 4), 120.0), [], start_s=3.0, end_s=9.0)
    assert_valid(fitted, 3.0, 9.0)
    assert fitted.bpm == pytest.approx(FALLBACK_BPM)
    assert fitted.beats[0] == pytest.approx(3.0)


@pytest.mark.parametrize("seed", [0, 1])
def test_random_onsets_give_a_valid_grid(seed: int) -> None:
    onsets = np.sort(np.random.default_rng(seed).uniform(5.0, 65.0, 90))
    fitted = fit_grid(TempoMap((), (), (4, 4), 120.0), onsets.tolist(), start_s=0.0, end_s=70.0)
    assert_valid(fitted, 0.0, 70.0)
    assert 50.0 <= fitted.bpm <= 200.0


def test_onsets_outside_the_range_are_ignored_and_an_empty_range_still_has_two_beats() -> None:
    singer = sing(9)
    fitted = fit_grid(constant_map(singer), (singer.onsets - 1000.0).tolist(), start_s=5.0, end_s=5.0)
    assert len(fitted.beats) >= 2 and fitted.beats[0] <= 5.0 <= fitted.beats[-1]
